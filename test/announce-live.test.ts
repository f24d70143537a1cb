// `npm run announce-live` as the deploy workflows run it: a real git checkout, a real build served by the project's
// Node server behind a host that is still deploying (404 first, then the new build), and the GitHub stand-in. The
// comment says when each version a merged pull request added answered, measured from the merge; a version that
// never answers gets the not-live comment with the run's link; a commit that is no merge does nothing; a re-run
// edits the one comment and keeps the first time seen.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { startRegistryServer, type RunningServer } from '../scripts/lib/serve/node-server.ts';
import { liveMarker, readLiveRecords } from '../scripts/lib/github/announce-live.ts';
import { liveUrl } from '../scripts/lib/deploy/wait-live.ts';
import { OFFICIAL_META_KEY } from '../scripts/lib/model.ts';
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.ts';
import { startDeployingHost, type DeployingHost } from './support/deploying-host.ts';
import { git, Repo, tempDir } from './support/git-fixture.ts';
import { createOctokit } from '../scripts/lib/github/pr-bot.ts';
import { runScript } from './support/run-script.ts';

const RUN_URL = 'https://github.com/acme/registry/actions/runs/42';
const WEATHER = 'entries/io.github.acme/weather/1.0.0/server.json';

let repo: Repo;
let out: string;
/** The deployment of `direct`, and of `pr10` after it. */
let registry: RunningServer;
let registryAfter: RunningServer;
/**
 * The merges of PR 7 (weather 1.0.0), PR 8 (tools 2.0.0 and 2.1.0-beta.1, and base deprecated), a direct push, and
 * PR 10 (weather 1.0.0 deleted with a message, every tools version deprecated with one).
 */
const commits = { pr7: '', pr8: '', direct: '', pr10: '' };

beforeAll(async () => {
  repo = Repo.init('live', 'entries');
  repo.server('io.github.acme/base', '1.0.0').commit('2026-11-01T10:00:00Z', 'initial');
  repo.server('io.github.acme/weather', '1.0.0').commit('2026-11-02T10:00:00Z', 'Merge pull request #7');
  commits.pr7 = repo.git(['rev-parse', 'HEAD']).trim();
  repo.server('io.github.acme/tools', '2.0.0').server('io.github.acme/tools', '2.1.0-beta.1').status('io.github.acme/base', 'status: deprecated');
  repo.commit('2026-11-03T10:00:00Z', 'Merge pull request #8');
  commits.pr8 = repo.git(['rev-parse', 'HEAD']).trim();
  repo.write('../README.md', '# registry\n').commit('2026-11-04T10:00:00Z', 'direct push');
  commits.direct = repo.git(['rev-parse', 'HEAD']).trim();
  out = mkdtempSync(path.join(os.tmpdir(), 'msr-live-dist-'));
  await buildRegistry({ entriesDir: repo.entries, outDir: path.join(out, 'dist'), env: { SOURCE_DATE_EPOCH: '1764000000' } });
  registry = await startRegistryServer({ dir: path.join(out, 'dist'), port: 0 });
  repo.status('io.github.acme/weather', 'versions:\n  "1.0.0":\n    status: deleted\n    statusMessage: "withdrawn: use io.github.acme/tools"');
  repo.status('io.github.acme/tools', 'status: deprecated\nstatusMessage: "moved to io.github.acme/tools2"');
  repo.commit('2026-11-05T10:00:00Z', 'Merge pull request #10');
  commits.pr10 = repo.git(['rev-parse', 'HEAD']).trim();
  await buildRegistry({ entriesDir: repo.entries, outDir: path.join(out, 'dist-after'), env: { SOURCE_DATE_EPOCH: '1764000000' } });
  registryAfter = await startRegistryServer({ dir: path.join(out, 'dist-after'), port: 0 });
}, 120_000);
afterAll(async () => {
  await registry?.close();
  await registryAfter?.close();
  repo?.cleanup();
  rmSync(out, { recursive: true, force: true });
});

