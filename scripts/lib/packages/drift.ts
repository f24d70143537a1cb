// Drift: what was true when a version was published may not be true today (a package unpublished, a label removed,
// an MCPB asset replaced, a remote gone). `npm run reverify` re-runs the package verification on the LATEST
// non-deleted version of every server, a few at a time, and renders what it finds as Markdown (for an issue) or JSON.
// Latest and deleted are decided exactly as the build decides them (history, status files, official isLatest rule).
// A report with drift is a result, not a failure.

import path from 'node:path';
import { fallbackClock } from '../build/fallback-clock.ts';
import { loadEntries } from '../entries/load.ts';
import { readEntriesHistory } from '../history/entries-history.ts';
import { problem, type Problem } from '../problems.ts';
import { assembleRegistry } from '../registry/assemble.ts';

/** Verifies the packages and remotes of one server.json (scripts/lib/packages/verify.ts provides the real one). */
export type ServerPackagesVerifier = (doc: { file: string; server: Record<string, unknown> }) => Promise<Problem[]>;

export const REVERIFY_CONCURRENCY = 8;

export interface ReverifyOptions {
  /** The entries folder, as given on the command line (default `entries`). */
  entriesDir: string;
  verify: ServerPackagesVerifier;
  /** Servers verified at once; 8 unless told. */
  concurrency?: number;
  /** For the publication times of files git cannot date (tests); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface DriftEntry {
  name: string;
  version: string;
  /** The server.json, as `<entriesDir>/<ns>/<server>/<version>/server.json`. */
  file: string;
  problems: Problem[];
}

export interface DriftReport {
  /** Latest non-deleted versions verified. */
  checked: number;
  /** Every verified version, by name; `problems` is empty where nothing drifted. */
  entries: DriftEntry[];
  /** Problems reading entries/ itself (a file that does not parse is skipped, and listed here). */
  loadProblems: Problem[];
}

/** Runs `task` over `items`, at most `limit` at once, results in input order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

const toPosix = (p: string): string => p.split(path.sep).join('/');

/** Re-verifies the latest non-deleted version of every server. Never throws for a verifier's failure. */
export async function reverifyEntries(options: ReverifyOptions): Promise<DriftReport> {
  const [loaded, history] = await Promise.all([loadEntries(options.entriesDir), readEntriesHistory(options.entriesDir)]);
  const records = assembleRegistry(loaded.servers, history, fallbackClock(options.entriesDir, options.env));
  const files = new Map<string, string>();
  for (const server of loaded.servers) for (const v of server.versions) files.set(`${server.name}\0${v.version}`, v.file);
  const prefix = toPosix(path.normalize(options.entriesDir)).replace(/\/+$/, '');
  const targets = records
    .filter((r) => r.official.isLatest && r.official.status !== 'deleted')
    .map((r) => ({ name: r.name, version: r.version, server: r.server, file: `${prefix}/${files.get(`${r.name}\0${r.version}`)!}` }));

  const entries = await mapWithConcurrency(targets, options.concurrency ?? REVERIFY_CONCURRENCY, async (t): Promise<DriftEntry> => {
    let problems: Problem[];
    try {
      problems = await options.verify({ file: t.file, server: t.server });
    } catch (error) {
      problems = [problem({
        code: 'reverify-verifier-failed', file: t.file,
        message: `verifying ${t.name} ${t.version} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
        hint: 'A bug in the verifier, not in the entry: see the workflow log, fix the verifier and run the re-verification again.',
      })];
    }
    return { name: t.name, version: t.version, file: t.file, problems };
  });
  return { checked: targets.length, entries, loadProblems: loaded.problems };
}

/** Whether anything drifted (or could not be read): what makes the nightly workflow open or update its issue. */
export function hasDrift(report: DriftReport): boolean {
  return report.loadProblems.length > 0 || report.entries.some((e) => e.problems.length > 0);
}

export function renderDriftJson(report: DriftReport): string {
  return JSON.stringify({ ...report, drift: hasDrift(report) }, null, 2) + '\n';
}

/**
 * Text from server.json files (URLs, names, registry answers) goes into a GitHub issue: no HTML, no @mentions, no
 * #references, no line breaks that would start new Markdown blocks.
 */
function inline(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([@#])(?=\w)/g, '$1\u200b')
    .replace(/([\\`*_[\]|~])/g, '\\$1');
}

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

function renderProblem(p: Problem): string {
  const where = p.jsonPath !== undefined ? ` at ${code(p.jsonPath || '/')}` : '';
  return `- **${p.severity}** ${code(p.code)}${where}: ${inline(p.message)}\n  - fix: ${inline(p.hint)}`;
}

/** The drift report as Markdown: a summary line, then per server with problems its problems. */
export function renderDriftMarkdown(report: DriftReport): string {
  const drifted = report.entries.filter((e) => e.problems.length > 0);
  const all = drifted.flatMap((e) => e.problems);
  const errors = all.filter((p) => p.severity === 'error').length;
  const warnings = all.length - errors;
  const lines = ['# Nightly package re-verification', ''];
  lines.push(
    drifted.length === 0 && report.loadProblems.length === 0
      ? `Checked the latest version of ${report.checked} server${report.checked === 1 ? '' : 's'}: no drift.`
      : `Checked the latest version of ${report.checked} server${report.checked === 1 ? '' : 's'}: ${drifted.length} with problems (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}).`,
  );
  lines.push('', 'Errors mean a package or file no longer matches what was published; warnings (an unreachable remote) may be passing. Each code is explained in docs/errors.md.');
  for (const entry of drifted) {
    lines.push('', `## ${inline(entry.name)} ${inline(entry.version)}`, '', `File: ${code(entry.file)}`, '');
    for (const p of entry.problems) lines.push(renderProblem(p));
  }
  if (report.loadProblems.length > 0) {
    lines.push('', '## Entries that could not be read', '');
    for (const p of report.loadProblems) lines.push(`${renderProblem(p)}${p.file ? ` (${code(p.file)})` : ''}`);
  }
  return lines.join('\n') + '\n';
}
