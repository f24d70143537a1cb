// `npm run sync-pr`: the pull request a source's sync becomes (title and body), the commit made with real git in a
// temporary index, the force-push to a real bare repository, the pull request opened or updated on the GitHub
// stand-in, and the whole command end to end over a `file:` source.

import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createOctokit } from '../scripts/lib/github/pr-bot.ts';
import {
  closedUnmergedPullAt, codeSpan, commitSyncChanges, LIST_LIMIT, MAX_BODY_CHARS, openOrUpdateSyncPullRequest, pushBranch,
  remoteCommitWithSameChange, syncBranchName, syncPullBody, syncPullTitle,
} from '../scripts/lib/sync/pull-request.ts';
import type { SourceSummary } from '../scripts/lib/sync/types.ts';
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.ts';
import type { PublishedPull } from './support/fake-github-publish.ts';
import { git, gitEnv, Repo, serverJson, tempDir } from './support/git-fixture.ts';

const PROJECT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(PROJECT, 'node_modules', '.bin', 'tsx');
const AUTHOR = { name: 'Sync Bot', email: 'sync@example.com' };

// The code under test runs git with process.env: keep the machine's git configuration out of it.
const savedEnv = { ...process.env };
beforeAll(() => Object.assign(process.env, { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' }));
afterAll(() => {
  for (const key of ['GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM']) if (savedEnv[key] === undefined) delete process.env[key];
});

function summary(overrides: Partial<SourceSummary> = {}): SourceSummary {
  return {
    id: 'official', from: 'https://registry.modelcontextprotocol.io', mode: 'incremental', updatedSince: '2026-03-01T10:00:00Z',
    requests: 13, fetched: 1234, added: [], updated: [], statusChanged: [], removed: [], skippedByPolicy: 0, conflicts: [],
    problems: [], files: [], ...overrides,
  };
}

describe('title and body', () => {
  const realistic = summary({
    added: Array.from({ length: 150 }, (_, i) => ({ name: `io.github.acme/server-${String(i).padStart(3, '0')}`, version: '1.0.0' })),
    updated: [{ name: 'io.github.acme/weather', version: '2.1.0' }, { name: 'io.github.acme/maps', version: '0.3.0' }],
    statusChanged: [{ name: 'io.github.old/thing', version: '0.9.0', from: 'active', to: 'deprecated' }],
    removed: [{ name: 'com.example/tracker', version: '1.0.0' }],
    skippedByPolicy: 40,
    conflicts: [{ name: 'io.github.acme/local-one', reason: 'a local entry of the same name' }],
    problems: [{ code: 'sync-version-invalid', severity: 'error', file: 'https://registry.modelcontextprotocol.io', jsonPath: '/servers/7', message: 'version "../x" is no folder name', hint: 'Ask the publisher to use a plain version.' }],
  });

  it('titles the pull request with the version changes', () => {
    expect(syncPullTitle(realistic)).toBe('Sync official: 150 added, 2 updated, 1 status change, 1 removed by policy');
    expect(syncPullTitle(summary({ statusChanged: realistic.statusChanged.concat(realistic.statusChanged) }))).toBe('Sync official: 2 status changes');
    expect(syncPullTitle(summary())).toBe('Sync official: no version changes');
    expect(syncBranchName('official')).toBe('sync/official');
  });

  it('gives the counts, the versions (capped), conflicts with reasons and problems with fixes', () => {
    const body = syncPullBody(realistic);
    expect(body).toContain('Mirrors source `official` (`https://registry.modelcontextprotocol.io`) into this registry: an incremental read of what changed since `2026-03-01T10:00:00Z`, 1,234 server versions fetched in 13 requests.');
    expect(body).toContain('| Added | Updated | Status changed | Removed by policy | Skipped by policy | Conflicts | Problems |\n|---:|---:|---:|---:|---:|---:|---:|\n| 150 | 2 | 1 | 1 | 40 | 1 | 1 |');
    expect(body).toContain('### Added (150)\n\n| Server | Version |\n|---|---|\n| `io.github.acme/server-000` | `1.0.0` |');
    expect(body).toContain(`| \`io.github.acme/server-${String(LIST_LIMIT - 1).padStart(3, '0')}\` | \`1.0.0\` |`);
    expect(body).not.toContain(`server-${LIST_LIMIT}\``);
    expect(body).toContain('…and 50 more.');
    expect(body).toContain('### Updated (2)');
    expect(body).toContain('| `io.github.old/thing` | `0.9.0` | active | **deprecated** |');
    expect(body).toContain('### Removed by policy (1)');
    expect(body).toContain('| `com.example/tracker` | `1.0.0` |');
    expect(body).toContain('| `io.github.acme/local-one` | a local entry of the same name |');
    expect(body).toContain('- **error** `sync-version-invalid` in `https://registry.modelcontextprotocol.io` at `/servers/7`: version "../x" is no folder name\n  Fix: Ask the publisher to use a plain version.');
    expect(body).toContain('`sync/official`');
    expect(body).toContain('`deny` rule');
  });

  it('leaves out empty sections, and says when a read was full', () => {
    const body = syncPullBody(summary({ mode: 'full', updatedSince: undefined, added: [{ name: 'a.b/c', version: '1' }] }));
    expect(body).toContain('into this registry: a full read, 1,234 server versions');
    for (const heading of ['Updated', 'Status changed', 'Removed by policy', 'Conflicts', 'Problems']) expect(body).not.toContain(`### ${heading}`);
  });

  it('keeps upstream text from mentioning, linking, embedding or breaking the tables', () => {
    const body = syncPullBody(summary({
      added: [{ name: 'io.github.x/y', version: '1.0.0|`evil`' }],
      conflicts: [{ name: 'io.github.x/z', reason: 'hello @octocat <img src=x> [click](https://evil.example) | cell' }],
    }));
    expect(body).toContain('| `io.github.x/y` | `` 1.0.0\\|`evil` `` |');
    expect(body).toContain('hello @\u200boctocat \\<img src=x\\> \\[click\\](https://evil.example) \\| cell');
    expect(codeSpan('`a`')).toBe('`` `a` ``');
  });

  it('cuts a body longer than GitHub takes', () => {
    const long = 'x'.repeat(1000);
    const body = syncPullBody(summary({ problems: Array.from({ length: 500 }, () => ({ code: 'c', severity: 'error' as const, message: long, hint: long })) }));
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_CHARS + 200);
    expect(body).toContain("…(cut to fit GitHub's limit");
  });
});

describe('commitSyncChanges and pushBranch (real git)', () => {
  let repo: Repo;
  const files = ['entries/io.github.acme/new/1.0.0/server.json', 'entries/io.github.acme/kept/1.0.0/server.json', 'entries/io.github.acme/gone/1.0.0/server.json'];

  beforeAll(() => {
    repo = Repo.init('sync-commit');
    repo.write('entries/io.github.acme/kept/1.0.0/server.json', serverJson('io.github.acme/kept', '1.0.0'));
    repo.write('entries/io.github.acme/gone/1.0.0/server.json', serverJson('io.github.acme/gone', '1.0.0'));
    repo.write('README.md', '# registry\n');
    repo.commit('2026-01-01T00:00:00Z', 'base');
  });
  afterAll(() => repo.cleanup());
  afterEach(() => {
    repo.git(['reset', '--quiet', '--hard', 'HEAD']);
    repo.git(['clean', '-fdq']);
  });

  function change(): void {
    repo.write(files[0]!, serverJson('io.github.acme/new', '1.0.0'));
    repo.write(files[1]!, serverJson('io.github.acme/kept', '1.0.0', { description: 'changed' }));
    repo.remove('entries/io.github.acme/gone');
    repo.write('README.md', '# not the sync’s\n'); // changed, but not named: stays out of the commit
  }

  it('commits exactly the named files (added, modified, deleted) on the branch and leaves base checked out', async () => {
    change();
    const base = repo.git(['rev-parse', 'HEAD']).trim();
    const made = await commitSyncChanges(repo.root, { branch: 'sync/official', base: 'main', files: [...files, 'entries/io.github.acme/written-then-removed/1/server.json'], message: 'Sync official: 1 added', author: AUTHOR });
    expect(made?.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(repo.git(['rev-parse', 'sync/official']).trim()).toBe(made!.commit);
    expect(repo.git(['diff', '--no-renames', '--name-status', 'main', 'sync/official']).trim().split('\n').sort()).toEqual([
      `A\t${files[0]}`, `D\t${files[2]}`, `M\t${files[1]}`,
    ]);
    expect(repo.git(['show', '-s', '--format=%P|%an <%ae>|%cn|%s', made!.commit]).trim()).toBe(`${base}|Sync Bot <sync@example.com>|Sync Bot|Sync official: 1 added`);
    // HEAD, index and working tree untouched: still on main, nothing staged, the sync's files still there.
    expect(repo.git(['symbolic-ref', '--short', 'HEAD']).trim()).toBe('main');
    expect(repo.git(['rev-parse', 'HEAD']).trim()).toBe(base);
    expect(repo.git(['diff', '--cached', '--name-only']).trim()).toBe('');
    expect(existsSync(path.join(repo.root, files[0]!))).toBe(true);
    expect(readdirSync(path.join(repo.root, '.git')).filter((f) => f.startsWith('sync-pr-index'))).toEqual([]);
  });

  it('moves an existing branch to a new commit on top of base', async () => {
    repo.write(files[0]!, serverJson('io.github.acme/new', '2.0.0'));
    const made = await commitSyncChanges(repo.root, { branch: 'sync/official', base: 'main', files: [files[0]!], message: 'again', author: AUTHOR });
    expect(repo.git(['rev-parse', 'sync/official^']).trim()).toBe(repo.git(['rev-parse', 'main']).trim());
    expect(repo.git(['rev-parse', 'sync/official']).trim()).toBe(made!.commit);
    expect(repo.git(['diff', '--name-only', 'main', 'sync/official']).trim()).toBe(files[0]);
  });

  it('commits nothing when the named files do not differ from base', async () => {
    repo.write('README.md', 'unrelated\n');
    expect(await commitSyncChanges(repo.root, { branch: 'sync/nothing', base: 'main', files: [files[1]!], message: 'x', author: AUTHOR })).toBeUndefined();
    expect(await commitSyncChanges(repo.root, { branch: 'sync/nothing', base: 'main', files: [], message: 'x', author: AUTHOR })).toBeUndefined();
    expect(() => repo.git(['rev-parse', '--verify', '--quiet', 'refs/heads/sync/nothing'])).toThrow();
  });

  it('refuses to commit when base is not what is checked out', async () => {
    await expect(commitSyncChanges(repo.root, { branch: 'sync/x', base: 'develop', files, message: 'x', author: AUTHOR })).rejects.toThrow(/expected develop to be checked out/);
  });

  it('force-pushes the branch to a bare remote, and tells the same change already there from a new one', async () => {
    const bare = tempDir('sync-bare');
    onTestFinished(() => rmSync(bare, { recursive: true, force: true }));
    git(bare, ['init', '--quiet', '--bare', '--initial-branch=main']);
    repo.git(['remote', 'add', 'origin', bare]);
    repo.git(['push', '--quiet', 'origin', 'main']);

    change();
    const first = (await commitSyncChanges(repo.root, { branch: 'sync/official', base: 'main', files, message: 'first', author: AUTHOR }))!.commit;
    expect(await remoteCommitWithSameChange(repo.root, 'origin', 'sync/official', first)).toBeUndefined();
    await pushBranch(repo.root, 'origin', 'sync/official');
    expect(git(bare, ['rev-parse', 'refs/heads/sync/official']).trim()).toBe(first);

    // The same files again (another message, so another commit): the remote already has this change.
    const same = (await commitSyncChanges(repo.root, { branch: 'sync/official', base: 'main', files, message: 'same change', author: AUTHOR }))!.commit;
    expect(same).not.toBe(first);
    expect(await remoteCommitWithSameChange(repo.root, 'origin', 'sync/official', same)).toBe(first);

    // A different change is not the same, and replaces the branch although it does not fast-forward.
    const other = (await commitSyncChanges(repo.root, { branch: 'sync/official', base: 'main', files: [files[0]!], message: 'other', author: AUTHOR }))!.commit;
    expect(await remoteCommitWithSameChange(repo.root, 'origin', 'sync/official', other)).toBeUndefined();
    await pushBranch(repo.root, 'origin', 'sync/official');
    expect(git(bare, ['rev-parse', 'refs/heads/sync/official']).trim()).toBe(other);
  });
});


describe('openOrUpdateSyncPullRequest (GitHub stand-in)', () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await startFakeGitHub();
    const registry = github.publish.repositories.get('acme/registry')!;
    registry.refs.set('refs/heads/sync/official', registry.refs.get('refs/heads/main')!);
  });
  afterAll(() => github.stop());

  const octokit = () => createOctokit({ token: github.token, baseUrl: github.url, log: () => {} });
  const open = (title: string, body = `${title} body`) =>
    openOrUpdateSyncPullRequest({ octokit: octokit(), owner: 'acme', repo: 'registry', base: 'main', branch: 'sync/official', title, body });
  const pull = (n: number) => github.pulls.get(n) as ReturnType<FakeGitHub['pulls']['get']> & PublishedPull;

  it('opens the pull request, then updates that same one in place while it is open', async () => {
    const first = await open('Sync official: 1 added');
    expect(first).toEqual({ number: 1, url: 'https://github.com/acme/registry/pull/1', created: true });
    expect(pull(1)).toMatchObject({ title: 'Sync official: 1 added', body: 'Sync official: 1 added body', headLabel: 'acme:sync/official', baseRef: 'main', state: 'open' });

    const second = await open('Sync official: 2 added');
    expect(second).toEqual({ number: 1, url: 'https://github.com/acme/registry/pull/1', created: false });
    expect(github.pulls.size).toBe(1);
    expect(pull(1)).toMatchObject({ title: 'Sync official: 2 added', body: 'Sync official: 2 added body' });
    expect(await open('Sync official: 2 added')).toMatchObject({ number: 1, created: false });
    expect(github.writes().map((r) => `${r.method} ${r.path}`), 'no edit that changes nothing').toEqual(['POST /repos/acme/registry/pulls', 'PATCH /repos/acme/registry/pulls/1']);
    expect(github.requests.filter((r) => r.method === 'GET').every((r) => r.query.head === 'acme:sync/official' && r.query.state === 'open')).toBe(true);
  });

  it('opens a new pull request once the earlier one is merged or closed', async () => {
    Object.assign(pull(1), { state: 'closed', merged: true });
    expect(await open('Sync official: 3 added')).toMatchObject({ number: 2, created: true });
    Object.assign(pull(2), { state: 'closed' });
    expect(await open('Sync official: 4 added')).toMatchObject({ number: 3, created: true });
    expect(pull(3).title).toBe('Sync official: 4 added');
    expect(github.unexpected).toEqual([]);
  });

  it('finds a pull request closed without merging at the same commit, and only that', async () => {
    Object.assign(pull(3), { state: 'closed', headSha: 'c'.repeat(40) });
    const look = (headSha: string) => closedUnmergedPullAt({ octokit: octokit(), owner: 'acme', repo: 'registry', branch: 'sync/official', headSha });
    expect(await look('c'.repeat(40))).toEqual({ number: 3, url: 'https://github.com/acme/registry/pull/3' });
    expect(await look('d'.repeat(40))).toBeUndefined();
    Object.assign(pull(3), { merged: true });
    expect(await look('c'.repeat(40))).toBeUndefined();
  });
});

