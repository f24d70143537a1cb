// The build pipeline: load entries → read history → assemble rows → render API files → write atomically.

import { loadEntries } from '../entries/load.ts';
import { readEntriesHistory } from '../history/entries-history.ts';
import { hasErrors, problem, ProblemsError, type Problem } from '../problems.ts';
import { assembleRegistry } from '../registry/assemble.ts';
import type { RegistryRecord } from '../model.ts';
import { renderApiFiles, type OutputFile } from './api-files.ts';
import { fallbackClock } from './fallback-clock.ts';
import { recoverInterruptedBuild, writeOutputAtomically } from './write-output.ts';
import { bundleNjsListQuery, NJS_BUNDLE_FILE } from '../serve/njs-bundle.ts';

export interface BuildOptions {
  entriesDir: string;
  outDir: string;
  env?: NodeJS.ProcessEnv;
}

export interface BuildResult {
  records: RegistryRecord[];
  servers: number;
  files: number;
  bytes: number;
  /** Warnings only: a build with errors throws ProblemsError and writes nothing. */
  problems: Problem[];
}

function* withNjsBundle(files: Iterable<OutputFile>, njs: string): Generator<OutputFile> {
  yield* files;
  yield { path: NJS_BUNDLE_FILE, content: njs };
}

export async function buildRegistry(options: BuildOptions): Promise<BuildResult> {
  await recoverInterruptedBuild(options.outDir);
  const [loaded, history] = await Promise.all([loadEntries(options.entriesDir), readEntriesHistory(options.entriesDir)]);
  const problems = [...loaded.problems];
  if (history.shallow) {
    problems.push(problem({
      severity: 'warning', code: 'history-shallow',
      message: 'the git history is shallow: versions added before its oldest commit get that commit\'s time as publishedAt',
      hint: 'Fetch the whole history (git fetch --unshallow, or actions/checkout with fetch-depth: 0).',
    }));
  }
  if (hasErrors(problems)) throw new ProblemsError(problems);
  const records = assembleRegistry(loaded.servers, history, fallbackClock(options.entriesDir, options.env));
  const njs = await bundleNjsListQuery();
  const written = await writeOutputAtomically(options.outDir, withNjsBundle(renderApiFiles(records), njs));
  return { records, servers: loaded.servers.length, ...written, problems };
}
