// `npm run sync-pr`'s pieces: the pull request one source's sync becomes (title and body for the organisation's
// reviewers), the branch it lives on (`sync/<id>`, one per source, force-pushed and updated in place while the pull
// request is open, like changesets' "Version Packages"), the commit made with real git, and the GitHub side.
//
// Upstream data is untrusted: every name, version and message reaches the body as a code span or escaped text, so
// it cannot mention people, link, embed images or break the tables.

import { lstatSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Octokit } from '@octokit/rest';
import { runGit } from '../history/run-git.ts';
import type { Problem } from '../problems.ts';
import type { SourceSummary, VersionRef } from './types.ts';
import { errorStatus } from '../github/error-status.ts';

/** Items shown per list; the rest are counted. */
export const LIST_LIMIT = 100;
/** GitHub refuses bodies over 65,536 characters; leave room for the cut notice. */
export const MAX_BODY_CHARS = 60_000;

export function syncBranchName(sourceId: string): string {
  return `sync/${sourceId}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** What a sync changes, in a few words: "12 added, 3 updated, 1 status change". */
export function syncChanges(s: SourceSummary): string {
  const parts = [
    s.added.length && `${s.added.length} added`,
    s.updated.length && `${s.updated.length} updated`,
    s.statusChanged.length && plural(s.statusChanged.length, 'status change'),
    s.removed.length && `${s.removed.length} removed by policy`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'no version changes';
}

export function syncPullTitle(s: SourceSummary): string {
  return `Sync ${s.id}: ${syncChanges(s)}`;
}

/** A single-line code span that holds any text (CommonMark: a fence longer than any backtick run inside). */
export function codeSpan(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A code span for a table cell: GFM splits cells at `|` even inside code spans unless it is escaped. */
function cell(text: string): string {
  return codeSpan(text).replace(/\|/g, '\\|');
}

/** Plain text on one line, with Markdown, HTML and @mentions neutralised. */
export function escapeText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/[\\`*_{}[\]<>#|~!]/g, '\\$&')
    .replace(/@(?=\w)/g, '@\u200b');
}

function more(total: number, shown: number): string[] {
  return total > shown ? ['', `…and ${(total - shown).toLocaleString('en-US')} more.`] : [];
}

function table(header: string[], rows: string[][], total: number): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    ...more(total, rows.length),
  ];
}

function section(title: string, count: number, lines: string[]): string[] {
  return count ? [`### ${title} (${count.toLocaleString('en-US')})`, '', ...lines, ''] : [];
}

const versionRows = (list: VersionRef[]) => list.slice(0, LIST_LIMIT).map((v) => [cell(v.name), cell(v.version)]);

function problemLine(p: Problem): string[] {
  const where = p.file ? ` in ${codeSpan(p.file)}${p.jsonPath ? ` at ${codeSpan(p.jsonPath || '/')}` : ''}` : '';
  return [`- **${p.severity}** ${codeSpan(p.code)}${where}: ${escapeText(p.message)}`, `  Fix: ${escapeText(p.hint)}`];
}

