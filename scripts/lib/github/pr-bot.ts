// The PR bot: one comment per PR, found again by its hidden marker and edited in place on every run, and one
// label per failure class. It runs in the privileged workflow (pr-comment.yml) on the base branch's code.
//
// It trusts GitHub and its own code, never the PR's run: the PR's head commit must be the one that was validated
// (otherwise a newer run is on its way, or the artifact belongs to another PR); the list of changed files comes from
// GitHub (a PR that changes anything outside entries/ is labelled needs-maintainer, never ready-to-merge); and the
// checklist, the problems and the labels come from `validate`, the default branch's validator run here over the
// PR's files read as data (pr-tree.ts). The report the PR's own run uploaded is at most mentioned, never believed.

import { Octokit } from '@octokit/rest';
import type { ValidationReport } from '../validate/types.ts';
import { LABELS, MANAGED_LABELS, labelsFor, type LabelName } from '../validate/report/labels.ts';
import { COMMENT_MARKER, renderPrComment } from '../validate/report/pr-comment.ts';

import type { PullRequestRef } from '../ownership/pull-request.ts';
import type { OwnershipResult } from '../ownership/verify-change.ts';
import { errorStatus } from './error-status.ts';
import { readCommentRecords, writeCommentRecords } from './comment-records.ts';
import { decideMerge, type MergeDecision } from './merge-decision.ts';
import type { MergePolicy } from '../merge-policy.ts';
import { isSyncPullRequest } from '../ownership/pull-request.ts';

export const DEFAULT_API_URL = 'https://api.github.com';
/** The author of comments made with a workflow's GITHUB_TOKEN. */
export const DEFAULT_BOT_LOGIN = 'github-actions[bot]';
/** GitHub lists at most this many files of a PR; beyond it the change cannot be verified. */
const MAX_LISTED_FILES = 3000;

export function createOctokit(options: { token: string; baseUrl?: string; log?: (line: string) => void }): Octokit {
  const log = options.log ?? ((line: string) => console.error(line));
  return new Octokit({
    auth: options.token,
    baseUrl: (options.baseUrl || DEFAULT_API_URL).replace(/\/+$/, ''),
    userAgent: 'mcp-static-registry-pr-bot',
    // Failed requests are thrown and reported by the caller; the expected 404s (a missing label) are not news.
    log: { debug: () => {}, info: () => {}, warn: log, error: () => {} },
  });
}

export interface PrBotOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  pr: number;
  /**
   * The trusted validation of the PR (validatePullRequest in pr-tree.ts, from the default branch's code over the
   * PR's files), or why there is none to write about (the PR moved on).
   */
  validate: (pull: PullRequestRef & { number: number; baseRef: string; attempt: number }) => Promise<{ report: ValidationReport; base?: string } | { skipped: string }>;
  /** Errors the PR's own run reported (untrusted): only mentioned in the comment when the trusted count differs. */
  untrustedErrors?: number;
  /** The commit that was validated (`workflow_run.head_sha`); when the PR's head is another commit, nothing is written. */
  headSha?: string;
  /** Link to the validation run. */
  runUrl?: string;
  /** Address of docs/errors.md for the code links. */
  docsBaseUrl?: string;
  /** Only a comment by this login with the marker counts as the bot's own. */
  botLogin?: string;
  /** The folder publishing PRs may change. */
  entriesDir?: string;
  /** Checks who may make the change, from the PR's files read as data (scripts/lib/ownership/pull-request.ts). */
  ownership?: (pull: PullRequestRef, files: PullFile[], recorded: unknown[]) => Promise<OwnershipResult>;
  /** registry.yaml's merge policy: with it the bot merges what decideMerge allows; without, it only reports. */
  policy?: MergePolicy;
  log?: (line: string) => void;
}

export interface PrBotResult {
  /** Why nothing was written, when nothing was. */
  skipped?: string;
  comment?: { id: number; action: 'created' | 'updated' | 'unchanged' };
  labels?: { wanted: LabelName[]; added: LabelName[]; removed: LabelName[]; created: LabelName[] };
  filesOutsideEntries?: string[];
  decision?: MergeDecision;
  /** The commit the merge made on the base branch. */
  merged?: { sha: string };
  /** The branch the PR targets. */
  baseRef?: string;
}

