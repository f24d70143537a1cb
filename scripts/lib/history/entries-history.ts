// What git knows about `entries/`: when each server.json was added and last changed, and every revision of each
// status file. One `git log` over the whole folder plus one `git cat-file --batch` for the status files, however
// many entries there are.

import { readBlobs, runGit } from './run-git.ts';

export interface CommitRef {
  /** Position in first-parent history, 0 = oldest: orders commits even when their clocks disagree. */
  index: number;
  /** Committer time, RFC 3339 UTC. */
  time: string;
}

export interface StatusRevision {
  commit: CommitRef;
  /** File text at that commit; null where the commit deleted it. */
  text: string | null;
}

export interface EntriesHistory {
  /** false outside a git work tree: every timestamp then comes from the fallback clock. */
  inGit: boolean;
  /** A shallow clone's oldest commit seems to add everything it holds. */
  shallow: boolean;
  /** server.json files: the commit that added the current file and the last one that changed it. */
  files: Map<string, { added: CommitRef; changed: CommitRef }>;
  /** server.md files: revisions, oldest first. */
  statusRevisions: Map<string, StatusRevision[]>;
  /** Files whose working-tree content is not the committed one (modified, added, untracked). */
  uncommitted: Set<string>;
}

export function emptyHistory(): EntriesHistory {
  return { inGit: false, shallow: false, files: new Map(), statusRevisions: new Map(), uncommitted: new Set() };
}

interface RawChange {
  path: string;
  blob: string;
  kind: string;
}

/** Parses `git log -z --raw --format=%x01%H %ct`, newest commit first. */
export function parseRawLog(out: string): Array<{ time: number; changes: RawChange[] }> {
  const commits: Array<{ time: number; changes: RawChange[] }> = [];
  const tokens = out.split('\0');
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!.replace(/^\n/, '');
    if (token.startsWith('\x01')) {
      commits.push({ time: Number(token.slice(1).split(' ')[1]), changes: [] });
    } else if (token.startsWith(':')) {
      const meta = token.split(' ');
      commits[commits.length - 1]!.changes.push({ blob: meta[3]!, kind: meta[4]!, path: tokens[++i]! });
    }
  }
  return commits;
}

export function formatUnixTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

async function gitState(root: string): Promise<{ shallow: boolean; prefix: string } | undefined> {
  try {
    const [inside, shallow, prefix] = (await runGit(root, ['rev-parse', '--is-inside-work-tree', '--is-shallow-repository', '--show-prefix'])).split('\n');
    if (inside !== 'true') return undefined;
    await runGit(root, ['rev-parse', '--verify', '--quiet', 'HEAD']);
    return { shallow: shallow === 'true', prefix: prefix ?? '' };
  } catch {
    return undefined; // not a checkout, no commits yet, or no git at all
  }
}

/** Reads the history of every file under `root` (a folder inside a git work tree, or not). */
export async function readEntriesHistory(root: string, only?: readonly string[]): Promise<EntriesHistory> {
  const state = await gitState(root);
  if (!state) return emptyHistory();
  // An incremental build asks about its changed servers only: the same answers for those folders, for less.
  if (only?.length === 0) return { ...emptyHistory(), inGit: true, shallow: state.shallow };
  const pathspecs = only ? only.map((folder) => `:(literal)${folder}`) : ['.'];
  const [log, status] = await Promise.all([
    // First-parent history with merges diffed against their first parent: a version is "published" when it lands
    // on the main line, whether by squash, rebase or merge commit.
    runGit(root, ['log', '--first-parent', '--diff-merges=first-parent', '--raw', '--no-renames', '--no-abbrev', '-z', '--relative', '--format=%x01%H %ct', '--', ...pathspecs]),
    runGit(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...pathspecs]),
  ]);
  const history: EntriesHistory = { ...emptyHistory(), inGit: true, shallow: state.shallow };
  const commits = parseRawLog(log).reverse();
  const statusBlobs = new Set<string>();
  const statusChanges = new Map<string, Array<{ commit: CommitRef; blob: string | null }>>();
  commits.forEach((commit, index) => {
    const ref: CommitRef = { index, time: formatUnixTime(commit.time) };
    for (const change of commit.changes) {
      if (change.path.endsWith('/server.md')) {
        const blob = change.kind === 'D' ? null : change.blob;
        if (blob) statusBlobs.add(blob);
        const list = statusChanges.get(change.path) ?? [];
        list.push({ commit: ref, blob });
        statusChanges.set(change.path, list);
      } else if (change.kind === 'D') {
        history.files.delete(change.path);
      } else {
        const known = history.files.get(change.path);
        history.files.set(change.path, { added: change.kind === 'A' || !known ? ref : known.added, changed: ref });
      }
    }
  });
  const texts = statusBlobs.size ? await readBlobs(root, [...statusBlobs]) : new Map<string, string>();
  for (const [file, changes] of statusChanges) {
    history.statusRevisions.set(file, changes.map((c) => ({ commit: c.commit, text: c.blob ? texts.get(c.blob) ?? null : null })));
  }
  // Porcelain paths are relative to the repository root, not to `root`.
  const entries = status.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.length < 4) continue;
    if (entry[0] === 'R' || entry[0] === 'C') i++; // rename/copy: the next token is the old path
    const file = entry.slice(3);
    if (file.startsWith(state.prefix)) history.uncommitted.add(file.slice(state.prefix.length));
  }
  return history;
}
