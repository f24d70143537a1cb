// Where the row index (query/row-index.ts) cuts its rows into chunks. Cuts follow the content, not a fixed count:
// a fixed count would move every later cut when one version is added, so an incremental build would rewrite half
// the index; cuts decided by the rows themselves move only around a change. Each row's key (server name and
// version) hashes to a number; a chunk ends after
// - a row whose hash is 0 modulo STRONG_CUT (whatever the chunk's size: these resynchronise the layout), or
// - once it holds MIN_CHUNK_ROWS rows, a row whose hash is 0 modulo WEAK_CUT (a cut a few rows later), or
// - MAX_CHUNK_ROWS rows, when no such row came (rare: (31/32)^256 of long runs).
// Chunks then average about 250 rows, as the fixed count of 256 did, and a new version changes its own chunk and
// seldom the next (row-chunks.test.ts measures it). The readers never assume a size: each head gives its count.

const STRONG_CUT = 1024;
const WEAK_CUT = 32;
const MIN_CHUNK_ROWS = 256;
/** No chunk costs a reader more than twice the rows of the former fixed chunks. */
export const MAX_CHUNK_ROWS = 512;

/**
 * FNV-1a over the UTF-16 code units of `text`: a few lines, stable across Node, njs and browsers, and far cheaper
 * than a cryptographic hash per row (the cut needs spread, not secrecy), so it is written here rather than added.
 */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A row where a chunk may end: its index in the server's rows, and 1 for a strong cut, 0 for a weak one. */
export type Cut = [row: number, strong: number];

/** The rows of a server (`versions` in version order) where a chunk may end. */
export function naturalCuts(name: string, versions: readonly string[]): Cut[] {
  const cuts: Cut[] = [];
  for (let i = 0; i < versions.length; i++) {
    const hash = fnv1a(`${name}\u0000${versions[i]}`);
    if (hash % WEAK_CUT === 0) cuts.push([i, hash % STRONG_CUT === 0 ? 1 : 0]);
  }
  return cuts;
}

/** What the layout needs of a server: its row count and natural cuts. */
export interface ChunkedServer {
  name: string;
  rowCount: number;
  cuts: readonly Cut[];
}

/** One chunk: from row `firstRow` of server `first` to row `lastRow` of server `last` (indexes into the server list). */
export interface ChunkSpan {
  first: number;
  firstRow: number;
  last: number;
  lastRow: number;
  rows: number;
}

/** The chunks of servers in name order. */
export function layoutChunks(servers: readonly ChunkedServer[]): ChunkSpan[] {
  const spans: ChunkSpan[] = [];
  let open: ChunkSpan | undefined;
  for (let s = 0; s < servers.length; s++) {
    const { rowCount, cuts } = servers[s]!;
    let next = 0;
    for (let r = 0; r < rowCount; r++) {
      open ??= { first: s, firstRow: r, last: s, lastRow: r, rows: 0 };
      open.last = s;
      open.lastRow = r;
      open.rows++;
      while (next < cuts.length && cuts[next]![0] < r) next++;
      const cut = next < cuts.length && cuts[next]![0] === r ? cuts[next]! : undefined;
      if ((cut && (cut[1] === 1 || open.rows >= MIN_CHUNK_ROWS)) || open.rows === MAX_CHUNK_ROWS) {
        spans.push(open);
        open = undefined;
      }
    }
  }
  if (open) spans.push(open);
  return spans;
}

/** A chunk's identity by its first and last rows (server name and row index): equal keys, equal row ranges. */
export function chunkKey(span: ChunkSpan, servers: readonly ChunkedServer[]): string {
  return `${servers[span.first]!.name}#${span.firstRow}\u0000${servers[span.last]!.name}#${span.lastRow}`;
}
