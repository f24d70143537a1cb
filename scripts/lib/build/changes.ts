// What changed in `entries/` since the build a cache describes, from git: one `git ls-tree -r` (the version of every
// committed file), `git status` (what the working tree changes), and `git log <built>..HEAD` (every file a commit
// touched since, even when a later one put it back: its dates changed). Servers, not files, are the unit: a
// changed file makes its whole server render again.

import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runGit } from '../history/run-git.ts';
import { PROVENANCE_FILE_NAME } from '../sync/types.ts';
import { STATUS_FILE_NAME } from '../entries/status-file.ts';
import type { BuildCacheState } from './cache.ts';

export interface EntriesVersion {
  head: string;
  shallow: string;
  /** Entry file → `<blob id>` when committed as it is, `wt:<sha1>:<mtime seconds>` when the working tree differs. */
  inputs: Record<string, string>;
}

/** Files a build reads: `<ns>/<server>/server.md`, `<ns>/<server>/upstream.json`, `<ns>/<server>/<version>/server.json`. */
function isEntryFile(file: string): boolean {
  const parts = file.split('/');
  if (parts.length === 3) return parts[2] === STATUS_FILE_NAME || parts[2] === PROVENANCE_FILE_NAME;
  return parts.length === 4 && parts[3] === 'server.json';
}

const serverOf = (file: string): string => file.split('/').slice(0, 2).join('/');

/**
 * The version of every entry file, or why an incremental build cannot trust it (not in git; a symbolic link,
 * which the full build refuses with its own message).
 */
export async function readEntriesVersion(entriesDir: string): Promise<EntriesVersion | { unusable: string }> {
  let head: string, gitDir: string;
  try {
    [head, gitDir] = (await runGit(entriesDir, ['rev-parse', 'HEAD', '--absolute-git-dir'])).trim().split('\n') as [string, string];
  } catch {
    return { unusable: 'the entries folder is not a git checkout with commits' };
  }
  const [tree, status] = await Promise.all([
    runGit(entriesDir, ['ls-tree', '-r', '-z', '--full-name', 'HEAD', '--', '.']),
    runGit(entriesDir, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames', '--', '.']),
  ]);
  const prefix = (await runGit(entriesDir, ['rev-parse', '--show-prefix'])).trim();
  const inputs: Record<string, string> = {};
  for (const line of tree.split('\0')) {
    if (!line) continue;
    const tab = line.indexOf('\t');
    const [mode, , blob] = line.slice(0, tab).split(' ');
    const file = line.slice(tab + 1).slice(prefix.length);
    if (mode === '120000') return { unusable: `${file} is a symbolic link` };
    if (isEntryFile(file)) inputs[file] = blob!;
  }
  for (const entry of status.split('\0')) {
    if (entry.length < 4) continue;
    const file = entry.slice(3).slice(prefix.length);
    const full = path.join(entriesDir, file);
    const stats = lstatSync(full, { throwIfNoEntry: false });
    if (stats?.isSymbolicLink()) return { unusable: `${file} is a symbolic link` };
    delete inputs[file];
    if (stats?.isFile() && isEntryFile(file)) {
      inputs[file] = `wt:${createHash('sha1').update(readFileSync(full)).digest('hex')}:${Math.floor(stats.mtimeMs / 1000)}`;
    }
  }
  let shallow = '';
  try {
    shallow = readFileSync(path.join(gitDir, 'shallow'), 'utf8');
  } catch {
    // a complete clone
  }
  return { head, shallow, inputs };
}

/**
 * The servers whose files differ from the built ones, or were touched by a commit since, or undefined when history
 * was rewritten (the built commit is no longer an ancestor) or the shallow boundary moved.
 */
export async function changedServers(entriesDir: string, built: BuildCacheState, now: EntriesVersion): Promise<Set<string> | undefined> {
  if (!built.head || built.shallow !== now.shallow) return undefined;
  const changed = new Set<string>();
  for (const [file, key] of Object.entries(now.inputs)) if (built.inputs[file] !== key) changed.add(serverOf(file));
  for (const file of Object.keys(built.inputs)) if (!(file in now.inputs)) changed.add(serverOf(file));
  if (built.head === now.head) return changed;
  try {
    await runGit(entriesDir, ['merge-base', '--is-ancestor', built.head, now.head]);
  } catch {
    return undefined;
  }
  const log = await runGit(entriesDir, ['log', '--first-parent', '--diff-merges=first-parent', '--name-only', '--no-renames', '-z', '--relative', '--format=', `${built.head}..${now.head}`, '--', '.']);
  for (const file of log.split(/[\0\n]/)) if (file.split('/').length >= 3 && isEntryFile(file)) changed.add(serverOf(file));
  return changed;
}
