// decideMerge (scripts/lib/github/merge-decision.ts) and registry.yaml's pullRequests policy (merge-policy.ts).

import { describe, expect, it } from 'vitest';
import { decideMerge, type MergeInput } from '../scripts/lib/github/merge-decision.ts';
import { parseRegistryConfig } from '../scripts/lib/sync/config.ts';
import { DEFAULT_MERGE_POLICY, warningBlocksMerge, type MergePolicy } from '../scripts/lib/merge-policy.ts';
import type { ValidationReport } from '../scripts/lib/validate/types.ts';

const CHECKS = (['files', 'schema', 'rules', 'registry', 'changes', 'ownership', 'packages'] as const).map((id) => ({ id, ran: true, passed: true }));
const clean: ValidationReport = { problems: [], publishes: [{ name: 'io.github.acme/weather', version: '1.1.0', file: 'x' }], checks: CHECKS };

function input(overrides: Partial<MergeInput> = {}, policy: Partial<MergePolicy> = {}): MergeInput {
  return {
    report: clean, proven: [{ namespace: 'io.github.acme', method: 'github' }], filesOutsideEntries: [], syncPullRequest: false,
    policy: { ...DEFAULT_MERGE_POLICY, ...policy }, ...overrides,
  };
}
const warning = (code: string) => ({ code, severity: 'warning' as const, message: 'm', hint: 'h' });

describe('decideMerge', () => {
  it('merges a clean PR whose namespaces are proven, by any proof under "proven"', () => {
    expect(decideMerge(input())).toEqual({ action: 'merge', reasons: [] });
    expect(decideMerge(input({ proven: [{ namespace: 'com.example', method: 'dns' }] })).action).toBe('merge');
  });

  it('sends errors and failed checks back to the author', () => {
    const failing = { ...clean, problems: [{ code: 'schema-type', severity: 'error' as const, message: 'm', hint: 'h' }] };
    expect(decideMerge(input({ report: failing }))).toEqual({ action: 'author', reasons: ['1 problem to fix (below)'] });
    const failedCheck = { ...clean, checks: CHECKS.map((c) => (c.id === 'packages' ? { ...c, passed: false } : c)) };
    expect(decideMerge(input({ report: failedCheck }))).toEqual({ action: 'author', reasons: ['the packages check failed'] });
  });

  it('leaves to a maintainer what it cannot vouch for', () => {
    const reasons = (i: MergeInput) => {
      const d = decideMerge(i);
      expect(d.action).toBe('maintainer');
      return d.reasons.join(' | ');
    };
    expect(reasons(input({}, { autoMerge: 'off' }))).toContain('pullRequests.autoMerge is off');
    expect(reasons(input({ report: { ...clean, checks: CHECKS.filter((c) => c.id !== 'packages') } }))).toBe('the packages check did not run');
    expect(reasons(input({ filesOutsideEntries: ['README.md'] }))).toBe('it changes 1 file outside entries/');
    expect(reasons(input({ proven: undefined }))).toBe('ownership was not checked');
    expect(reasons(input({ proven: [] }))).toBe('it changes no namespace its author has proven');
    expect(reasons(input({ report: { ...clean, problems: [warning('package-unreachable')] } }))).toBe('a maintainer must judge package-unreachable');
    expect(reasons(input({ report: { ...clean, problems: [warning('ownership-mirrored-status')] } }))).toBe('a maintainer must judge ownership-mirrored-status');
    expect(reasons(input({ proven: [{ namespace: 'com.example', method: 'dns' }] }, { autoMerge: 'owners' }))).toContain('com.example is proven by dns in this pull request');
  });

  it('merges under "owners" only for the ledger and GitHub identity', () => {
    expect(decideMerge(input({ proven: [{ namespace: 'com.example', method: 'ledger' }] }, { autoMerge: 'owners' })).action).toBe('merge');
    expect(decideMerge(input({}, { autoMerge: 'owners' })).action).toBe('merge');
  });

  it('lets warnings outside the blocking list through', () => {
    expect(decideMerge(input({ report: { ...clean, problems: [warning('rule-description-long')] } })).action).toBe('merge');
    expect(decideMerge(input({ report: { ...clean, problems: [warning('rule-description-long')] } }, { blockingWarnings: ['rule-description-long'] })).action).toBe('maintainer');
  });

  it('follows the fork\'s policy for sync pull requests', () => {
    expect(decideMerge(input({ syncPullRequest: true, proven: [] })).action).toBe('maintainer');
    expect(decideMerge(input({ syncPullRequest: true, proven: [] }, { syncPullRequests: 'merge' })).action).toBe('merge');
  });
});

describe('registry.yaml pullRequests', () => {
  const parse = async (yaml: string) => parseRegistryConfig('/r/registry.yaml', yaml);

  it('defaults to what a public registry wants', async () => {
    const { config, problems } = await parse('sources: []\n');
    expect(problems).toEqual([]);
    expect(config.pullRequests).toEqual(DEFAULT_MERGE_POLICY);
    expect(config.pullRequests.autoMerge).toBe('proven');
  });

  it('reads every key', async () => {
    const { config, problems } = await parse('pullRequests:\n  autoMerge: owners\n  blockingWarnings: [package-unreachable]\n  syncPullRequests: merge\n  closeAfterDays: 0\n  rechecksPerHour: 10\n  mergeMethod: merge\n');
    expect(problems).toEqual([]);
    expect(config.pullRequests).toEqual({ autoMerge: 'owners', blockingWarnings: ['package-unreachable'], syncPullRequests: 'merge', closeAfterDays: 0, rechecksPerHour: 10, mergeMethod: 'merge' });
  });

  it('names the YAML path and the fix of every mistake', async () => {
    const { problems } = await parse('pullRequests:\n  autoMerge: yes\n  closeAfterDays: -1\n  blockingWarnings: "package-"\n  merge: true\n');
    expect(problems.map((p) => [p.jsonPath, p.code])).toEqual([
      ['/pullRequests/merge', 'config-invalid'],
      ['/pullRequests/autoMerge', 'config-invalid'],
      ['/pullRequests/closeAfterDays', 'config-invalid'],
      ['/pullRequests/blockingWarnings', 'config-invalid'],
    ]);
    expect(problems[1]!.message).toBe('autoMerge must be one of off, owners, proven, not "yes"');
    expect(problems.every((p) => p.hint.length > 10)).toBe(true);
  });

  it('matches blocking warnings by code or by prefix', () => {
    const policy = { ...DEFAULT_MERGE_POLICY, blockingWarnings: ['package-', 'rule-x'] };
    expect(warningBlocksMerge('package-unreachable', policy)).toBe(true);
    expect(warningBlocksMerge('rule-x', policy)).toBe(true);
    expect(warningBlocksMerge('rule-xy', policy)).toBe(false);
  });
});
