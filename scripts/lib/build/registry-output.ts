// The registry-wide files, from every server's summary in name order (server-output.ts): the API's complete list
// and row index, the site's assets, home and list pages, and the njs bundle; and the search index, built apart on a
// thread (searchIndexFiles). With the previous build (an incremental one), files whose bytes cannot have changed
// are given by path only.

import { compareDocumentNames, MANIFEST_FILE, type BuiltSearchIndex } from '../search/index-build.ts';
import type { ResultSummary } from '../site/result-item.ts';
import { renderSiteIndexFiles, sitePageRange, siteIndexPaths, type SiteAssetNames } from '../site/render.ts';
import type { OutputFile } from './api-files.ts';
import { renderRegistryApiFiles, type PreviousBuild, type RegistryFile } from './registry-api-files.ts';
import type { ServerSummary } from './build-types.ts';

export interface RegistryOutputInput {
  servers: readonly ServerSummary[];
  /** The site's hashed assets (renderSiteAssets), written as they are (by path only when the build's code is the same). */
  siteAssetFiles: readonly RegistryFile[];
  siteAssets: SiteAssetNames;
  /** The njs files (serve/njs-bundle.ts), likewise. */
  njs: readonly RegistryFile[];
}

/**
 * The search documents of the servers as JSON texts, in the index's order (byDocumentName: by name in UTF-16 code
 * units), for the search thread to parse.
 */
export function searchDocumentsOf(servers: readonly ServerSummary[]): string[] {
  return servers.filter((s) => s.search).sort((a, b) => compareDocumentNames(a.name, b.name)).map((s) => s.search);
}

/** Whether the search index would be the previous build's: no changed server's document changed. */
export function sameSearchDocuments(servers: readonly ServerSummary[], previous: PreviousBuild): boolean {
  const documents = (list: readonly ServerSummary[]): Map<string, string> => new Map(list.filter((s) => previous.changed.has(s.name)).map((s) => [s.name, s.search]));
  const now = documents(servers), before = documents(previous.servers);
  return [...previous.changed].every((name) => (now.get(name) ?? '') === (before.get(name) ?? ''));
}

export function* renderRegistryOutput(input: RegistryOutputInput, previous?: PreviousBuild): Generator<RegistryFile> {
  const { servers } = input;
  yield* renderRegistryApiFiles(servers, previous);
  yield* input.siteAssetFiles;
  yield* siteIndexFiles(servers, input.siteAssets, previous);
  yield* input.njs;
}

/** The site's list pages; with the previous build, a list page showing the same servers, none changed, by path. */
function* siteIndexFiles(servers: readonly ServerSummary[], names: SiteAssetNames, previous?: PreviousBuild): Generator<RegistryFile> {
  const listed = servers.filter((s) => s.site);
  const lines = listed.map((s) => JSON.parse(s.site) as ResultSummary);
  if (!previous) return yield* renderSiteIndexFiles(lines, names);
  const before = previous.servers.filter((s) => s.site);
  const paths = siteIndexPaths(listed.length);
  const render = new Set<number>();
  // Every page says "n of <count>": a new count changes them all.
  for (let n = 2; n <= paths.length; n++) {
    const { start, end } = sitePageRange(n);
    const same = listed.length === before.length && listed.slice(start, end).every((s, i) => s.name === before[start + i]!.name && !previous.changed.has(s.name));
    if (!same) render.add(n);
  }
  yield* renderSiteIndexFiles(lines, names, render);
  for (let n = 2; n <= paths.length; n++) if (!render.has(n)) yield { path: paths[n - 1]! };
}

/** The search index (buildSearchIndexOf, on a build thread) and its manifest. */
export function searchIndexFiles(search: BuiltSearchIndex): OutputFile[] {
  return [{ path: search.indexPath, content: search.indexFile }, { path: MANIFEST_FILE, content: search.manifest }];
}
