// Whether the PR bot merges a pull request by itself. Decided from the trusted result alone: the default branch's
// validator over the PR's files (pr-tree.ts), the ownership check over the PR's files read through the API, and
// GitHub's own list of changed files. Nothing the PR's run wrote takes part.

import type { ProofMethod } from '../ownership/verify-change.ts';
import { warningBlocksMerge, type MergePolicy } from '../merge-policy.ts';
import type { ValidationReport } from '../validate/types.ts';
import { labelForCode } from '../validate/report/labels.ts';

export interface MergeInput {
  report: ValidationReport;
  /** How each namespace the PR touches was proven; undefined when ownership was not checked. */
  proven?: ReadonlyArray<{ namespace: string; method: ProofMethod }>;
  filesOutsideEntries: readonly string[];
  /** A pull request of `npm run sync-pr` (its own branch of this repository). */
  syncPullRequest: boolean;
  policy: MergePolicy;
}

export type MergeDecision =
  | { action: 'merge'; reasons: string[] }
  /** Something the author must fix (an error, a failed check). */
  | { action: 'author'; reasons: string[] }
  /** Nothing to fix, but only a maintainer may merge it. */
  | { action: 'maintainer'; reasons: string[] };

/** Every check must have run for the bot to merge: one that did not run proves nothing. */
const REQUIRED_CHECKS = ['files', 'schema', 'rules', 'registry', 'changes', 'ownership', 'packages'] as const;
/** Proofs of an established owner, the only ones `autoMerge: owners` accepts. */
const OWNER_METHODS: readonly ProofMethod[] = ['ledger', 'github'];

export function decideMerge(input: MergeInput): MergeDecision {
  const { report, policy } = input;
  const errors = report.problems.filter((p) => p.severity === 'error');
  const failed = report.checks.filter((c) => c.ran && !c.passed).map((c) => c.id);
  if (errors.length || failed.length) {
    const reasons = errors.length ? [`${errors.length} problem${errors.length === 1 ? '' : 's'} to fix (below)`] : [];
    for (const id of failed) reasons.push(`the ${id} check failed`);
    return { action: 'author', reasons };
  }
  const reasons: string[] = [];
  if (policy.autoMerge === 'off') reasons.push('this registry merges every pull request by hand (registry.yaml: pullRequests.autoMerge is off)');
  for (const id of REQUIRED_CHECKS) {
    if (!report.checks.some((c) => c.id === id && c.ran)) reasons.push(`the ${id} check did not run`);
  }
  if (input.filesOutsideEntries.length) reasons.push(`it changes ${input.filesOutsideEntries.length} file${input.filesOutsideEntries.length === 1 ? '' : 's'} outside entries/`);
  const judged = new Set<string>();
  for (const p of report.problems) {
    if (labelForCode(p.code) === 'needs-maintainer' || (p.severity === 'warning' && warningBlocksMerge(p.code, policy))) judged.add(p.code);
  }
  if (judged.size) reasons.push(`a maintainer must judge ${[...judged].sort().join(', ')}`);
  if (input.syncPullRequest) {
    if (policy.syncPullRequests === 'review') reasons.push('sync pull requests are reviewed by a maintainer (registry.yaml: pullRequests.syncPullRequests)');
  } else if (input.proven === undefined) {
    reasons.push('ownership was not checked');
  } else if (input.proven.length === 0) {
    reasons.push('it changes no namespace its author has proven');
  } else if (policy.autoMerge === 'owners') {
    const fresh = input.proven.filter((p) => !OWNER_METHODS.includes(p.method));
    for (const p of fresh) {
      reasons.push(`${p.namespace} is proven by ${p.method} in this pull request, and this registry merges by itself only for established owners (registry.yaml: pullRequests.autoMerge is owners)`);
    }
  }
  return reasons.length ? { action: 'maintainer', reasons } : { action: 'merge', reasons: [] };
}