/** Validations of one run when the base branch keeps moving between the check and the merge. */
const MAX_ATTEMPTS = 3;


/** The commit status that carries the ownership check, for branch protection to require. */
export const OWNERSHIP_STATUS_CONTEXT = 'mcp-registry/ownership';

const RECORDS_MARKER = '<!-- mcp-static-registry:oidc-records ';

/**
 * Verified OIDC proofs kept in the bot's comment, as base64 JSON in an HTML comment (invisible when rendered), on the
 * line right after the comment's marker, where the bot alone writes. They are read only from there: the rest of the
 * comment quotes what publishers wrote (escaped, so it holds no `<!--`, but a record found anywhere else would be
 * a forgery either way). The caller reads only a comment by the bot's own login; records need no secret to be
 * trusted, since nobody else can write that line, and each is still matched against the verified claims of the
 * token it stands in for (verifiers.ts).
 */
export function readRecords(body: string): unknown[] {
  return readCommentRecords(body, COMMENT_MARKER, RECORDS_MARKER).slice(0, MAX_RECORDS);
}

/** The records line, for right after the marker line (empty when there are none). */
export function writeRecords(records: readonly unknown[]): string {
  return writeCommentRecords(RECORDS_MARKER, records);
}

/** The comment: the marker, the records line, then the rendered report, which must not hold an HTML comment. */
export function composeComment(rendered: string, records: readonly unknown[]): string {
  if (!rendered.startsWith(`${COMMENT_MARKER}\n`)) throw new Error('the rendered comment does not start with the marker');
  const rest = rendered.slice(COMMENT_MARKER.length + 1);
  // Every untrusted text is escaped (report/text.ts); this stops a future renderer bug from reopening the hole.
  if (rest.includes('<!--')) throw new Error('the rendered comment holds an HTML comment: refusing to write it');
  return `${COMMENT_MARKER}\n${writeRecords(records)}${rest}`;
}

const MAX_RECORDS = 100;

function mergeRecords(earlier: readonly unknown[], fresh: readonly unknown[]): unknown[] {
  const byKey = new Map<string, unknown>();
  for (const record of [...earlier, ...fresh]) byKey.set(JSON.stringify((record as { audience?: unknown })?.audience ?? record), record);
  return [...byKey.values()].slice(-MAX_RECORDS);
}

export interface PullFile {
  filename: string;
  status: string;
  previous_filename?: string;
}

/** The report with the ownership check's result in it (the untrusted validation job cannot run that check). */
export function withOwnership(report: ValidationReport, ownership: OwnershipResult): ValidationReport {
  const passed = !ownership.problems.some((p) => p.severity === 'error');
  return {
    ...report,
    problems: [...report.problems, ...ownership.problems],
    checks: report.checks.map((c) => (c.id === 'ownership' ? { ...c, ran: true, passed } : c)),
  };
}

