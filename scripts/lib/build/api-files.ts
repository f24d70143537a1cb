// Stage 4: registry rows → the files of the static API. Pure: returns paths and contents, writes nothing. Split in
// two so a build can render one server without the others: here a server's own files (its versions, its /versions
// lists) and its summary; the registry-wide files (the complete list and the row index) are rendered from every
// server's summary in registry-api-files.ts.

import { encodeJson, renderServerList } from '../query/json.ts';
import { versionFile, versionsListFile } from '../query/layout.ts';
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
