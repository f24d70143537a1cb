// The build pipeline: load entries → read history → assemble rows → render API files → write atomically.

import path from 'node:path';
import { loadEntries } from '../entries/load.ts';
import { annotationProblems, CONFIG_FILE_NAME, loadRegistryConfig } from '../sync/config.ts';
import { readEntriesHistory } from '../history/entries-history.ts';
import { hasErrors, problem, ProblemsError, type Problem } from '../problems.ts';
import { assembleRegistry } from '../registry/assemble.ts';
import type { RegistryRecord } from '../model.ts';
import { renderApiFiles, type OutputFile } from './api-files.ts';
import { fallbackClock } from './fallback-clock.ts';
import { recoverInterruptedBuild, writeOutputAtomically } from './write-output.ts';
import { bundleNjsFiles } from '../serve/njs-bundle.ts';
import { bundleSiteAssets } from '../site/bundle.ts';
import { renderLongDescription } from '../site/markdown.ts';
import { renderSiteFiles } from '../site/render.ts';
import { buildSearchIndex, MANIFEST_FILE, type BuiltSearchIndex } from '../search/index-build.ts';

export interface BuildOptions {
  entriesDir: string;
  outDir: string;
  env?: NodeJS.ProcessEnv;
  /** registry.yaml (its metaKey names the `_meta` key of annotations); default: beside the entries folder. */
  configFile?: string;
}

export interface BuildResult {
  records: RegistryRecord[];
  servers: number;
  files: number;
  bytes: number;
  /** Warnings only: a build with errors throws ProblemsError and writes nothing. */
  problems: Problem[];
}

function* withNjsBundle(files: Iterable<OutputFile>, njs: OutputFile[]): Generator<OutputFile> {
  yield* files;
  yield* njs;
}

/** The search index (content-hashed name) and the manifest that points to it, under site/search/. */
function* withSearchIndex(files: Iterable<OutputFile>, search: BuiltSearchIndex): Generator<OutputFile> {
  yield* files;
  yield { path: search.indexPath, content: search.indexFile };
  yield { path: MANIFEST_FILE, content: search.manifest };
}

/** The web site under site/ (site/render.ts): a page per live server, the home page, hashed assets. */
function* withSite(files: Iterable<OutputFile>, ...site: Parameters<typeof renderSiteFiles>): Generator<OutputFile> {
  yield* files;
  yield* renderSiteFiles(...site);
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
  const config = await loadRegistryConfig(options.configFile ?? path.join(path.dirname(path.resolve(options.entriesDir)), CONFIG_FILE_NAME));
  problems.push(...config.problems, ...annotationProblems(loaded.servers, config.config.metaKey));
  // Markdown for the search index, HTML for the pages; a body that cannot be rendered fails the build here, with the
  // problem the validator reports for it, before anything is written.
  const longDescriptions = new Map<string, string>(), longDescriptionsHtml = new Map<string, string>();
  for (const server of loaded.servers) {
    if (!server.statusFile?.body) continue;
    longDescriptions.set(server.name, server.statusFile.body);
    const rendered = renderLongDescription(server.statusFile);
    problems.push(...rendered.problems);
    if (rendered.html) longDescriptionsHtml.set(server.name, rendered.html);
  }
  if (hasErrors(problems)) throw new ProblemsError(problems);
  const records = assembleRegistry(loaded.servers, history, fallbackClock(options.entriesDir, options.env), config.config.metaKey);
  const [njs, siteAssets] = await Promise.all([bundleNjsFiles(), bundleSiteAssets()]);
  const search = buildSearchIndex(records, longDescriptions);
  const written = await writeOutputAtomically(options.outDir, withSearchIndex(withNjsBundle(withSite(renderApiFiles(records), records, longDescriptionsHtml, siteAssets), njs), search));
  return { records, servers: loaded.servers.length, ...written, problems };
}
