// The build cache: what an incremental build needs to know about the previous one. A plain folder (docs/building.md):
// - state.json: the format, the key of everything besides the entries that the output depends on (the build's own
//   code, registry.yaml, SOURCE_DATE_EPOCH, the output folder), the commit built, and the entry files whose
//   working-tree bytes were not those of that commit (a hash of their bytes and time);
// - servers.tsv: one line per server, in name order: the parts of its summary (ServerSummary, build-types.ts), each
//   JSON text (which holds no raw tab or newline), separated by tabs. Kept as text: read, split and written back
//   without parsing, each part parsed only by the consumer that needs it;
// - details/: each server's rows and output files, which an incremental build needs for a few servers only (those
//   that changed and those that share a row-index chunk with them): records `<rows>\t<files>\n` in files written
//   by each build (all servers by a full one, the changed ones by an incremental one), found through the server's
//   `details` part, `<file>:<offset>:<length>:<sha1 prefix of the record>`. Files no line refers to are removed.
// A cache that is missing, unreadable, of another format or key, or whose output folder is not the one it describes
// makes the next build a full one: never a wrong one. state.json is written last and removed before an incremental
// build touches the output, so an interrupted build leaves no cache that claims the output is complete.

import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';
import type { Problem } from '../problems.ts';
import type { SiteAssetNames } from '../site/render.ts';
import { SUMMARY_PARTS, type ServerSummary } from './build-types.ts';

export const CACHE_FORMAT = 3;
const STATE_FILE = 'state.json';
const SERVERS_FILE = 'servers.tsv';
const DETAILS_DIR = 'details';

export interface BuildCacheState {
  format: number;
  key: string;
  /** The commit built, or null outside git (no incremental build then). */
  head: string | null;
  /** The shallow boundary (.git/shallow), '' for a complete clone: history before it would date versions differently. */
  shallow: string;
  /**
   * Entry files (relative to the entries folder) whose working-tree bytes were not the commit's when built → a key
   * of those bytes (build/changes.ts): `wt:<sha1>:<mtime seconds>`, or `wt:absent` for a committed file deleted.
   */
  worktree: Record<string, string>;
  /** Warnings about the files of servers that do not build, as the last build reported them. */
  unbuiltWarnings: Problem[];
  /** Registry-wide output file → sha1 of its bytes as last written. */
  registryFiles: Record<string, string>;
  /** The output folder this cache describes: its path and identity. */
  output: { path: string; ino: number; birthtimeMs: number };
  /** The site's asset names (content-hashed), which server pages link to: the same code gives the same assets. */
  siteAssets: SiteAssetNames;
  /** sha1 of servers.tsv as written: its parts are parsed only when needed, so damage must show at once. */
  servers: string;
}

export interface BuildCache {
  state: BuildCacheState;
  /** Every server's summary, in name order. */
  servers: ServerSummary[];
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
  const servers: ServerSummary[] = [];
  try {
    const bytes = readFileSync(path.join(dir, SERVERS_FILE));
    if (sha1(bytes) !== state.servers) throw new Error('not the file the state describes');
    for (const line of bytes.toString('utf8').split('\n')) {
      if (!line) continue;
      const parts = line.split('\t');
      if (parts.length !== SUMMARY_PARTS.length) throw new Error('a line of another shape');
      servers.push(Object.fromEntries(SUMMARY_PARTS.map((part, i) => [part, parts[i]!])) as unknown as ServerSummary);
    }
  } catch {
    return { unusable: `the build cache's ${SERVERS_FILE} is unreadable` };
  }
  return { state, servers };
}

/** A cache file that does not hold what the state says (read after planning): the build is then a full one. */
export class CacheDamage extends Error {}

