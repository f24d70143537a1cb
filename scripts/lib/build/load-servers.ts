// Stages 1–3 of a build for all servers or some: load their entries, read their history, date and check them, and
// give each server's rows to server-output.ts. A full build takes them a batch of servers at a time (so a large
// registry is never in memory whole); an incremental one takes its changed servers at once.

import path from 'node:path';
import { checkEntriesFolder, loadEntries, readEntryFiles, serverNameOf, walkEntryFiles, type LoadedEntries } from '../entries/load.ts';
import { STATUS_FILE_NAME } from '../entries/status-file.ts';
import { annotationProblems, CONFIG_FILE_NAME, loadRegistryConfig } from '../sync/config.ts';
import { readEntriesHistory, type EntriesHistory } from '../history/entries-history.ts';
import { hasErrors, problem, ProblemsError, type Problem } from '../problems.ts';
import { assembleRegistry } from '../registry/assemble.ts';
import { groupByServer } from '../registry/by-server.ts';
import { compareBytewise } from '../query/compare.ts';
import type { RegistryRecord } from '../model.ts';
import { renderLongDescription } from '../site/markdown.ts';
import { fallbackClock } from './fallback-clock.ts';
import type { BuildOptions } from './build-types.ts';
import type { ServerInput } from './server-output.ts';

/** Some servers, ready to render, and what was found about their files. */
export interface ServerBatch {
  inputs: ServerInput[];
  records: RegistryRecord[];
  /** Problems found reading the files (reported first), and those found checking and rendering them. */
  loadProblems: Problem[];
  checkProblems: Problem[];
  /** Warnings about the files of servers that do not build (no version). */
  unbuilt: Problem[];
}

export interface LoadedServers extends ServerBatch {
  /** Problems not tied to a server (history, configuration). */
  global: Problem[];
  /** Every warning, in the order the build reports problems. */
  warnings: Problem[];
}

export interface LoadContext {
  history: EntriesHistory;
  metaKey: string | undefined;
  /** Problems not tied to a server (history, configuration). */
  global: Problem[];
}

export function configFileOf(options: BuildOptions): string {
  return options.configFile ?? path.join(path.dirname(path.resolve(options.entriesDir)), CONFIG_FILE_NAME);
}

/** The order the build reports problems in: reading the files, then history and configuration, then the checks. */
export function orderedProblems(global: readonly Problem[], batches: ReadonlyArray<Pick<ServerBatch, 'loadProblems' | 'checkProblems'>>): Problem[] {
  return [...batches.flatMap((b) => b.loadProblems), ...global, ...batches.flatMap((b) => b.checkProblems)];
}

export async function loadContext(options: BuildOptions, only?: readonly string[]): Promise<LoadContext> {
  const [history, config] = await Promise.all([readEntriesHistory(options.entriesDir, only), loadRegistryConfig(configFileOf(options))]);
  const global: Problem[] = [];
  if (history.shallow) {
    global.push(problem({
      severity: 'warning', code: 'history-shallow',
      message: 'the git history is shallow: versions added before its oldest commit get that commit\'s time as publishedAt',
      hint: 'Fetch the whole history (git fetch --unshallow, or actions/checkout with fetch-depth: 0).',
    }));
  }
  global.push(...config.problems);
  return { history, metaKey: config.config.metaKey, global };
}

/** Dates and checks loaded servers; a batch with errors has no inputs. */
export function prepareServers(loaded: LoadedEntries, context: LoadContext, options: Pick<BuildOptions, 'entriesDir' | 'env'>): ServerBatch {
  const checkProblems = annotationProblems(loaded.servers, context.metaKey);
  // Markdown for the search index, HTML for the pages; a body that cannot be rendered fails the build here, with the
  // problem the validator reports for it, before anything is written.
  const longDescriptions = new Map<string, { markdown: string; html?: string }>();
  for (const server of loaded.servers) {
    if (!server.statusFile?.body) continue;
    const rendered = renderLongDescription(server.statusFile);
    checkProblems.push(...rendered.problems);
    longDescriptions.set(server.name, { markdown: server.statusFile.body, ...(rendered.html ? { html: rendered.html } : {}) });
  }
  const batch: ServerBatch = { inputs: [], records: [], loadProblems: loaded.problems, checkProblems, unbuilt: [] };
  if (hasErrors([...loaded.problems, ...checkProblems])) return batch;
  batch.records = assembleRegistry(loaded.servers, context.history, fallbackClock(options.entriesDir, options.env), context.metaKey);
  const warningsOf = new Map<string, Problem[]>();
  for (const p of [...loaded.problems, ...checkProblems]) {
    const name = serverNameOf(p.file ?? '');
    warningsOf.set(name, [...(warningsOf.get(name) ?? []), p]);
  }
  batch.inputs = groupByServer(batch.records).map((versions): ServerInput => {
    const name = versions[0]!.name;
    const longDescription = longDescriptions.get(name);
    return { versions, ...(longDescription ? { longDescription } : {}), warnings: warningsOf.get(name) ?? [] };
  });
  const built = new Set(batch.inputs.map((i) => i.versions[0]!.name));
  batch.unbuilt = [...warningsOf].flatMap(([name, list]) => (built.has(name) ? [] : list));
  return batch;
}

