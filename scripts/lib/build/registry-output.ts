// The registry-wide files, from every server's summary in name order (server-output.ts): the API's complete list
// and row index, the search index and its manifest, the site's assets, home and list pages, and the njs bundle.

import { NJS_BUNDLE_FILE } from '../serve/njs-bundle.ts';
import { buildSearchIndexOf, MANIFEST_FILE } from '../search/index-build.ts';
import { renderSiteIndexFiles, type SiteAssetNames } from '../site/render.ts';
import { renderRegistryApiFiles, type OutputFile } from './api-files.ts';
import type { ServerSummary } from './server-output.ts';

export interface RegistryOutputInput {
  servers: readonly ServerSummary[];
  /** The site's hashed assets (renderSiteAssets), written as they are. */
  siteAssetFiles: readonly OutputFile[];
  siteAssets: SiteAssetNames;
  njs: string;
}

export function* renderRegistryOutput(input: RegistryOutputInput): Generator<OutputFile> {
  const { servers } = input;
  yield* renderRegistryApiFiles(servers);
  yield* input.siteAssetFiles;
  yield* renderSiteIndexFiles(servers.flatMap((s) => (s.site ? [s.site] : [])), input.siteAssets);
  yield { path: NJS_BUNDLE_FILE, content: input.njs };
  // In searchDocuments' order (UTF-16 code units), which for the ASCII names of the registry is the summaries' own.
  const documents = servers.flatMap((s) => (s.search ? [s.search] : [])).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const search = buildSearchIndexOf(documents);
  yield { path: search.indexPath, content: search.indexFile };
  yield { path: MANIFEST_FILE, content: search.manifest };
}