export async function runPrBot(options: PrBotOptions): Promise<PrBotResult> {
  const { octokit, owner, repo, pr: issue_number } = options;
  const log = options.log ?? (() => {});
  const botLogin = options.botLogin ?? DEFAULT_BOT_LOGIN;
  const entries = `${(options.entriesDir ?? 'entries').replace(/\/+$/, '')}/`;

  // 1. The PR as GitHub sees it: open, and at the commit that was validated.
  const { data: pull } = await octokit.rest.pulls.get({ owner, repo, pull_number: issue_number });
  if (pull.state !== 'open') return { skipped: `PR #${issue_number} is ${pull.state}` };
  if (options.headSha !== undefined && pull.head.sha !== options.headSha) {
    return { skipped: `PR #${issue_number} is at ${pull.head.sha.slice(0, 12)}, not the validated ${options.headSha.slice(0, 12)}: a newer run will report` };
  }

  // 2. What it changes, from GitHub: anything outside entries/ needs a maintainer.
  const outside = new Set<string>();
  const files: PullFile[] = [];
  let listed = 0;
  for await (const page of octokit.paginate.iterator(octokit.rest.pulls.listFiles, { owner, repo, pull_number: issue_number, per_page: 100 })) {
    for (const file of page.data) {
      listed++;
      files.push({ filename: file.filename, status: file.status, ...(file.previous_filename ? { previous_filename: file.previous_filename } : {}) });
      for (const name of [file.filename, file.previous_filename]) if (name !== undefined && !name.startsWith(entries)) outside.add(name);
    }
  }
  if (pull.changed_files > listed || listed >= MAX_LISTED_FILES) outside.add(`(${pull.changed_files} files changed; GitHub lists only ${listed})`);
  const filesOutsideEntries = [...outside].sort();

  // Our own comment: edited in place, and the keeper of earlier OIDC verifications (only we write it).
  let existing: { id: number; body?: string | null } | undefined;
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 })) {
    existing = page.data.find((c) => c.user?.login === botLogin && (c.body ?? '').startsWith(COMMENT_MARKER));
    if (existing) break;
  }
  const recorded = readRecords(existing?.body ?? '');

  const ref: PullRequestRef = {
    author: pull.user?.login ?? '',
    head: { owner: pull.head.repo?.owner.login ?? owner, repo: pull.head.repo?.name ?? repo, sha: pull.head.sha, ref: pull.head.ref },
    base: { owner, repo, sha: pull.base.sha },
  };
  let report: ValidationReport;
  let records = recorded;
  let ownershipView: { proven: OwnershipResult['proven']; ledgerSuggestions: OwnershipResult['ledgerSuggestions'] } | undefined;
  let decision: MergeDecision | undefined;
  let merged: PrBotResult['merged'];
  let ownershipFailures = 0;
  for (let attempt = 1; ; attempt++) {
    const validated = await options.validate({ ...ref, number: issue_number, baseRef: pull.base.ref, attempt });
    if ('skipped' in validated) return { skipped: validated.skipped };
    report = validated.report;
    // Ledgers are read at the base the PR was just validated against, not at GitHub's possibly older base.sha.
    const checkedRef: PullRequestRef = validated.base ? { ...ref, base: { ...ref.base, sha: validated.base } } : ref;
    let ownership: OwnershipResult | undefined;
    if (options.ownership) {
      ownership = await options.ownership(checkedRef, files, recorded);
      report = withOwnership(report, ownership);
      records = mergeRecords(recorded, ownership.records);
      ownershipView = { proven: ownership.proven, ledgerSuggestions: ownership.ledgerSuggestions };
      ownershipFailures = ownership.problems.filter((p) => p.severity === 'error').length;
    }
    if (!options.policy) break;
    decision = decideMerge({ report, proven: ownership?.proven, filesOutsideEntries, syncPullRequest: isSyncPullRequest(ref), policy: options.policy });
    if (decision.action !== 'merge') break;
    // Merge only onto the base that was checked: another merge in between may conflict with this one's rules
    // (the same remote URL, a ledger change), so the PR is checked again against the new base.
    const { data: branch } = await octokit.rest.repos.getBranch({ owner, repo, branch: pull.base.ref });
    if (validated.base === undefined || branch.commit.sha !== validated.base) {
      if (attempt < MAX_ATTEMPTS) {
        log(`${pull.base.ref} moved to ${branch.commit.sha.slice(0, 12)} since the check: checking again`);
        continue;
      }
      decision = { action: 'maintainer', reasons: [`${pull.base.ref} kept moving while this pull request was checked: comment /recheck`] };
      break;
    }
    const outcome = await mergeExactHead(octokit, { owner, repo, pull_number: issue_number, sha: pull.head.sha, method: options.policy.mergeMethod, title: pull.title });
    if ('skipped' in outcome) return { skipped: outcome.skipped };
    if ('refused' in outcome) decision = { action: 'maintainer', reasons: [outcome.refused] };
    else merged = { sha: outcome.sha };
    break;
  }
  if (options.ownership) {
    const failed = ownershipFailures;
    await octokit.rest.repos.createCommitStatus({
      owner, repo, sha: pull.head.sha, context: OWNERSHIP_STATUS_CONTEXT,
      state: failed ? 'failure' : 'success',
      description: failed ? `${failed} ownership problem${failed === 1 ? '' : 's'}: see the PR comment` : `proven: ${(ownershipView?.proven ?? []).map((p) => p.namespace).join(', ') || 'nothing to prove'}`.slice(0, 140),
      ...(options.runUrl ? { target_url: options.runUrl } : {}),
    });
  }
  const wanted = new Set<LabelName>(labelsFor(report));
  if (filesOutsideEntries.length || decision?.action === 'maintainer') {
    wanted.add('needs-maintainer');
    wanted.delete('ready-to-merge');
  }
  if (decision?.action === 'author') wanted.add('needs-author-feedback');

  // 3. The comment: edit ours if there is one, else create it.
  const body = composeComment(renderPrComment(report, {
    runUrl: options.runUrl,
    docsBaseUrl: options.docsBaseUrl,
    headSha: pull.head.sha,
    filesOutsideEntries,
    ownership: ownershipView,
    untrustedErrors: options.untrustedErrors,
    merge: decision && { action: decision.action, reasons: decision.reasons, ...(merged ? { commit: merged.sha } : {}) },
  }), records);
  let comment: PrBotResult['comment'];
  if (!existing) {
    const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number, body });
    comment = { id: data.id, action: 'created' };
  } else if (existing.body !== body) {
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });
    comment = { id: existing.id, action: 'updated' };
  } else comment = { id: existing.id, action: 'unchanged' };
  log(`comment ${comment.id} ${comment.action}`);

  // 4. Labels: add the wanted ones, remove our stale ones, leave everyone else's alone.
  const current = new Set<string>();
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listLabelsOnIssue, { owner, repo, issue_number, per_page: 100 })) {
    for (const label of page.data) current.add(label.name);
  }
  const add = [...wanted].filter((l) => !current.has(l)).sort();
  const remove = MANAGED_LABELS.filter((l) => current.has(l) && !wanted.has(l)).sort();
  const created: LabelName[] = [];
  for (const name of add) if (await ensureLabel(octokit, owner, repo, name)) created.push(name);
  if (add.length) await octokit.rest.issues.addLabels({ owner, repo, issue_number, labels: add });
  for (const name of remove) {
    try {
      await octokit.rest.issues.removeLabel({ owner, repo, issue_number, name });
    } catch (error) {
      if (errorStatus(error) !== 404) throw error;
    }
  }
  if (add.length || remove.length) log(`labels: +${add.join(',') || '-'} -${remove.join(',') || '-'}`);

  return { comment, labels: { wanted: [...wanted].sort(), added: add, removed: remove, created }, filesOutsideEntries, decision, merged, baseRef: pull.base.ref };
}

