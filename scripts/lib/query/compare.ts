// Orderings the official registry gets from PostgreSQL: text in the C locale (bytewise UTF-8) and timestamps.

/** Compares strings by UTF-8 byte order (= code point order), as PostgreSQL's C collation does. */
export function compareBytewise(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 puts surrogates (U+D800–DFFF) below U+E000–FFFF; in code point order they come after.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** A point in time with the nanosecond precision of Go's time.Time. */
export interface Instant {
  seconds: number;
  nanos: number;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Parses the RFC 3339 forms Go's `time.Parse(time.RFC3339, …)` accepts; null otherwise. */
export function parseInstant(text: string): Instant | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const year = +m[1]!, month = +m[2]!, day = +m[3]!, hour = +m[4]!, minute = +m[5]!, second = +m[6]!;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(ms).getUTCDate() !== day) return null;
  let offset = 0;
  const zone = m[8]!;
  if (zone !== 'Z') {
    const oh = +zone.slice(1, 3), om = +zone.slice(4, 6);
    if (oh > 23 || om > 59) return null;
    offset = (oh * 60 + om) * 60 * (zone.charAt(0) === '-' ? -1 : 1);
  }
  const fraction = m[7] ? m[7].slice(1) : '';
  return { seconds: ms / 1000 - offset, nanos: fraction ? +(fraction + '000000000').slice(0, 9) : 0 };
}

export function compareInstants(a: Instant, b: Instant): number {
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  return a.nanos === b.nanos ? 0 : a.nanos < b.nanos ? -1 : 1;
}

/** The later of two RFC 3339 instants (both valid), as given; the first on a tie. */
export function laterInstant(a: string, b: string): string {
  return compareInstants(parseInstant(b)!, parseInstant(a)!) > 0 ? b : a;
}

/** Go's time.Time JSON form in UTC: fraction trimmed of trailing zeros, `Z` suffix. */
export function formatInstant(t: Instant): string {
  const base = new Date(t.seconds * 1000).toISOString().slice(0, 19);
  const fraction = t.nanos ? '.' + String(t.nanos + 1e9).slice(1).replace(/0+$/, '') : '';
  return base + fraction + 'Z';
}
