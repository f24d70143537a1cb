// registry.yaml's `pullRequests`: when the PR bot merges a pull request by itself, and how it treats the ones it
// does not (docs/publishing.md). Parsed into plain data; every mistake names its YAML path and the fix. A leaf
// (it imports nothing of ours): the configuration reader and the bot both use it.

export type AutoMerge = 'off' | 'owners' | 'proven';
export type MergeMethod = 'squash' | 'merge' | 'rebase';

export interface MergePolicy {
  /**
   * off: a maintainer merges everything; owners: the bot merges when every namespace the PR touches is the author's
   * through the owners ledger or GitHub identity; proven: also when this PR proves it (DNS, HTTP, OIDC, statement).
   */
  autoMerge: AutoMerge;
  /** Warning codes (or prefixes ending in `-`) a maintainer must judge: a PR with one never merges by itself. */
  blockingWarnings: string[];
  /** Pull requests of `npm run sync-pr`: reviewed by a maintainer, or merged by the bot when they pass. */
  syncPullRequests: 'review' | 'merge';
  /** A failing PR with no push for this many days is closed (0: never). */
  closeAfterDays: number;
  /** `/recheck` comments honoured per PR and hour. */
  rechecksPerHour: number;
  /** Squash makes the commit on the default branch GitHub's, dated at the merge (versions are dated by history). */
  mergeMethod: MergeMethod;
}

/**
 * What a public registry wants: proven changes go live at once. The warnings a person should read before a merge:
 * an unreachable package or remote, a status change of a mirrored server, and any change to a published file.
 */
export const DEFAULT_MERGE_POLICY: MergePolicy = {
  autoMerge: 'proven',
  blockingWarnings: ['package-', 'packages-', 'ownership-', 'change-'],
  syncPullRequests: 'review',
  closeAfterDays: 14,
  rechecksPerHour: 3,
  mergeMethod: 'squash',
};

type Report = (jsonPath: string, message: string, hint: string) => void;

const AUTO_MERGE: readonly AutoMerge[] = ['off', 'owners', 'proven'];
const MERGE_METHODS: readonly MergeMethod[] = ['squash', 'merge', 'rebase'];
const KEYS = ['autoMerge', 'blockingWarnings', 'syncPullRequests', 'closeAfterDays', 'rechecksPerHour', 'mergeMethod'];
const CODE = /^[a-z][a-z0-9-]*$/;

export function readMergePolicy(value: unknown, report: Report): MergePolicy {
  const policy: MergePolicy = { ...DEFAULT_MERGE_POLICY, blockingWarnings: [...DEFAULT_MERGE_POLICY.blockingWarnings] };
  if (value === undefined || value === null) return policy;
  if (typeof value !== 'object' || Array.isArray(value)) {
    report('/pullRequests', 'pullRequests must be a mapping', `Write "pullRequests:" then keys among ${KEYS.join(', ')}.`);
    return policy;
  }
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!KEYS.includes(key)) report(`/pullRequests/${key}`, `unknown key "${key}"`, `Use keys among ${KEYS.join(', ')}.`);
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    report(`/pullRequests/${key}`, `${key} must be one of ${allowed.join(', ')}, not ${JSON.stringify(v)}`, `Write one of ${allowed.join(', ')}.`);
    return undefined;
  };
  const count = (key: string, max: number): number | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max) return v;
    report(`/pullRequests/${key}`, `${key} must be a whole number from 0 to ${max}, not ${JSON.stringify(v)}`, `Write a number such as ${DEFAULT_MERGE_POLICY[key as 'closeAfterDays']}.`);
    return undefined;
  };
  policy.autoMerge = oneOf('autoMerge', AUTO_MERGE) ?? policy.autoMerge;
  policy.syncPullRequests = oneOf('syncPullRequests', ['review', 'merge'] as const) ?? policy.syncPullRequests;
  policy.mergeMethod = oneOf('mergeMethod', MERGE_METHODS) ?? policy.mergeMethod;
  policy.closeAfterDays = count('closeAfterDays', 365) ?? policy.closeAfterDays;
  policy.rechecksPerHour = count('rechecksPerHour', 60) ?? policy.rechecksPerHour;
  const warnings = raw.blockingWarnings;
  if (warnings !== undefined && warnings !== null) {
    if (!Array.isArray(warnings) || warnings.some((w) => typeof w !== 'string' || !CODE.test(w))) {
      report('/pullRequests/blockingWarnings', 'blockingWarnings must be a list of warning codes or code prefixes ending in "-"', 'Write codes from docs/errors.md, e.g. - package-unreachable, or a prefix such as - package-.');
    } else policy.blockingWarnings = warnings as string[];
  }
  return policy;
}

/** Whether a warning code stops an automatic merge under `policy`. */
export function warningBlocksMerge(code: string, policy: MergePolicy): boolean {
  return policy.blockingWarnings.some((w) => (w.endsWith('-') ? code.startsWith(w) : code === w));
}
