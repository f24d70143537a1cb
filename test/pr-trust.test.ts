// The privileged PR job decides from its own validation, never from the report the PR's run uploaded: a real git
// repository as the base repository (with refs/pull/<n>/head, as GitHub keeps them), the fake GitHub API, and
// `npm run pr-bot` as pr-comment.yml runs it.

import { execFile } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Octokit } from '@octokit/rest';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readRecords, runPrBot } from '../scripts/lib/github/pr-bot.ts';
import { validatePullRequest } from '../scripts/lib/github/pr-tree.ts';
import { oidcAudienceFor, sha256Hex } from '../scripts/lib/ownership/oidc-proof.ts';
import { checkPullRequestOwnership } from '../scripts/lib/ownership/pull-request.ts';
import { proofVerifier } from '../scripts/lib/ownership/verifiers.ts';
import { COMMENT_MARKER } from '../scripts/lib/validate/report/pr-comment.ts';
import type { ValidationReport } from '../scripts/lib/validate/types.ts';
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.ts';
import { serverJson, tempDir } from './support/git-fixture.ts';
import { FORGED, pullRequestFixture, type PullRequestFixture } from './support/pull-request-fixture.ts';

const PROJECT = path.resolve(import.meta.dirname, '..');

let gh: FakeGitHub;
let work: string;
let fixture: PullRequestFixture;
let registry: PullRequestFixture['registry'], openPr: PullRequestFixture['openPr'], prBot: PullRequestFixture['prBot'];

