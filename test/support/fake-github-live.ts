// The endpoint the live announcement uses beyond the PR bot's, for the GitHub stand-in (fake-github.ts):
// GET /repos/:o/:r/commits/:sha/pulls, the pull requests a commit belongs to. For a commit on the default branch
// GitHub lists the merged pull requests whose merge (or squash, or last rebased) commit it is; a commit the
// repository does not have is a 422. Pull requests merged through the stand-in (fake-github-merge.ts) count too.

import { execFileSync } from 'node:child_process';
import type { FakePull } from './fake-github.ts';

export interface FakeMerge {
  /** The commit the merge made on the default branch. */
  sha: string;
  mergedAt: string;
}

export interface FakeLiveState {
  /** Pull requests merged by the test, by number (each must also be in `pulls`, closed). */
  merges: Map<number, FakeMerge>;
  /** Commits of the default branch that are no pull request's merge (direct pushes). */
  commits: Set<string>;
}

export function createLiveState(): FakeLiveState {
  return { merges: new Map(), commits: new Set() };
}

/** The handler when the request is the commit's pull requests, else undefined. `rest` is the path after the repository. */
export function liveRouteFor(
  state: FakeLiveState,
  registry: { owner: string; repo: string; pulls: Map<number, FakePull>; gitRemote?: string },
  method: string,
  rest: string,
  send: (status: number, data: unknown) => void,
  paginate: (items: unknown[]) => void,
): (() => void) | undefined {
  const m = /^\/commits\/([^/]+)\/pulls$/.exec(rest);
  if (method !== 'GET' || !m) return undefined;
  return () => {
    const sha = m[1]!;
    const merges = new Map(state.merges);
    for (const [number, pull] of registry.pulls) if (pull.mergedAs) merges.set(number, { sha: pull.mergedAs.sha, mergedAt: pull.mergedAs.at });
    const merged = [...merges].filter(([, merge]) => merge.sha === sha);
    if (!merged.length && !state.commits.has(sha) && !inGit(registry.gitRemote, sha)) return send(422, { message: `No commit found for SHA: ${sha}`, status: '422' });
    paginate(merged.map(([number, merge]) => {
      const pull = registry.pulls.get(number)!;
      return {
        number,
        state: pull.state,
        html_url: `https://github.com/${registry.owner}/${registry.repo}/pull/${number}`,
        user: { login: pull.author },
        merged_at: merge.mergedAt,
        merge_commit_sha: merge.sha,
        head: { sha: pull.headSha, ref: pull.headRef ?? 'feature' },
        base: { sha: pull.baseSha, ref: pull.baseRef ?? 'main' },
      };
    }));
  };
}

function inGit(remote: string | undefined, sha: string): boolean {
  if (!remote || !/^[0-9a-f]{40}$/.test(sha)) return false;
  try {
    execFileSync('git', ['cat-file', '-e', `${sha}^{commit}`], { cwd: remote, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
