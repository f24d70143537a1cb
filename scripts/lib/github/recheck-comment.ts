// Acts on one `/recheck` comment for pr-bot's --recheck-comment mode (pr-recheck.yml): reads the comment, its pull
// request, the commenter's permission and the PR's earlier honoured rechecks through the API, then either answers
// why nothing is re-run, or marks the comment honoured (the bot's reaction) and names the PR and head commit for the
// normal bot flow to check again. The decision itself is recheck.ts.

import type { Octokit } from '@octokit/rest';
import { errorStatus } from './error-status.ts';
import { DEFAULT_BOT_LOGIN } from './pr-bot.ts';
import { canWrite, decideRecheck, HONOURED_REACTION, isRecheckCommand, refusalReply, type RecheckInput } from './recheck.ts';

export interface RecheckOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  commentId: number;
  /** registry.yaml `pullRequests.rechecksPerHour`, from the default branch. */
  perHour: number;
  /** The login the bot writes as: its own comments are never commands, and only its reaction marks an honoured one. */
  botLogin?: string;
  /** The PR the event named, when known: the comment must belong to it. */
  expectedPr?: number;
  log?: (line: string) => void;
}

export type RecheckOutcome =
  | { run: { pr: number; headSha: string; as: 'author' | 'maintainer' } }
  | { done: string; replied?: number };

const HOUR_MS = 3_600_000;
/** Earlier comments looked at for the bot's reaction: far more than an hour of honest /recheck comments. */
const MAX_CANDIDATES = 50;

export async function handleRecheckComment(options: RecheckOptions): Promise<RecheckOutcome> {
  const { octokit, owner, repo, commentId } = options;
  const botLogin = options.botLogin ?? DEFAULT_BOT_LOGIN;
  const log = options.log ?? (() => {});

  let comment;
  try {
    ({ data: comment } = await octokit.rest.issues.getComment({ owner, repo, comment_id: commentId }));
  } catch (error) {
    if (errorStatus(error) === 404) return { done: `comment ${commentId} does not exist (deleted?)` };
    throw error;
  }
  const issue = /\/issues\/(\d+)$/.exec(comment.issue_url ?? '');
  if (!issue) throw new Error(`comment ${commentId} belongs to no issue of ${owner}/${repo}`);
  const pr = Number(issue[1]);
  if (options.expectedPr !== undefined && options.expectedPr !== pr) {
    throw new Error(`comment ${commentId} is on #${pr}, not on #${options.expectedPr}`);
  }
  // Most comments are not commands: decide that before any other call.
  if (!isRecheckCommand(comment.body)) return { done: `comment ${commentId} is not a /recheck command` };
  const commenter = comment.user?.login ?? '';
  const commenterIsBot = comment.user?.type === 'Bot' || commenter.toLowerCase() === botLogin.toLowerCase();

  let pull;
  try {
    ({ data: pull } = await octokit.rest.pulls.get({ owner, repo, pull_number: pr }));
  } catch (error) {
    if (errorStatus(error) === 404) return { done: `#${pr} is an issue, not a pull request` };
    throw error;
  }
  const author = pull.user?.login ?? '';
  const input: RecheckInput = {
    body: comment.body ?? '',
    commenter,
    createdAt: comment.created_at,
    commenterIsBot,
    pull: { state: pull.state, author },
    commenterCanWrite: false,
    earlierHonoured: [],
    perHour: options.perHour,
  };
  if (!commenterIsBot && commenter.toLowerCase() !== author.toLowerCase()) input.commenterCanWrite = await canWriteRepo(octokit, owner, repo, commenter);

  let decision = decideRecheck(input);
  if (decision.action === 'run') {
    input.earlierHonoured = await honouredBefore(octokit, owner, repo, pr, comment, botLogin);
    decision = decideRecheck(input);
  }
  if (decision.action === 'ignore') return { done: decision.reason };
  if (decision.action === 'refuse') {
    const { data: reply } = await octokit.rest.issues.createComment({ owner, repo, issue_number: pr, body: refusalReply(decision, options.perHour) });
    log(`/recheck by ${commenter} on #${pr} refused (${decision.reason}): replied in comment ${reply.id}`);
    return { done: `refused: ${decision.reason}`, replied: reply.id };
  }
  // The reaction comes first: it is what later /recheck comments count, even if this run fails halfway.
  await octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: commentId, content: HONOURED_REACTION });
  log(`/recheck by ${commenter} (${decision.as}) on #${pr}: checking ${pull.head.sha.slice(0, 12)} again`);
  return { run: { pr, headSha: pull.head.sha, as: decision.as } };
}

/** The commenter's permission on the repository; a login GitHub does not know (404) has none. */
async function canWriteRepo(octokit: Octokit, owner: string, repo: string, username: string): Promise<boolean> {
  if (!username) return false;
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
    return canWrite(data);
  } catch (error) {
    if (errorStatus(error) === 404) return false;
    throw error;
  }
}

/**
 * Creation times of the PR's comments from the hour before this one that carry the bot's reaction. Candidates are
 * the /recheck comments and any edited comment (so editing a honoured /recheck away does not free its slot).
 */
async function honouredBefore(
  octokit: Octokit, owner: string, repo: string, pr: number,
  current: { id: number; created_at: string }, botLogin: string,
): Promise<string[]> {
  const now = Date.parse(current.created_at);
  const before = (c: { id: number; created_at: string }) => {
    const at = Date.parse(c.created_at);
    return (at < now || (at === now && c.id < current.id)) && now - at < HOUR_MS;
  };
  const candidates: Array<{ id: number; created_at: string }> = [];
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, { owner, repo, issue_number: pr, per_page: 100 })) {
    for (const c of page.data) {
      if (c.id === current.id || c.user?.login?.toLowerCase() === botLogin.toLowerCase() || !before(c)) continue;
      if (isRecheckCommand(c.body) || c.updated_at !== c.created_at) candidates.push(c);
    }
  }
  const honoured: string[] = [];
  for (const c of candidates.slice(-MAX_CANDIDATES)) {
    for await (const page of octokit.paginate.iterator(octokit.rest.reactions.listForIssueComment, { owner, repo, comment_id: c.id, content: HONOURED_REACTION, per_page: 100 })) {
      if (page.data.some((r) => r.user?.login?.toLowerCase() === botLogin.toLowerCase())) {
        honoured.push(c.created_at);
        break;
      }
    }
  }
  return honoured;
}
