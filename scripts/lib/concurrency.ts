/**
 * Maps with at most `limit` calls in flight: enough to keep the disk busy without opening 100,000 files at once.
 * On the first failure no new call starts, and the promise rejects with that failure only once every call already
 * started has settled, so a caller cleaning up after an error (e.g. removing a staging folder) does not race
 * writes still in flight.
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  async function worker(): Promise<void> {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
