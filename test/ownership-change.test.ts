// Who may make a change, through the validator: a registry in a real git repository, pull requests as branches,
// GitHub answered by a local stand-in.

import { Octokit } from '@octokit/rest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { githubIdentityVerifier } from '../scripts/lib/ownership/verifiers.ts';
import type { OwnershipVerifiers } from '../scripts/lib/ownership/change-ownership.ts';
import { validateRegistry } from '../scripts/lib/validate/validate.ts';
import type { ValidationReport } from '../scripts/lib/validate/types.ts';
import { runPrBot } from '../scripts/lib/github/pr-bot.ts';
import { checkPullRequestOwnership } from '../scripts/lib/ownership/pull-request.ts';
import { Repo } from './support/git-fixture.ts';
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.ts';

let github: FakeGitHub;
const repos: Repo[] = [];
beforeAll(async () => {
  github = await startFakeGitHub();
  github.users.add('alice').add('bob').add('mallory');
  github.orgs.set('acme', new Map([['alice', { role: 'admin', state: 'active' }], ['bob', { role: 'member', state: 'active' }]]));
});
afterAll(() => github.stop());
afterEach(() => {
  while (repos.length) repos.pop()!.cleanup();
});

function verifiersFor(author: string): OwnershipVerifiers {
  const octokit = new Octokit({ auth: github.token, baseUrl: github.url });
  return {
    author,
    github: githubIdentityVerifier(octokit, author),
    verifyProof: async () => { throw new Error('no proof is committed in these tests'); },
  };
}

function registry(): Repo {
  const repo = Repo.init('ownership', 'entries');
  repos.push(repo);
  repo.server('io.github.acme/weather', '1.0.0').server('com.example/notes', '1.0.0');
  repo.write('com.example/owners.json', '{"owners": ["bob"]}\n');
  repo.commit('2026-01-01T00:00:00Z');
  repo.git(['checkout', '--quiet', '-b', 'pr']);
  return repo;
}

async function ownershipCodes(repo: Repo, author: string): Promise<string[]> {
  const report = await validateRegistry({ root: repo.root, entriesDir: 'entries', base: 'main', ownership: verifiersFor(author) });
  expect(report.checks.find((c) => c.id === 'ownership')?.ran).toBe(true);
  return report.problems.filter((p) => p.code.startsWith('ownership-')).map((p) => p.code);
}