/** A cached server's rows and files, read from details/ and checked against their hash. */
export function readDetails(dir: string, summary: ServerSummary): { rows: string; files: string } {
  const [file, offset, length, hash] = summary.details.split(':');
  const fail = (): never => {
    throw new CacheDamage(`the build cache's details of ${summary.name} are unreadable`);
  };
  // The reference is checked before it is used: a name within details/, and whole numbers of a sane size.
  if (!file || !/^[\w.-]+$/.test(file) || !/^\d{1,12}$/.test(offset ?? '') || !/^\d{1,9}$/.test(length ?? '')) fail();
  const record = Buffer.alloc(Number(length));
  try {
    const fd = openSync(path.join(dir, DETAILS_DIR, file!), 'r');
    try {
      if (readSync(fd, record, 0, record.length, Number(offset)) !== record.length) fail();
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (error instanceof CacheDamage) throw error;
    fail();
  }
  if (sha1(record).slice(0, 16) !== hash) fail();
  const [rows, files] = record.toString('utf8').slice(0, -1).split('\t');
  return { rows: rows!, files: files! };
}

/**
 * Writes the rows and files of the servers that have them (all after a full build, the changed ones after an
 * incremental one) into a new file under details/, sets their `details`, and removes files no server refers to.
 */
function writeDetails(dir: string, servers: readonly ServerSummary[], fresh: boolean): void {
  const folder = path.join(dir, DETAILS_DIR);
  if (fresh) rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const file = `${process.pid}-${randomBytes(6).toString('hex')}.tsv`;
  const records: Buffer[] = [];
  let offset = 0;
  for (const server of servers) {
    if (server.rows === undefined || server.files === undefined) continue;
    const record = Buffer.from(`${server.rows}\t${server.files}\n`, 'utf8');
    server.details = `${file}:${offset}:${record.length}:${sha1(record).slice(0, 16)}`;
    records.push(record);
    offset += record.length;
  }
  if (records.length) writeFileSync(path.join(folder, file), Buffer.concat(records));
  const used = new Set(servers.map((s) => s.details.slice(0, s.details.indexOf(':'))));
  for (const name of readdirSync(folder)) if (!used.has(name)) rmSync(path.join(folder, name), { force: true });
}

/** Makes the cache unusable (before an incremental build changes the output it describes). */
export function invalidateBuildCache(dir: string): void {
  rmSync(path.join(dir, STATE_FILE), { force: true });
}

/**
 * Writes the cache: the details (`fresh`: after a full build, all anew), the summaries, then state.json, each by a
 * rename.
 */
export function writeBuildCache(dir: string, state: Omit<BuildCacheState, 'servers'>, servers: readonly ServerSummary[], fresh: boolean): void {
  writeCacheState(dir, state, writeCacheSummaries(dir, servers, fresh));
}

/**
 * The first part of writeBuildCache: with state.json removed, the details and servers.tsv. Returns the hash that
 * state.json must hold. An incremental build writes them while its output's compression finishes.
 */
export function writeCacheSummaries(dir: string, servers: readonly ServerSummary[], fresh: boolean): string {
  mkdirSync(dir, { recursive: true });
  invalidateBuildCache(dir);
  writeDetails(dir, servers, fresh);
  const bytes = Buffer.from(servers.map((s) => SUMMARY_PARTS.map((part) => s[part]).join('\t')).join('\n') + '\n', 'utf8');
  putFile(dir, SERVERS_FILE, bytes);
  return sha1(bytes);
}

/** The last part of writeBuildCache: state.json, which makes the cache usable. */
export function writeCacheState(dir: string, state: Omit<BuildCacheState, 'servers'>, servers: string): void {
  putFile(dir, STATE_FILE, JSON.stringify({ ...state, servers }) + '\n');
}

function putFile(dir: string, name: string, content: string | Buffer): void {
  const temporary = path.join(dir, `${name}.tmp-${process.pid}`);
  writeFileSync(temporary, content);
  renameSync(temporary, path.join(dir, name));
}

export function sha1(content: string | Buffer): string {
  return createHash('sha1').update(content).digest('hex');
}