/** Loads, dates and checks the servers (`only` these when given) at once; throws ProblemsError on any error. */
export async function loadServers(options: BuildOptions, only?: readonly string[]): Promise<LoadedServers> {
  const [loaded, context] = await Promise.all([loadEntries(options.entriesDir, only), loadContext(options, only)]);
  const batch = prepareServers(loaded, context, options);
  const problems = orderedProblems(context.global, [batch]);
  if (hasErrors(problems)) throw new ProblemsError(problems);
  return { ...batch, global: context.global, warnings: problems };
}

/** A batch of servers to read on a build thread: their files, and what they need of history and configuration. */
export interface ServerFilesBatch {
  files: string[];
  history: EntriesHistory;
  metaKey: string | undefined;
  /** The walk's problems (symbolic links), on the first batch. */
  walkProblems: Problem[];
}

/** The history of the listed files only (plain data, sent to a build thread). */
function historySlice(history: EntriesHistory, files: readonly string[], statusFiles: readonly string[]): EntriesHistory {
  const slice: EntriesHistory = { inGit: history.inGit, shallow: history.shallow, files: new Map(), statusRevisions: new Map(), uncommitted: new Set() };
  for (const file of [...files, ...statusFiles]) {
    const known = history.files.get(file);
    if (known) slice.files.set(file, known);
    const revisions = history.statusRevisions.get(file);
    if (revisions) slice.statusRevisions.set(file, revisions);
    if (history.uncommitted.has(file)) slice.uncommitted.add(file);
  }
  return slice;
}

/**
 * Every server, `serversPerBatch` at a time in name order: the folders are listed once here; each batch's files are
 * read on a build thread (readServerBatch). The entries folder's own problem instead when it is missing.
 */
export function listServerBatches(options: BuildOptions, context: LoadContext, serversPerBatch: number): { batches: ServerFilesBatch[] } | { problems: Problem[] } {
  const root = options.entriesDir;
  const missing = checkEntriesFolder(root);
  if (missing.length) return { problems: missing };
  const walked = walkEntryFiles(root);
  const filesOf = new Map<string, string[]>();
  for (const file of walked.files) {
    const name = serverNameOf(file);
    const list = filesOf.get(name);
    if (list) list.push(file);
    else filesOf.set(name, [file]);
  }
  const names = [...filesOf.keys()].sort(compareBytewise);
  const batches: ServerFilesBatch[] = [];
  for (let start = 0; start < names.length || start === 0; start += serversPerBatch) {
    const batchNames = names.slice(start, start + serversPerBatch);
    const files = batchNames.flatMap((name) => filesOf.get(name)!).sort(compareBytewise);
    // A deleted status file still dates its server's versions: its history goes along whether it exists or not.
    const statusFiles = batchNames.map((name) => `${name}/${STATUS_FILE_NAME}`);
    batches.push({ files, history: historySlice(context.history, files, statusFiles), metaKey: context.metaKey, walkProblems: start === 0 ? walked.problems : [] });
  }
  return { batches };
}

/** Reads, dates and checks one batch (on a build thread). */
export function readServerBatch(options: Pick<BuildOptions, 'entriesDir' | 'env'>, batch: ServerFilesBatch): ServerBatch {
  const loaded = readEntryFiles(options.entriesDir, batch.files);
  loaded.problems.unshift(...batch.walkProblems);
  return prepareServers(loaded, { history: batch.history, metaKey: batch.metaKey, global: [] }, options);
}
