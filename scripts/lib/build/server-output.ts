// One server's part of a build: its API files and its page, and the summary that the registry-wide files (the
// complete list, the row index, the search index, the home page) are rendered from. A build renders every server
// this way; an incremental build renders only the servers that changed and takes the others' summaries from its
// cache (build/cache.ts), so both give the same bytes.

import type { Problem } from '../problems.ts';
import type { RegistryRecord } from '../model.ts';
import { searchDocument } from '../search/index-build.ts';
import { renderServerSite, type SiteAssetNames } from '../site/render.ts';
import { renderServerApiFiles, type OutputFile } from './api-files.ts';
import { naturalCuts } from './row-chunks.ts';
import type { ServerSummary } from './build-types.ts';

export type { ServerSummary } from './build-types.ts';

export interface ServerInput {
  /** Its rows, in version order. */
  versions: RegistryRecord[];
  /** The status file's body: Markdown for the search index, HTML for the page. */
  longDescription?: { markdown: string; html?: string };
  warnings: Problem[];
}

export function renderServerOutput(input: ServerInput, siteAssets: SiteAssetNames): { files: OutputFile[]; summary: ServerSummary } {
  const { versions } = input;
  const api = renderServerApiFiles(versions);
  const files = api.files;
  const page = renderServerSite(versions, input.longDescription?.html, siteAssets);
  if (page) files.push(page.file);
  const latest = versions.find((r) => r.official.isLatest);
  const search = latest && latest.official.status !== 'deleted' ? searchDocument(latest, input.longDescription?.markdown) : undefined;
  const summary: ServerSummary = {
    name: api.summary.name,
    rowCount: String(api.summary.rows.length),
    cuts: JSON.stringify(naturalCuts(api.summary.name, versions.map((r) => r.version))),
    rows: JSON.stringify(api.summary.rows),
    site: page ? JSON.stringify(page.summary) : '',
    search: search ? JSON.stringify(search) : '',
    files: JSON.stringify(files.map((f) => f.path)),
    warnings: input.warnings.length ? JSON.stringify(input.warnings) : '',
    item: api.summary.latestItem ?? '',
    itemBytes: String(Buffer.byteLength(api.summary.latestItem ?? '')),
    details: '',
  };
  return { files, summary };
}

/** The summary's warnings, parsed. */
export function summaryWarnings(summary: ServerSummary): Problem[] {
  return summary.warnings ? (JSON.parse(summary.warnings) as Problem[]) : [];
}