/** The pull request's description: what this sync brings in, for review. */
export function syncPullBody(s: SourceSummary): string {
  const read = s.mode === 'full'
    ? 'a full read'
    : `an incremental read${s.updatedSince ? ` of what changed since ${codeSpan(s.updatedSince)}` : ''}`;
  const counts: Array<[string, number]> = [
    ['Added', s.added.length],
    ['Updated', s.updated.length],
    ['Status changed', s.statusChanged.length],
    ['Removed by policy', s.removed.length],
    ['Skipped by policy', s.skippedByPolicy],
    ['Conflicts', s.conflicts.length],
    ['Problems', s.problems.length],
  ];
  const lines = [
    `Mirrors source ${codeSpan(s.id)} (${codeSpan(s.from)}) into this registry: ${read}, ${plural(s.fetched, 'server version')} fetched${s.requests ? ` in ${plural(s.requests, 'request')}` : ''}.`,
    '',
    `| ${counts.map(([label]) => label).join(' | ')} |`,
    `|${counts.map(() => '---:').join('|')}|`,
    `| ${counts.map(([, n]) => n.toLocaleString('en-US')).join(' | ')} |`,
    '',
    ...section('Added', s.added.length, table(['Server', 'Version'], versionRows(s.added), s.added.length)),
    ...section('Updated', s.updated.length, table(['Server', 'Version'], versionRows(s.updated), s.updated.length)),
    ...section('Status changed', s.statusChanged.length, table(
      ['Server', 'Version', 'From', 'To'],
      s.statusChanged.slice(0, LIST_LIMIT).map((c) => [cell(c.name), cell(c.version), c.from, `**${c.to}**`]),
      s.statusChanged.length,
    )),
    ...section('Removed by policy', s.removed.length, [
      'The policy in `registry.yaml` no longer admits these versions, so this pull request deletes them.',
      '',
      ...table(['Server', 'Version'], versionRows(s.removed), s.removed.length),
    ]),
    ...section('Conflicts', s.conflicts.length, [
      'Kept out: these upstream servers clash with something already in this registry.',
      '',
      ...table(['Server', 'Reason'], s.conflicts.slice(0, LIST_LIMIT).map((c) => [cell(c.name), escapeText(c.reason)]), s.conflicts.length),
    ]),
    ...section('Problems', s.problems.length, [
      'Versions that could not be stored; everything else in this pull request is unaffected.',
      '',
      ...s.problems.slice(0, LIST_LIMIT).flatMap(problemLine),
      ...more(s.problems.length, Math.min(s.problems.length, LIST_LIMIT)),
    ]),
    '---',
    '',
    `Opened by \`npm run sync-pr\`. While this pull request is open, every sync force-pushes \`${syncBranchName(s.id)}\` and rewrites this description, so do not push to the branch. Merge it to accept these changes; the next change set opens a new pull request. Closing it keeps out only this exact change set (the next upstream change proposes everything again): to keep servers out for good, add a \`deny\` rule to the policy in \`registry.yaml\`.`,
    '',
  ];
  const body = lines.join('\n');
  if (body.length <= MAX_BODY_CHARS) return body;
  const cut = body.lastIndexOf('\n', MAX_BODY_CHARS);
  return `${body.slice(0, cut)}\n\n…(cut to fit GitHub's limit: the workflow run's summary and log have everything)\n`;
}

// ---- git ----------------------------------------------------------------------------------------------------

/** git in `cwd`: the project's runner (stdout, or git's own message on failure). */
const git = runGit;

export interface GitIdentity {
  name: string;
  email: string;
}

export interface CommitSyncOptions {
  /** The branch to point at the new commit (created, or moved when it exists). */
  branch: string;
  /** The checked-out branch the commit goes on top of (HEAD); it stays checked out. */
  base: string;
  /** Repository-relative paths to take from the working tree: written ones are added, missing ones deleted. */
  files: readonly string[];
  message: string;
  /** Author and committer; git's own configuration when absent. */
  author?: GitIdentity;
}

/**
 * Commits exactly `files` of the working tree on top of HEAD into `branch`, without checking anything out: the
 * commit is built in a temporary index, so HEAD, the real index and the working tree stay on `base` throughout.
 * Undefined when those files are no different from HEAD.
 */