let gh: FakeGitHub;
let host: DeployingHost | undefined;
beforeEach(async () => {
  gh = await startFakeGitHub();
  gh.addPull(7, { state: 'closed', files: [{ filename: WEATHER, status: 'added' }] });
  gh.addPull(8, {
    state: 'closed',
    files: [
      { filename: 'entries/io.github.acme/tools/2.0.0/server.json', status: 'added' },
      { filename: 'entries/io.github.acme/tools/2.1.0-beta.1/server.json', status: 'added' },
      { filename: 'entries/io.github.acme/base/server.md', status: 'added' },
    ],
  });
  gh.addPull(9, { state: 'closed', files: [{ filename: 'README.md', status: 'modified' }] });
  gh.addPull(10, {
    state: 'closed',
    files: [
      { filename: 'entries/io.github.acme/tools/server.md', status: 'added' },
      { filename: 'entries/io.github.acme/weather/server.md', status: 'added' },
    ],
  });
});
afterEach(async () => {
  await gh.stop();
  await host?.stop();
  host = undefined;
});

function merged(pr: number, sha: string, secondsAgo: number): string {
  const mergedAt = new Date(Date.now() - secondsAgo * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  gh.live.merges.set(pr, { sha, mergedAt });
  return mergedAt;
}

function announce(sha: string, extra: string[] = []) {
  return runScript('announce-live.ts', ['--base-url', `${host!.url}/`, '--deployment', 'pages', '--interval', '0.05', '--timeout', '10', '--run-url', RUN_URL, ...extra], {
    cwd: repo.root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`, GITHUB_SHA: sha },
  });
}

const comments = (pr: number) => gh.pulls.get(pr)!.comments;

describe('announce-live', () => {
  it('comments once the new version answers 200 at its live URL, with the measured time from the merge', async () => {
    host = await startDeployingHost(registry.url, { pending: 6 });
    const mergedAt = merged(7, commits.pr7, 3);
    const started = Date.now();
    const run = await announce(commits.pr7);
    const ended = Date.now();
    expect(run, run.err).toMatchObject({ code: 0 });

    // The host answered 404 six times, then the real build: seven requests to the detail URL, no query, no-cache.
    expect(host.requests).toHaveLength(7);
    for (const r of host.requests) expect(r).toEqual({ method: 'GET', url: '/v0.1/servers/io.github.acme%2Fweather/versions/1.0.0', cacheControl: 'no-cache' });

    expect(comments(7)).toHaveLength(1);
    const body = comments(7)[0]!.body;
    expect(body.startsWith(`${liveMarker('pages')}\n`)).toBe(true);
    const url = liveUrl(host.url, 'io.github.acme/weather', '1.0.0');
    const m = new RegExp(`- Live: <code>io.github.acme/weather</code> <code>1.0.0</code>: <${url.replace(/[.?*+()[\]\\]/g, '\\$&')}> answered 200 at (\\S+), (\\d+) s after the merge \\(${mergedAt}\\)\\.`).exec(body);
    expect(m, body).not.toBeNull();
    const [record] = readLiveRecords(body, 'pages');
    expect(record).toEqual({ url, liveAt: expect.stringMatching(/^\S+\.\d{3}Z$/) });
    expect(m![1]).toBe(record!.liveAt.replace(/\.\d{3}Z$/, 'Z'));
    const liveAt = Date.parse(record!.liveAt);
    expect(liveAt).toBeGreaterThanOrEqual(started);
    expect(liveAt).toBeLessThanOrEqual(ended);
    expect(Number(m![2])).toBe(Math.round((liveAt - Date.parse(mergedAt)) / 1000));
    expect(Number(m![2])).toBeGreaterThanOrEqual(3);
    // Four GitHub calls: the commit's pull requests, the PR's files, its comments, the new comment.
    expect(gh.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /repos/acme/registry/commits/${commits.pr7}/pulls`,
      'GET /repos/acme/registry/pulls/7/files',
      'GET /repos/acme/registry/issues/7/comments',
      'POST /repos/acme/registry/issues/7/comments',
    ]);
    expect(gh.unexpected).toEqual([]);
  }, 60_000);

  it('announces every version a pull request added, and the status its status file set', async () => {
    host = await startDeployingHost(registry.url, { pending: 0 });
    merged(8, commits.pr8, 1);
    const run = await announce(commits.pr8);
    expect(run, run.err).toMatchObject({ code: 0 });
    expect(host.requests.map((r) => r.url).sort()).toEqual([
      '/v0.1/servers/io.github.acme%2Fbase/versions/1.0.0',
      '/v0.1/servers/io.github.acme%2Ftools/versions/2.0.0',
      '/v0.1/servers/io.github.acme%2Ftools/versions/2.1.0-beta.1',
    ]);
    const body = comments(8)[0]!.body;
    expect(body).toMatch(/- Live: <code>io.github.acme\/tools<\/code> <code>2.0.0<\/code>: .* answered 200 at /);
    expect(body).toMatch(/- Live: <code>io.github.acme\/tools<\/code> <code>2.1.0-beta.1<\/code>: .* answered 200 at /);
    expect(body).toMatch(/- Status live: <code>io.github.acme\/base<\/code> <code>1.0.0<\/code> <code>deprecated<\/code>: .* answered 200 with this status at /);
  }, 60_000);

  it('announces a status change (a deletion with a message, a deprecation) once the detail URLs show it', async () => {
    host = await startDeployingHost(registryAfter.url, { pending: 3, before: new URL(registry.url) });
    merged(10, commits.pr10, 1);
    const run = await announce(commits.pr10);
    expect(run, run.err).toMatchObject({ code: 0 });
    expect(new Set(host.requests.map((r) => r.url))).toEqual(new Set([
      '/v0.1/servers/io.github.acme%2Fweather/versions/1.0.0',
      '/v0.1/servers/io.github.acme%2Ftools/versions/2.0.0',
      '/v0.1/servers/io.github.acme%2Ftools/versions/2.1.0-beta.1',
    ]));
    expect(host.requests.length).toBeGreaterThan(3);
    const body = comments(10)[0]!.body;
    expect(body).toMatch(/- Status live: <code>io.github.acme\/weather<\/code> <code>1.0.0<\/code> <code>deleted<\/code> \(withdrawn: use io.github.acme\/tools\): <\S+> answered 404 \(deleted versions are hidden\) at \S+, \d+ s after the merge/);
    for (const version of ['2.0.0', '2.1.0-beta.1']) {
      expect(body).toContain(`- Status live: <code>io.github.acme/tools</code> <code>${version}</code> <code>deprecated</code> (moved to io.github.acme/tools2): `);
    }
  }, 60_000);

  it('says a status change is not live while the old deployment still answers', async () => {
    host = await startDeployingHost(registryAfter.url, { pending: Infinity, before: new URL(registry.url) });
    merged(10, commits.pr10, 1);
    const run = await announce(commits.pr10, ['--interval', '0.1', '--timeout', '0.5']);
    expect(run.code).toBe(1);
    expect(run.err).toContain('3 versions are not live');
    const body = comments(10)[0]!.body;
    expect(body).toContain('### Not live yet on <code>pages</code>');
    expect(body).toMatch(/- Status not live yet: <code>io.github.acme\/weather<\/code> <code>1.0.0<\/code> <code>deleted<\/code> .* did not answer 404 \(deleted versions are hidden\) within 1 s of the deployment \(last answer: <code>200, not 404<\/code>/);
    expect(body).toMatch(/- Status not live yet: <code>io.github.acme\/tools<\/code> <code>2.0.0<\/code> .* did not answer 200 with this status within 1 s of the deployment \(last answer: <code>200 with status active<\/code>/);
  }, 60_000);

  it('does not take a 200 that is not the version (a catch-all page) for live', async () => {
    host = await startDeployingHost(registry.url, { pending: 3, before: 'catch-all' });
    merged(7, commits.pr7, 1);
    const run = await announce(commits.pr7);
    expect(run, run.err).toMatchObject({ code: 0 });
    expect(host.requests).toHaveLength(4);
  }, 60_000);

  it('says a version is not live yet, with the last answer and the deployment run, when the timeout passes', async () => {
    host = await startDeployingHost(registry.url, { pending: Infinity });
    merged(7, commits.pr7, 1);
    const run = await announce(commits.pr7, ['--interval', '0.1', '--timeout', '1']);
    expect(run.code).toBe(1);
    expect(run.err).toContain('1 version is not live after 1 s');
    expect(host.requests.length).toBeGreaterThanOrEqual(5);
    expect(host.requests.length).toBeLessThanOrEqual(12);
    expect(comments(7)).toHaveLength(1);
    const body = comments(7)[0]!.body;
    expect(body).toContain('### Not live yet on <code>pages</code>');
    expect(body).toContain(`- Not live yet: <code>io.github.acme/weather</code> <code>1.0.0</code>: <${liveUrl(host.url, 'io.github.acme/weather', '1.0.0')}> did not answer 200 with this version within 1 s of the deployment (last answer: <code>404</code>, ${host.requests.length} attempts). See the deployment run: ${RUN_URL}`);
    expect(readLiveRecords(body, 'pages')).toEqual([]);
  }, 60_000);

  it('does nothing for a commit that is the merge of no pull request, or of one that changes no version', async () => {
    host = await startDeployingHost(registry.url, { pending: 0 });
    gh.live.commits.add(commits.direct);
    const direct = await announce(commits.direct);
    expect(direct, direct.err).toMatchObject({ code: 0 });
    expect(direct.out).toContain('is the merge of no pull request: nothing to announce');

    merged(9, commits.direct, 1);
    const statusOnly = await announce(commits.direct);
    expect(statusOnly, statusOnly.err).toMatchObject({ code: 0 });
    expect(statusOnly.out).toContain('PR #9 adds no version and changes no status: nothing to announce');
    expect(gh.writes()).toEqual([]);
    expect(host.requests).toEqual([]);
  }, 60_000);

  it('edits its one comment on a re-run, and keeps the time first seen once a version is live', async () => {
    host = await startDeployingHost(registry.url, { pending: Infinity });
    merged(7, commits.pr7, 2);
    // Someone else's comment that copies the marker and a forged record: neither edited nor believed.
    const forged = `${liveMarker('pages')}\n<!-- mcp-static-registry:live-records ${Buffer.from(JSON.stringify([{ url: liveUrl(host.url, 'io.github.acme/weather', '1.0.0'), liveAt: '2020-01-01T00:00:00.000Z' }])).toString('base64')} -->\nforged`;
    gh.pulls.get(7)!.comments.push({ id: 1, body: forged, user: { login: 'mallory', type: 'User' } });

    expect((await announce(commits.pr7, ['--interval', '0.1', '--timeout', '0.5'])).code).toBe(1);
    const mine = comments(7).filter((c) => c.user.login === gh.botLogin);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toContain('Not live yet');

    host.pending = 0; // the deployment reaches the host
    const second = await announce(commits.pr7);
    expect(second, second.err).toMatchObject({ code: 0 });
    expect(second.out).toContain(`comment ${mine[0]!.id} updated`);
    expect(comments(7)).toHaveLength(2);
    expect(comments(7)[0]!.body).toBe(forged);
    const liveBody = comments(7)[1]!.body;
    expect(liveBody).toContain('- Live: ');
    expect(liveBody).not.toContain('2020-01-01');

    // A third run (the workflow re-run) asks the host nothing and leaves the comment as it is.
    const asked = host.requests.length;
    const third = await announce(commits.pr7);
    expect(third, third.err).toMatchObject({ code: 0 });
    expect(third.out).toContain(`comment ${mine[0]!.id} unchanged`);
    expect(host.requests).toHaveLength(asked);
    expect(comments(7)[1]!.body).toBe(liveBody);

    // Another deployment (the Worker) writes a comment of its own.
    const worker = await announce(commits.pr7, ['--deployment', 'cloudflare']);
    expect(worker, worker.err).toMatchObject({ code: 0 });
    expect(comments(7)).toHaveLength(3);
    expect(comments(7)[2]!.body.startsWith(`${liveMarker('cloudflare')}\n`)).toBe(true);
  }, 60_000);

  it('checks at most 100 versions of a pull request that adds more (a sync), and counts the rest', async () => {
    const big = Repo.init('live-big', 'entries');
    try {
      const versions = Array.from({ length: 120 }, (_, i) => `1.0.${i}`);
      for (const v of versions) big.server('io.github.acme/many', v);
      big.commit('2026-11-06T10:00:00Z', 'Merge pull request #11');
      const sha = big.git(['rev-parse', 'HEAD']).trim();
      gh.addPull(11, { state: 'closed', files: versions.map((v) => ({ filename: `entries/io.github.acme/many/${v}/server.json`, status: 'added' })) });
      merged(11, sha, 1);
      // A host that has every version: its detail answer from the path.
      const asked = new Set<string>();
      const server = createServer((req, res) => {
        asked.add(req.url!);
        const [, name, version] = /^\/v0\.1\/servers\/([^/]+)\/versions\/([^/]+)$/.exec(req.url!)!;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ server: { name: decodeURIComponent(name!), version: decodeURIComponent(version!) }, _meta: { [OFFICIAL_META_KEY]: { status: 'active' } } }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const run = await runScript('announce-live.ts', ['--base-url', url, '--interval', '0.05', '--timeout', '10'], {
          cwd: big.root,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`, GITHUB_SHA: sha },
        });
        expect(run, run.err).toMatchObject({ code: 0 });
      } finally {
        await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      }
      expect(asked.size).toBe(100);
      const body = comments(11)[0]!.body;
      expect(body.match(/^- Live: /gm)).toHaveLength(100);
      expect(body).toContain('- Not checked: <code>20 more versions</code>');
      expect(body.length).toBeLessThan(65_536);
    } finally {
      big.cleanup();
    }
  }, 60_000);

  it('after the stand-in merges a pull request (a squash, as the bot merges), the deployment of the branch announces it', async () => {
    const work = tempDir('live-e2e');
    const publisher = Repo.init('live-e2e', 'entries');
    let deployed: RunningServer | undefined;
    try {
      const origin = path.join(work, 'registry.git');
      git(work, ['init', '--quiet', '--bare', origin]);
      publisher.server('io.github.acme/base', '1.0.0').commit('2026-11-01T10:00:00Z');
      publisher.git(['push', '--quiet', origin, 'main']);
      publisher.git(['checkout', '--quiet', '-b', 'publish']);
      publisher.server('io.github.octo/weather', '1.2.0').commit('2026-11-02T10:00:00Z');
      publisher.git(['push', '--quiet', origin, 'HEAD:refs/pull/12/head']);
      const head = publisher.git(['rev-parse', 'HEAD']).trim();
      gh.merge.gitRemote = origin;
      gh.addPull(12, { headSha: head, baseSha: git(origin, ['rev-parse', 'main']).trim(), author: 'octo', files: [{ filename: 'entries/io.github.octo/weather/1.2.0/server.json', status: 'added' }] });
      const { data: merge } = await createOctokit({ token: gh.token, baseUrl: gh.url }).rest.pulls.merge({ owner: gh.owner, repo: gh.repo, pull_number: 12, sha: head, merge_method: 'squash' });

      // The deployment: the merged branch checked out, built and served; the host reaches it after two requests.
      const checkout = path.join(work, 'checkout');
      git(work, ['clone', '--quiet', '--branch', 'main', origin, checkout]);
      expect(git(checkout, ['rev-parse', 'HEAD']).trim()).toBe(merge.sha);
      await buildRegistry({ entriesDir: path.join(checkout, 'entries'), outDir: path.join(work, 'dist') });
      deployed = await startRegistryServer({ dir: path.join(work, 'dist'), port: 0 });
      host = await startDeployingHost(deployed.url, { pending: 2 });
      const run = await runScript('announce-live.ts', ['--base-url', host.url, '--interval', '0.05', '--timeout', '10'], {
        cwd: checkout,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`, GITHUB_SHA: merge.sha },
      });
      expect(run, run.err).toMatchObject({ code: 0 });
      const mergedAt = gh.pulls.get(12)!.mergedAs!.at;
      const body = comments(12)[0]!.body;
      expect(body).toMatch(new RegExp(`- Live: <code>io.github.octo/weather</code> <code>1.2.0</code>: <${host.url}/v0.1/servers/io.github.octo%2Fweather/versions/1.2.0> answered 200 at \\S+, \\d+ s after the merge \\(${mergedAt}\\)\\.`));
      expect(host.requests).toHaveLength(3);
      console.log(`announce e2e: ${/(\d+) s after the merge/.exec(body)![1]} s from the merge (GitHub's merged_at, whole seconds) to the version answering, clone, build and 3 requests included`);
    } finally {
      await deployed?.close();
      publisher.cleanup();
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
