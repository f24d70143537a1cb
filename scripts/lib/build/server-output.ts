// One server's part of a build: its API files and its page, and the summary that the registry-wide files (the
// complete list, the row index, the search index, the home page) are rendered from. A build renders every server
// this way; an incremental build renders only the servers that changed and takes the others' summaries from its
// cache (build/cache.ts), so both give the same bytes.

import type { Problem } from '../problems.ts';
import type { RegistryRecord } from '../model.ts';
import { searchDocument } from '../search/index-build.ts';
import type { SearchDocument } from '../search/client.ts';
import type { ResultSummary } from '../site/result-item.ts';
import { renderServerSite, type SiteAssetNames } from '../site/render.ts';
import { renderServerApiFiles, type OutputFile, type ServerApiSummary } from './api-files.ts';

/** Plain JSON (the cache keeps it): everything the registry-wide files need to know about one server. */
export interface ServerSummary extends ServerApiSummary {
  /** Its line in the site's lists; absent when every version is deleted. */
  site?: ResultSummary;
  /** Its search document; absent when its latest version is deleted. */
  search?: SearchDocument;
  /** Every output path the server's own files take (without compressed variants). */
  files: string[];
  /** Warnings about its entries, reported again by builds that do not read them. */
  warnings: Problem[];
}

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
  const summary: ServerSummary = { ...api.summary, files: [], warnings: input.warnings };
  const page = renderServerSite(versions, input.longDescription?.html, siteAssets);
  if (page) {
    files.push(page.file);
    summary.site = page.summary;
  }
  const latest = versions.find((r) => r.official.isLatest);
  if (latest && latest.official.status !== 'deleted') summary.search = searchDocument(latest, input.longDescription?.markdown);
  summary.files = files.map((f) => f.path);
  return { files, summary };
}
