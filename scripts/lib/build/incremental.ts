// An incremental build: the servers that changed since the cached build are read, dated and rendered again; every
// other server's summary comes from the cache; the registry-wide files whose bytes may have changed are rendered
// from all summaries as a full build renders them, the others (row index chunks and list pages none of whose
// servers changed, the search index when no search document changed, the site's assets and the njs files, made by
// the same code) are kept. Only files whose bytes changed are written (each replaced whole by a rename), files no
// longer produced are removed last, and the paths of both are returned for CDN purges and sync-style uploads.
//
// `git status` walks the whole working tree (seconds at 100,000 versions), so the committed changes are prepared
// meanwhile; in the rare case that the working tree adds servers, everything is prepared again with them. Nothing
// is written before both are known.

import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { compareBytewise } from '../query/compare.ts';
import { serverListFile } from '../query/layout.ts';
import { serverNameOf } from '../entries/load.ts';
import { compareDocumentNames, SEARCH_DIR, type BuiltSearchIndex } from '../search/index-build.ts';
import { NJS_BUNDLE_FILE, NJS_IDENTITY_FILE } from '../serve/njs-bundle.ts';
import { siteAssetPaths } from '../site/render.ts';
import type { BuildOptions, BuildResult, ServerSummary } from './build-types.ts';
import { loadServers, type LoadedServers } from './load-servers.ts';
import { CACHE_FORMAT, CacheDamage, invalidateBuildCache, readDetails, outputIdentity, sha1, writeCacheState, writeCacheSummaries, type BuildCache, type BuildCacheState } from './cache.ts';
import type { Changes } from './changes.ts';
import { renderRegistryOutput, sameSearchDocuments, searchDocumentsOf, searchIndexFiles } from './registry-output.ts';
import type { OutputFile } from './api-files.ts';
import type { PreviousBuild, RegistryFile } from './registry-api-files.ts';
import { RenderThreads } from './render-threads.ts';
import { renderServerOutput, summaryWarnings } from './server-output.ts';
import { OutputFiles, sameContent } from './write-output.ts';

export interface IncrementalPlan {
  dir: string;
  key: string;
  changes: Changes;
  cache: BuildCache;
}

/** Everything an incremental build writes, prepared in memory for one set of changed servers. */
interface Prepared {
  changed: ReadonlySet<string>;
  loaded: LoadedServers;
  /** The changed servers' own files, now and in the previous build. */
  files: OutputFile[];
  before: string[];
  servers: ServerSummary[];
  registry: RegistryFile[];
  /** The new search index, or undefined when no search document changed. */
  search: Promise<BuiltSearchIndex> | undefined;
}

/** The summaries of the cached build with the changed servers' replaced, added or removed, in name order. */
function mergeSummaries(before: readonly ServerSummary[], changed: ReadonlySet<string>, after: readonly ServerSummary[]): ServerSummary[] {
  return [...before.filter((s) => !changed.has(s.name)), ...after].sort((a, b) => compareBytewise(a.name, b.name));
}

/**
 * The search index begun on its thread with the cached documents of the servers before `bound` (the first changed
 * name): every build adds them first, so the thread adds them while the changed servers are read.
 */
interface BegunSearch {
  bound: string;
  documents: number;
  /** The last document added, checked against the build's own list before the rest is added. */
  last: string | undefined;
  used: boolean;
}

function beginSearch(plan: IncrementalPlan, changed: ReadonlySet<string>, threads: RenderThreads): BegunSearch | undefined {
  if (!changed.size) return undefined;
  const bound = [...changed].sort(compareDocumentNames)[0]!;
  const documents = searchDocumentsOf(plan.cache.servers.filter((s) => compareDocumentNames(s.name, bound) < 0));
  threads.run({ kind: 'search-start', documents }).catch(() => undefined); // a failure shows in the search that follows
  return { bound, documents: documents.length, last: documents[documents.length - 1], used: false };
}

/** The new search index: the rest of a begun one when it fits these changes, else all of it. */
function buildSearch(threads: RenderThreads, documents: string[], changed: ReadonlySet<string>, begun: BegunSearch | undefined): Promise<BuiltSearchIndex> {
  const fits = begun && !begun.used && [...changed].every((name) => compareDocumentNames(name, begun.bound) >= 0) && documents[begun.documents - 1] === begun.last;
  if (begun) begun.used = true; // the thread's begun index is used, or dropped, by the next search either way
  const job = fits ? { documents: documents.slice(begun.documents), continued: true } : { documents, continued: false };
  return threads.run({ kind: 'search', ...job }).then((reply) => reply.index);
}

