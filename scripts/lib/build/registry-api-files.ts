// The registry-wide API files, from every server's summary in name order (build-types.ts ServerSummary): the
// complete list /v0.1/servers and the row index that answers list queries (cut by row-chunks.ts). With the previous
// build (an incremental one), the list is spliced from the previous file and the chunks whose rows did not change
// are given by path only.

import { encodeJson, renderServerList, serverListFrame } from '../query/json.ts';
import { serverListFile, API_ROOT } from '../query/layout.ts';
import { chunkFile, countFile, headFile, renderHead, renderSearchText, searchFile, type RowTuple } from '../query/row-index.ts';
import { compareInstants, parseInstant } from '../query/compare.ts';
import type { RowSummary } from './api-files.ts';
import { chunkKey, layoutChunks, type ChunkedServer, type ChunkSpan, type Cut } from './row-chunks.ts';
import type { ServerSummary } from './build-types.ts';

/**
 * A registry-wide file: its text, or its bytes (spliced from the previous build's), or only its path when its bytes
 * are those of the previous build (build/incremental.ts).
 */
export interface RegistryFile {
  path: string;
  content?: string | Buffer;
}

/** The previous build's summaries and the servers that changed since: what an incremental build may reuse. */
export interface PreviousBuild {
  servers: readonly ServerSummary[];
  changed: ReadonlySet<string>;
  /**
   * Copies bytes `start` to `end` of the previous /v0.1/servers (its size checked against the summaries' item
   * lengths) into `target` at `at`.
   */
  readServerList(target: Buffer, at: number, start: number, end: number): void;
  /** A cached server's rows and files (build/cache.ts readDetails). */
  readDetails(summary: ServerSummary): { rows: string; files: string };
}

function chunked(servers: readonly ServerSummary[]): ChunkedServer[] {
  return servers.map((s) => ({ name: s.name, rowCount: Number(s.rowCount), cuts: JSON.parse(s.cuts) as Cut[] }));
}

/** Indexes of the spans whose servers include one of `names`. */
function spansHolding(spans: readonly ChunkSpan[], servers: readonly ChunkedServer[], names: ReadonlySet<string>): Set<number> {
  const position = new Map(servers.map((s, i) => [s.name, i]));
  const at = [...names].flatMap((name) => (position.has(name) ? [position.get(name)!] : [])).sort((a, b) => a - b);
  const held = new Set<number>();
  let k = 0;
  for (const [i, span] of spans.entries()) {
    while (k < at.length && at[k]! < span.first) k++;
    if (k < at.length && at[k]! <= span.last) held.add(i);
  }
  return held;
}

/**
 * The row index for list queries (formats in query/row-index.ts, cuts in row-chunks.ts), from every server's summary
 * in name order. With the previous build, a chunk whose rows are the same rows as before is given by path only.
 */
function* rowIndexFiles(servers: readonly ServerSummary[], previous?: PreviousBuild): Generator<RegistryFile> {
  const layout = chunked(servers);
  const spans = layoutChunks(layout);
  let same = (_chunk: number): boolean => false;
  if (previous) {
    const before = chunked(previous.servers);
    const spansBefore = layoutChunks(before);
    const touched = spansHolding(spans, layout, previous.changed);
    const touchedBefore = spansHolding(spansBefore, before, previous.changed);
    same = (chunk) => chunk < spansBefore.length && !touched.has(chunk) && !touchedBefore.has(chunk)
      && chunkKey(spans[chunk]!, layout) === chunkKey(spansBefore[chunk]!, before);
  }
  // Parsed once per server, though a server's rows may span chunks.
  let parsed: { server: number; rows: RowSummary[] } | undefined;
  const rowsOf = (server: number): RowSummary[] => {
    const summary = servers[server]!;
    if (parsed?.server !== server) parsed = { server, rows: JSON.parse(summary.rows ?? previous!.readDetails(summary).rows) as RowSummary[] };
    return parsed.rows;
  };
  for (const [chunk, span] of spans.entries()) {
    if (same(chunk)) {
      yield* [{ path: headFile(chunk) }, { path: chunkFile(chunk) }, { path: searchFile(chunk) }];
      continue;
    }
    const rows: RowTuple[] = [];
    const texts: Array<{ name: string; description: string }> = [];
    for (let s = span.first; s <= span.last; s++) {
      const name = servers[s]!.name;
      const all = rowsOf(s);
      const from = s === span.first ? span.firstRow : 0, to = s === span.last ? span.lastRow : all.length - 1;
      for (let r = from; r <= to; r++) {
        const [version, updatedAt, isLatest, deleted, description] = all[r]!;
        rows.push([name, version, updatedAt, isLatest, deleted]);
        texts.push({ name, description });
      }
    }
    let maxUpdated = rows[0]![2];
    for (const row of rows) if (compareInstants(parseInstant(row[2])!, parseInstant(maxUpdated)!) > 0) maxUpdated = row[2];
    const first = rows[0]!, last = rows[rows.length - 1]!;
    yield { path: headFile(chunk), content: renderHead({
      firstName: first[0], firstVersion: first[1], lastName: last[0], lastVersion: last[1], rows: rows.length,
      latestLive: rows.filter((r) => r[3] && !r[4]).length, live: rows.filter((r) => !r[4]).length, maxUpdated,
    }) };
    yield { path: chunkFile(chunk), content: encodeJson(rows) };
    yield { path: searchFile(chunk), content: encodeJson(renderSearchText(texts)) };
  }
  yield { path: countFile(), content: String(spans.length) };
}

