// The endpoints the PR bot merges with, for the GitHub stand-in (fake-github.ts): a branch's tip
// (GET /repos/:o/:r/branches/:branch) and the merge itself (PUT /repos/:o/:r/pulls/:n/merge) with GitHub's rules:
// 409 when `sha` is not the PR's head, 405 when the PR is not open or not mergeable. With a bare repository
// (`gitRemote`), the merge is real git: the PR's refs/pull/<n>/head merged onto the branch, as GitHub does.

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { FakePull } from './fake-github.ts';

export interface FakeMergeState {
  /** The bare repository holding the branches and refs/pull/<n>/head; without it, branches come from `branches`. */
  gitRemote?: string;
  branches: Map<string, string>;
  /** PR numbers GitHub would refuse to merge (branch protection, conflicts): 405. */
  unmergeable: Set<number>;
  /** Workflow dispatches (POST …/actions/workflows/:file/dispatches), in order; only `workflows` exist. */
  dispatches: Array<{ workflow: string; ref: string }>;
  workflows: Set<string>;
  /** Runs before a branch's tip is answered: a test's way to push between the bot's check and its merge. */
  beforeBranchRead?: (branch: string) => void;
}

type Send = (status: number, data: unknown) => void;

function git(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('git', args, {
    cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_AUTHOR_NAME: 'GitHub', GIT_AUTHOR_EMAIL: 'noreply@github.com', GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.com', ...env },
  }).trim();
}

function tip(state: FakeMergeState, branch: string): string | undefined {
  if (!state.gitRemote) return state.branches.get(branch);
  try {
    return git(state.gitRemote, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
  } catch {
    return undefined;
  }
}

/** Squash or merge commit of the PR's head onto `base` in the bare repository; the new tip. */
function mergeInGit(remote: string, n: number, base: string, method: string, title: string): string {
  const baseSha = git(remote, ['rev-parse', `refs/heads/${base}`]);
  const tree = git(remote, ['merge-tree', '--write-tree', '--no-messages', baseSha, `refs/pull/${n}/head`]).split('\n')[0]!;
  const parents = method === 'merge' ? ['-p', baseSha, '-p', git(remote, ['rev-parse', `refs/pull/${n}/head`])] : ['-p', baseSha];
  const commit = git(remote, ['commit-tree', tree, ...parents, '-m', title]);
  git(remote, ['update-ref', `refs/heads/${base}`, commit, baseSha]);
  return commit;
}

export function mergeRouteFor(
  state: FakeMergeState,
  pulls: Map<number, FakePull>,
  method: string,
  rest: string,
  body: Record<string, unknown> | undefined,
  send: Send,
): (() => void) | undefined {
  let m = /^\/branches\/([^/]+)$/.exec(rest);
  if (method === 'GET' && m) {
    const name = decodeURIComponent(m[1]!);
    return () => {
      state.beforeBranchRead?.(name);
      const sha = tip(state, name);
      return sha ? send(200, { name, commit: { sha }, protected: false }) : send(404, { message: 'Branch not found' });
    };
  }
  m = /^\/actions\/workflows\/([^/]+)\/dispatches$/.exec(rest);
  if (method === 'POST' && m) {
    const workflow = decodeURIComponent(m[1]!);
    return () => {
      if (!state.workflows.has(workflow)) return send(404, { message: 'Not Found' });
      if (typeof body?.ref !== 'string') return send(422, { message: 'Invalid request' });
      state.dispatches.push({ workflow, ref: body.ref });
      send(204, undefined);
    };
  }
  m = /^\/pulls\/(\d+)\/merge$/.exec(rest);
  if (method !== 'PUT' || !m) return undefined;
  const n = Number(m[1]);
  return () => {
    const pull = pulls.get(n);
    if (!pull) return send(404, { message: 'Not Found' });
    if (pull.state !== 'open' || state.unmergeable.has(n)) return send(405, { message: 'Pull Request is not mergeable' });
    if (body?.sha !== undefined && body.sha !== pull.headSha) return send(409, { message: 'Head branch was modified. Review and try the merge again.' });
    const mergeMethod = typeof body?.merge_method === 'string' ? body.merge_method : 'merge';
    if (!['merge', 'squash', 'rebase'].includes(mergeMethod)) return send(422, { message: 'Validation Failed' });
    const title = typeof body?.commit_title === 'string' ? body.commit_title : `Merge pull request #${n}`;
    const base = pull.baseRef ?? 'main';
    const sha = state.gitRemote ? mergeInGit(state.gitRemote, n, base, mergeMethod, title) : `${'f'.repeat(32)}${String(n).padStart(8, '0')}`;
    if (!state.gitRemote) state.branches.set(base, sha);
    pull.state = 'closed';
    pull.mergedAs = { sha, method: mergeMethod, title, at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
    // What the publishing endpoints read (fake-github-publish.ts).
    (pull as FakePull & { merged?: boolean }).merged = true;
    send(200, { sha, merged: true, message: 'Pull Request successfully merged' });
  };
}

/**
 * Writes a pull request's head into the bare repository as GitHub keeps it (refs/pull/<n>/head): the PR's files on
 * top of the base branch, as real git objects. For PRs opened through the git data API (fake-github-publish.ts),
 * whose commits live only in the stand-in. Returns the commit.
 */
export function writePullHead(remote: string, n: number, baseBranch: string, files: ReadonlyMap<string, string>, message: string): string {
  const index = `${remote}/pull-${n}.index`;
  const env = { GIT_INDEX_FILE: index };
  const base = git(remote, ['rev-parse', `refs/heads/${baseBranch}`]);
  git(remote, ['read-tree', base], env);
  for (const [file, text] of files) {
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: remote, input: text, encoding: 'utf8' }).trim();
    git(remote, ['update-index', '--add', '--cacheinfo', `100644,${blob},${file}`], env);
  }
  const tree = git(remote, ['write-tree'], env);
  const commit = git(remote, ['commit-tree', tree, '-p', base, '-m', message]);
  git(remote, ['update-ref', `refs/pull/${n}/head`, commit]);
  rmSync(index, { force: true });
  return commit;
}

/** `<commit>:<path>` in the bare repository, or undefined when either is missing. */
export function fileInGit(remote: string, key: string): string | undefined {
  try {
    return execFileSync('git', ['show', key], { cwd: remote, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}
