// `search` over the row index's search text (row-index.ts renderSearchText): the official substring match on name or
// description, case-insensitive, never across a row's fields or across rows, on every host (the same code runs in
// the Node server, njs and the Worker).

import { describe, expect, it } from 'vitest';
import { parseListParams, readListParams, selectListRows, type ListQuery, type RowIndexReader } from '../scripts/lib/query/list-query.ts';
import { renderSearchText, type ChunkSummary, type RowTuple } from '../scripts/lib/query/row-index.ts';

interface Server { name: string; description: string }

/** An in-memory row index of `chunks`, each a list of servers (one version each). */
function indexOf(chunks: Server[][]): RowIndexReader & { searched: number[] } {
  const rows = chunks.map((servers) => servers.map((s): RowTuple => [s.name, '1.0.0', '2025-01-01T00:00:00Z', 1, 0]));
  const searched: number[] = [];
  return {
    searched,
    chunkCount: () => chunks.length,
    head: (c): ChunkSummary => {
      const r = rows[c]!;
      return { firstName: r[0]![0], firstVersion: '1.0.0', lastName: r[r.length - 1]![0], lastVersion: '1.0.0', rows: r.length, latestLive: r.length, live: r.length, maxUpdated: '2025-01-01T00:00:00Z' };
    },
    chunk: (c) => {
      searched.push(c);
      return rows[c]!;
    },
    search: (c) => renderSearchText(chunks[c]!),
  };
}

function search(index: RowIndexReader, text: string): string[] {
  const parsed = parseListParams(readListParams(`search=${encodeURIComponent(text)}&limit=100`));
  if (!parsed.ok) throw new Error(parsed.body);
  return selectListRows(parsed.query as ListQuery, index).rows.map((r) => r[0]);
}

const CHUNKS: Server[][] = [
  [{ name: 'io.github.acme/Weather', description: 'Forecasts for any city' }, { name: 'io.github.acme/tides', description: 'Tide tables\u0000and\u0001moons' }],
  [{ name: 'io.github.other/files', description: 'Reads FILES' }, { name: 'io.github.other/maps', description: 'Street maps' }],
];

describe('search over the row index', () => {
  it('matches a name or a description, ignoring case', () => {
    const index = indexOf(CHUNKS);
    expect(search(index, 'weather')).toEqual(['io.github.acme/Weather']);
    expect(search(index, 'FORECASTS')).toEqual(['io.github.acme/Weather']);
    expect(search(index, 'files')).toEqual(['io.github.other/files']);
    expect(search(index, 'io.github.')).toEqual(CHUNKS.flat().map((s) => s.name));
  });

  it('never matches across a name and its description, or across two rows', () => {
    const index = indexOf(CHUNKS);
    expect(search(index, 'weatherforecasts')).toEqual([]);
    expect(search(index, 'weather forecasts')).toEqual([]);
    expect(search(index, 'citytides')).toEqual([]);
    expect(search(index, 'city io.github')).toEqual([]);
  });

  it('reads the separators inside a description as spaces, and a query holding one matches nothing', () => {
    const index = indexOf(CHUNKS);
    expect(search(index, 'tables and moons')).toEqual(['io.github.acme/tides']);
    expect(search(index, 'tables\u0001and')).toEqual([]);
    expect(search(index, 'tides\u0001tide')).toEqual([]);
  });

  it('reads no rows of a chunk whose search text lacks the query', () => {
    const index = indexOf(CHUNKS);
    expect(search(index, 'street')).toEqual(['io.github.other/maps']);
    expect(index.searched).toEqual([1]);
  });
});
