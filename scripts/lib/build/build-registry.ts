// The build pipeline: load entries → read history → assemble rows → render each server's files → render the
// registry-wide files from every server's summary → write. A full build writes a new output folder and swaps it in;
// with a cache from the previous build, an incremental one reads and renders only the servers that changed since,
// and rewrites only files whose bytes changed (build/incremental.ts). Both give the same bytes.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleNjsListQuery } from '../serve/njs-bundle.ts';
import { bundleSiteAssets } from '../site/bundle.ts';
import { renderSiteAssets } from '../site/render.ts';
import type { BuildOptions, BuildResult } from './build-types.ts';
import { buildCodeHash, CACHE_FORMAT, defaultCacheDir, invalidateBuildCache, outputIdentity, readBuildCache, sha1, writeBuildCache, type BuildCacheState } from './cache.ts';
import { changedServers, readEntriesVersion, type EntriesVersion } from './changes.ts';
import { buildIncrementally } from './incremental.ts';
import { configFileOf, loadServers } from './load-servers.ts';
import { renderRegistryOutput } from './registry-output.ts';
import { renderServerOutput, type ServerSummary } from './server-output.ts';
import { recoverInterruptedBuild, writeOutputAtomically } from './write-output.ts';

export type { BuildChanges, BuildOptions, BuildResult } from './build-types.ts';

/** Everything besides the entries that the output depends on: a cache made under another key is not used. */
function cacheKey(options: BuildOptions): string {
  let config = '';
  try {
    config = readFileSync(configFileOf(options), 'utf8');
  } catch {
    // no registry.yaml: the defaults
  }
  return createHash('sha256').update(JSON.stringify([buildCodeHash(), config, (options.env ?? process.env).SOURCE_DATE_EPOCH ?? '', path.resolve(options.outDir)])).digest('hex');
}

export async function buildRegistry(options: BuildOptions): Promise<BuildResult> {
  await recoverInterruptedBuild(options.outDir);
  const cacheDir = options.cache === true ? defaultCacheDir(options.outDir) : options.cache;
  if (!cacheDir) return buildEverything(options);
  const key = cacheKey(options);
  const version = await readEntriesVersion(options.entriesDir);
  const plan = options.full ? { reason: 'asked for a full build (--full)' } : await planIncremental(options, cacheDir, key, version);
  if ('reason' in plan) return buildEverything(options, { dir: cacheDir, key, version, reason: plan.reason });
  return buildIncrementally(options, { dir: cacheDir, key, version: version as EntriesVersion, ...plan });
}

async function planIncremental(options: BuildOptions, cacheDir: string, key: string, version: EntriesVersion | { unusable: string }): Promise<{ reason: string } | { changed: Set<string>; cache: Exclude<ReturnType<typeof readBuildCache>, { unusable: string }> }> {
  if ('unusable' in version) return { reason: version.unusable };
  const cache = readBuildCache(cacheDir);
  if ('unusable' in cache) return { reason: cache.unusable };
  if (cache.state.key !== key) return { reason: 'the build\'s code, registry.yaml, SOURCE_DATE_EPOCH or output folder changed since the cached build' };
  const output = outputIdentity(options.outDir);
  if (!output || output.path !== cache.state.output.path || output.ino !== cache.state.output.ino || output.birthtimeMs !== cache.state.output.birthtimeMs) {
    return { reason: 'the output folder is not the one the cache describes' };
  }
  const changed = await changedServers(options.entriesDir, cache.state, version);
  if (!changed) return { reason: 'the history was rewritten since the cached build (or its shallow boundary moved)' };
  return { changed, cache };
}

/** A full build; with `cache`, the cache for the next build is written after it. */
async function buildEverything(options: BuildOptions, cache?: { dir: string; key: string; version: EntriesVersion | { unusable: string }; reason: string }): Promise<BuildResult> {
  const loaded = await loadServers(options);
  const [njs, assets] = await Promise.all([bundleNjsListQuery(), bundleSiteAssets()]);
  const site = renderSiteAssets(assets);
  const summaries: ServerSummary[] = [];
  const registryFiles: Record<string, string> = {};
  const written = await writeOutputAtomically(options.outDir, async (output) => {
    for (const input of loaded.inputs) {
      const server = renderServerOutput(input, site.names);
      for (const file of server.files) await output.write(file);
      summaries.push(server.summary);
    }
    for (const file of renderRegistryOutput({ servers: summaries, siteAssetFiles: site.files, siteAssets: site.names, njs })) {
      await output.write(file);
      if (cache) registryFiles[file.path] = sha1(file.content);
    }
    return {};
  });
  const problems = loaded.warnings;
  if (cache && !('unusable' in cache.version)) {
    const state: BuildCacheState = {
      format: CACHE_FORMAT, key: cache.key, head: cache.version.head, shallow: cache.version.shallow, inputs: cache.version.inputs,
      registryFiles, unbuiltWarnings: loaded.unbuilt, output: outputIdentity(options.outDir)!,
    };
    writeBuildCache(cache.dir, state, summaries);
  } else if (cache) {
    invalidateBuildCache(cache.dir);
  }
  return {
    records: loaded.records, servers: summaries.length, versions: loaded.records.length, files: written.files, bytes: written.bytes, problems,
    mode: { kind: 'full', ...(cache ? { reason: cache.reason } : {}) },
  };
}