/**
 * Merges the PR only if its head is still `sha` (GitHub answers 409 otherwise), so a push after the check never
 * rides along. 405 is GitHub refusing the merge itself (branch protection, a conflict): a maintainer's matter.
 */
async function mergeExactHead(
  octokit: Octokit,
  m: { owner: string; repo: string; pull_number: number; sha: string; method: MergePolicy['mergeMethod']; title: string },
): Promise<{ sha: string } | { skipped: string } | { refused: string }> {
  try {
    const { data } = await octokit.rest.pulls.merge({
      owner: m.owner, repo: m.repo, pull_number: m.pull_number, sha: m.sha, merge_method: m.method,
      ...(m.method === 'squash' ? { commit_title: `${m.title} (#${m.pull_number})` } : {}),
    });
    return { sha: data.sha };
  } catch (error) {
    const status = errorStatus(error);
    if (status === 409) return { skipped: `PR #${m.pull_number} moved on from ${m.sha.slice(0, 12)} before the merge: a newer run will check it` };
    if (status === 405 || status === 422) return { refused: `GitHub refused the merge: ${(error as Error).message.split('\n')[0]}` };
    throw error;
  }
}

/** Creates the repository label with our colour and description if it is missing; true when it was created. */
async function ensureLabel(octokit: Octokit, owner: string, repo: string, name: LabelName): Promise<boolean> {
  try {
    await octokit.rest.issues.getLabel({ owner, repo, name });
    return false;
  } catch (error) {
    if (errorStatus(error) !== 404) throw error;
  }
  const spec = LABELS[name];
  try {
    await octokit.rest.issues.createLabel({ owner, repo, name: spec.name, color: spec.color, description: spec.description });
    return true;
  } catch (error) {
    if (errorStatus(error) === 422) return false; // created meanwhile by a concurrent run
    throw error;
  }
}
