// The official list semantics (official-registry.md §1.3) over the build's row index: parameter validation,
// filters, bytewise (name, version) order, nextCursor only on a full page. Cursors are our own (cursor.ts), and the
// official `name:version` ones are still read.

import { compareBytewise, compareInstants, formatInstant, type Instant, parseInstant } from './compare.ts';
import { decodeCursor, encodeCursor, isOwnCursor } from './cursor.ts';
import { renderProblem, renderServerList } from './json.ts';
import { versionFile } from './layout.ts';
import { chunkFile, countFile, headFile, parseHead, SEARCH_FIELD_SEPARATOR, SEARCH_ROW_SEPARATOR, searchFile, type ChunkSummary, type RowTuple } from './row-index.ts';

export type ListParams = Partial<Record<'cursor' | 'limit' | 'search' | 'updated_since' | 'version' | 'include_deleted', string>>;

export const LIST_PARAM_NAMES = ['cursor', 'limit', 'search', 'updated_since', 'version', 'include_deleted'];

/** A list request is answered from the precomputed full list unless one of these carries a value. */
export const LIST_QUERY_PATTERN = '(^|&)(cursor|limit|search|updated_since|version|include_deleted)=[^&]';

/**
 * The list parameters of a raw query string, decoded as Go's url.ParseQuery does (`+` is a space) and, like Go's
 * Query().Get, keeping the first value of a repeated name. Undecodable pairs are skipped, as Go skips them.
 */
export function readListParams(query: string): ListParams {
  const params: Record<string, string> = {};
  const pairs = query.split('&');
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    if (!pair) continue;
    const eq = pair.indexOf('=');
    let key: string, value: string;
    try {
      key = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    } catch (e) {
      continue;
    }
    if (LIST_PARAM_NAMES.indexOf(key) >= 0 && !(key in params)) params[key] = value;
  }
  return params as ListParams;
}

export const DEFAULT_LIMIT = 30;
export const MAX_LIMIT = 100;

export interface ListQuery {
  /** Rows strictly after this (name, version); a cursor without `:` compares on the name alone. */
  afterName?: string;
  afterVersion?: string;
  limit: number;
  /** Lower-cased substring of name or description; empty for none. */
  search: string;
  updatedSince?: Instant;
  version?: string;
  includeDeleted: boolean;
}

export interface ListPage {
  rows: RowTuple[];
  nextCursor?: string;
}

/** A request the official handler refuses (422 from huma's validation, 400 from the handler). */
export interface ListProblem {
  ok: false;
  status: number;
  body: string;
  contentType: string;
}

const TRUE_VALUES = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE_VALUES = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** Go's strconv.ParseBool, which huma uses for boolean query parameters; null when invalid. */
export function parseGoBool(text: string): boolean | null {
  if (TRUE_VALUES.indexOf(text) >= 0) return true;
  if (FALSE_VALUES.indexOf(text) >= 0) return false;
  return null;
}

function unprocessable(message: string, location: string, value: unknown): ListProblem {
  return {
    ok: false,
    status: 422,
    contentType: 'application/problem+json',
    body: renderProblem(422, 'Unprocessable Entity', 'validation failed', [{ message: message, location: location, value: value }]),
  };
}

function badRequest(detail: string): ListProblem {
  return { ok: false, status: 400, contentType: 'application/problem+json', body: renderProblem(400, 'Bad Request', detail) };
}

/** Validates parameters as huma and the official handler do; empty values count as absent. */
export function parseListParams(params: ListParams): { ok: true; query: ListQuery } | ListProblem {
  const query: ListQuery = { limit: DEFAULT_LIMIT, search: '', includeDeleted: false };
  const limit = params.limit;
  if (limit) {
    if (!/^[+-]?\d+$/.test(limit)) return unprocessable('invalid integer', 'query.limit', limit);
    const n = parseInt(limit, 10);
    if (n < 1) return unprocessable('expected number >= 1', 'query.limit', n);
    if (n > MAX_LIMIT) return unprocessable('expected number <= ' + MAX_LIMIT, 'query.limit', n);
    query.limit = n;
  }
  let explicitDeleted: boolean | null = null;
  if (params.include_deleted) {
    explicitDeleted = parseGoBool(params.include_deleted);
    if (explicitDeleted === null) return unprocessable('invalid boolean', 'query.include_deleted', params.include_deleted);
    query.includeDeleted = explicitDeleted;
  }
  if (params.updated_since) {
    const since = parseInstant(params.updated_since);
    if (!since) return badRequest('Invalid updated_since format: expected RFC3339 timestamp (e.g., 2025-08-07T13:15:04.280Z)');
    if (explicitDeleted === false) {
      return badRequest('Cannot set include_deleted=false when using updated_since (incremental sync requires deleted servers)');
    }
    query.updatedSince = since;
    query.includeDeleted = true;
  }
  if (params.search) query.search = params.search.toLowerCase();
  if (params.version) query.version = params.version;
  if (params.cursor && isOwnCursor(params.cursor)) {
    // The cursor's filters replace the request's: it names a place in one query's answer, which only that query
    // continues. VS Code drops `search` on the next page; a 400 on any difference would also refuse clients that
    // resend the same filters spelled differently (`Weather`, another time zone), for no gain to anyone.
    const state = decodeCursor(params.cursor);
    const since = state && state.updatedSince ? parseInstant(state.updatedSince) : null;
    if (!state || (state.updatedSince && !since)) return badRequest('Invalid cursor parameter');
    query.afterName = state.afterName;
    query.afterVersion = state.afterVersion;
    query.search = state.search;
    query.version = state.version || undefined;
    query.updatedSince = since || undefined;
    query.includeDeleted = state.includeDeleted;
  } else if (params.cursor) {
    const colon = params.cursor.indexOf(':');
    if (colon < 0) query.afterName = params.cursor;
    else {
      query.afterName = params.cursor.slice(0, colon);
      query.afterVersion = params.cursor.slice(colon + 1);
    }
  }
  return { ok: true, query: query };
}