describe('npm run sync-pr (end to end: a file source, a bare remote, the GitHub stand-in)', () => {
  let repo: Repo;
  let bare: string;
  let github: FakeGitHub;
  const upstream: Array<{ name: string; version: string; status?: string }> = [];

  function writeUpstream(): void {
    const servers = upstream.map((v, i) => {
      const at = `2026-02-0${1 + (i % 9)}T12:00:00Z`;
      return {
        server: JSON.parse(serverJson(v.name, v.version)) as Record<string, unknown>,
        _meta: { 'io.modelcontextprotocol.registry/official': { status: v.status ?? 'active', statusChangedAt: at, publishedAt: at, updatedAt: at, isLatest: true } },
      };
    });
    writeFileSync(path.join(repo.root, 'upstream', 'servers.json'), JSON.stringify({ servers, metadata: { count: servers.length } }, null, 2) + '\n');
  }

  /** Changes the upstream file on main, as a maintainer would, and publishes main to the remote. */
  function publishUpstream(...versions: typeof upstream): void {
    upstream.push(...versions);
    writeUpstream();
    repo.commit('2026-02-10T00:00:00Z', 'upstream file');
    repo.git(['push', '--quiet', 'origin', 'main']);
  }

  function syncPr(args: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...gitEnv(), GITHUB_TOKEN: github.token, GITHUB_REPOSITORY: 'acme/registry', GITHUB_API_URL: github.url, GITHUB_STEP_SUMMARY: '', ...extraEnv };
    for (const key of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL']) delete env[key];
    return new Promise((resolve) => {
      execFile(TSX, [path.join(PROJECT, 'scripts', 'sync-pr.ts'), ...args], { cwd: repo.root, env, encoding: 'utf8' }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  const pushed = () => git(bare, ['rev-parse', 'refs/heads/sync/mirror']).trim();
  const pull = (n: number) => github.pulls.get(n) as ReturnType<FakeGitHub['pulls']['get']> & PublishedPull;
  const clean = () => {
    expect(repo.git(['status', '--porcelain']).trim()).toBe('');
    expect(repo.git(['symbolic-ref', '--short', 'HEAD']).trim()).toBe('main');
  };

  beforeAll(async () => {
    repo = Repo.init('sync-pr-e2e');
    repo.write('registry.yaml', 'sources:\n  - id: mirror\n    file: upstream/servers.json\npolicy:\n  deny:\n    - namespace: com.blocked\n');
    repo.write('entries/io.github.local/own/1.0.0/server.json', serverJson('io.github.local/own', '1.0.0'));
    repo.write('upstream/servers.json', '{"servers": []}\n');
    repo.commit('2026-01-01T00:00:00Z', 'base');
    bare = tempDir('sync-pr-remote');
    git(bare, ['init', '--quiet', '--bare', '--initial-branch=main']);
    repo.git(['remote', 'add', 'origin', bare]);
    github = await startFakeGitHub();
    github.publish.gitRemote = bare;
    publishUpstream({ name: 'io.github.up/alpha', version: '1.0.0' }, { name: 'io.github.up/beta', version: '2.0.0' }, { name: 'com.blocked/thing', version: '1.0.0' });
  });
  afterAll(async () => {
    await github?.stop();
    repo?.cleanup();
    if (bare) rmSync(bare, { recursive: true, force: true });
  });

  it('pushes sync/<id> and opens its pull request, leaving the checkout clean on main', async () => {
    const stepSummary = path.join(bare, 'step-summary.md');
    const run = await syncPr([], { GITHUB_STEP_SUMMARY: stepSummary });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('mirror: 2 added → opened pull request #1 https://github.com/acme/registry/pull/1\n');
    expect(run.code).toBe(0);
    clean();
    const files = git(bare, ['diff', '--no-renames', '--name-status', 'main', 'sync/mirror']).trim().split('\n');
    expect(files).toEqual(expect.arrayContaining([
      'A\tentries/io.github.up/alpha/1.0.0/server.json', 'A\tentries/io.github.up/beta/2.0.0/server.json',
    ]));
    expect(files.join('\n')).not.toContain('com.blocked');
    expect(git(bare, ['rev-parse', 'sync/mirror^']).trim()).toBe(git(bare, ['rev-parse', 'main']).trim());
    expect(git(bare, ['show', '-s', '--format=%an <%ae>', 'sync/mirror']).trim()).toBe('github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>');
    expect(pull(1)).toMatchObject({ title: 'Sync mirror: 2 added', headRef: 'sync/mirror', baseRef: 'main', state: 'open' });
    expect(pull(1).body).toContain('| `io.github.up/alpha` | `1.0.0` |');
    expect(pull(1).body).toMatch(/\| 2 \| 0 \| 0 \| 0 \| 1 \| 0 \| 0 \|/);
    expect(readFileSync(stepSummary, 'utf8')).toBe(`## Sync mirror: 2 added\n\n${pull(1).body}\n`);
  });

  it('run again with nothing new: no push, the same pull request', async () => {
    const before = pushed();
    const run = await syncPr();
    expect(run.stdout).toBe('mirror: 2 added → updated pull request #1 https://github.com/acme/registry/pull/1\n');
    expect(pushed()).toBe(before);
    expect(github.pulls.size).toBe(1);
    clean();
  });

  it('a new upstream version moves the branch and updates the open pull request in place', async () => {
    publishUpstream({ name: 'io.github.up/gamma', version: '0.1.0' });
    const run = await syncPr(['--source', 'mirror']);
    expect(run.stdout).toBe('mirror: 3 added → updated pull request #1 https://github.com/acme/registry/pull/1\n');
    expect(git(bare, ['show', '--format=', '--name-only', 'sync/mirror']).trim().split('\n')).toContain('entries/io.github.up/gamma/0.1.0/server.json');
    expect(pull(1).title).toBe('Sync mirror: 3 added');
    expect(github.pulls.size).toBe(1);
    clean();
  });

  it('does not reopen a pull request the reviewers closed, while the change stays the same', async () => {
    Object.assign(pull(1), { state: 'closed', headSha: pushed() });
    const run = await syncPr();
    expect(run.stdout).toBe('mirror: 3 added → unchanged since pull request #1 was closed without merging; not reopened (https://github.com/acme/registry/pull/1)\n');
    expect(github.pulls.size).toBe(1);
  });

  it('after a merge, the next change set opens a new pull request with only what is new', async () => {
    // The reviewers reopen and merge #1.
    repo.git(['merge', '--quiet', '--ff-only', 'sync/mirror']);
    repo.git(['push', '--quiet', 'origin', 'main']);
    Object.assign(pull(1), { state: 'closed', merged: true, headSha: pushed() });
    expect((await syncPr()).stdout).toBe('mirror: up to date (4 fetched)\n');

    publishUpstream({ name: 'io.github.up/alpha', version: '1.1.0' });
    const run = await syncPr();
    expect(run.stdout).toBe('mirror: 1 added → opened pull request #2 https://github.com/acme/registry/pull/2\n');
    expect(git(bare, ['diff', '--name-only', 'main', 'sync/mirror']).trim().split('\n').filter((f) => f.endsWith('server.json'))).toEqual(['entries/io.github.up/alpha/1.1.0/server.json']);
    expect(pull(2).title).toBe('Sync mirror: 1 added');
    clean();
  });

  it('reports a source that fails, goes on with the others, and exits 1', async () => {
    repo.write('registry.yaml', 'sources:\n  - id: broken\n    file: upstream/missing.json\n  - id: mirror\n    file: upstream/servers.json\npolicy:\n  deny:\n    - namespace: com.blocked\n');
    repo.commit('2026-02-11T00:00:00Z', 'a second source');
    repo.git(['push', '--quiet', 'origin', 'main']);
    const run = await syncPr();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('broken: failed: \nerror sync-source-file: upstream/missing.json');
    expect(run.stdout).toBe('mirror: 1 added → updated pull request #2 https://github.com/acme/registry/pull/2\n');
    clean();
  });

  it('refuses a dirty working tree and an unknown source, touching nothing', async () => {
    repo.write('notes.txt', 'mine\n');
    const dirty = await syncPr();
    expect(dirty.code).toBe(2);
    expect(dirty.stderr).toContain('the working tree has changes or untracked files');
    expect(readFileSync(path.join(repo.root, 'notes.txt'), 'utf8')).toBe('mine\n');
    repo.remove('notes.txt');
    const unknown = await syncPr(['--source', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no source "nope" in registry.yaml (configured: broken, mirror)');
  });
});