describe('ownership of a change', () => {
  it('an organisation Owner publishes a new version; a plain member cannot', async () => {
    const repo = registry();
    repo.server('io.github.acme/weather', '1.1.0');
    expect(await ownershipCodes(repo, 'alice')).toEqual([]);
    expect((await ownershipCodes(repo, 'bob')).sort()).toEqual(['ownership-github-org-not-owner', 'ownership-unproven']);
  });

  it('a user listed in the base ledger publishes under a domain namespace without a new proof', async () => {
    const repo = registry();
    repo.server('com.example/notes', '1.1.0');
    expect(await ownershipCodes(repo, 'bob')).toEqual([]);
    expect(await ownershipCodes(repo, 'mallory')).toEqual(['ownership-unproven']);
  });

  it('adding oneself to the ledger is not proven by the ledger itself', async () => {
    const repo = registry();
    repo.write('com.example/owners.json', '{"owners": ["bob", "mallory"]}\n');
    expect(await ownershipCodes(repo, 'bob')).toEqual(['ownership-unproven']);
  });

  it('mirrored servers change only through the sync\'s pull requests, which need no namespace proof', async () => {
    const repo = Repo.init('ownership', 'entries');
    repos.push(repo);
    const state = '{"status":"active","statusChangedAt":"2025-09-01T00:00:00Z","publishedAt":"2025-09-01T00:00:00Z","updatedAt":"2025-09-01T00:00:00Z"}';
    const provenance = (versions: string[]) => `{"source":"official","from":"https://registry.example","versions":{${versions.map((v) => `"${v}":${state}`).join(',')}}}\n`;
    repo.server('io.github.upstreamer/tool', '1.0.0').write('io.github.upstreamer/tool/upstream.json', provenance(['1.0.0']));
    repo.commit('2026-01-01T00:00:00Z');
    repo.git(['checkout', '--quiet', '-b', 'pr']);
    // What a sync pull request brings: a new mirrored version, a new mirrored server, an edited upstream.json.
    repo.server('io.github.upstreamer/tool', '1.1.0').write('io.github.upstreamer/tool/upstream.json', provenance(['1.0.0', '1.1.0']));
    repo.server('io.github.stranger/new', '0.1.0').write('io.github.stranger/new/upstream.json', provenance(['0.1.0']));
    const codes = async (sync: boolean): Promise<string[]> => {
      const report = await validateRegistry({ root: repo.root, entriesDir: 'entries', base: 'main', ownership: { ...verifiersFor('mallory'), syncPullRequest: sync } });
      return report.problems.filter((p) => p.code.startsWith('ownership-') || p.code.startsWith('change-')).map((p) => `${p.code} ${p.file}`).sort();
    };
    expect(await codes(true)).toEqual([]);
    expect(await codes(false)).toEqual([
      'ownership-mirrored-change entries/io.github.stranger/new/0.1.0/server.json',
      'ownership-mirrored-change entries/io.github.stranger/new/upstream.json',
      'ownership-mirrored-change entries/io.github.upstreamer/tool/1.1.0/server.json',
      'ownership-mirrored-change entries/io.github.upstreamer/tool/upstream.json',
    ]);
    // The fork's own server.md of a mirrored server (a status override, annotations) is the fork's decision: no
    // namespace proof (the namespace is the upstream publisher's), a warning for the maintainer who merges.
    repo.status('io.github.upstreamer/tool', 'status: deprecated\nstatusMessage: "not approved here"');
    const report = await validateRegistry({ root: repo.root, entriesDir: 'entries', base: 'main', ownership: { ...verifiersFor('mallory'), syncPullRequest: false } });
    const statusProblems = report.problems.filter((p) => p.file === 'entries/io.github.upstreamer/tool/server.md');
    expect(statusProblems.map((p) => [p.code, p.severity])).toEqual([['ownership-mirrored-status', 'warning']]);
  });

  it('without GITHUB_TOKEN, the author is told to set the token, not to open the pull request as themselves', async () => {
    const { localOwnershipVerifiers } = await import('../scripts/lib/ownership/verifiers.ts');
    const repo = registry();
    repo.server('io.github.alice/tool', '1.0.0');
    const report = await validateRegistry({ root: repo.root, entriesDir: 'entries', base: 'main', ownership: localOwnershipVerifiers('alice', 'https://github.com/acme/registry', {}) });
    const unproven = report.problems.filter((p) => p.code.startsWith('ownership-'));
    expect(unproven.map((p) => p.code)).toEqual(['ownership-unproven']);
    expect(unproven[0]!.hint).toContain('GITHUB_TOKEN is not set');
    expect(unproven[0]!.hint).not.toMatch(/open the pull request as alice/i);
  });

  it('a status change needs the same ownership as a publish', async () => {
    const repo = registry();
    repo.status('io.github.acme/weather', 'status: deprecated\nstatusMessage: "moved"');
    expect(await ownershipCodes(repo, 'mallory')).toContain('ownership-unproven');
    expect(await ownershipCodes(repo, 'alice')).toEqual([]);
  });
});

describe('ownership in the trusted pull-request job (pr-bot)', () => {
  const cleanReport: ValidationReport = {
    problems: [],
    publishes: [{ name: 'io.github.acme/weather', version: '1.1.0', file: 'entries/io.github.acme/weather/1.1.0/server.json' }],
    checks: [
      { id: 'files', ran: true, passed: true }, { id: 'schema', ran: true, passed: true }, { id: 'rules', ran: true, passed: true },
      { id: 'registry', ran: true, passed: true }, { id: 'changes', ran: true, passed: true },
      { id: 'ownership', ran: false, passed: false }, { id: 'packages', ran: false, passed: false },
    ],
  };

  async function runFor(pr: number, author: string) {
    const file = 'entries/io.github.acme/weather/1.1.0/server.json';
    const pull = github.addPull(pr, { author, files: [{ filename: file, status: 'added' }] });
    github.contents.set(`${pull.headSha}:${file}`, JSON.stringify({ name: 'io.github.acme/weather', version: '1.1.0', description: 'x' }));
    const octokit = new Octokit({ auth: github.token, baseUrl: github.url });
    await runPrBot({
      octokit, owner: github.owner, repo: github.repo, pr, validate: async () => ({ report: cleanReport }),
      ownership: (ref, files) => checkPullRequestOwnership({ octokit, pull: ref, files, verifiers: (who) => ({ ...verifiersFor(who), github: githubIdentityVerifier(octokit, who) }) }),
    });
    return github.pulls.get(pr)!;
  }

  it('reads the pull request as data and labels an unproven namespace', async () => {
    const refused = await runFor(41, 'bob');
    expect([...refused.labels]).toContain('ownership-unproven');
    expect(refused.labels.has('ready-to-merge')).toBe(false);
    expect(refused.comments[0]!.body).toContain('ownership-unproven');
    expect(github.statuses.at(-1)).toMatchObject({ context: 'mcp-registry/ownership', state: 'failure', sha: refused.headSha });
    const accepted = await runFor(42, 'alice');
    expect([...accepted.labels]).toEqual(['ready-to-merge']);
    // The namespace has no owners ledger yet: the comment says which file to add so later PRs need no proof.
    expect(accepted.comments[0]!.body).toContain('entries/io.github.acme/owners.json');
    expect(accepted.comments[0]!.body).toContain('{"owners":["alice"]}');
    expect(github.statuses.at(-1)).toMatchObject({ context: 'mcp-registry/ownership', state: 'success' });
    expect(github.requests.map((r) => decodeURIComponent(r.path)).filter((p) => p.includes('/contents/'))).toContain('/repos/acme/registry/contents/entries/io.github.acme/weather/1.1.0/server.json');
  });
});

