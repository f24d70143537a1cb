// Self-service publishing end to end, with real git and the GitHub stand-in: the publish action
// (.github/actions/publish, scripts/publish-action.ts) opens the PR with its OIDC proof, the trusted check
// (github/trusted-check.ts, the code behind npm run pr-bot in pr-comment.yml) validates and merges the exact head,
// the registry is built from the merged branch and the API serves the new version. Then an owner's status change
// merges itself the same way.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { createOctokit } from '../scripts/lib/github/pr-bot.ts';
import { runTrustedCheck } from '../scripts/lib/github/trusted-check.ts';
import { GITHUB_OIDC_ISSUER } from '../scripts/lib/ownership/oidc-proof.ts';
import { startRegistryServer } from '../scripts/lib/serve/node-server.ts';
import { DEFAULT_MERGE_POLICY } from '../scripts/lib/merge-policy.ts';
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.ts';
import { git, Repo, serverJson, statusFile, tempDir } from './support/git-fixture.ts';
import { runScript } from './support/run-script.ts';
import { http } from './support/servers.ts';

const PROJECT = path.resolve(import.meta.dirname, '..');
const NAME = 'io.github.octo/weather';

let work: string;
let gh: FakeGitHub;
let origin: string;
let repo: Repo;
let tokenServer: Server;
let tokenUrl: string;
let jwks: ReturnType<typeof createLocalJWKSet>;

beforeAll(async () => {
  work = tempDir('publish-e2e');
  repo = Repo.init('e2e', 'entries');
  repo.server('io.github.acme/tool', '1.0.0').commit('2026-01-01T00:00:00Z');
  origin = repo.pushToBare(path.join(work, 'registry.git'));

  gh = await startFakeGitHub();
  gh.publish.login = 'octo-release-bot';
  gh.publish.forkDelay = 0;
  gh.publish.pullHeads = origin;
  gh.merge.gitRemote = origin;
  gh.users.add('octo');

  // The Actions runtime's token endpoint: a token for the audience asked, from the publisher's release workflow.
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' } as JWK] });
  tokenServer = createServer((req, res) => {
    if (req.headers.authorization !== 'Bearer runtime-token') return void res.writeHead(401).end();
    const audience = new URL(req.url!, 'http://x').searchParams.get('audience')!;
    void new SignJWT({ repository_owner: 'octo', repository: 'octo/weather' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(GITHUB_OIDC_ISSUER).setAudience(audience)
      .setSubject('repo:octo/weather:ref:refs/tags/v1.2.0').setIssuedAt().setExpirationTime('5m').sign(privateKey)
      .then((value) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: 1, value })));
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token?api-version=2.0`;
});
afterAll(async () => {
  await gh?.stop();
  tokenServer?.close();
  repo?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

/** The trusted check as pr-comment.yml runs it, over the PR GitHub holds; the API requests it made. */
async function trustedCheck(pr: number) {
  const before = gh.requests.length;
  const started = performance.now();
  const result = await runTrustedCheck({
    octokit: createOctokit({ token: gh.token, baseUrl: gh.url }), owner: gh.owner, repo: gh.repo, pr, headSha: gh.pulls.get(pr)!.headSha,
    remote: origin, prTree: path.join(work, `pr-tree-${pr}`), configFile: path.join(PROJECT, 'registry.yaml'),
    packages: true, ownership: true, registryUrl: `https://github.com/${gh.owner}/${gh.repo}`, policy: DEFAULT_MERGE_POLICY,
    oidc: { jwks, issuer: GITHUB_OIDC_ISSUER },
  });
  return { result, seconds: (performance.now() - started) / 1000, requests: gh.requests.slice(before) };
}

/** A PR by `author` that writes the server's server.md on top of main, held by GitHub under refs/pull/<n>/head. */
function openStatusPr(pr: number, author: string, front: string, date: string): number {
  repo.git(['fetch', '--quiet', origin, 'main']);
  repo.git(['checkout', '--quiet', '-B', `status-${pr}`, 'FETCH_HEAD']);
  const existed = repo.git(['ls-files', `entries/${NAME}/server.md`]).trim() !== '';
  repo.write(`${NAME}/server.md`, statusFile(front)).commit(date);
  repo.git(['push', '--quiet', origin, `HEAD:refs/pull/${pr}/head`]);
  gh.addPull(pr, {
    headSha: repo.git(['rev-parse', 'HEAD']).trim(), baseSha: git(origin, ['rev-parse', 'main']).trim(), author,
    files: [{ filename: `entries/${NAME}/server.md`, status: existed ? 'modified' : 'added' }],
  });
  return pr;
}