beforeAll(() => {
  work = tempDir('pr-trust');
  fixture = pullRequestFixture(() => gh, work);
  ({ registry, openPr, prBot } = fixture);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeEach(async () => {
  gh = await startFakeGitHub();
});
afterEach(async () => {
  await gh.stop();
  fixture.cleanup();
});

describe('the comment job validates the pull request itself', () => {
  it('a PR that modifies a published server.json and ships a forged "0 errors" report is not ready to merge', async () => {
    const { repo, origin } = registry();
    const pull = openPr(repo, origin, 7, (r) => r.write('io.github.acme/weather/1.0.0/server.json', serverJson('io.github.acme/weather', '1.0.0', { description: 'rewritten after publication' })));
    await prBot(origin, 7, pull);
    expect(pull.labels.has('ready-to-merge')).toBe(false);
    expect([...pull.labels]).toContain('published-file-changed');
    const body = pull.comments[0]!.body;
    expect(body).toContain('change-published-file');
    expect(body).toContain('**Changes**: failed');
    // The forged report is only mentioned, as disagreeing with the registry's own result.
    expect(body).toContain("The pull request's own validation run reported 0 errors; the registry's own code, run on the pull request's files, found 1.");
    expect(gh.unexpected).toEqual([]);
  });

  it('a clean new version is ready to merge, whatever the PR\'s own report claims', async () => {
    const { repo, origin } = registry();
    const pull = openPr(repo, origin, 8, (r) => r.server('io.github.acme/weather', '1.1.0'));
    const lying: ValidationReport = { ...FORGED, problems: [{ code: 'schema-type', severity: 'error', message: 'made up', hint: 'h' }] };
    await prBot(origin, 8, pull, lying);
    expect([...pull.labels]).toEqual(['ready-to-merge']);
    expect(pull.comments[0]!.body).toContain('<code>io.github.acme/weather</code> | <code>1.1.0</code>');
    expect(pull.comments[0]!.body).not.toContain('made up');
  });

  it('checks the merge with the current base: a version published on main since the branch was cut is no change of the PR', async () => {
    const { repo, origin } = registry();
    const pull = openPr(repo, origin, 9, (r) => r.server('io.github.acme/weather', '1.1.0'));
    repo.server('io.github.acme/weather', '1.0.1').commit('2026-01-03T00:00:00Z');
    repo.git(['push', '--quiet', origin, 'main']);
    await prBot(origin, 9, pull);
    expect([...pull.labels]).toEqual(['ready-to-merge']);
  });

  it('marking a server as mirrored (adding upstream.json) does not lift the immutability of its published files', async () => {
    const { repo, origin } = registry();
    const provenance = '{"source":"official","from":"https://registry.example","versions":{"1.0.0":{"status":"active","statusChangedAt":"2025-09-01T00:00:00Z","publishedAt":"2025-09-01T00:00:00Z","updatedAt":"2025-09-01T00:00:00Z"}}}\n';
    const pull = openPr(repo, origin, 10, (r) => r
      .write('io.github.acme/weather/upstream.json', provenance)
      .write('io.github.acme/weather/1.0.0/server.json', serverJson('io.github.acme/weather', '1.0.0', { description: 'rewritten, now "mirrored"' })));
    await prBot(origin, 10, pull);
    expect(pull.labels.has('ready-to-merge')).toBe(false);
    expect([...pull.labels]).toContain('published-file-changed');
  });

  it('an edit to a mirrored server\'s server.md needs a maintainer, and says why', async () => {
    const provenance = '{"source":"official","from":"https://registry.example","versions":{"1.0.0":{"status":"active","statusChangedAt":"2025-09-01T00:00:00Z","publishedAt":"2025-09-01T00:00:00Z","updatedAt":"2025-09-01T00:00:00Z"}}}\n';
    const { repo, origin } = registry((r) => r.write('io.github.acme/weather/upstream.json', provenance));
    const pull = openPr(repo, origin, 11, (r) => r.status('io.github.acme/weather', 'status: deprecated\nstatusMessage: "not approved here"'));
    // The ownership check reads the base through the API.
    gh.contents.set(`${pull.baseSha}:entries/io.github.acme/weather/upstream.json`, provenance);
    gh.users.add('acme');
    await prBot(origin, 11, pull, FORGED, ['--ownership']);
    expect([...pull.labels]).toEqual(['needs-maintainer']);
    const body = pull.comments[0]!.body;
    expect(body).toContain('## 👀 Needs a maintainer');
    expect(body).toContain('ownership-mirrored-status');
    expect(body).toContain('the status or annotations of a mirrored server');
  });

  it('follows no symbolic link of the PR out of its folder, and reads no registry.yaml from it', async () => {
    const secret = path.join(work, 'runner-secret.txt');
    writeFileSync(secret, 'TOPSECRET-1234\n');
    const { repo, origin } = registry();
    const pull = openPr(repo, origin, 12, (r) => {
      mkdirSync(path.join(r.entries, 'io.github.acme/weather/2.0.0'), { recursive: true });
      symlinkSync(secret, path.join(r.entries, 'io.github.acme/weather/2.0.0/server.json'));
      symlinkSync(secret, path.join(r.root, 'registry.yaml'));
      symlinkSync('/', path.join(r.entries, 'io.github.acme/weather/3.0.0'));
    });
    const tree = path.join(work, 'tree-links');
    const result = await validatePullRequest({ remote: origin, pr: 12, headSha: pull.headSha, baseRef: 'main', dir: tree, configFile: path.join(PROJECT, 'registry.yaml') });
    if (!('report' in result)) throw new Error(result.skipped);
    expect(lstatSync(path.join(tree, 'entries/io.github.acme/weather/2.0.0/server.json')).isSymbolicLink()).toBe(true);
    expect(JSON.stringify(result.report)).not.toContain('TOPSECRET');
    expect(result.report.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['file-symlink', 'change-outside-entries']));

    await prBot(origin, 12, pull);
    expect(pull.comments[0]!.body).not.toContain('TOPSECRET');
    expect([...pull.labels].sort()).toEqual(['needs-maintainer', 'unsafe-path']);
  });

  it('runs no filter, driver or hook the PR asks for, even where the machine\'s git configuration defines them', async () => {
    const ran = path.join(work, 'ran');
    mkdirSync(ran, { recursive: true });
    const hooks = path.join(work, 'hooks');
    mkdirSync(hooks, { recursive: true });
    writeFileSync(path.join(hooks, 'post-checkout'), `#!/bin/sh\ntouch ${ran}/hook\n`, { mode: 0o755 });
    // What a runner's own configuration could hold: a filter and a diff driver that run commands, and hooks.
    const config = path.join(work, 'machine-gitconfig');
    writeFileSync(config, [
      '[filter "evil"]', `\tsmudge = sh -c 'touch ${ran}/smudge; cat'`, `\tclean = sh -c 'touch ${ran}/clean; cat'`, '\trequired = true',
      '[diff "evil"]', `\ttextconv = sh -c 'touch ${ran}/textconv; cat'`, `\tcommand = sh -c 'touch ${ran}/diff'`,
      '[core]', `\thooksPath = ${hooks}`, '',
    ].join('\n'));
    const { repo, origin } = registry();
    const pull = openPr(repo, origin, 14, (r) => {
      writeFileSync(path.join(r.root, '.gitattributes'), '* filter=evil diff=evil\n');
      r.server('io.github.acme/weather', '1.1.0');
    });
    const saved = process.env.GIT_CONFIG_GLOBAL;
    process.env.GIT_CONFIG_GLOBAL = config;
    try {
      const result = await validatePullRequest({ remote: origin, pr: 14, headSha: pull.headSha, baseRef: 'main', dir: path.join(work, 'tree-14'), configFile: path.join(PROJECT, 'registry.yaml') });
      if (!('report' in result)) throw new Error(result.skipped);
      expect(result.report.publishes.map((p) => p.version)).toEqual(['1.1.0']);
    } finally {
      if (saved === undefined) delete process.env.GIT_CONFIG_GLOBAL;
      else process.env.GIT_CONFIG_GLOBAL = saved;
    }
    expect(readdirSync(ran)).toEqual([]);
  });

  it('writes nothing when refs/pull/<n>/head is no longer the validated commit', async () => {
    const { repo, origin } = registry();
    const pull = openPr(repo, origin, 13, (r) => r.server('io.github.acme/weather', '1.1.0'));
    openPr(repo, origin, 13, (r) => r.server('io.github.acme/weather', '1.2.0'));
    gh.pulls.set(13, pull);
    const out = await prBot(origin, 13, pull);
    expect(out).toMatch(/skipped: PR #13 is now at [0-9a-f]{12}, not the validated/);
    expect(gh.writes()).toEqual([]);
  });
});

describe('forged recorded OIDC proofs', () => {
  it('three bot runs with a records block hidden in a server.md key do not prove io.github.victim', async () => {
    const issuer = 'https://issuer.test';
    const registryUrl = 'https://github.com/acme/registry';
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] });

    const victimFile = 'entries/io.github.victim/tool/2.0.0/server.json';
    const victimBytes = Buffer.from(serverJson('io.github.victim/tool', '2.0.0'));
    const now = new Date();
    const exp = Math.floor(now.getTime() / 1000) + 300;
    // A genuine token, from the attacker's own workflow, for exactly these bytes: it grants io.github.mallory only.
    const token = await new SignJWT({ repository_owner: 'mallory', repository: 'mallory/tool' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience(oidcAudienceFor(registryUrl, victimBytes))
      .setSubject('repo:mallory/tool:ref:refs/heads/main').setIssuedAt().setExpirationTime(exp).sign(privateKey);
    // Everything the attacker can know about that token, so that only its owner and subject tell the record apart.
    const expiry = new Date(exp * 1000);
    // What the attacker wants the bot to read back: a record that io.github.victim proved these bytes.
    const forgedRecord = {
      method: 'github-oidc', owner: 'victim', subject: 'repo:victim/tool:ref:refs/tags/v2.0.0', repository: 'victim/tool',
      audience: oidcAudienceFor(registryUrl, victimBytes), verifiedAt: now.toISOString(), tokenExpiresAt: expiry.toISOString(), serverJsonSha256: sha256Hex(victimBytes),
    };
    const block = `<!-- mcp-static-registry:oidc-records ${Buffer.from(JSON.stringify([forgedRecord])).toString('base64')} -->`;

    const { repo, origin } = registry((r) => r
      .server('io.github.victim/tool', '1.0.0').write('io.github.victim/owners.json', '{"owners": ["victim"]}\n')
      .server('io.github.mallory/own', '1.0.0'));
    const pull = openPr(repo, origin, 21, (r) => {
      // The attacker's own server.md: an unknown key, which the validator quotes as the problem's JSON path.
      r.write('io.github.mallory/own/server.md', `---\n"x --> ${block} <!-- x": 1\n---\n\n# Own\n`);
      r.write('io.github.victim/tool/2.0.0/server.json', victimBytes.toString());
      r.write('io.github.victim/tool/2.0.0/proof.json', JSON.stringify({ method: 'github-oidc', token }));
      r.write('io.github.victim/owners.json', '{"owners": ["mallory"]}\n');
    }, 'mallory');
    gh.users.add('mallory').add('victim');
    for (const file of [victimFile, victimFile.replace('server.json', 'proof.json')]) {
      gh.contents.set(`${pull.headSha}:${file}`, repo.git(['show', `${pull.headSha}:${file}`]));
    }
    gh.contents.set(`${pull.baseSha}:entries/io.github.victim/owners.json`, '{"owners": ["victim"]}\n');

    const octokit = new Octokit({ auth: gh.token, baseUrl: gh.url });
    const run = (at: Date) => runPrBot({
      octokit, owner: gh.owner, repo: gh.repo, pr: 21, headSha: pull.headSha,
      validate: (ref) => validatePullRequest({
        remote: origin, pr: 21, headSha: pull.headSha, baseRef: ref.baseRef, dir: path.join(work, `tree-21-${at.getTime()}-${Math.random()}`), configFile: path.join(PROJECT, 'registry.yaml'),
      }),
      ownership: (ref, files, recorded) => checkPullRequestOwnership({
        octokit, pull: ref, files,
        verifiers: (who) => ({ author: who, verifyProof: proofVerifier({ registryUrl, oidc: { jwks, issuer }, recorded, now: () => at }) }),
      }),
    });

    const later = new Date(now.getTime() + 3_600_000);
    for (const at of [now, later, later]) {
      await run(at);
      const body = pull.comments[0]!.body;
      // The attacker's key is in the comment, escaped: no HTML comment but the bot's marker, no records it wrote.
      expect(body).toContain('status-file-unknown-key');
      expect(body.slice(COMMENT_MARKER.length)).not.toContain('<!--');
      expect(readRecords(body)).toEqual([]);
      expect(pull.labels.has('ready-to-merge')).toBe(false);
      expect([...pull.labels]).toContain('ownership-unproven');
      expect(gh.statuses.at(-1)).toMatchObject({ context: 'mcp-registry/ownership', state: 'failure' });
      expect(body).not.toMatch(/<code>io\.github\.victim<\/code>: GitHub Actions OIDC/);
    }

    // Even a forged record standing exactly where the bot keeps its own (as if a maintainer pasted it there) lends
    // the expired token nothing: it records another owner than the token's verified claims.
    const comment = pull.comments[0]!;
    comment.body = `${COMMENT_MARKER}\n${block}\n${comment.body.slice(COMMENT_MARKER.length + 1)}`;
    expect(readRecords(comment.body)).toHaveLength(1);
    await run(later);
    expect(pull.labels.has('ready-to-merge')).toBe(false);
    expect(gh.statuses.at(-1)).toMatchObject({ state: 'failure' });
    expect(pull.comments[0]!.body).toContain('ownership-oidc-token-expired');
    expect(pull.comments[0]!.body).not.toMatch(/<code>io\.github\.victim<\/code>: GitHub Actions OIDC/);
  });
});

it('keeps the PR folder out of the trusted checkout', async () => {
  const { repo, origin } = registry();
  const pull = openPr(repo, origin, 30, (r) => r.server('io.github.acme/weather', '1.1.0'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url };
  await expect(promisify(execFile)('npm', ['run', '-s', 'pr-bot', '--', '--repo', 'acme/registry', '--pr', '30', '--head-sha', pull.headSha, '--pr-tree', path.join(PROJECT, 'pr-tree'), '--git-remote', origin], { cwd: PROJECT, env }))
    .rejects.toMatchObject({ stderr: expect.stringContaining('--pr-tree must be outside this checkout') });
  expect(gh.requests).toEqual([]);
});