async function prepare(options: BuildOptions, plan: IncrementalPlan, changed: ReadonlySet<string>, threads: RenderThreads, begun?: BegunSearch): Promise<Prepared> {
  const outDir = path.resolve(options.outDir);
  const { siteAssets } = plan.cache.state;
  const loaded = await loadServers(options, [...changed].sort(compareBytewise));
  const rendered = loaded.inputs.map((input) => renderServerOutput(input, siteAssets));
  const servers = mergeSummaries(plan.cache.servers, changed, rendered.map((r) => r.summary));
  const previous: PreviousBuild = {
    servers: plan.cache.servers, changed,
    readServerList: (target, at, start, end) => {
      const fd = openSync(path.join(outDir, serverListFile()), 'r');
      try {
        for (let done = 0; done < end - start;) {
          const read = readSync(fd, target, at + done, end - start - done, start + done);
          if (!read) throw new CacheDamage(`${serverListFile()} ended before the items the cache describes`);
          done += read;
        }
      } finally {
        closeSync(fd);
      }
    },
    readDetails: (summary) => readDetails(plan.dir, summary),
  };
  // The changed servers' previous files: those no longer produced are removed.
  const before = plan.cache.servers.filter((s) => changed.has(s.name)).flatMap((s) => JSON.parse(readDetails(plan.dir, s).files) as string[]);
  const search = sameSearchDocuments(servers, previous) ? undefined : buildSearch(threads, searchDocumentsOf(servers), changed, begun);
  search?.catch(() => undefined); // awaited by the build; a failure must not count as unhandled meanwhile
  // The same code made the site's assets and the njs files: they are the previous build's.
  const kept = (paths: string[]): RegistryFile[] => paths.map((file) => ({ path: file }));
  const registry = [...renderRegistryOutput({ servers, siteAssetFiles: kept(siteAssetPaths(siteAssets)), siteAssets, njs: kept([NJS_BUNDLE_FILE, NJS_IDENTITY_FILE]) }, previous)];
  return { changed, loaded, files: rendered.flatMap((r) => r.files), before, servers, registry, search };
}

/** The build, or why it must be a full one after all (nothing is written then). */
export async function buildIncrementally(options: BuildOptions, plan: IncrementalPlan): Promise<BuildResult | { reason: string }> {
  // No rendering thread (the changed servers are few): the search index's, started at once.
  const threads = await RenderThreads.start(0);
  threads.startSearchThread();
  try {
    const committed = plan.changes.committed;
    const begun = beginSearch(plan, committed, threads);
    let preparing = committed.size ? prepare(options, plan, committed, threads, begun) : undefined;
    preparing?.catch(() => undefined); // awaited below, or dropped when the working tree adds servers
    const tree = await plan.changes.worktree;
    if (!tree) return { reason: 'a symbolic link appeared among the entries' };
    const changed = new Set([...committed, ...tree.changed]);
    if (!preparing || changed.size > committed.size) preparing = prepare(options, plan, changed, threads, begun);
    let prepared: Prepared;
    try {
      prepared = await preparing;
    } catch (error) {
      if (error instanceof CacheDamage) return { reason: error.message };
      throw error;
    }
    return await writePrepared(options, plan, prepared, tree.worktree);
  } finally {
    await threads.close();
  }
}

/** Writes what `prepare` made: the files whose bytes changed, then the removals, then the cache. */
async function writePrepared(options: BuildOptions, plan: IncrementalPlan, prepared: Prepared, worktree: Record<string, string>): Promise<BuildResult> {
  const outDir = path.resolve(options.outDir);
  const { state } = plan.cache;
  // From here the output differs from what the cache describes until the new cache is written.
  invalidateBuildCache(plan.dir);
  const output = new OutputFiles(outDir, { replace: true });
  const changed: string[] = [];
  const retired: string[] = [];
  try {
    const kept = new Set<string>();
    for (const file of prepared.files) {
      kept.add(file.path);
      if (!sameContent(path.join(outDir, file.path), file.content)) changed.push(...(await output.write(file)));
    }
    for (const file of prepared.before) if (!kept.has(file)) retired.push(file);
    const registryFiles: Record<string, string> = {};
    const put = async ({ path: file, content }: RegistryFile): Promise<void> => {
      if (content === undefined) {
        const hash = state.registryFiles[file];
        if (hash === undefined) throw new Error(`${file} was kept from a build that did not write it`);
        registryFiles[file] = hash;
        return;
      }
      const hash = sha1(content);
      registryFiles[file] = hash;
      if (state.registryFiles[file] !== hash) changed.push(...(await output.write({ path: file, content }, hash)));
    };
    for (const file of prepared.registry) await put(file);
    const searchFiles: RegistryFile[] = prepared.search
      ? searchIndexFiles(await prepared.search)
      : Object.keys(state.registryFiles).filter((file) => file.startsWith(`${SEARCH_DIR}/`)).map((file) => ({ path: file }));
    for (const file of searchFiles) await put(file);
    for (const file of Object.keys(state.registryFiles)) if (!(file in registryFiles)) retired.push(file);
    const { loaded, servers } = prepared;
    // The cache's summaries while the output's last variants are compressed; its state once the output is complete.
    const summaries = writeCacheSummaries(plan.dir, servers, false);
    await output.finish();
    // Removed last: until now the lists still named them.
    const removed = retired.flatMap((file) => output.remove(file));
    const unbuilt = [...state.unbuiltWarnings.filter((p) => !prepared.changed.has(serverNameOf(p.file ?? ''))), ...loaded.unbuilt];
    writeCacheState(plan.dir, {
      format: CACHE_FORMAT, key: plan.key, head: plan.changes.head, shallow: plan.changes.shallow, worktree,
      registryFiles, unbuiltWarnings: unbuilt, output: outputIdentity(outDir)!, siteAssets: state.siteAssets,
    } satisfies Omit<BuildCacheState, 'servers'>, summaries);
    const warnings = [...loaded.global, ...unbuilt, ...servers.flatMap(summaryWarnings)];
    return {
      records: loaded.records, servers: servers.length, versions: servers.reduce((n, s) => n + Number(s.rowCount), 0),
      files: output.summary.files, bytes: output.summary.bytes, problems: warnings,
      mode: { kind: 'incremental', servers: prepared.changed.size, changes: { changed: changed.sort(compareBytewise), removed: removed.sort(compareBytewise) } },
    };
  } catch (error) {
    await output.close();
    throw error;
  }
}
