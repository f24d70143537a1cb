// RFC 3339 instants as the registry API writes them ("2025-09-16T16:43:44.243434Z": UTC, up to nanoseconds).
// JavaScript dates keep milliseconds only, and the strings do not sort as text ("…44Z" < "…44.5Z" is false), so
// they are compared through a fixed-width form.

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/** A sortable key (UTC, nine fraction digits), or undefined for a string that is no RFC 3339 instant. */
export function instantKey(text: string): string | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[4]!.toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  return `${new Date(ms).toISOString().slice(0, 19)}.${(m[3] ?? '').padEnd(9, '0')}`;
}

export function isInstant(text: unknown): text is string {
  return typeof text === 'string' && instantKey(text) !== undefined;
}

/** Negative, zero or positive as a is before, at or after b (both valid instants). */
export function compareInstants(a: string, b: string): number {
  const x = instantKey(a)!;
  const y = instantKey(b)!;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The later of two instants (the first on a tie). */
export function laterInstant(a: string, b: string): string {
  return compareInstants(b, a) > 0 ? b : a;
}