export async function commitSyncChanges(repoDir: string, options: CommitSyncOptions): Promise<{ commit: string } | undefined> {
  const head = (await git(repoDir, ['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '')).trim();
  if (head !== options.base) throw new Error(`expected ${options.base} to be checked out in ${repoDir}, not ${head || 'a detached HEAD'}`);
  const gitDir = (await git(repoDir, ['rev-parse', '--absolute-git-dir'])).trim();
  const index = path.join(gitDir, `sync-pr-index-${process.pid}`);
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_INDEX_FILE: index };
  if (options.author) {
    Object.assign(env, {
      GIT_AUTHOR_NAME: options.author.name, GIT_AUTHOR_EMAIL: options.author.email,
      GIT_COMMITTER_NAME: options.author.name, GIT_COMMITTER_EMAIL: options.author.email,
    });
  }
  try {
    await git(repoDir, ['read-tree', 'HEAD'], { env });
    // `git add` refuses a path that is neither in the working tree nor tracked (written, then removed again).
    const tracked = new Set<string>();
    for (const file of (await git(repoDir, ['ls-files', '-z'], { env })).split('\0')) {
      // The file and every folder above it: a removed folder is named by its path.
      for (let at = file.length; at > 0; at = file.lastIndexOf('/', at - 1)) tracked.add(file.slice(0, at));
    }
    const exists = (file: string) => {
      try {
        lstatSync(path.join(repoDir, file));
        return true;
      } catch {
        return false;
      }
    };
    const paths = [...new Set(options.files)].filter((f) => tracked.has(f) || exists(f));
    if (paths.length) {
      // Literal pathspecs from standard input: no globbing of names, no argument-length limit; -f because the sync
      // named these files itself, ignore rules or not.
      await git(repoDir, ['--literal-pathspecs', 'add', '--all', '--force', '--pathspec-from-file=-', '--pathspec-file-nul'], { env, input: paths.join('\0') + '\0' });
    }
    const tree = (await git(repoDir, ['write-tree'], { env })).trim();
    if (tree === (await git(repoDir, ['rev-parse', 'HEAD^{tree}'])).trim()) return undefined;
    const commit = (await git(repoDir, ['commit-tree', tree, '-p', 'HEAD', '-F', '-'], { env, input: options.message.endsWith('\n') ? options.message : `${options.message}\n` })).trim();
    await git(repoDir, ['update-ref', '-m', 'sync-pr', `refs/heads/${options.branch}`, commit]);
    return { commit };
  } finally {
    await rm(index, { force: true });
  }
}

/** `git push --force`: the sync branch is rewritten on every run. */
export async function pushBranch(repoDir: string, remote: string, branch: string): Promise<void> {
  await git(repoDir, ['push', '--quiet', '--force', remote, `refs/heads/${branch}:refs/heads/${branch}`]);
}

/**
 * The commit on `remote`'s `branch` when it already holds the same change as `commit` (same tree on the same
 * parents), else undefined. Pushing then would only churn the pull request (new head, CI again, reviewers notified).
 */
export async function remoteCommitWithSameChange(repoDir: string, remote: string, branch: string, commit: string): Promise<string | undefined> {
  const listed = (await git(repoDir, ['ls-remote', '--heads', remote, `refs/heads/${branch}`])).trim();
  const remoteSha = listed.split(/\s+/)[0];
  if (!remoteSha) return undefined;
  await git(repoDir, ['fetch', '--quiet', '--no-tags', remote, `refs/heads/${branch}`]);
  const shape = async (sha: string) => (await git(repoDir, ['show', '-s', '--format=%T %P', sha])).trim();
  return (await shape(remoteSha)) === (await shape(commit)) ? remoteSha : undefined;
}

// ---- GitHub -------------------------------------------------------------------------------------------------

export interface SyncPullRequestOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  base: string;
  /** A branch of `owner/repo` itself (the sync pushes there, not to a fork). */
  branch: string;
  title: string;
  body: string;
}

export interface SyncPullRequest {
  number: number;
  url: string;
  /** False when the open pull request from the branch was updated instead. */
  created: boolean;
}


async function findOpenPull(o: SyncPullRequestOptions) {
  const { data } = await o.octokit.rest.pulls.list({ owner: o.owner, repo: o.repo, head: `${o.owner}:${o.branch}`, state: 'open', per_page: 1 });
  return data[0];
}

/** Updates the open pull request from `branch` (title, body, and base if it changed), or opens one. */
export async function openOrUpdateSyncPullRequest(o: SyncPullRequestOptions): Promise<SyncPullRequest> {
  const { octokit, owner, repo } = o;
  for (let attempt = 0; ; attempt++) {
    const open = await findOpenPull(o);
    if (open) {
      // An edit that changes nothing still lands in the pull request's timeline: skip it.
      if (open.title !== o.title || (open.body ?? '') !== o.body || open.base.ref !== o.base) {
        await octokit.rest.pulls.update({ owner, repo, pull_number: open.number, title: o.title, body: o.body, ...(open.base.ref !== o.base ? { base: o.base } : {}) });
      }
      return { number: open.number, url: open.html_url, created: false };
    }
    try {
      const { data } = await octokit.rest.pulls.create({ owner, repo, head: o.branch, base: o.base, title: o.title, body: o.body });
      return { number: data.number, url: data.html_url, created: true };
    } catch (error) {
      // 422 "A pull request already exists": another run opened it between our look and our create.
      if (errorStatus(error) !== 422 || attempt > 0) throw error;
    }
  }
}

/**
 * A pull request from `branch` that was closed without merging while at `headSha`: the reviewers turned down exactly
 * this change, so opening it again unchanged on every run would only be noise.
 */
export async function closedUnmergedPullAt(o: { octokit: Octokit; owner: string; repo: string; branch: string; headSha: string }): Promise<{ number: number; url: string } | undefined> {
  const { data } = await o.octokit.rest.pulls.list({ owner: o.owner, repo: o.repo, head: `${o.owner}:${o.branch}`, state: 'closed', sort: 'updated', direction: 'desc', per_page: 100 });
  const declined = data.find((p) => !p.merged_at && p.head.sha === o.headSha);
  return declined ? { number: declined.number, url: declined.html_url } : undefined;
}
