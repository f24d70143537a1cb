// One label per failure class, derived from the problem's code prefix. The bot adds the labels of the current
// report and removes the stale ones, but only from this set: other labels on the PR are left alone.
//
// Mapping (the longest matching prefix wins; only errors count, except needs-maintainer which any severity sets):
//
//   label                    code prefixes
//   invalid-file             file-  json-  entry-json-  entry-not-object  entries-  provenance-
//   unsafe-path              file-name-  file-path-  file-symlink  file-not-regular  path-  unsafe-
//   invalid-schema           schema-
//   rule-violation           rule-  entry-  status-  change-  annotations-  (change-: a rule without a class of its own)
//   published-file-changed   change-published-
//   needs-maintainer         change-outside-entries  config-   (registry.yaml is the maintainers' file)
//                            ownership-mirrored-status   (a warning: the fork's own status of a mirrored server)
//   ownership-unproven       ownership-
//   package-problem          package-  packages-   (the packages check; rule-package-… are rule violations)
//   validation-failed        an error whose code matches none of the above, or a failed check with no error
//   ready-to-merge           no errors, no failed check, nothing for a maintainer
//   needs-author-feedback    (no code prefix) the merge decision's "the author must act"; close-stale.ts closes
//                            the PRs left with it for pullRequests.closeAfterDays
//
// New codes should start with the prefix of their class; test/report.test.ts checks every code documented in
// docs/errors.md against this table.

import type { ValidationReport } from '../types.ts';
import { isClean } from './summary.ts';

export interface LabelSpec {
  name: string;
  /** Six hex digits, no `#`, as the GitHub API wants it. */
  color: string;
  description: string;
}

export const LABELS = {
  'ready-to-merge': { name: 'ready-to-merge', color: '0e8a16', description: 'Validation passed: the PR only adds entries and breaks no rule' },
  'invalid-file': { name: 'invalid-file', color: 'b60205', description: 'A file could not be read as a valid entry (JSON, encoding, size, stray file)' },
  'unsafe-path': { name: 'unsafe-path', color: 'd73a4a', description: 'A path is unsafe on some file system or escapes entries/' },
  'invalid-schema': { name: 'invalid-schema', color: 'd93f0b', description: 'A server.json does not match the official schema' },
  'rule-violation': { name: 'rule-violation', color: 'e99695', description: 'A server.json breaks a rule of the official registry' },
  'registry-conflict': { name: 'registry-conflict', color: 'fbca04', description: 'A name or remote URL collides with another server' },
  'published-file-changed': { name: 'published-file-changed', color: '5319e7', description: 'A published server.json was modified, renamed or deleted' },
  'needs-maintainer': { name: 'needs-maintainer', color: '1d76db', description: 'Only a maintainer may merge this: see the PR comment for why' },
  'needs-author-feedback': { name: 'needs-author-feedback', color: 'fef2c0', description: 'Checks failed: the author must push a fix or comment /recheck' },
  'ownership-unproven': { name: 'ownership-unproven', color: 'c5def5', description: 'The publisher has not proven ownership of the namespace' },
  'package-problem': { name: 'package-problem', color: 'f9d0c4', description: 'A package is missing or does not name this server' },
  'validation-failed': { name: 'validation-failed', color: '6a737d', description: 'Validation failed for a reason without its own label' },
} as const satisfies Record<string, LabelSpec>;

export type LabelName = keyof typeof LABELS;

/** Every label the bot manages; anything else on a PR is not the bot's business. */
export const MANAGED_LABELS: readonly LabelName[] = Object.keys(LABELS) as LabelName[];

export const FALLBACK_LABEL: LabelName = 'validation-failed';

/** Code prefix → label. A prefix ending without `-` matches that code exactly or as a prefix. */
export const LABEL_PREFIXES: ReadonlyArray<readonly [prefix: string, label: LabelName]> = [
  ['file-', 'invalid-file'],
  ['json-', 'invalid-file'],
  ['entry-json-', 'invalid-file'],
  ['entry-not-object', 'invalid-file'],
  ['entries-', 'invalid-file'],
  ['file-name-', 'unsafe-path'],
  ['file-path-', 'unsafe-path'],
  ['file-symlink', 'unsafe-path'],
  ['file-not-regular', 'unsafe-path'],
  ['path-', 'unsafe-path'],
  ['unsafe-', 'unsafe-path'],
  ['schema-', 'invalid-schema'],
  ['rule-', 'rule-violation'],
  ['entry-', 'rule-violation'],
  ['status-', 'rule-violation'],
  ['change-', 'rule-violation'],
  ['registry-', 'registry-conflict'],
  ['rule-name-case-collision', 'registry-conflict'],
  ['rule-remote-url-taken', 'registry-conflict'],
  ['change-published-', 'published-file-changed'],
  ['change-outside-entries', 'needs-maintainer'],
  ['ownership-', 'ownership-unproven'],
  ['package-', 'package-problem'],
  ['packages-', 'package-problem'],
  ['provenance-', 'invalid-file'],
  ['annotations-', 'rule-violation'],
  ['config-', 'needs-maintainer'],
  // No namespace proof can cover a mirrored server's server.md (the namespace is the upstream publisher's): only a
  // maintainer can accept it, so it is never ready to merge by itself.
  ['ownership-mirrored-status', 'needs-maintainer'],
];

const BY_LENGTH = [...LABEL_PREFIXES].sort((a, b) => b[0].length - a[0].length);

/** The failure class of a code: the label of its longest matching prefix, or undefined. */
export function labelForCode(code: string): LabelName | undefined {
  return BY_LENGTH.find(([prefix]) => code.startsWith(prefix))?.[1];
}

/** The labels a PR with this report should carry (from the managed set), sorted. */
export function labelsFor(report: ValidationReport): LabelName[] {
  const labels = new Set<LabelName>();
  for (const p of report.problems) {
    const label = labelForCode(p.code);
    if (label === 'needs-maintainer') labels.add(label);
    else if (p.severity === 'error') labels.add(label ?? FALLBACK_LABEL);
  }
  if (labels.size === 0 && !isClean(report)) labels.add(FALLBACK_LABEL);
  if (labels.size === 0) labels.add('ready-to-merge');
  return [...labels].sort();
}

