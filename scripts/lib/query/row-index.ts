// The row index that answers list queries: rows in (name, version) order, cut into chunks. nginx reads it on
// every query request (njs keeps nothing between requests), so its formats are chosen for cheap reading:
// - index: one JSON array per line, one line per chunk; only the lines a query looks at get parsed;
// - chunk: a JSON array of short row tuples;
// - search text: a separate file per chunk, read only when a query has `search`.

import { encodeJson } from './json.ts';
import { QUERY_ROOT } from './layout.ts';

/** Rows per chunk: one chunk parses in a fraction of a millisecond under njs. */
export const CHUNK_ROWS = 256;

/** [name, version, updatedAt, isLatest ? 1 : 0, deleted ? 1 : 0] */
export type RowTuple = [string, string, string, number, number];

export interface ChunkSummary {
  firstName: string;
  firstVersion: string;
  lastName: string;
  lastVersion: string;
  rows: number;
  /** rows with isLatest that are not deleted */
  latestLive: number;
  /** rows that are not deleted */
  live: number;
  /** newest updatedAt in the chunk */
  maxUpdated: string;
}

export function indexFile(): string {
  return QUERY_ROOT + '/index.jsonl';
}

function chunkSuffix(chunk: number): string {
  return String(chunk + 100000).slice(1) + '.json';
}

export function chunkFile(chunk: number): string {
  return QUERY_ROOT + '/rows-' + chunkSuffix(chunk);
}

export function searchFile(chunk: number): string {
  return QUERY_ROOT + '/search-' + chunkSuffix(chunk);
}

export function renderIndexLine(c: ChunkSummary): string {
  return encodeJson([c.firstName, c.firstVersion, c.lastName, c.lastVersion, c.rows, c.latestLive, c.live, c.maxUpdated]);
}

export function parseIndexLine(line: string): ChunkSummary {
  const a = JSON.parse(line) as [string, string, string, string, number, number, number, string];
  return { firstName: a[0], firstVersion: a[1], lastName: a[2], lastVersion: a[3], rows: a[4], latestLive: a[5], live: a[6], maxUpdated: a[7] };
}

/** Index lines; an empty registry has none. */
export function splitIndex(text: string): string[] {
  return text ? text.split('\n').filter(function (line) { return line.length > 0; }) : [];
}
