// Stage 1–3 of a build for all servers or some: load their entries, read their history, date and check them, and
// give each server's rows to server-output.ts. Throws ProblemsError on any error, before anything is written.

import path from 'node:path';
import { loadEntries } from '../entries/load.ts';
import { annotationProblems, CONFIG_FILE_NAME, loadRegistryConfig } from '../sync/config.ts';
import { readEntriesHistory } from '../history/entries-history.ts';
import { hasErrors, problem, ProblemsError, type Problem } from '../problems.ts';
import { assembleRegistry } from '../registry/assemble.ts';
import { groupByServer } from '../registry/by-server.ts';
import type { RegistryRecord } from '../model.ts';
import { renderLongDescription } from '../site/markdown.ts';
import { fallbackClock } from './fallback-clock.ts';
import type { BuildOptions } from './build-types.ts';
import type { ServerInput } from './server-output.ts';

/** What one build reads of the entries: the servers (all, or the changed ones) as inputs to server-output.ts. */
export interface LoadedServers {
  inputs: ServerInput[];
  records: RegistryRecord[];
  /** Problems not tied to a server (history, configuration). */
  problems: Problem[];
  /** Warnings about the files of servers that do not build (no version). */
  unbuilt: Problem[];
  /** Every warning, in the order the stages found them. */
  warnings: Problem[];
}

/** Loads, dates and checks the servers (`only` these when given); throws ProblemsError on any error. */
export async function loadServers(options: BuildOptions, only?: readonly string[]): Promise<LoadedServers> {
  const [loaded, history, config] = await Promise.all([
    loadEntries(options.entriesDir, only),
    readEntriesHistory(options.entriesDir, only),
    loadRegistryConfig(configFileOf(options)),
  ]);
  const global: Problem[] = [...config.problems];
  if (history.shallow) {
    global.push(problem({
      severity: 'warning', code: 'history-shallow',
      message: 'the git history is shallow: versions added before its oldest commit get that commit\'s time as publishedAt',
      hint: 'Fetch the whole history (git fetch --unshallow, or actions/checkout with fetch-depth: 0).',
    }));
  }
  const problems = [...loaded.problems, ...global, ...annotationProblems(loaded.servers, config.config.metaKey)];
  // Markdown for the search index, HTML for the pages; a body that cannot be rendered fails the build here, with the
  // problem the validator reports for it, before anything is written.
  const longDescriptions = new Map<string, { markdown: string; html?: string }>();
  for (const server of loaded.servers) {
    if (!server.statusFile?.body) continue;
    const rendered = renderLongDescription(server.statusFile);
    problems.push(...rendered.problems);
    longDescriptions.set(server.name, { markdown: server.statusFile.body, ...(rendered.html ? { html: rendered.html } : {}) });
  }
  if (hasErrors(problems)) throw new ProblemsError(problems);
  const records = assembleRegistry(loaded.servers, history, fallbackClock(options.entriesDir, options.env), config.config.metaKey);
  const warningsOf = new Map<string, Problem[]>();
  for (const p of problems) {
    if (global.includes(p)) continue;
    const name = p.file?.split('/').slice(0, 2).join('/') ?? '';
    warningsOf.set(name, [...(warningsOf.get(name) ?? []), p]);
  }
  const inputs = groupByServer(records).map((versions): ServerInput => {
    const name = versions[0]!.name;
    const longDescription = longDescriptions.get(name);
    return { versions, ...(longDescription ? { longDescription } : {}), warnings: warningsOf.get(name) ?? [] };
  });
  const built = new Set(inputs.map((i) => i.versions[0]!.name));
  const unbuilt = [...warningsOf].flatMap(([name, list]) => (built.has(name) ? [] : list));
  return { inputs, records, problems: global, unbuilt, warnings: problems };
}

export function configFileOf(options: BuildOptions): string {
  return options.configFile ?? path.join(path.dirname(path.resolve(options.entriesDir)), CONFIG_FILE_NAME);
}
