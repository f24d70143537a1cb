// A proof.json proves one publication; ledger changes, status changes and deletions need an authorization statement
// bound to the registry and the pull request's author. Real DNS (dnsmasq on 127.0.0.1), real git branches, the
// publisher CLI as publishers run it, and the production verifiers.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateProofKeyPair, proofRecordForKey } from '../scripts/lib/ownership/domain-proof.ts';
import { Octokit } from '@octokit/rest';
import { checkPullRequestOwnership } from '../scripts/lib/ownership/pull-request.ts';
import { statementVerifier } from '../scripts/lib/ownership/statement.ts';
import { proofVerifier } from '../scripts/lib/ownership/verifiers.ts';
import { runCommand } from '../scripts/lib/publisher/commands.ts';
import type { Problem } from '../scripts/lib/problems.ts';
import { validateRegistry } from '../scripts/lib/validate/validate.ts';
import { dnsmasqMissing, startDnsmasq } from './support/dnsmasq.ts';
import { startFakeGitHub } from './support/fake-github.ts';
import { Repo, tempDir } from './support/git-fixture.ts';
import { STRICT_PREREQUISITES } from './support/strict.ts';

const skip = dnsmasqMissing !== null && !STRICT_PREREQUISITES;
if (skip) console.warn(`authorization statement tests skipped: ${dnsmasqMissing}`);

const REGISTRY = 'https://github.com/acme/registry';
const DAY = 86_400_000;