/** The cursor that continues `query` after `row`: the same query always gets the same cursor. */
export function nextCursorAfter(row: RowTuple, query: ListQuery): string {
  return encodeCursor({
    afterName: row[0],
    afterVersion: row[1],
    search: query.search,
    version: query.version ?? '',
    updatedSince: query.updatedSince ? formatInstant(query.updatedSince) : '',
    includeDeleted: query.includeDeleted,
  });
}

function compareKey(name: string, version: string, afterName: string, afterVersion: string | undefined): number {
  const byName = compareBytewise(name, afterName);
  if (byName !== 0 || afterVersion === undefined) return byName;
  return compareBytewise(version, afterVersion);
}

function rowMatches(row: RowTuple, query: ListQuery): boolean {
  if (query.afterName !== undefined && compareKey(row[0], row[1], query.afterName, query.afterVersion) <= 0) return false;
  if (row[4] && !query.includeDeleted) return false;
  if (query.version === 'latest') {
    if (!row[3]) return false;
  } else if (query.version !== undefined && row[1] !== query.version) return false;
  if (query.updatedSince) {
    const updated = parseInstant(row[2]);
    if (!updated || compareInstants(updated, query.updatedSince) <= 0) return false;
  }
  return true;
}

function chunkMayMatch(chunk: ChunkSummary, query: ListQuery): boolean {
  if (query.version === 'latest' && !query.includeDeleted && chunk.latestLive === 0) return false;
  if (!query.includeDeleted && chunk.live === 0) return false;
  if (query.updatedSince) {
    const newest = parseInstant(chunk.maxUpdated);
    if (newest && compareInstants(newest, query.updatedSince) <= 0) return false;
  }
  return true;
}

/** The first chunk that can hold a row after the cursor: binary search on the chunks' last keys. */
function firstChunkAfter(index: RowIndexReader, count: number, query: ListQuery): number {
  if (query.afterName === undefined) return 0;
  let low = 0, high = count;
  while (low < high) {
    const mid = (low + high) >> 1;
    const chunk = index.head(mid);
    if (compareKey(chunk.lastName, chunk.lastVersion, query.afterName, query.afterVersion) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** How a list query reads the row index (see row-index.ts for the formats). */
export interface RowIndexReader {
  chunkCount(): number;
  head(chunk: number): ChunkSummary;
  chunk(chunk: number): RowTuple[];
  /** The chunk's search text (row-index.ts renderSearchText). */
  search(chunk: number): string;
}

/**
 * Walks chunks from the cursor on, skipping those that cannot hold a matching row, until the page is full.
 * `search` is the official substring match on name or description, on every host (a fuzzier Node-only match would
 * differ from nginx's answer): a chunk whose search text lacks it is skipped with one indexOf, and in the others a
 * pointer walks the rows of the text beside the row tuples, without splitting it.
 */
export function selectListRows(query: ListQuery, index: RowIndexReader): ListPage {
  const count = index.chunkCount();
  const page: RowTuple[] = [];
  const search = query.search;
  // Names never hold the field separator and descriptions have it replaced: such a query matches nothing.
  if (search && search.indexOf(SEARCH_FIELD_SEPARATOR) >= 0) return { rows: page };
  for (let c = firstChunkAfter(index, count, query); c < count && page.length < query.limit; c++) {
    if (!chunkMayMatch(index.head(c), query)) continue;
    let text = '';
    let hit = -1;
    if (search) {
      text = index.search(c);
      hit = text.indexOf(search);
      if (hit < 0) continue;
    }
    const rows = index.chunk(c);
    let start = 0;
    for (let i = 0; i < rows.length && page.length < query.limit; i++) {
      let found = true;
      if (search) {
        let end = text.indexOf(SEARCH_ROW_SEPARATOR, start);
        if (end < 0) end = text.length;
        if (hit >= 0 && hit < start) hit = text.indexOf(search, start);
        // No match crosses a row's end: a query never holds the row separator.
        found = hit >= 0 && hit < end;
        start = end + 1;
      }
      if (found && rowMatches(rows[i]!, query)) page.push(rows[i]!);
    }
  }
  const last = page[page.length - 1];
  return page.length >= query.limit && last ? { rows: page, nextCursor: nextCursorAfter(last, query) } : { rows: page };
}

/** How the answering side reads the built directory: njs reads files per request, the Node server caches. */
export interface BuiltFiles {
  readJson(file: string): unknown;
  readText(file: string): string;
}

export interface ListResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Answers `GET /v0.1/servers?…` with query parameters from the built row index and detail files. */
export function answerListQuery(params: ListParams, files: BuiltFiles): ListResponse {
  const parsed = parseListParams(params);
  if (!parsed.ok) return { status: parsed.status, contentType: parsed.contentType, body: parsed.body };
  const answer = selectListRows(parsed.query, {
    chunkCount: function () { return files.readJson(countFile()) as number; },
    head: function (chunk) { return parseHead(files.readJson(headFile(chunk))); },
    chunk: function (chunk) { return files.readJson(chunkFile(chunk)) as RowTuple[]; },
    search: function (chunk) { return files.readJson(searchFile(chunk)) as string; },
  });
  const items: string[] = [];
  for (let i = 0; i < answer.rows.length; i++) {
    const row = answer.rows[i]!;
    const text = files.readText(versionFile(row[0], row[1], row[4] === 1));
    items.push(text.slice(0, text.length - 1));
  }
  return { status: 200, contentType: 'application/json', body: renderServerList(items, answer.nextCursor) };
}
