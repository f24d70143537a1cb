// The Node server's side of `?search=`: loads the build's search index lazily (on the first search) and reloads
// it when a rebuild points the manifest at another index file.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { NameSet, SearchMatcher } from '../query/list-query.ts';
import { searchFromJson, type RegistrySearch } from './client.ts';
import { MANIFEST_FILE, SEARCH_DIR } from './index-build.ts';

/** A SearchMatcher over `<distDir>/site/search/`; without a search index it matches nothing extra. */
export function searchIndexMatcher(distDir: string): SearchMatcher {
  let loaded: { indexPath: string; search: RegistrySearch } | undefined;
  function current(): RegistrySearch | undefined {
    let manifest: { index?: unknown };
    try {
      manifest = JSON.parse(readFileSync(path.join(distDir, MANIFEST_FILE), 'utf8')) as { index?: unknown };
    } catch {
      loaded = undefined;
      return undefined;
    }
    if (typeof manifest.index !== 'string' || !/^\/search\/[^/]+$/.test(manifest.index)) return undefined;
    if (loaded?.indexPath !== manifest.index) {
      const text = readFileSync(path.join(distDir, SEARCH_DIR, manifest.index.slice('/search/'.length)), 'utf8');
      loaded = { indexPath: manifest.index, search: searchFromJson(manifest, text) };
    }
    return loaded.search;
  }
  return (search: string): NameSet | undefined => {
    if (!search.trim()) return undefined; // the index's empty query means everything
    const index = current();
    if (!index) return undefined;
    const names = new Set<string>();
    for (const hit of index.search(search)) names.add(hit.name);
    return names;
  };
}