/**
 * Whether /v0.1/servers is the previous build's: no changed server has an item, before or after. (A cached server's
 * item is known only by its length, so any other change splices the list again; it is written only if its bytes
 * differ.)
 */
function sameServerList(servers: readonly ServerSummary[], previous: PreviousBuild): boolean {
  const hasItem = (s: ServerSummary): boolean => previous.changed.has(s.name) && s.itemBytes !== '0';
  return !servers.some(hasItem) && !previous.servers.some(hasItem);
}

/** The byte size of /v0.1/servers for these summaries: the incremental build checks the file it splices. */
export function serverListBytes(servers: readonly ServerSummary[]): number {
  let items = 0, bytes = 0;
  for (const s of servers) {
    const size = Number(s.itemBytes);
    if (size) (items++, (bytes += size));
  }
  return serverListFrame(items, undefined).reduce((n, text) => n + Buffer.byteLength(text), bytes + Math.max(0, items - 1));
}

/**
 * /v0.1/servers, every live latest item in name order. A server taken from the cache has no item text: its item is
 * cut from the previous list, whose items lie in the same order, each at the offset its predecessors' lengths give.
 * Items that followed each other there still do, so the list is a few long runs of the previous one (one read each,
 * commas included) around the changed servers' items, read straight into the new list: it is tens of MB, and each
 * MB of fresh memory costs milliseconds to touch on a virtual machine.
 */
function renderCompleteList(servers: readonly ServerSummary[], previous?: PreviousBuild): string | Buffer {
  if (!previous) return renderServerList(servers.flatMap((s) => (s.item ? [s.item] : [])), undefined);
  const offsets = new Map<string, number>();
  let at = Buffer.byteLength(serverListFrame(0, undefined)[0]);
  for (const s of previous.servers) {
    const size = Number(s.itemBytes);
    if (!size) continue;
    offsets.set(s.name, at);
    at += size + 1;
  }
  const pieces: Array<Buffer | [number, number]> = [];
  let items = 0;
  for (const s of servers) {
    if (s.item === '' || (s.item === undefined && s.itemBytes === '0')) continue;
    items++;
    const last = pieces[pieces.length - 1];
    if (s.item !== undefined) {
      pieces.push(Buffer.from(s.item, 'utf8'));
      continue;
    }
    const start = offsets.get(s.name)!, end = start + Number(s.itemBytes);
    if (Array.isArray(last) && last[1] + 1 === start) last[1] = end;
    else pieces.push([start, end]);
  }
  const [head, tail] = serverListFrame(items, undefined).map((text) => Buffer.from(text));
  const size = (piece: Buffer | [number, number]): number => (Array.isArray(piece) ? piece[1] - piece[0] : piece.length);
  const list = Buffer.allocUnsafe(pieces.reduce((n, piece) => n + size(piece), head!.length + tail!.length + Math.max(0, pieces.length - 1)));
  let written = head!.copy(list, 0);
  for (const [i, piece] of pieces.entries()) {
    if (i) written += list.write(',', written);
    if (Array.isArray(piece)) previous.readServerList(list, written, piece[0], piece[1]);
    else piece.copy(list, written);
    written += size(piece);
  }
  tail!.copy(list, written);
  return list;
}

/** The registry-wide API files, from every server's summary in name order. */
export function* renderRegistryApiFiles(servers: readonly ServerSummary[], previous?: PreviousBuild): Generator<RegistryFile> {
  // Complete, with no nextCursor: a static host ignores ?cursor=, and a cursor it cannot honour loops clients.
  if (previous && sameServerList(servers, previous)) yield { path: serverListFile() };
  else yield { path: serverListFile(), content: renderCompleteList(servers, previous) };
  yield { path: `${API_ROOT}/ping.json`, content: '{"pong":true}\n' };
  yield { path: `${API_ROOT}/health.json`, content: '{"status":"ok"}\n' };
  yield* rowIndexFiles(servers, previous);
}