describe('the ownership deadline', () => {
  it('a proof whose verification hangs is reported within the deadline, not waited for', async () => {
    const { checkChangeOwnership } = await import('../scripts/lib/ownership/change-ownership.ts');
    const started = Date.now();
    const result = await checkChangeOwnership({
      entriesDir: 'entries', readBaseText: async () => undefined, deadlineMs: 300,
      changes: [{ kind: 'A', file: 'entries/com.example/notes/2.0.0/server.json' }, { kind: 'A', file: 'entries/com.example/notes/2.0.0/proof.json' }],
      proofFiles: [{ file: 'entries/com.example/notes/2.0.0/proof.json', bytes: Buffer.from(`{"method":"dns","domain":"example.com","algorithm":"ed25519","signature":"${'ab'.repeat(64)}"}`) }],
      serverJsonBytes: () => Buffer.from('{}'),
      verifiers: { author: 'bob', verifyProof: () => new Promise(() => {}) },
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.problems.map((p) => p.code).sort()).toEqual(['ownership-timeout', 'ownership-unproven']);
  });
});

describe('GitHub OIDC proofs through the PR bot', () => {
  it('a verified token is recorded in the bot\'s comment, so a re-run after it expires stays green', async () => {
    const { generateKeyPair, exportJWK, SignJWT, createLocalJWKSet } = await import('jose');
    const { oidcAudienceFor } = await import('../scripts/lib/ownership/oidc-proof.ts');
    const { proofVerifier } = await import('../scripts/lib/ownership/verifiers.ts');
    const { readRecords } = await import('../scripts/lib/github/pr-bot.ts');
    const issuer = 'https://issuer.test';
    const registryUrl = 'https://github.com/acme/registry';
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] });
    const file = 'entries/io.github.acme/weather/2.0.0/server.json';
    const bytes = Buffer.from(JSON.stringify({ name: 'io.github.acme/weather', version: '2.0.0', description: 'x' }));
    const token = await new SignJWT({ repository_owner: 'acme', repository: 'acme/weather' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience(oidcAudienceFor(registryUrl, bytes))
      .setSubject('repo:acme/weather:ref:refs/tags/v2.0.0').setIssuedAt().setExpirationTime('5m').sign(privateKey);
    const pull = github.addPull(77, { author: 'mallory', files: [{ filename: file, status: 'added' }, { filename: file.replace('server.json', 'proof.json'), status: 'added' }] });
    github.contents.set(`${pull.headSha}:${file}`, bytes.toString());
    github.contents.set(`${pull.headSha}:${file.replace('server.json', 'proof.json')}`, JSON.stringify({ method: 'github-oidc', token }));
    const octokit = new Octokit({ auth: github.token, baseUrl: github.url });
    const run = (now: Date) => runPrBot({
      octokit, owner: github.owner, repo: github.repo, pr: 77, validate: async () => ({ report: { problems: [], publishes: [], checks: [{ id: 'ownership', ran: false, passed: false }] } }),
      ownership: (ref, files, recorded) => checkPullRequestOwnership({
        octokit, pull: ref, files,
        verifiers: (who) => ({ author: who, verifyProof: proofVerifier({ registryUrl, oidc: { jwks, issuer }, recorded, now: () => now }) }),
      }),
    });
    await run(new Date());
    expect([...pull.labels]).toEqual(['ready-to-merge']);
    expect(readRecords(pull.comments[0]!.body)).toHaveLength(1);
    // The token proves this publication only: anyone could commit a copy of it, so it never makes the PR's author
    // an owner of the namespace (GitHub identity or a signed statement does).
    expect(pull.comments[0]!.body).not.toContain('owners.json');
    // An hour later the token has expired; the record of its verification for the same bytes still proves it.
    await run(new Date(Date.now() + 3_600_000));
    expect([...pull.labels]).toEqual(['ready-to-merge']);
    // Different bytes: the record does not apply, the expired token fails.
    github.contents.set(`${pull.headSha}:${file}`, bytes.toString().replace('"x"', '"changed"'));
    await run(new Date(Date.now() + 3_600_000));
    expect(pull.labels.has('ready-to-merge')).toBe(false);
    expect(pull.comments).toHaveLength(1);
  });
});
