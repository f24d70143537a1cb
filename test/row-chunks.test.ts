// Where the row index cuts its chunks (build/row-chunks.ts): every row exactly once, in order, no chunk above the
// ceiling, about 256 rows on average, and a new version moves no cut but its own chunk's, so that an incremental
// build rewrites one chunk, not half the index.

import { describe, expect, it } from 'vitest';
import { chunkKey, layoutChunks, MAX_CHUNK_ROWS, naturalCuts, type ChunkedServer } from '../scripts/lib/build/row-chunks.ts';
import { mulberry32 } from '../scripts/lib/seeded-random.ts';

function registry(servers: number, seed: number): Array<{ name: string; versions: string[] }> {
  const random = mulberry32(seed);
  return Array.from({ length: servers }, (_, s) => ({
    name: `io.github.owner-${s % 97}/server-${String(s).padStart(6, '0')}`,
    versions: Array.from({ length: 1 + Math.floor(random() * 9) + (random() < 0.01 ? 900 : 0) }, (_, v) => `1.${v}.0`),
  }));
}

const chunked = (list: ReadonlyArray<{ name: string; versions: string[] }>): ChunkedServer[] =>
  list.map((s) => ({ name: s.name, rowCount: s.versions.length, cuts: naturalCuts(s.name, s.versions) }));

describe('row index chunks', () => {
  const servers = chunked(registry(20_000, 3));
  const spans = layoutChunks(servers);

  it('hold every row once, in order, none above the ceiling, about 256 rows on average', () => {
    let server = 0, row = 0;
    for (const span of spans) {
      expect([span.first, span.firstRow]).toEqual([server, row]);
      let count = 0;
      for (let s = span.first; s <= span.last; s++) {
        const from = s === span.first ? span.firstRow : 0, to = s === span.last ? span.lastRow : servers[s]!.rowCount - 1;
        count += to - from + 1;
      }
      expect(count).toBe(span.rows);
      expect(span.rows).toBeLessThanOrEqual(MAX_CHUNK_ROWS);
      [server, row] = span.lastRow === servers[span.last]!.rowCount - 1 ? [span.last + 1, 0] : [span.last, span.lastRow + 1];
    }
    expect(server).toBe(servers.length);
    const total = servers.reduce((n, s) => n + s.rowCount, 0);
    expect(total / spans.length).toBeGreaterThan(200);
    expect(total / spans.length).toBeLessThan(320);
  });

  it('change only the chunk of a new version, almost always', () => {
    const list = registry(20_000, 3);
    const random = mulberry32(9);
    const keys = (s: ChunkedServer[]): string[] => layoutChunks(s).map((span) => chunkKey(span, s));
    const before = keys(servers);
    let moved = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const at = Math.floor(random() * list.length);
      const server = list[at]!;
      const after = keys(servers.map((s, i) => (i === at ? chunked([{ ...server, versions: [...server.versions, `9.${t}.0`] }])[0]! : s)));
      // Chunks are told apart by their first and last rows: all but the one holding the new row keep theirs.
      const differing = after.filter((key, i) => key !== before[i]).length;
      if (after.length !== before.length || differing > 1) moved++;
    }
    expect(moved / trials).toBeLessThan(0.05);
  });
});
