// The build pipeline: load entries → read history → assemble rows → render each server's files → render the
// registry-wide files from every server's summary → write. A full build writes a new output folder and swaps it in;
// with a cache from the previous build, an incremental one reads and renders only the servers that changed since,
// and rewrites only files whose bytes changed (build/incremental.ts). Both give the same bytes.

import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { serverListFile } from '../query/layout.ts';
import path from 'node:path';
import { bundleNjsFiles } from '../serve/njs-bundle.ts';
import { bundleSiteAssets } from '../site/bundle.ts';
import { renderSiteAssets, type SiteAssetNames } from '../site/render.ts';
import type { BuildOptions, BuildResult } from './build-types.ts';
import { buildCodeHash, CACHE_FORMAT, defaultCacheDir, invalidateBuildCache, outputIdentity, readBuildCache, readCacheState, sha1, writeBuildCache, type BuildCacheState } from './cache.ts';
import { readChanges, readEntriesVersion } from './changes.ts';
import { buildIncrementally, type IncrementalPlan } from './incremental.ts';
import { configFileOf, listServerBatches, loadContext, orderedProblems, type ServerBatch } from './load-servers.ts';
import { hasErrors, ProblemsError, type Problem } from '../problems.ts';
import type { RegistryRecord } from '../model.ts';
import { renderRegistryOutput, searchDocumentsOf, searchIndexFiles } from './registry-output.ts';
import { serverListBytes, type RegistryFile } from './registry-api-files.ts';
import { buildThreadCount, RenderThreads } from './render-threads.ts';
import type { ServerSummary } from './build-types.ts';
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
  RenderThreads.prepare().catch(() => undefined); // awaited by whichever build runs; a failure surfaces there
  await recoverInterruptedBuild(options.outDir);
  const cacheDir = options.cache === true ? defaultCacheDir(options.outDir) : options.cache;
  if (!cacheDir) return buildEverything(options);
  const key = cacheKey(options);
  const plan = options.full ? { reason: 'asked for a full build (--full)' } : await planIncremental(options, cacheDir, key);
  if ('reason' in plan) return buildEverything(options, { dir: cacheDir, key, reason: plan.reason });
  const built = await buildIncrementally(options, { dir: cacheDir, key, ...plan });
  return 'reason' in built ? buildEverything(options, { dir: cacheDir, key, reason: built.reason }) : built;
}

async function planIncremental(options: BuildOptions, cacheDir: string, key: string): Promise<{ reason: string } | Omit<IncrementalPlan, 'dir' | 'key'>> {
  const state = readCacheState(cacheDir);
  if ('unusable' in state) return { reason: state.unusable };
  if (state.key !== key) return { reason: 'the build\'s code, registry.yaml, SOURCE_DATE_EPOCH or output folder changed since the cached build' };
  const output = outputIdentity(options.outDir);
  if (!output || output.path !== state.output.path || output.ino !== state.output.ino || output.birthtimeMs !== state.output.birthtimeMs) {
    return { reason: 'the output folder is not the one the cache describes' };
  }
  // git answers while the summaries are read.
  const changing = readChanges(options.entriesDir, state);
  changing.catch(() => undefined); // awaited below
  const cache = readBuildCache(cacheDir, state);
  if ('unusable' in cache) return { reason: cache.unusable };
  // Cached servers' items are cut from the previous /v0.1/servers by their lengths: it must be the one they describe.
  if (statSync(path.join(options.outDir, serverListFile()), { throwIfNoEntry: false })?.size !== serverListBytes(cache.servers)) {
    return { reason: `the output's ${serverListFile()} is not the one the cache describes` };
  }
  const changes = await changing;
  if (!changes) return { reason: 'the history was rewritten since the cached build (or its shallow boundary moved, or a symbolic link appeared)' };
  return { changes, cache };
}

/** Servers per message to a build thread: large enough that messaging costs little, small enough to spread work. */
const SERVERS_PER_BATCH = 200;

interface RenderedServers {
  summaries: ServerSummary[];
  records: RegistryRecord[];
  versions: number;
  unbuilt: Problem[];
  problems: Problem[];
  threadFiles: number;
  threadBytes: number;
}

/**
 * Lists the servers once and has the build threads read, check, render and write them a batch at a time, a few
 * batches in flight: memory holds those batches and the summaries, never the whole registry. Every batch is read
 * even after an error, so that the build reports every problem (nothing more is rendered); then it throws
 * ProblemsError.
 */
