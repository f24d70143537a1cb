// The build cache: what an incremental build needs to know about the previous one. A plain folder (docs/building.md):
// - state.json: the format, the key of everything besides the entries that the output depends on (the build's own
//   code, registry.yaml, SOURCE_DATE_EPOCH, the output folder), the commit built, and the git blob id of every entry
//   file built (or a hash of its working-tree bytes and time when it was not committed);
// - servers.ndjson: one line per server, in name order: its summary (build/server-output.ts) as JSON, then a tab and
//   its /v0.1/servers item as it is served.
// A cache that is missing, unreadable, of another format or key, or whose output folder is not the one it describes
// makes the next build a full one: never a wrong one. state.json is written last and removed before an incremental
// build touches the output, so an interrupted build leaves no cache that claims the output is complete.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';
import type { Problem } from '../problems.ts';
import type { ServerSummary } from './server-output.ts';

export const CACHE_FORMAT = 2;
const STATE_FILE = 'state.json';
const SERVERS_FILE = 'servers.ndjson';

export interface BuildCacheState {
  format: number;
  key: string;
  /** The commit built, or null outside git (no incremental build then). */
  head: string | null;
  /** The shallow boundary (.git/shallow), '' for a complete clone: history before it would date versions differently. */
  shallow: string;
  /** Entry file (relative to the entries folder) → its version key (inputKeys in build/changes.ts). */
  inputs: Record<string, string>;
  /** Warnings about the files of servers that do not build, as the last build reported them. */
  unbuiltWarnings: Problem[];
  /** Registry-wide output file → sha1 of its bytes as last written. */
  registryFiles: Record<string, string>;
  /** The output folder this cache describes: its path and identity. */
  output: { path: string; ino: number; birthtimeMs: number };
}

export interface BuildCache {
  state: BuildCacheState;
  servers: Map<string, ServerSummary>;
  /** Each server's line as read, written back as it is when the server did not change. */
  lines: Map<string, string>;
}

/** The default cache folder of an output folder: beside it, `<out>.cache`. */
export function defaultCacheDir(outDir: string): string {
  return `${path.resolve(outDir)}.cache`;
}

const CODE_ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const PROJECT_ROOT = path.dirname(path.dirname(CODE_ROOT));

/**
 * A hash of the build's own code (scripts/lib, the installed package versions): output made by other code is
 * never reused. Read on every build; about 200 small files.
 */
export function buildCodeHash(): string {
  const hash = createHash('sha256');
  const files = fg.sync(['**/*.ts', '**/*.js', '**/*.css'], { cwd: CODE_ROOT }).sort();
  for (const file of files) hash.update(file).update('\0').update(readFileSync(path.join(CODE_ROOT, file))).update('\0');
  const lock = path.join(PROJECT_ROOT, 'package-lock.json');
  if (existsSync(lock)) hash.update(readFileSync(lock));
  return hash.digest('hex');
}

export function outputIdentity(outDir: string): BuildCacheState['output'] | undefined {
  const stats = statSync(outDir, { throwIfNoEntry: false });
  return stats?.isDirectory() ? { path: path.resolve(outDir), ino: stats.ino, birthtimeMs: stats.birthtimeMs } : undefined;
}

/** The cache's state.json in `dir`, or why it cannot be used. */
export function readCacheState(dir: string): BuildCacheState | { unusable: string } {
  let state: BuildCacheState;
  try {
    state = JSON.parse(readFileSync(path.join(dir, STATE_FILE), 'utf8')) as BuildCacheState;
  } catch (error) {
    return { unusable: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no build cache yet' : `the build cache's ${STATE_FILE} is unreadable` };
  }
  if (state?.format !== CACHE_FORMAT) return { unusable: `the build cache has another format (${String(state?.format)})` };
  return state;
}

/** The cache's server summaries (read only once its state is known to fit: they are most of it). */
export function readBuildCache(dir: string, state: BuildCacheState): BuildCache | { unusable: string } {
  const servers = new Map<string, ServerSummary>();
  const lines = new Map<string, string>();
  try {
    for (const line of readFileSync(path.join(dir, SERVERS_FILE), 'utf8').split('\n')) {
      if (!line) continue;
      const summary = parseServerLine(line);
      servers.set(summary.name, summary);
      lines.set(summary.name, line);
    }
  } catch {
    return { unusable: `the build cache's ${SERVERS_FILE} is unreadable` };
  }
  return { state, servers, lines };
}

/**
 * A server's line: its summary as JSON without `latestItem`, then a tab and `latestItem` as it is (JSON text, which
 * holds no raw tab or newline): the largest part of the cache is then neither escaped nor parsed twice.
 */
function renderServerLine(summary: ServerSummary): string {
  const { latestItem, ...rest } = summary;
  return JSON.stringify(rest) + (latestItem === undefined ? '' : `\t${latestItem}`);
}

function parseServerLine(line: string): ServerSummary {
  const tab = line.indexOf('\t');
  const summary = JSON.parse(tab < 0 ? line : line.slice(0, tab)) as ServerSummary;
  if (tab >= 0) summary.latestItem = line.slice(tab + 1);
  return summary;
}

/** Makes the cache unusable (before an incremental build changes the output it describes). */
export function invalidateBuildCache(dir: string): void {
  rmSync(path.join(dir, STATE_FILE), { force: true });
}

/** Writes the cache: the summaries first, then state.json, each by a rename. */
export function writeBuildCache(dir: string, state: BuildCacheState, servers: Iterable<ServerSummary>, unchanged?: ReadonlyMap<string, string>): void {
  mkdirSync(dir, { recursive: true });
  invalidateBuildCache(dir);
  const lines: string[] = [];
  for (const summary of servers) lines.push(unchanged?.get(summary.name) ?? renderServerLine(summary));
  const put = (name: string, text: string): void => {
    const temporary = path.join(dir, `${name}.tmp-${process.pid}`);
    writeFileSync(temporary, text);
    renameSync(temporary, path.join(dir, name));
  };
  put(SERVERS_FILE, lines.join('\n') + '\n');
  put(STATE_FILE, JSON.stringify(state) + '\n');
}

export function sha1(content: string): string {
  return createHash('sha1').update(content).digest('hex');
}
