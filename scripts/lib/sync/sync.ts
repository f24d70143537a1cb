// `npm run sync`: for each source of registry.yaml, read what changed upstream (resuming an interrupted read),
// plan the change set against entries/ and the policy, then apply it through a journal. Sources are synced one
// after another, each against the entries the previous one left, so the first source listed wins a name.

import path from 'node:path';
import { loadEntries } from '../entries/load.ts';
import { hasErrors, problem, ProblemsError } from '../problems.ts';
import type { ServerEntry } from '../model.ts';
import { readApiSource, type RetryPolicy } from './api-source.ts';
import { applyOps, SyncState, type ReadCheckpoint } from './checkpoint.ts';
import { CONFIG_FILE_NAME, loadRegistryConfig } from './config.ts';
import { readFileSource } from './file-source.ts';
import { laterInstant } from '../query/compare.ts';
import { planSourceSync } from './plan.ts';
import type { SourceConfig, SourceSummary, SyncSummary, UpstreamVersion } from './types.ts';
import type { Problem } from '../problems.ts';

export const STATE_DIR_NAME = '.sync';

/** What a sync reports while it runs (the terminal draws a progress bar from it). */
export interface SyncProgress {
  reading?(source: string, read: { versions: number; pages: number; requests: number; resumed: boolean }): void;
  applying?(source: string, done: number, total: number): void;
  finished?(summary: SourceSummary): void;
  /** An interrupted apply is being finished before anything else. */
  recovering?(source: string, ops: number): void;
}

export interface SyncOptions {
  /** The repository root (registry.yaml, entries/, .sync/). */
  root: string;
  entriesDir?: string;
  configFile?: string;
  stateDir?: string;
  /** Only these sources (ids); all by default. */
  sourceIds?: string[];
  /** Read every source whole, not only what changed since the last sync. */
  full?: boolean;
  retry?: RetryPolicy;
  fetch?: typeof fetch;
  progress?: SyncProgress;
}

export async function syncRegistry(options: SyncOptions): Promise<SyncSummary> {
  const root = path.resolve(options.root);
  const entriesDir = path.resolve(root, options.entriesDir ?? 'entries');
  const { config, problems } = await loadRegistryConfig(options.configFile ?? path.join(root, CONFIG_FILE_NAME));
  if (hasErrors(problems)) throw new ProblemsError(problems);
  const unknown = (options.sourceIds ?? []).filter((id) => !config.sources.some((s) => s.id === id));
  if (unknown.length > 0) {
    throw new ProblemsError(unknown.map((id) => problem({ code: 'sync-source-unknown', file: CONFIG_FILE_NAME, jsonPath: '/sources', message: `no source with id "${id}"`, hint: `Use one of: ${config.sources.map((s) => s.id).join(', ') || '(none configured)'}.` })));
  }
  const state = new SyncState(path.resolve(root, options.stateDir ?? STATE_DIR_NAME));
  finishInterruptedApply(state, entriesDir, options.progress);

  const sources = config.sources.filter((s) => !options.sourceIds || options.sourceIds.includes(s.id));
  const summaries: SourceSummary[] = [];
  for (const source of sources) {
    const loaded = await loadEntries(entriesDir);
    if (hasErrors(loaded.problems)) throw new ProblemsError(loaded.problems);
    const from = source.url ?? source.file!;
    const since = options.full || source.file ? undefined : lastUpdate(loaded.servers, source.id);
    const mode = since === undefined ? 'full' : 'incremental';
    const read = await readSource(source, { root, from, mode, since, state, options });
    const plan = planSourceSync({
      source: { id: source.id, from }, mode, versions: read.versions, servers: loaded.servers, policy: config.policy,
      entriesPrefix: path.relative(root, entriesDir).split(path.sep).join('/') || '.',
    });
    if (plan.ops.length > 0) {
      state.writeJournal({ source: source.id, ops: plan.ops });
      applyOps(entriesDir, plan.ops, (done) => options.progress?.applying?.(source.id, done, plan.ops.length));
    }
    state.clearRead(source.id);
    state.clearJournal();
    const summary: SourceSummary = {
      ...plan.summary, from, mode, ...(since !== undefined ? { updatedSince: since } : {}), requests: read.requests,
      problems: [...read.problems, ...plan.summary.problems],
    };
    options.progress?.finished?.(summary);
    summaries.push(summary);
  }
  return { sources: summaries };
}

function finishInterruptedApply(state: SyncState, entriesDir: string, progress: SyncProgress | undefined): void {
  const journal = state.pendingJournal();
  if (!journal) return;
  progress?.recovering?.(journal.source, journal.ops.length);
  applyOps(entriesDir, journal.ops);
  state.clearRead(journal.source);
  state.clearJournal();
}

/** The newest upstream `updatedAt` among the versions mirrored from the source: the next read starts after it. */
function lastUpdate(servers: readonly ServerEntry[], source: string): string | undefined {
  let newest: string | undefined;
  for (const server of servers) {
    if (server.provenance?.source !== source) continue;
    for (const state of Object.values(server.provenance.versions)) newest = newest === undefined ? state.updatedAt : laterInstant(newest, state.updatedAt);
  }
  return newest;
}

interface ReadResult {
  versions: UpstreamVersion[];
  requests: number;
  problems: Problem[];
}

async function readSource(
  source: SourceConfig,
  context: { root: string; from: string; mode: 'full' | 'incremental'; since: string | undefined; state: SyncState; options: SyncOptions },
): Promise<ReadResult> {
  const { state, options, from, mode, since } = context;
  if (source.file) {
    const read = readFileSource(context.root, source.file);
    options.progress?.reading?.(source.id, { versions: read.versions.length, pages: 1, requests: 0, resumed: false });
    return { versions: read.versions, requests: 0, problems: read.problems };
  }
  const token = source.tokenEnv ? process.env[source.tokenEnv] : undefined;
  if (source.tokenEnv && !token) {
    throw new ProblemsError([problem({ code: 'sync-source-token', file: CONFIG_FILE_NAME, jsonPath: '/sources', message: `the environment variable ${source.tokenEnv} (tokenEnv of source "${source.id}") is not set`, hint: `Set ${source.tokenEnv} to the token for ${from} (in the sync workflow, from a repository secret).` })]);
  }
  const resumed = state.resumable(source.id, { from, mode, updatedSince: since });
  const versions: UpstreamVersion[] = resumed ? resumed.versions : [];
  const checkpoint: ReadCheckpoint = resumed?.checkpoint ?? { from, mode, ...(since !== undefined ? { updatedSince: since } : {}), seenCursors: [], pages: 0 };
  if (!resumed) state.begin(source.id, checkpoint);
  const problems: Problem[] = [];
  let requests = 0;
  if (checkpoint.complete) return { versions, requests, problems };
  const cursor = checkpoint.seenCursors.at(-1);
  await readApiSource({
    baseUrl: source.url!,
    ...(since !== undefined ? { updatedSince: since } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
    seenCursors: checkpoint.seenCursors,
    ...(token ? { token } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    onRequest: () => {
      requests++;
    },
    onPage: (page) => {
      versions.push(...page.versions);
      problems.push(...page.problems);
      checkpoint.pages++;
      if (page.nextCursor !== undefined) checkpoint.seenCursors.push(page.nextCursor);
      else checkpoint.complete = true;
      state.savePage(source.id, page.versions, checkpoint);
      options.progress?.reading?.(source.id, { versions: versions.length, pages: checkpoint.pages, requests, resumed: !!resumed });
    },
  });
  return { versions, requests, problems };
}
