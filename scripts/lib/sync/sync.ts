// `npm run sync`: for each source of registry.yaml, read what changed upstream (resuming an interrupted read),
// plan the change set against entries/ and the policy, then apply it through a journal. Sources are synced one
// after another, each against the entries the previous one left, so the first source listed wins a name.

import path from 'node:path';
import { loadEntries } from '../entries/load.ts';
import { hasErrors, problem, ProblemsError } from '../problems.ts';
import type { ServerEntry } from '../model.ts';
import { readApiSource, type ReadLimits, type RetryNotice, type RetryPolicy } from './api-source.ts';
import { applyOps, SyncState, type ReadCheckpoint } from './checkpoint.ts';
import { CONFIG_FILE_NAME, loadRegistryConfig } from './config.ts';
import { readFileSource } from './file-source.ts';
import { laterInstant, parseInstant } from '../query/compare.ts';
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
  /** A request failed and is tried again after a wait. */
  retrying?(source: string, retry: RetryNotice): void;
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
  /** Bounds on what one run reads from an API source (DEFAULT_READ_LIMITS). */
  limits?: ReadLimits;
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
    const now = Date.now();
    const last = lastUpdate(loaded.servers, source.id, now);
    const since = options.full || source.file ? undefined : last.since;
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
    // The versions now mirrored with a future date: those that were, and those this change set wrote.
    const ref = (name: string, version: string): string => `${name}@${version}`;
    const written = new Set([...plan.summary.added, ...plan.summary.updated, ...plan.summary.statusChanged].map((v) => ref(v.name, v.version)));
    const touched = new Set([...written, ...plan.summary.removed.map((v) => ref(v.name, v.version))]);
    const future = futureProblems(from, [
      ...last.future.filter((v) => !touched.has(ref(v.server.name, v.server.version))),
      // The last row of a version is the one stored.
      ...read.versions.filter((v) => written.has(ref(v.server.name, v.server.version))).reverse(),
    ], now);
    const summary: SourceSummary = {
      ...plan.summary, from, mode, ...(since !== undefined ? { updatedSince: since } : {}), requests: read.requests,
      problems: [...read.problems, ...future, ...plan.summary.problems],
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

/**
 * How far ahead of this machine's clock an upstream `updatedAt` may be. Further ahead it is a mistake of the
 * upstream (or of its clock), and taking it as the start of the next read would skip every change until that date.
 */
export const FUTURE_SKEW_MS = 10 * 60_000;

const isFuture = (instant: string, now: number): boolean => {
  const t = parseInstant(instant);
  return t !== null && t.seconds * 1000 > now + FUTURE_SKEW_MS;
};

/**
 * The newest upstream `updatedAt` among the versions mirrored from the source, leaving out those dated in the
 * future: the next read asks for what changed after it. The versions left out are returned, to be reported.
 */
function lastUpdate(servers: readonly ServerEntry[], source: string, now: number): { since?: string; future: UpstreamVersion[] } {
  let newest: string | undefined;
  const future: UpstreamVersion[] = [];
  for (const server of servers) {
    if (server.provenance?.source !== source) continue;
    for (const [version, state] of Object.entries(server.provenance.versions)) {
      if (isFuture(state.updatedAt, now)) future.push({ server: { name: server.name, version, description: '' }, state });
      else newest = newest === undefined ? state.updatedAt : laterInstant(newest, state.updatedAt);
    }
  }
  return { ...(newest !== undefined ? { since: newest } : {}), future };
}

/** A warning for each version (once) whose upstream `updatedAt` lies in the future. */
function futureProblems(from: string, versions: readonly UpstreamVersion[], now: number): Problem[] {
  const problems = new Map<string, Problem>();
  for (const { server, state } of versions) {
    const at = `${server.name}@${server.version}`;
    if (!state || problems.has(at) || !isFuture(state.updatedAt, now)) continue;
    problems.set(at, problem({
      severity: 'warning', code: 'sync-future-timestamp', file: from, jsonPath: at,
      message: `${server.name} ${server.version} was updated at ${state.updatedAt} by the source, which is in the future; incremental reads start from the newest time that is not`,
      hint: 'Nothing to do here: the version is mirrored as the source has it. Tell the upstream registry\'s operators (a wrong clock or a bad import); until they fix it, each sync reads the version again.',
    }));
  }
  return [...problems.values()];
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
    ...(options.limits ? { limits: options.limits } : {}),
    onRetry: (retry) => options.progress?.retrying?.(source.id, retry),
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
