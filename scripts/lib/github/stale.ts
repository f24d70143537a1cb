// Closing failed pull requests nobody works on: an open PR labelled `needs-author-feedback` (set by the PR bot when
// its checks fail) whose last push is older than registry.yaml's `pullRequests.closeAfterDays` gets a friendly
// comment saying how to carry on, and is closed. Only the label (which only the bot and people with triage rights
// can set) puts a PR in scope, so nobody can get someone else's PR closed.

import type { Octokit } from '@octokit/rest';

export const STALE_LABEL = 'needs-author-feedback';
const DAY_MS = 86_400_000;

/**
 * When the PR last moved: its head commit's committer date, as the API gives it, but never before the PR was opened
 * (an old branch opened today is not stale). The committer date is written by whoever made the commit, so an author
 * can set it, but only for their own PR: a date in the future counts as no date (the PR's opening time is used), so
 * the longest an author can keep a failing PR open is by pushing, which is the point.
 */
export function lastPush(committerDate: string | undefined, openedAt: string, now: Date): Date {
  const opened = new Date(openedAt);
  const committed = committerDate === undefined ? NaN : Date.parse(committerDate);
  if (Number.isNaN(committed) || committed > now.getTime()) return opened;
  return new Date(Math.max(committed, opened.getTime()));
}

/** Whether a PR whose last push was at `pushed` is past `closeAfterDays` (0: never). */
export function isStale(pushed: Date, now: Date, closeAfterDays: number): boolean {
  return closeAfterDays > 0 && now.getTime() - pushed.getTime() > closeAfterDays * DAY_MS;
}

/** The comment left on a PR before closing it. `filesUrl`: where the repository's files are browsed (…/blob/<ref>). */
export function closingComment(options: { closeAfterDays: number; pushed: Date; filesUrl: string }): string {
  const base = options.filesUrl.replace(/\/+$/, '');
  const days = options.closeAfterDays;
  return [
    `Thank you for this pull request. Its checks failed, and nothing has been pushed to it for more than ${days} day${days === 1 ? '' : 's'} (the last commit is from ${options.pushed.toISOString().slice(0, 10)}), so it is closed for now. Nothing is lost: the branch and this conversation stay as they are.`,
    '',
    'To carry on, either:',
    '- push a fix to the branch and reopen this pull request (the checks run again on the new commit), or',
    '- open a new pull request with the fixed files.',
    '',
    `The bot's earlier comment lists what failed; [docs/errors.md](${base}/docs/errors.md) explains each problem and its fix, and [Publishing a server](${base}/README.md#publishing-a-server) the whole process.`,
  ].join('\n');
}

export interface StaleOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  closeAfterDays: number;
  now?: Date;
  filesUrl: string;
  /** Decide and report, write nothing. */
  dryRun?: boolean;
  log?: (line: string) => void;
}

export interface StaleResult {
  closed: number[];
  kept: Array<{ pr: number; lastPush: string }>;
}

export async function closeStalePullRequests(options: StaleOptions): Promise<StaleResult> {
  const { octokit, owner, repo, closeAfterDays } = options;
  const now = options.now ?? new Date();
  const log = options.log ?? (() => {});
  const result: StaleResult = { closed: [], kept: [] };
  if (closeAfterDays <= 0) {
    log('closeAfterDays is 0: failing pull requests are never closed');
    return result;
  }
  // Pull requests are issues too: the issues list is the one that filters by label.
  const labelled: Array<{ number: number; created_at: string }> = [];
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listForRepo, { owner, repo, state: 'open', labels: STALE_LABEL, per_page: 100 })) {
    for (const issue of page.data) if (issue.pull_request) labelled.push({ number: issue.number, created_at: issue.created_at });
  }
  for (const issue of labelled) {
    const { data: pull } = await octokit.rest.pulls.get({ owner, repo, pull_number: issue.number });
    if (pull.state !== 'open') continue;
    const { data: head } = await octokit.rest.repos.getCommit({ owner, repo, ref: pull.head.sha });
    const pushed = lastPush(head.commit.committer?.date, pull.created_at ?? issue.created_at, now);
    if (!isStale(pushed, now, closeAfterDays)) {
      result.kept.push({ pr: issue.number, lastPush: pushed.toISOString() });
      continue;
    }
    log(`${options.dryRun ? 'would close' : 'closing'} #${issue.number}: failing, last push ${pushed.toISOString()}`);
    if (!options.dryRun) {
      await octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body: closingComment({ closeAfterDays, pushed, filesUrl: options.filesUrl }) });
      await octokit.rest.pulls.update({ owner, repo, pull_number: issue.number, state: 'closed' });
    }
    result.closed.push(issue.number);
  }
  return result;
}
