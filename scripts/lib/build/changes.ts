// What changed in `entries/` since the build a cache describes, from git: one `git ls-tree -r` (the version of every
// committed file), `git status` (what the working tree changes), and `git log <built>..HEAD` (every file a commit
// touched since, even when a later one put it back: its dates changed). Servers, not files, are the unit: a
// changed file makes its whole server render again.

import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runGit } from '../history/run-git.ts';
import { isEntryFile, serverNameOf } from '../entries/load.ts';
import type { BuildCacheState } from './cache.ts';

export interface EntriesVersion {
  head: string;
  shallow: string;
  /** Entry file → `<blob id>` when committed as it is, `wt:<sha1>:<mtime seconds>` when the working tree differs. */
  inputs: Record<string, string>;
}

/** `git ls-tree -z` output: each entry's mode, blob id and path relative to the entries folder. */
function parseTree(out: string, prefix: string): Array<{ mode: string; blob: string; file: string }> {
  return out.split('\0').filter(Boolean).map((line) => {
    const tab = line.indexOf('\t');
    const [mode, , blob] = line.slice(0, tab).split(' ') as [string, string, string];
    return { mode, blob, file: line.slice(tab + 1).slice(prefix.length) };
  });
}

/**
 * The version of every entry file, or why an incremental build cannot trust it (not in git; a symbolic link,
 * which the full build refuses with its own message).
 */
export async function readEntriesVersion(entriesDir: string): Promise<EntriesVersion | { unusable: string }> {
  const git = await gitLocation(entriesDir);
  if (!git) return { unusable: 'the entries folder is not a git checkout with commits' };
  const { head, prefix } = git;
  const [tree, status] = await Promise.all([
    runGit(entriesDir, ['ls-tree', '-r', '-z', '--full-name', head, '--', '.']),
    runGit(entriesDir, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames', '--', '.']),
  ]);
  const inputs: Record<string, string> = {};
  for (const { mode, blob, file } of parseTree(tree, prefix)) {
    if (mode === '120000') return { unusable: `${file} is a symbolic link` };
    if (isEntryFile(file)) inputs[file] = blob;
  }
  const link = applyStatus(entriesDir, prefix, status, inputs);
  if (link) return { unusable: `${link} is a symbolic link` };
  return { head, shallow: readShallow(git.gitDir), inputs };
}

async function gitLocation(entriesDir: string): Promise<{ head: string; gitDir: string; prefix: string } | undefined> {
  try {
    const [head, gitDir, prefix] = (await runGit(entriesDir, ['rev-parse', 'HEAD', '--absolute-git-dir', '--show-prefix'])).split('\n') as [string, string, string];
    return { head, gitDir, prefix: prefix ?? '' };
  } catch {
    return undefined;
  }
}

function readShallow(gitDir: string): string {
  try {
    return readFileSync(path.join(gitDir, 'shallow'), 'utf8');
  } catch {
    return ''; // a complete clone
  }
}

/** Applies `git status` to `inputs`: working-tree keys for changed files, none for deleted ones. Returns a link met. */
function applyStatus(entriesDir: string, prefix: string, status: string, inputs: Record<string, string>): string | undefined {
  for (const entry of status.split('\0')) {
    if (entry.length < 4) continue;
    const file = entry.slice(3).slice(prefix.length);
    const full = path.join(entriesDir, file);
    const stats = lstatSync(full, { throwIfNoEntry: false });
    if (stats?.isSymbolicLink()) return file;
    delete inputs[file];
    if (stats?.isFile() && isEntryFile(file)) {
      inputs[file] = `wt:${createHash('sha1').update(readFileSync(full)).digest('hex')}:${Math.floor(stats.mtimeMs / 1000)}`;
    }
  }
  return undefined;
}

/**
 * The version of every entry file now, from the cached one and `git diff --raw <built>..HEAD` (new blob ids of what
 * the commits since changed: O(change), where ls-tree reads the whole tree) and `git status`; with the servers whose
 * files differ from the built ones or were touched by any commit since (a change reverted later still re-dates its
 * versions). Undefined when history was rewritten (the built commit is no longer an ancestor), the shallow
 * boundary moved, or a symbolic link appeared.
 */
export async function readChanges(entriesDir: string, built: BuildCacheState): Promise<{ version: EntriesVersion; changed: Set<string> } | undefined> {
  if (!built.head) return undefined;
  const git = await gitLocation(entriesDir);
  if (!git || readShallow(git.gitDir) !== built.shallow) return undefined;
  const { head, prefix } = git;
  if (head !== built.head) {
    try {
      await runGit(entriesDir, ['merge-base', '--is-ancestor', built.head, head]);
    } catch {
      return undefined;
    }
  }
  const [diff, log, status] = await Promise.all([
    head === built.head ? '' : runGit(entriesDir, ['diff', '--raw', '-z', '--no-renames', '--no-abbrev', '--full-index', built.head, head, '--', '.']),
    head === built.head ? '' : runGit(entriesDir, ['log', '--first-parent', '--diff-merges=first-parent', '--name-only', '--no-renames', '-z', '--format=', `${built.head}..${head}`, '--', '.']),
    runGit(entriesDir, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames', '--', '.']),
  ]);
  const inputs: Record<string, string> = { ...built.inputs };
  // Working-tree keys describe the last build's working tree: start from the commit and apply today's status.
  for (const [file, key] of Object.entries(inputs)) if (key.startsWith('wt:')) delete inputs[file];
  const tokens = diff.split('\0');
  for (let i = 0; i + 1 < tokens.length; i += 2) {
    const [, mode, , blob, kind] = tokens[i]!.replace(/^\n/, '').split(' ');
    const file = tokens[i + 1]!.slice(prefix.length);
    if (mode === '120000') return undefined;
    if (!isEntryFile(file)) continue;
    if (kind === 'D') delete inputs[file];
    else inputs[file] = blob!;
  }
  // Files the build's working tree had changed and that are committed as they were: their blob from the commit.
  const restore = Object.entries(built.inputs).filter(([file, key]) => key.startsWith('wt:') && !(file in inputs)).map(([file]) => file);
  if (restore.length) {
    const tree = await runGit(entriesDir, ['ls-tree', '-z', '--full-name', head, '--', ...restore.map((f) => `:(literal)${f}`)]);
    for (const { blob, file } of parseTree(tree, prefix)) inputs[file] = blob;
  }
  if (applyStatus(entriesDir, prefix, status, inputs)) return undefined;
  const changed = new Set<string>();
  for (const [file, key] of Object.entries(inputs)) if (built.inputs[file] !== key) changed.add(serverNameOf(file));
  for (const file of Object.keys(built.inputs)) if (!(file in inputs)) changed.add(serverNameOf(file));
  // `log --name-only` names files relative to the repository root.
  for (const file of log.split(/[\0\n]/)) {
    const relative = file.slice(prefix.length);
    if (file.startsWith(prefix) && isEntryFile(relative)) changed.add(serverNameOf(relative));
  }
  return { version: { head, shallow: built.shallow, inputs }, changed };
}
