// Stage 4: registry rows → the files of the static API. Pure: returns paths and contents, writes nothing. Split in
// two so a build can render one server without the others: a server's own files (its versions, its /versions
// lists), and the registry-wide files (the complete list and the row index) from a short summary of every server.

import { encodeJson, renderServerList } from '../query/json.ts';
import { serverListFile, versionFile, versionsListFile, API_ROOT } from '../query/layout.ts';
import { chunkFile, CHUNK_ROWS, countFile, headFile, renderHead, renderSearchText, searchFile, type RowTuple } from '../query/row-index.ts';
import { compareBytewise, compareInstants, parseInstant } from '../query/compare.ts';
import { OFFICIAL_META_KEY, type RegistryRecord } from '../model.ts';

export interface OutputFile {
  path: string;
  content: string;
}

/** What the row index keeps of one version: [version, updatedAt, isLatest ? 1 : 0, deleted ? 1 : 0, description]. */
export type RowSummary = [string, string, number, number, string];

/** A server as the registry-wide API files need it: plain JSON, so a build can keep it between runs. */
export interface ServerApiSummary {
  name: string;
  /** Every version, in version order. */
  rows: RowSummary[];
  /** The `ServerResponse` of the latest version when it is live: its item in /v0.1/servers. */
  latestItem?: string;
}

/** The `ServerResponse` of one row, exactly as list items and detail files carry it. */
export function renderServerResponse(record: RegistryRecord): string {
  return encodeJson({ server: record.server, _meta: { [OFFICIAL_META_KEY]: record.official, ...record.meta } });
}

const isDeleted = (r: RegistryRecord): boolean => r.official.status === 'deleted';

/** Newest publication first, as the official `/versions` endpoint orders them. */
function byPublicationDescending(a: RegistryRecord, b: RegistryRecord): number {
  const at = parseInstant(a.official.publishedAt)!, bt = parseInstant(b.official.publishedAt)!;
  return compareInstants(bt, at) || compareBytewise(b.version, a.version);
}

/** One server's files (every version, `latest`, the `/versions` lists) and its summary for the registry-wide files. */
export function renderServerApiFiles(versions: readonly RegistryRecord[]): { files: OutputFile[]; summary: ServerApiSummary } {
  const name = versions[0]!.name;
  const files: OutputFile[] = [];
  const items = new Map<RegistryRecord, string>();
  for (const record of versions) {
    const item = renderServerResponse(record);
    items.set(record, item);
    files.push({ path: versionFile(name, record.version, isDeleted(record)), content: item + '\n' });
  }
  const summary: ServerApiSummary = {
    name,
    rows: versions.map((r) => [r.version, r.official.updatedAt, r.official.isLatest ? 1 : 0, isDeleted(r) ? 1 : 0, r.server.description]),
  };
  const latest = versions.find((r) => r.official.isLatest);
  if (latest) {
    files.push({ path: versionFile(name, 'latest', isDeleted(latest)), content: items.get(latest)! + '\n' });
    if (!isDeleted(latest)) summary.latestItem = items.get(latest)!;
  }
  const newestFirst = [...versions].sort(byPublicationDescending);
  const live = newestFirst.filter((r) => !isDeleted(r));
  if (live.length) files.push({ path: versionsListFile(name, false), content: renderServerList(live.map((r) => items.get(r)!), undefined) });
  if (live.length < versions.length) {
    files.push({ path: versionsListFile(name, true), content: renderServerList(newestFirst.map((r) => items.get(r)!), undefined) });
  }
  return { files, summary };
}

/** The row index for list queries (formats in query/row-index.ts), from every server's summary in name order. */
function* rowIndexFiles(servers: readonly ServerApiSummary[]): Generator<OutputFile> {
  let chunks = 0;
  let rows: RowTuple[] = [];
  let texts: Array<{ name: string; description: string }> = [];
  const flush = (): OutputFile[] => {
    let maxUpdated = rows[0]![2];
    for (const row of rows) if (compareInstants(parseInstant(row[2])!, parseInstant(maxUpdated)!) > 0) maxUpdated = row[2];
    const first = rows[0]!, last = rows[rows.length - 1]!;
    const chunk = chunks++;
    const files = [
      { path: headFile(chunk), content: renderHead({
        firstName: first[0], firstVersion: first[1], lastName: last[0], lastVersion: last[1], rows: rows.length,
        latestLive: rows.filter((r) => r[3] && !r[4]).length, live: rows.filter((r) => !r[4]).length, maxUpdated,
      }) },
      { path: chunkFile(chunk), content: encodeJson(rows) },
      { path: searchFile(chunk), content: encodeJson(renderSearchText(texts)) },
    ];
    rows = [];
    texts = [];
    return files;
  };
  for (const server of servers) {
    for (const [version, updatedAt, isLatest, deleted, description] of server.rows) {
      rows.push([server.name, version, updatedAt, isLatest, deleted]);
      texts.push({ name: server.name, description });
      if (rows.length === CHUNK_ROWS) yield* flush();
    }
  }
  if (rows.length) yield* flush();
  yield { path: countFile(), content: String(chunks) };
}

/** The registry-wide API files, from every server's summary in name order. */
export function* renderRegistryApiFiles(servers: readonly ServerApiSummary[]): Generator<OutputFile> {
  // Complete, with no nextCursor: a static host ignores ?cursor=, and a cursor it cannot honour loops clients.
  yield { path: serverListFile(), content: renderServerList(servers.flatMap((s) => (s.latestItem === undefined ? [] : [s.latestItem])), undefined) };
  yield { path: `${API_ROOT}/ping.json`, content: '{"pong":true}\n' };
  yield { path: `${API_ROOT}/health.json`, content: '{"status":"ok"}\n' };
  yield* rowIndexFiles(servers);
}
