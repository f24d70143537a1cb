// The row index that answers list queries: rows in (name, version) order, cut into chunks (where: build/row-chunks.ts,
// about 256 rows each, at most 512; readers take each chunk's count from its head). nginx reads it on
// every query request (njs keeps nothing between requests), so it is many small files, each read only when a
// query needs it (measured under njs: one 50 KB index file cost more than everything else in a request):
// - count: the number of chunks;
// - head: a chunk's first and last keys and counts, for the binary search on the cursor and for skipping chunks;
// - rows: a JSON array of short row tuples;
// - search text: names and descriptions, lower-cased, as one string, read only when a query has `search`.

import { encodeJson } from './json.ts';
import { QUERY_ROOT } from './layout.ts';

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

export function countFile(): string {
  return QUERY_ROOT + '/chunks.json';
}

export function headFile(chunk: number): string {
  return QUERY_ROOT + '/head-' + chunkSuffix(chunk);
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

export function renderHead(c: ChunkSummary): string {
  return encodeJson([c.firstName, c.firstVersion, c.lastName, c.lastVersion, c.rows, c.latestLive, c.live, c.maxUpdated]);
}

/** A head as read (renderHead's array): hosts that keep parsed files parse each head once. */
export function parseHead(value: unknown): ChunkSummary {
  const a = value as [string, string, string, string, number, number, number, string];
  return { firstName: a[0], firstVersion: a[1], lastName: a[2], lastVersion: a[3], rows: a[4], latestLive: a[5], live: a[6], maxUpdated: a[7] };
}

/** Between rows of a search text: a query never holds it (the router refuses NUL), so no match spans two rows. */
export const SEARCH_ROW_SEPARATOR = '\u0000';
/** Between a row's name and description (names never hold it): a query that does is matched field by field. */
export const SEARCH_FIELD_SEPARATOR = '\u0001';
const SEPARATORS = /[\u0000\u0001]/g;

/**
 * One string per chunk, so a search that a chunk cannot match costs one indexOf rather than one per row (a search
 * for something rare scans the whole index). Separators inside a description become spaces.
 */
export function renderSearchText(rows: readonly { name: string; description: string }[]): string {
  return rows.map((r) => r.name.toLowerCase() + SEARCH_FIELD_SEPARATOR + r.description.toLowerCase().replace(SEPARATORS, ' ')).join(SEARCH_ROW_SEPARATOR);
}
