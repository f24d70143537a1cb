// Stage 4: registry rows → the files of the static API. Pure: returns paths and contents, writes nothing.

import { encodeJson, renderServerList } from '../query/json.ts';
import { serverListFile, versionFile, versionsListFile, API_ROOT } from '../query/layout.ts';
import { chunkFile, CHUNK_ROWS, countFile, headFile, renderHead, renderSearchText, searchFile, type RowTuple } from '../query/row-index.ts';
import { compareBytewise, compareInstants, parseInstant } from '../query/compare.ts';
import { OFFICIAL_META_KEY, type RegistryRecord } from '../model.ts';

export interface OutputFile {
  path: string;
  content: string;
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

function groupByServer(records: readonly RegistryRecord[]): RegistryRecord[][] {
  const groups: RegistryRecord[][] = [];
  for (const record of records) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.name === record.name) last.push(record);
    else groups.push([record]);
  }
  return groups;
}

/** The row index for list queries (formats in query/row-index.ts). */
function* rowIndexFiles(records: readonly RegistryRecord[]): Generator<OutputFile> {
  let chunks = 0;
  for (let start = 0; start < records.length; start += CHUNK_ROWS) {
    const slice = records.slice(start, start + CHUNK_ROWS);
    const rows: RowTuple[] = slice.map((r) => [r.name, r.version, r.official.updatedAt, r.official.isLatest ? 1 : 0, isDeleted(r) ? 1 : 0]);
    let maxUpdated = rows[0]![2];
    for (const row of rows) if (compareInstants(parseInstant(row[2])!, parseInstant(maxUpdated)!) > 0) maxUpdated = row[2];
    const first = slice[0]!, last = slice[slice.length - 1]!;
    const chunk = chunks++;
    yield { path: headFile(chunk), content: renderHead({
      firstName: first.name, firstVersion: first.version, lastName: last.name, lastVersion: last.version, rows: rows.length,
      latestLive: rows.filter((r) => r[3] && !r[4]).length, live: rows.filter((r) => !r[4]).length, maxUpdated,
    }) };
    yield { path: chunkFile(chunk), content: encodeJson(rows) };
    yield { path: searchFile(chunk), content: encodeJson(renderSearchText(slice.map((r) => ({ name: r.name, description: r.server.description })))) };
  }
  yield { path: countFile(), content: String(chunks) };
}

/** Every file of the built API for rows already in (name, version) order. */
export function* renderApiFiles(records: readonly RegistryRecord[]): Generator<OutputFile> {
  const latestItems: string[] = [];
  for (const versions of groupByServer(records)) {
    const name = versions[0]!.name;
    const items = new Map<RegistryRecord, string>();
    for (const record of versions) {
      const item = renderServerResponse(record);
      items.set(record, item);
      yield { path: versionFile(name, record.version, isDeleted(record)), content: item + '\n' };
    }
    const latest = versions.find((r) => r.official.isLatest);
    if (latest) {
      yield { path: versionFile(name, 'latest', isDeleted(latest)), content: items.get(latest)! + '\n' };
      if (!isDeleted(latest)) latestItems.push(items.get(latest)!);
    }
    const newestFirst = [...versions].sort(byPublicationDescending);
    const live = newestFirst.filter((r) => !isDeleted(r));
    if (live.length) yield { path: versionsListFile(name, false), content: renderServerList(live.map((r) => items.get(r)!), undefined) };
    if (live.length < versions.length) {
      yield { path: versionsListFile(name, true), content: renderServerList(newestFirst.map((r) => items.get(r)!), undefined) };
    }
  }
  // Complete, with no nextCursor: a static host ignores ?cursor=, and a cursor it cannot honour loops clients.
  yield { path: serverListFile(), content: renderServerList(latestItems, undefined) };
  yield { path: `${API_ROOT}/ping.json`, content: '{"pong":true}\n' };
  yield { path: `${API_ROOT}/health.json`, content: '{"status":"ok"}\n' };
  yield* rowIndexFiles(records);
}
