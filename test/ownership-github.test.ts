// GitHub identity against a local stand-in for the GitHub REST API that records every request.

import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyGithubNamespace, type GithubIdentityResult } from '../scripts/lib/ownership/github-identity.ts';
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.ts';

let github: FakeGitHub;
let octokit: Octokit;

beforeAll(async () => {
  github = await startFakeGitHub();
  github.users.add('Alice-Dev').add('bob').add('carol');
  github.orgs.set('Acme-Corp', new Map([
    ['Alice-Dev', { role: 'admin', state: 'active' }],
    ['bob', { role: 'member', state: 'active' }],
    ['carol', { role: 'admin', state: 'pending' }],
  ]));
  octokit = new Octokit({ auth: github.token, baseUrl: github.url });
});
afterAll(() => github.stop());

const check = (namespace: string, author: string): Promise<GithubIdentityResult> =>
  verifyGithubNamespace({ namespace, author, file: 'entries/x/y/1.0.0/server.json' }, octokit);
const code = (r: GithubIdentityResult): string => (r.ok ? `ok:${r.via}` : r.problem.code);

describe('io.github namespaces', () => {
  it('the author publishes under their own login without asking GitHub', async () => {
    const before = github.requests.length;
    expect(code(await check('io.github.Alice-Dev', 'Alice-Dev'))).toBe('ok:author');
    expect(github.requests.length).toBe(before);
  });

  it('a casing mismatch names the exact namespace to use', async () => {
    const result = await check('io.github.alice-dev', 'Alice-Dev');
    expect(code(result)).toBe('ownership-github-casing');
    if (!result.ok) expect(result.problem.hint).toContain('io.github.Alice-Dev');
    const org = await check('io.github.acme-corp', 'Alice-Dev');
    expect(code(org)).toBe('ownership-github-casing');
    if (!org.ok) expect(org.problem.hint).toContain('io.github.Acme-Corp');
  });

  it('an organisation Owner may publish for it; a plain member may not; a pending invitation says so', async () => {
    expect(code(await check('io.github.Acme-Corp', 'Alice-Dev'))).toBe('ok:org-owner');
    const member = await check('io.github.Acme-Corp', 'bob');
    expect(code(member)).toBe('ownership-github-org-not-owner');
    if (!member.ok) expect(member.problem.message).toContain('not an Owner');
    expect(code(await check('io.github.Acme-Corp', 'carol'))).toBe('ownership-github-org-pending');
    expect(github.requests.some((r) => r.path === '/orgs/Acme-Corp/memberships/bob')).toBe(true);
  });

  it('someone else\'s user namespace, a missing account, a non-member and bad logins are refused with their own codes', async () => {
    expect(code(await check('io.github.bob', 'Alice-Dev'))).toBe('ownership-github-not-author');
    expect(code(await check('io.github.nobody-here', 'Alice-Dev'))).toBe('ownership-github-account-missing');
    github.orgs.set('Other', new Map());
    expect(code(await check('io.github.Other', 'bob'))).toBe('ownership-github-org-not-member');
    expect(code(await check('io.github.bad_name', 'bob'))).toBe('ownership-github-namespace-invalid');
    expect(code(await check('com.example', 'bob'))).toBe('ownership-github-not-github-namespace');
  });
});
