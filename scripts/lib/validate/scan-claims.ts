// Which thread of a whole registry's check walks each namespace folder (parallel-scan.ts, scan-worker.ts).

export const MAIN_THREAD = 1;
export const SCAN_WORKER = 2;

/**
 * The `within` of a thread's walk: a namespace folder is walked by whichever thread reaches it first, so the threads
 * share the work whatever the speed of each (the worker starts later, and one half of the names may hold more
 * versions). What is not a namespace folder (a file at the top) is the main thread's.
 */
export function claimedBy(me: number, namespaces: readonly string[], claims: SharedArrayBuffer): (relative: string) => boolean {
  const slots = new Int32Array(claims);
  const index = new Map(namespaces.map((name, i) => [name, i]));
  return (relative) => {
    const i = index.get(relative.split('/')[0]!);
    if (i === undefined) return me === MAIN_THREAD;
    const owner = Atomics.compareExchange(slots, i, 0, me);
    return owner === 0 || owner === me;
  };
}
