// `/recheck` in a pull request comment: whether the bot re-runs its checks for it, decided from what the GitHub API
// says (the comment, the pull request, the commenter's permission, the PR's earlier honoured rechecks), never from
// the event payload. Pure: recheck-comment.ts does the API calls and acts on the decision.

export const RECHECK_COMMAND = '/recheck';
/** The reaction the bot leaves on a /recheck it honours: also the record the rate limit counts. */
export const HONOURED_REACTION = 'eyes';
const HOUR_MS = 3_600_000;

/** True when the comment's first line, trimmed, is exactly `/recheck`. */
export function isRecheckCommand(body: string | null | undefined): boolean {
  return (body ?? '').trimStart().split(/\r?\n/, 1)[0]!.trim() === RECHECK_COMMAND;
}

/**
 * Whether GET /repos/{o}/{r}/collaborators/{u}/permission grants write: `permission` is the legacy base role (admin,
 * write, read, none; maintain counts as write there), `role_name` the full one (admin, maintain, write, triage, read
 * or a custom role, whose base is in `permission`).
 */
export function canWrite(answer: { permission?: string | null; role_name?: string | null } | undefined): boolean {
  if (!answer) return false;
  return ['admin', 'write'].includes(answer.permission ?? '') || ['admin', 'maintain', 'write'].includes(answer.role_name ?? '');
}

export interface RecheckInput {
  /** The comment as the API returns it. */
  body: string;
  commenter: string;
  /** ISO time GitHub gave the comment: "now" for the rate limit, so a delayed run decides as a prompt one would. */
  createdAt: string;
  commenterIsBot: boolean;
  pull: { state: string; author: string };
  /** The commenter has write, maintain or admin on the repository (only asked when they are not the author). */
  commenterCanWrite: boolean;
  /** Creation times of the PR's earlier /recheck comments the bot honoured (its reaction is on them). */
  earlierHonoured: readonly string[];
  /** registry.yaml `pullRequests.rechecksPerHour`; 0 turns /recheck off. */
  perHour: number;
}

export type RecheckDecision =
  | { action: 'ignore'; reason: string }
  | { action: 'refuse'; reason: 'stranger' | 'rate-limit' | 'disabled' | 'closed'; retryAfter?: string }
  | { action: 'run'; as: 'author' | 'maintainer' };

/** Whether the commenter is the pull request's author (logins compare without case, as GitHub's do). */
export function isAuthor(commenter: string, author: string): boolean {
  return commenter !== '' && commenter.toLowerCase() === author.toLowerCase();
}

/** The honoured rechecks that count against this one: those within the hour before it. */
export function honouredWithinHour(createdAt: string, earlier: readonly string[]): string[] {
  const now = Date.parse(createdAt);
  return earlier.filter((t) => {
    const at = Date.parse(t);
    return at <= now && now - at < HOUR_MS;
  }).sort();
}

export function decideRecheck(input: RecheckInput): RecheckDecision {
  if (!isRecheckCommand(input.body)) return { action: 'ignore', reason: 'the comment is not a /recheck command' };
  if (input.commenterIsBot) return { action: 'ignore', reason: `${input.commenter} is a bot` };
  const author = isAuthor(input.commenter, input.pull.author);
  if (!author && !input.commenterCanWrite) return { action: 'refuse', reason: 'stranger' };
  if (input.pull.state !== 'open') return { action: 'refuse', reason: 'closed' };
  if (input.perHour <= 0) return { action: 'refuse', reason: 'disabled' };
  const recent = honouredWithinHour(input.createdAt, input.earlierHonoured);
  if (recent.length >= input.perHour) {
    // A slot frees up an hour after the oldest of the last `perHour` honoured rechecks.
    const oldest = recent[recent.length - input.perHour]!;
    return { action: 'refuse', reason: 'rate-limit', retryAfter: new Date(Date.parse(oldest) + HOUR_MS).toISOString() };
  }
  return { action: 'run', as: author ? 'author' : 'maintainer' };
}

/** The bot's short answer to a refused /recheck: why, and what to do instead. Quotes nothing the commenter wrote. */
export function refusalReply(decision: Extract<RecheckDecision, { action: 'refuse' }>, perHour: number): string {
  switch (decision.reason) {
    case 'stranger':
      return '`/recheck` is honoured only from the author of this pull request and the repository\'s maintainers: nothing was re-run.';
    case 'closed':
      return 'This pull request is closed, so `/recheck` re-ran nothing. Reopen it (or push a fix, which re-runs the checks by itself).';
    case 'disabled':
      return 'This registry has `/recheck` turned off (`pullRequests.rechecksPerHour: 0` in registry.yaml): push a commit to re-run the checks.';
    case 'rate-limit':
      return `\`/recheck\` was already honoured ${perHour} time${perHour === 1 ? '' : 's'} on this pull request in the last hour, the most this registry allows: nothing was re-run. Try again after ${(decision.retryAfter ?? '').replace(/\.\d{3}Z$/, 'Z').replace('T', ' ').replace(/Z$/, ' UTC')}, or push a commit.`;
  }
}