async function renderServersOnThreads(options: BuildOptions, threads: RenderThreads, root: string, siteAssets: SiteAssetNames): Promise<RenderedServers> {
  const context = await loadContext(options);
  const listed = listServerBatches(options, context, SERVERS_PER_BATCH);
  const rendered: RenderedServers = { summaries: [], records: [], versions: 0, unbuilt: [], problems: [], threadFiles: 0, threadBytes: 0 };
  if ('problems' in listed) throw new ProblemsError(orderedProblems(context.global, [{ loadProblems: listed.problems, checkProblems: [] }]));
  const { batches } = listed;
  const results: Array<{ summaries: ServerSummary[]; checked: Omit<ServerBatch, 'inputs'> }> = [];
  const inFlight = new Set<Promise<void>>();
  const threadOptions = { entriesDir: options.entriesDir, keepRecords: options.keepRecords, env: { SOURCE_DATE_EPOCH: (options.env ?? process.env).SOURCE_DATE_EPOCH } };
  let failed = hasErrors(context.global);
  for (const [index, batch] of batches.entries()) {
    const job: Promise<void> = threads.run({ kind: 'servers', root, batch, options: threadOptions, siteAssets, render: !failed }).then((reply) => {
      results[index] = reply;
      failed ||= hasErrors([...reply.checked.loadProblems, ...reply.checked.checkProblems]);
      rendered.threadFiles += reply.files;
      rendered.threadBytes += reply.bytes;
      inFlight.delete(job);
    });
    job.catch(() => undefined); // awaited below
    inFlight.add(job);
    // A few batches queued per thread keep every thread busy; more would only hold more rows in memory.
    if (inFlight.size >= 2 * buildThreadCount()) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  rendered.problems = orderedProblems(context.global, results.map((r) => r.checked));
  if (hasErrors(rendered.problems)) throw new ProblemsError(rendered.problems);
  for (const { summaries, checked } of results) {
    rendered.summaries.push(...summaries);
    rendered.unbuilt.push(...checked.unbuilt);
    rendered.versions += summaries.reduce((n, s) => n + Number(s.rowCount), 0);
    rendered.records.push(...checked.records);
  }
  return rendered;
}

/** A full build; with `cache`, the cache for the next build is written after it. */
async function buildEverything(options: BuildOptions, cache?: { dir: string; key: string; reason: string }): Promise<BuildResult> {
  // Read beside the build; a failure only means no cache for the next one.
  const version = cache ? readEntriesVersion(options.entriesDir).catch((error: Error) => ({ unusable: error.message })) : undefined;
  const [njs, assets, threads] = await Promise.all([bundleNjsFiles(), bundleSiteAssets(), RenderThreads.start().then((t) => (t.startSearchThread(), t))]);
  const site = renderSiteAssets(assets);
  const registryFiles: Record<string, string> = {};
  let written;
  try {
    written = await writeOutputAtomically(options.outDir, async (output) => {
      const servers = await renderServersOnThreads(options, threads, output.root, site.names);
      // The search index is built on a thread while this one writes the other registry-wide files.
      const searching = threads.run({ kind: 'search', documents: searchDocumentsOf(servers.summaries), continued: false });
      searching.catch(() => undefined); // awaited below; a failure must not count as unhandled meanwhile
      const write = async (file: RegistryFile): Promise<void> => {
        const { content } = file;
        if (content === undefined) throw new Error(`${file.path}: a full build renders every file`);
        const hash = cache ? sha1(content) : undefined;
        await output.write({ path: file.path, content }, hash);
        if (hash) registryFiles[file.path] = hash;
      };
      for (const file of renderRegistryOutput({ servers: servers.summaries, siteAssetFiles: site.files, siteAssets: site.names, njs })) await write(file);
      for (const file of searchIndexFiles((await searching).index)) await write(file);
      return servers;
    });
  } finally {
    await threads.close();
  }
  const entries = await version;
  if (cache && entries && !('unusable' in entries)) {
    const state: Omit<BuildCacheState, 'servers'> = {
      format: CACHE_FORMAT, key: cache.key, head: entries.head, shallow: entries.shallow, worktree: entries.worktree,
      registryFiles, unbuiltWarnings: written.unbuilt, output: outputIdentity(options.outDir)!, siteAssets: site.names,
    };
    writeBuildCache(cache.dir, state, written.summaries, true);
  } else if (cache) {
    invalidateBuildCache(cache.dir);
  }
  return {
    records: written.records, servers: written.summaries.length, versions: written.versions,
    files: written.files + written.threadFiles, bytes: written.bytes + written.threadBytes, problems: written.problems,
    mode: { kind: 'full', ...(cache ? { reason: cache.reason } : {}) },
  };
}
