// An incremental build: the servers that changed since the cached build are read, dated and rendered again; every
// other server's summary comes from the cache; the registry-wide files are rendered from all summaries as a full
// build renders them. Only files whose bytes changed are written (each replaced whole by a rename), files no longer
// produced are removed last, and the paths of both are returned for CDN purges and sync-style uploads.

import path from 'node:path';
import { compareBytewise } from '../query/compare.ts';
import { serverNameOf } from '../entries/load.ts';
import { bundleNjsFiles } from '../serve/njs-bundle.ts';
import { bundleSiteAssets } from '../site/bundle.ts';
import { renderSiteAssets } from '../site/render.ts';
import type { BuildOptions, BuildResult } from './build-types.ts';
import { loadServers } from './load-servers.ts';
import { CACHE_FORMAT, invalidateBuildCache, outputIdentity, sha1, writeBuildCache, type BuildCache, type BuildCacheState } from './cache.ts';
import type { EntriesVersion } from './changes.ts';
import { renderRegistryOutput, searchDocumentsOf, searchIndexFiles } from './registry-output.ts';
import type { OutputFile } from './api-files.ts';
import { RenderThreads } from './render-threads.ts';
import { renderServerOutput, type ServerSummary } from './server-output.ts';
import { OutputFiles, sameContent } from './write-output.ts';

export interface IncrementalPlan {
  dir: string;
  key: string;
  version: EntriesVersion;
  changed: Set<string>;
  cache: BuildCache;
}

export async function buildIncrementally(options: BuildOptions, plan: IncrementalPlan): Promise<BuildResult> {
  const names = [...plan.changed].sort(compareBytewise);
  const [loaded, [njs, assets], threads] = await Promise.all([
    loadServers(options, names),
    Promise.all([bundleNjsFiles(), bundleSiteAssets()]),
    // No rendering thread (the changed servers are few): the search index's, started at once.
    RenderThreads.start(0).then((threads) => (threads.startSearchThread(), threads)),
  ]);
  const site = renderSiteAssets(assets);
  const outDir = path.resolve(options.outDir);
  const summaries = new Map(plan.cache.servers);
  const rendered = loaded.inputs.map((input) => renderServerOutput(input, site.names));
  const renderedByName = new Map(rendered.map((r) => [r.summary.name, r]));

  // From here the output differs from what the cache describes until the new cache is written.
  invalidateBuildCache(plan.dir);
  const output = new OutputFiles(outDir, { replace: true });
  const changed: string[] = [];
  const retired: string[] = [];
  try {
    for (const name of names) {
      const before = summaries.get(name);
      const after = renderedByName.get(name);
      for (const file of after?.files ?? []) {
        if (!sameContent(path.join(outDir, file.path), file.content)) changed.push(...(await output.write(file)));
      }
      const kept = new Set(after?.summary.files);
      for (const file of before?.files ?? []) if (!kept.has(file)) retired.push(file);
      if (after) summaries.set(name, after.summary);
      else summaries.delete(name);
    }
    const ordered = [...summaries.values()].sort((a, b) => compareBytewise(a.name, b.name));
    const registryFiles: Record<string, string> = {};
    // The search index is built on a thread while this one writes the other registry-wide files.
    const searching = threads.run({ kind: 'search', documents: searchDocumentsOf(ordered) });
    searching.catch(() => undefined); // awaited below; a failure must not count as unhandled meanwhile
    const write = async (file: OutputFile): Promise<void> => {
      const hash = sha1(file.content);
      registryFiles[file.path] = hash;
      if (plan.cache.state.registryFiles[file.path] !== hash) changed.push(...(await output.write(file)));
    };
    for (const file of renderRegistryOutput({ servers: ordered, siteAssetFiles: site.files, siteAssets: site.names, njs })) await write(file);
    for (const file of searchIndexFiles((await searching).index)) await write(file);
    for (const file of Object.keys(plan.cache.state.registryFiles)) if (!(file in registryFiles)) retired.push(file);
    await output.finish();
    // Removed last: until now the lists still named them.
    const removed = retired.flatMap((file) => output.remove(file));
    const unbuilt = [...plan.cache.state.unbuiltWarnings.filter((p) => !plan.changed.has(serverNameOf(p.file ?? ''))), ...loaded.unbuilt];
    const state: BuildCacheState = {
      format: CACHE_FORMAT, key: plan.key, head: plan.version.head, shallow: plan.version.shallow, inputs: plan.version.inputs,
      registryFiles, unbuiltWarnings: unbuilt, output: outputIdentity(outDir)!,
    };
    const unchanged = new Map([...plan.cache.lines].filter(([name]) => !plan.changed.has(name)));
    writeBuildCache(plan.dir, state, ordered, unchanged);
    const warnings = [...loaded.global, ...unbuilt, ...ordered.flatMap((s: ServerSummary) => s.warnings)];
    return {
      records: loaded.records, servers: ordered.length, versions: ordered.reduce((n, s) => n + s.rows.length, 0),
      files: output.summary.files, bytes: output.summary.bytes, problems: warnings,
      mode: { kind: 'incremental', servers: names.length, changes: { changed: changed.sort(compareBytewise), removed: removed.sort(compareBytewise) } },
    };
  } catch (error) {
    await output.close();
    throw error;
  } finally {
    await threads.close();
  }
}
