// The registry-wide files, from every server's summary in name order (server-output.ts): the API's complete list
// and row index, the search index and its manifest, the site's assets, home and list pages, and the njs bundle; and the search index (searchIndexFiles).

import { byDocumentName, MANIFEST_FILE, type BuiltSearchIndex } from '../search/index-build.ts';
import type { SearchDocument } from '../search/client.ts';
import { renderSiteIndexFiles, type SiteAssetNames } from '../site/render.ts';
import { renderRegistryApiFiles, type OutputFile } from './api-files.ts';
import type { ServerSummary } from './server-output.ts';

export interface RegistryOutputInput {
  servers: readonly ServerSummary[];
  /** The site's hashed assets (renderSiteAssets), written as they are. */
  siteAssetFiles: readonly OutputFile[];
  siteAssets: SiteAssetNames;
  /** The njs files (serve/njs-bundle.ts). */
  njs: readonly OutputFile[];
}

/** The search documents of the servers, in the index's order (searchDocuments'). */
export function searchDocumentsOf(servers: readonly ServerSummary[]): SearchDocument[] {
  return servers.flatMap((s) => (s.search ? [s.search] : [])).sort(byDocumentName);
}

export function* renderRegistryOutput(input: RegistryOutputInput): Generator<OutputFile> {
  const { servers } = input;
  yield* renderRegistryApiFiles(servers);
  yield* input.siteAssetFiles;
  yield* renderSiteIndexFiles(servers.flatMap((s) => (s.site ? [s.site] : [])), input.siteAssets);
  yield* input.njs;
}

/** The search index of searchDocumentsOf(servers), built apart (on a build thread), and its manifest. */
export function searchIndexFiles(search: BuiltSearchIndex): OutputFile[] {
  return [{ path: search.indexPath, content: search.indexFile }, { path: MANIFEST_FILE, content: search.manifest }];
}