/** The registry built from the merged branch and served by the Node server: the answer for `target`. */
async function liveAnswer(target: string) {
  const checkout = path.join(work, `main-${Math.random().toString(36).slice(2)}`);
  git(work, ['clone', '--quiet', '--branch', 'main', origin, checkout]);
  const dist = path.join(checkout, 'dist');
  await buildRegistry({ entriesDir: path.join(checkout, 'entries'), outDir: dist });
  const server = await startRegistryServer({ dir: dist, port: 0 });
  try {
    return await http(server.url, target);
  } finally {
    await server.close();
  }
}

describe('a release goes live without a maintainer', () => {
  it('the publish action opens the PR, the trusted check merges its exact head, and the API serves the version', async () => {
    const workspace = path.join(work, 'publisher');
    mkdirSync(workspace);
    writeFileSync(path.join(workspace, 'server.json'), serverJson(NAME, '1.2.0', { description: 'Forecasts' }));
    const opened = performance.now();
    const action = await runScript('publish-action.ts', [], {
      cwd: PROJECT,
      env: {
        PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_WORKSPACE: workspace, GITHUB_API_URL: gh.url,
        INPUT_SERVER_JSON: 'server.json', INPUT_REGISTRY_REPOSITORY: `${gh.owner}/${gh.repo}`, INPUT_GITHUB_TOKEN: gh.token,
        ACTIONS_ID_TOKEN_REQUEST_URL: tokenUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runtime-token',
      },
    });
    expect(action.err).toBe('');
    expect(action.code).toBe(0);
    const pr = Math.max(...gh.pulls.keys());
    const pull = gh.pulls.get(pr)!;
    expect(pull.files.map((f) => f.filename).sort()).toEqual([`entries/${NAME}/1.2.0/proof.json`, `entries/${NAME}/1.2.0/server.json`]);

    const check = await trustedCheck(pr);
    const decided = (performance.now() - opened) / 1000;
    expect(check.result.decision, gh.pulls.get(pr)!.comments[0]?.body).toEqual({ action: 'merge', reasons: [] });
    expect(check.result.merged?.sha).toBe(git(origin, ['rev-parse', 'main']).trim());
    const merges = check.requests.filter((r) => r.method === 'PUT');
    expect(merges.map((r) => [r.path, (r.body as { sha: string }).sha])).toEqual([[`/repos/acme/registry/pulls/${pr}/merge`, pull.headSha]]);
    expect(pull.comments[0]!.body).toContain('GitHub Actions OIDC token from octo/weather');
    console.log(`publish e2e: PR opened to merge decision ${decided.toFixed(2)} s (trusted check ${check.seconds.toFixed(2)} s), ${check.requests.length} GitHub API requests in one check`);
    // A check's API use stays small and bounded: the PR, its files, the comment, the proofs, a status, labels, the merge.
    expect(check.requests.length).toBeLessThanOrEqual(20);

    const answer = await liveAnswer(`/v0.1/servers/${encodeURIComponent(NAME)}/versions/1.2.0`);
    expect(answer.status).toBe(200);
    expect(answer.json().server).toMatchObject({ name: NAME, version: '1.2.0', description: 'Forecasts' });
    expect(answer.json()._meta['io.modelcontextprotocol.registry/official']).toMatchObject({ status: 'active', isLatest: true });
  });

  it('an owner\'s status change (deprecate, with a message) merges itself and shows in the API', async () => {
    // The owner's own branch, pushed and opened as a PR: GitHub identity proves io.github.octo for octo.
    const pr = openStatusPr(100, 'octo', 'status: deprecated\nstatusMessage: "Use io.github.octo/weather2"', '2026-02-01T00:00:00Z');
    const check = await trustedCheck(pr);
    expect(check.result.decision?.action).toBe('merge');
    expect(check.result.merged).toBeDefined();
    const answer = await liveAnswer(`/v0.1/servers/${encodeURIComponent(NAME)}/versions/1.2.0`);
    expect(answer.json()._meta['io.modelcontextprotocol.registry/official']).toMatchObject({ status: 'deprecated', statusMessage: 'Use io.github.octo/weather2' });
  });

  it('someone else\'s status change of the same server does not merge', async () => {
    gh.users.add('mallory');
    const pr = openStatusPr(101, 'mallory', 'status: deleted\nstatusMessage: "gone"', '2026-02-02T00:00:00Z');
    const check = await trustedCheck(pr);
    expect(check.result.decision?.action).toBe('author');
    expect(check.result.merged).toBeUndefined();
    expect(gh.pulls.get(pr)!.state).toBe('open');
  });
});