describe.skipIf(skip)('one proof is one publication; other changes need a statement for the author', () => {
  const key = generateProofKeyPair('ed25519');
  let dns: Awaited<ReturnType<typeof startDnsmasq>>;
  const repos: Repo[] = [];
  const keyDir = tempDir('statement-key');
  const keyFile = path.join(keyDir, 'key.pem');

  beforeAll(async () => {
    writeFileSync(keyFile, key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
    dns = await startDnsmasq([['victim.test', proofRecordForKey(key.publicKey)]]);
  });
  afterAll(async () => {
    await dns?.stop();
  });
  afterEach(() => {
    while (repos.length) repos.pop()!.cleanup();
  });

  /** The base: two servers of test.victim, owned by the GitHub user victim. */
  function registry(): Repo {
    const repo = Repo.init('statement', 'entries');
    repos.push(repo);
    repo.server('test.victim/a', '1.0.0').server('test.victim/b', '1.0.0').status('test.victim/b', 'status: active');
    repo.write('test.victim/owners.json', '{"owners": ["victim"]}\n');
    repo.commit('2026-01-01T00:00:00Z');
    return repo;
  }

  async function publisher(repo: Repo, argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCommand(argv, { cwd: repo.root, env: {}, out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  }

  async function ownership(repo: Repo, author: string, now = () => new Date()): Promise<Problem[]> {
    repo.commit('2026-01-02T00:00:00Z');
    const report = await validateRegistry({
      root: repo.root, entriesDir: 'entries', base: 'main',
      ownership: {
        author,
        verifyProof: proofVerifier({ registryUrl: REGISTRY, dnsServers: dns.servers }),
        verifyStatement: statementVerifier({ registryUrl: REGISTRY, dnsServers: dns.servers, now }),
      },
    });
    return report.problems.filter((p) => p.code.startsWith('ownership-'));
  }

  /** The victim's own pull request: a new version of test.victim/a, signed with the domain's key. */
  async function victimsSignedVersion(repo: Repo): Promise<{ serverJson: string; proof: string }> {
    repo.git(['checkout', '--quiet', '-b', 'victim-pr', 'main']);
    repo.server('test.victim/a', '1.1.0');
    const signed = await publisher(repo, ['sign', '--key', keyFile, '--domain', 'victim.test', '--method', 'dns', 'entries/test.victim/a/1.1.0/server.json']);
    expect(signed.code, signed.err).toBe(0);
    const read = (f: string) => readFileSync(path.join(repo.entries, 'test.victim/a/1.1.0', f), 'utf8');
    return { serverJson: read('server.json'), proof: read('proof.json') };
  }

  it('a signed version proves its own publication, for anyone who commits it', async () => {
    const repo = registry();
    await victimsSignedVersion(repo);
    expect(await ownership(repo, 'someone-else')).toEqual([]);
  });

  it('the replay fails: the victim\'s signed version copied beside an owners.json rewrite and deletions', async () => {
    const repo = registry();
    const copied = await victimsSignedVersion(repo);
    repo.commit('2026-01-02T00:00:00Z');
    repo.git(['checkout', '--quiet', '-b', 'attack', 'main']);
    repo.write('test.victim/a/1.1.0/server.json', copied.serverJson).write('test.victim/a/1.1.0/proof.json', copied.proof);
    repo.write('test.victim/owners.json', '{"owners": ["mallory"]}\n');
    repo.remove('test.victim/b');
    const problems = await ownership(repo, 'mallory');
    expect(problems.map((p) => p.code)).toEqual(['ownership-unproven']);
    const [unproven] = problems;
    expect(unproven!.message).toContain('mallory may change the owners ledger and delete files under test.victim');
    expect(unproven!.message).toContain('entries/test.victim/b/1.0.0/server.json');
    expect(unproven!.message).toContain('prove only the versions they sit beside');
    expect(unproven!.hint).toContain('npm run publisher -- authorize --author mallory test.victim');
    // A status change alone (retracting the victim's server) is refused the same way.
    repo.git(['reset', '--quiet', '--hard', 'main']);
    repo.write('test.victim/a/1.1.0/server.json', copied.serverJson).write('test.victim/a/1.1.0/proof.json', copied.proof);
    repo.status('test.victim/b', 'status: deleted');
    expect((await ownership(repo, 'mallory')).map((p) => [p.code, p.message.includes('change the status')])).toEqual([['ownership-unproven', true]]);
  });

  it('a statement signed for the author and this registry proves the ledger change, status change and deletion', async () => {
    const repo = registry();
    repo.git(['checkout', '--quiet', '-b', 'handover', 'main']);
    const written = await publisher(repo, ['authorize', '--key', keyFile, '--method', 'dns', '--domain', 'victim.test', '--author', 'carol', '--registry', `${REGISTRY}/`, 'test.victim']);
    expect(written.code, written.err).toBe(0);
    expect(written.out.trim()).toBe('entries/test.victim/authorization.json');
    expect(written.err).toContain(`carol may change test.victim in ${REGISTRY} until`);
    const statement = JSON.parse(readFileSync(path.join(repo.entries, 'test.victim/authorization.json'), 'utf8'));
    expect(statement).toMatchObject({ method: 'dns', domain: 'victim.test', algorithm: 'ed25519', registry: REGISTRY, author: 'carol', expires: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
    expect(Date.parse(statement.expires) - Date.now()).toBeGreaterThan(6 * DAY);
    repo.write('test.victim/owners.json', '{"owners": ["carol", "victim"]}\n');
    repo.status('test.victim/b', 'status: deprecated');
    repo.remove('test.victim/a/1.0.0/server.json');
    expect(await ownership(repo, 'carol')).toEqual([]);
    // The same statement in mallory's pull request proves nothing: it names carol.
    const wrongAuthor = await ownership(repo, 'mallory');
    expect(wrongAuthor.map((p) => p.code).sort()).toEqual(['ownership-statement-wrong-author', 'ownership-unproven']);
    expect(wrongAuthor.find((p) => p.code === 'ownership-statement-wrong-author')!.message).toContain('authorizes the GitHub user carol, but this pull request is by mallory');
    // Nor does editing the author in the file: the signature covers it.
    writeFileSync(path.join(repo.entries, 'test.victim/authorization.json'), JSON.stringify({ ...statement, author: 'mallory' }));
    expect((await ownership(repo, 'mallory')).map((p) => p.code).sort()).toEqual(['ownership-dns-signature-invalid', 'ownership-unproven']);
  });

  it('a statement for another registry, an expired one and one that runs too long are refused', async () => {
    const repo = registry();
    repo.git(['checkout', '--quiet', '-b', 'handover', 'main']);
    repo.write('test.victim/owners.json', '{"owners": ["carol"]}\n');
    const authorize = async (...extra: string[]) => {
      const r = await publisher(repo, ['authorize', '--key', keyFile, '--method', 'dns', '--domain', 'victim.test', '--author', 'carol', ...extra, 'test.victim']);
      expect(r.code, r.err).toBe(0);
    };
    await authorize('--registry', 'https://github.com/someone/fork');
    const other = await ownership(repo, 'carol');
    expect(other.map((p) => p.code).sort()).toEqual(['ownership-statement-wrong-registry', 'ownership-unproven']);
    expect(other[0]!.message).toContain(`for the registry https://github.com/someone/fork, not this one (${REGISTRY})`);

    await authorize('--registry', REGISTRY, '--days', '2');
    expect((await ownership(repo, 'carol')).map((p) => p.code)).toEqual([]);
    const later = await ownership(repo, 'carol', () => new Date(Date.now() + 3 * DAY));
    expect(later.map((p) => p.code).sort()).toEqual(['ownership-statement-expired', 'ownership-unproven']);

    await authorize('--registry', REGISTRY, '--days', '30');
    const early = await ownership(repo, 'carol', () => new Date(Date.now() - 2 * DAY));
    expect(early.map((p) => p.code).sort()).toEqual(['ownership-statement-expiry-too-far', 'ownership-unproven']);
  });

  it('the trusted job reads the statement from the pull request\'s head through the API, bound to the PR\'s author', async () => {
    const github = await startFakeGitHub();
    try {
      const repo = registry();
      repo.git(['checkout', '--quiet', '-b', 'handover', 'main']);
      expect((await publisher(repo, ['authorize', '--key', keyFile, '--method', 'dns', '--domain', 'victim.test', '--author', 'carol', '--registry', REGISTRY, 'test.victim'])).code).toBe(0);
      const statement = readFileSync(path.join(repo.entries, 'test.victim/authorization.json'), 'utf8');
      const files = [{ filename: 'entries/test.victim/authorization.json', status: 'added' }, { filename: 'entries/test.victim/owners.json', status: 'modified' }];
      const octokit = new Octokit({ auth: github.token, baseUrl: github.url });
      const check = async (pr: number, author: string) => {
        const pull = github.addPull(pr, { author, files });
        github.contents.set(`${pull.baseSha}:entries/test.victim/owners.json`, '{"owners": ["victim"]}\n');
        github.contents.set(`${pull.headSha}:entries/test.victim/owners.json`, '{"owners": ["carol"]}\n');
        github.contents.set(`${pull.headSha}:entries/test.victim/authorization.json`, statement);
        const result = await checkPullRequestOwnership({
          octokit, pull: { author, head: { owner: github.owner, repo: github.repo, sha: pull.headSha }, base: { owner: github.owner, repo: github.repo, sha: pull.baseSha } }, files,
          verifiers: (who) => ({ author: who, verifyProof: proofVerifier({ registryUrl: REGISTRY, dnsServers: dns.servers }), verifyStatement: statementVerifier({ registryUrl: REGISTRY, dnsServers: dns.servers }) }),
        });
        return result.problems.map((p) => p.code).sort();
      };
      expect(await check(61, 'carol')).toEqual([]);
      expect(await check(62, 'mallory')).toEqual(['ownership-statement-wrong-author', 'ownership-unproven']);
    } finally {
      await github.stop();
    }
  });

  it('authorize refuses GitHub namespaces and bad command lines', async () => {
    const repo = registry();
    const github = await publisher(repo, ['authorize', '--key', keyFile, '--method', 'http', '--domain', 'acme.github.io', '--author', 'carol', '--registry', REGISTRY, 'io.github.acme']);
    expect(github.code).toBe(1);
    expect(github.err).toContain('ownership-proof-github-namespace');
    expect((await publisher(repo, ['authorize', '--key', keyFile, '--method', 'dns', '--author', 'carol', 'test.victim'])).err).toContain('--registry <url> is required');
    expect((await publisher(repo, ['authorize', '--key', keyFile, '--method', 'dns', '--registry', REGISTRY, 'test.victim'])).err).toContain('--author <github login> is required');
    expect((await publisher(repo, ['authorize', '--key', keyFile, '--method', 'dns', '--author', 'carol', '--registry', REGISTRY, '--days', '90', 'test.victim'])).code).toBe(2);
  });
});
