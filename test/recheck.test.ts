// `/recheck`: the decision (recheck.ts) on its own, then `npm run pr-bot -- --recheck-comment` as pr-recheck.yml runs
// it, against the fake GitHub and a real git repository holding refs/pull/<n>/head: who is honoured, the hourly
// limit counted from the bot's own reactions, and an honoured recheck running the whole trusted check again.

import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canWrite, decideRecheck, honouredWithinHour, isRecheckCommand, refusalReply, type RecheckInput } from '../scripts/lib/github/recheck.ts';
import { COMMENT_MARKER } from '../scripts/lib/validate/report/pr-comment.ts';
import { startFakeGitHub, type FakeComment, type FakeGitHub, type FakePull } from './support/fake-github.ts';
import { Repo, tempDir } from './support/git-fixture.ts';
import { pullRequestFixture } from './support/pull-request-fixture.ts';
import { runScript } from './support/run-script.ts';

const PROJECT = path.resolve(import.meta.dirname, '..');
const NOW = '2026-06-01T12:00:00Z';
const minutesBefore = (m: number) => new Date(Date.parse(NOW) - m * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('isRecheckCommand', () => {
  it('is the first line, trimmed, and exactly /recheck', () => {
    for (const body of ['/recheck', '  /recheck  ', '/recheck\nthe package is on npm now', '\n\n /recheck\r\nthanks']) expect(isRecheckCommand(body), body).toBe(true);
    for (const body of ['/Recheck', '/recheck please', 'please /recheck', '> /recheck', '`/recheck`', '/rechecks', '', null, undefined]) expect(isRecheckCommand(body), String(body)).toBe(false);
  });
});

describe('canWrite', () => {
  it('reads GitHub\'s permission answer: admin, maintain and write can; triage, read and none cannot', () => {
    expect(canWrite({ permission: 'admin', role_name: 'admin' })).toBe(true);
    expect(canWrite({ permission: 'write', role_name: 'maintain' })).toBe(true);
    expect(canWrite({ permission: 'write', role_name: 'write' })).toBe(true);
    expect(canWrite({ permission: 'write', role_name: 'release-manager' })).toBe(true);
    expect(canWrite({ permission: 'read', role_name: 'triage' })).toBe(false);
    expect(canWrite({ permission: 'read', role_name: 'read' })).toBe(false);
    expect(canWrite({ permission: 'none', role_name: '' })).toBe(false);
    expect(canWrite(undefined)).toBe(false);
  });
});

describe('decideRecheck', () => {
  const base: RecheckInput = {
    body: '/recheck', commenter: 'alice', createdAt: NOW, commenterIsBot: false, pull: { state: 'open', author: 'Alice' },
    commenterCanWrite: false, earlierHonoured: [], perHour: 3,
  };

  it('runs for the author (logins without case) and for a maintainer', () => {
    expect(decideRecheck(base)).toEqual({ action: 'run', as: 'author' });
    expect(decideRecheck({ ...base, commenter: 'maint', commenterCanWrite: true })).toEqual({ action: 'run', as: 'maintainer' });
  });

  it('refuses a stranger, a closed PR and a registry that turned /recheck off; ignores other comments and bots', () => {
    expect(decideRecheck({ ...base, commenter: 'mallory' })).toEqual({ action: 'refuse', reason: 'stranger' });
    expect(decideRecheck({ ...base, pull: { state: 'closed', author: 'alice' } })).toEqual({ action: 'refuse', reason: 'closed' });
    expect(decideRecheck({ ...base, perHour: 0 })).toEqual({ action: 'refuse', reason: 'disabled' });
    expect(decideRecheck({ ...base, body: 'lgtm' })).toMatchObject({ action: 'ignore' });
    expect(decideRecheck({ ...base, commenter: 'github-actions[bot]', commenterIsBot: true, commenterCanWrite: true })).toMatchObject({ action: 'ignore' });
  });

  it('honours at most perHour in any rolling hour, and says when the next slot opens', () => {
    const three = [minutesBefore(50), minutesBefore(30), minutesBefore(10)];
    expect(decideRecheck({ ...base, earlierHonoured: three.slice(1) })).toMatchObject({ action: 'run' });
    expect(decideRecheck({ ...base, earlierHonoured: three })).toEqual({ action: 'refuse', reason: 'rate-limit', retryAfter: '2026-06-01T12:10:00.000Z' });
    // One that is an hour old no longer counts; a maintainer is held to the same limit.
    expect(decideRecheck({ ...base, earlierHonoured: [minutesBefore(60), ...three.slice(1)] })).toMatchObject({ action: 'run' });
    expect(decideRecheck({ ...base, commenter: 'maint', commenterCanWrite: true, earlierHonoured: three })).toMatchObject({ action: 'refuse', reason: 'rate-limit' });
    expect(honouredWithinHour(NOW, [minutesBefore(61), minutesBefore(59), '2026-06-01T12:00:01Z'])).toEqual([minutesBefore(59)]);
  });

  it('answers a refusal in a few words, with the time to retry in UTC', () => {
    expect(refusalReply({ action: 'refuse', reason: 'rate-limit', retryAfter: '2026-06-01T12:10:00.000Z' }, 3)).toContain('Try again after 2026-06-01 12:10:00 UTC');
    expect(refusalReply({ action: 'refuse', reason: 'stranger' }, 3)).toMatch(/author .* maintainers: nothing was re-run/);
  });
});

describe('npm run pr-bot -- --recheck-comment', () => {
  let gh: FakeGitHub;
  let work: string;
  let repo: Repo;
  let origin: string;

  beforeAll(() => {
    work = tempDir('recheck');
    // main with one published version, and PR #7 adding 1.1.0 under refs/pull/7/head, as GitHub keeps it.
    repo = Repo.init('recheck', 'entries');
    repo.server('io.github.acme/weather', '1.0.0').commit('2026-01-01T00:00:00Z');
    origin = repo.pushToBare(path.join(work, 'origin.git'));
    repo.git(['checkout', '--quiet', '-B', 'pr-7', 'main']);
    repo.server('io.github.acme/weather', '1.1.0').commit('2026-01-02T00:00:00Z');
    repo.git(['push', '--quiet', origin, 'HEAD:refs/pull/7/head']);
  });
  afterAll(() => {
    repo.cleanup();
    rmSync(work, { recursive: true, force: true });
  });
  beforeEach(async () => {
    gh = await startFakeGitHub();
  });
  afterEach(async () => {
    await gh.stop();
  });

  function openPr(): FakePull {
    return gh.addPull(7, {
      author: 'alice',
      headSha: repo.git(['rev-parse', 'pr-7']).trim(),
      baseSha: repo.git(['rev-parse', 'main']).trim(),
      files: [{ filename: 'entries/io.github.acme/weather/1.1.0/server.json', status: 'added' }],
    });
  }
  let nextId = 500;
  function comment(pull: FakePull, login: string, body = '/recheck', created_at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')): FakeComment {
    const c: FakeComment = { id: nextId++, body, user: { login, type: 'User' }, created_at };
    pull.comments.push(c);
    return c;
  }
  const recheck = (id: number, extra: string[] = []) => runScript('pr-bot.ts', [
    '--repo', `${gh.owner}/${gh.repo}`, '--recheck-comment', String(id), '--pr-tree', path.join(work, `tree-${Math.random().toString(36).slice(2)}`),
    '--git-remote', origin, '--run-url', 'https://github.com/acme/registry/actions/runs/9', ...extra,
  ], { cwd: PROJECT, env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url } });
  const botComment = (pull: FakePull) => pull.comments.find((c) => c.user.login === gh.botLogin && c.body.startsWith(COMMENT_MARKER));
  const reactionsOn = (c: FakeComment) => (gh.loop.reactions.get(c.id) ?? []).map((r) => `${r.user.login}:${r.content}`);

  it('the author\'s /recheck is honoured: a reaction, then the full trusted check of the PR\'s current head', async () => {
    const pull = openPr();
    const c = comment(pull, 'Alice', '/recheck\nThe package is published now.');
    const run = await recheck(c.id, ['--pr', '7']);
    expect(run, run.err).toMatchObject({ code: 0 });
    expect(run.out).toContain('/recheck by Alice (author) on #7');
    expect(reactionsOn(c)).toEqual([`${gh.botLogin}:eyes`]);
    expect(botComment(pull)?.body).toContain('<code>io.github.acme/weather</code> | <code>1.1.0</code>');
    expect([...pull.labels]).toEqual(['ready-to-merge']);
    // The author's own login needs no permission lookup; the head came from the API.
    expect(gh.requests.some((r) => r.path.includes('/collaborators/'))).toBe(false);
    expect(gh.unexpected).toEqual([]);
  }, 60_000);

  it('a maintainer\'s /recheck is honoured too', async () => {
    const pull = openPr();
    gh.loop.roles.set('maint', 'maintain');
    const c = comment(pull, 'maint');
    const run = await recheck(c.id);
    expect(run, run.err).toMatchObject({ code: 0 });
    expect(run.out).toContain('(maintainer)');
    expect(reactionsOn(c)).toEqual([`${gh.botLogin}:eyes`]);
    expect(botComment(pull)).toBeDefined();
    expect(gh.requests.filter((r) => r.path === '/repos/acme/registry/collaborators/maint/permission')).toHaveLength(1);
  }, 60_000);

  it('a stranger\'s /recheck (or a triager\'s, or an unknown login\'s) gets a short reply and re-runs nothing', async () => {
    const pull = openPr();
    gh.loop.roles.set('triager', 'triage');
    gh.loop.unknownUsers.add('ghost');
    for (const login of ['mallory', 'triager', 'ghost']) {
      gh.requests.length = 0;
      const c = comment(pull, login);
      const run = await recheck(c.id);
      expect(run, run.err).toMatchObject({ code: 0, out: expect.stringContaining('refused: stranger') });
      expect(reactionsOn(c)).toEqual([]);
      expect(gh.writes().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /repos/acme/registry/issues/7/comments']);
      expect(pull.comments.at(-1)!.body).toContain('nothing was re-run');
    }
    expect(botComment(pull)).toBeUndefined();
    expect(pull.labels.size).toBe(0);
    expect(gh.statuses).toEqual([]);
  }, 60_000);

  it('honours rechecksPerHour (3) per rolling hour, counted from the bot\'s reactions, not from anyone\'s comments', async () => {
    const pull = openPr();
    const ago = (m: number) => new Date(Date.now() - m * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // Earlier in the hour: two honoured /recheck comments of the author, one the bot refused (no reaction), one a
    // stranger decorated with the same reaction, and one of the bot's own replies quoting the command.
    const honoured1 = comment(pull, 'alice', '/recheck', ago(40));
    const honoured2 = comment(pull, 'alice', '/recheck', ago(40));
    comment(pull, 'alice', '/recheck', ago(40));
    const decorated = comment(pull, 'alice', '/recheck', ago(40));
    pull.comments.push({ id: nextId++, body: '/recheck was already honoured', user: { login: gh.botLogin, type: 'Bot' }, created_at: ago(40) });
    for (const c of [honoured1, honoured2]) gh.loop.reactions.set(c.id, [{ id: c.id, content: 'eyes', user: { login: gh.botLogin, type: 'Bot' }, created_at: ago(40) }]);
    gh.loop.reactions.set(decorated.id, [{ id: 1, content: 'eyes', user: { login: 'mallory', type: 'User' }, created_at: ago(40) }]);

    const third = comment(pull, 'alice');
    const run3 = await recheck(third.id);
    expect(run3, run3.err).toMatchObject({ code: 0 });
    expect(reactionsOn(third)).toEqual([`${gh.botLogin}:eyes`]);

    gh.requests.length = 0;
    const fourth = comment(pull, 'alice');
    const run4 = await recheck(fourth.id);
    expect(run4).toMatchObject({ code: 0, out: expect.stringContaining('refused: rate-limit') });
    expect(reactionsOn(fourth)).toEqual([]);
    expect(pull.comments.at(-1)!.body).toMatch(/already honoured 3 times .* in the last hour.* Try again after \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(gh.writes().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /repos/acme/registry/issues/7/comments']);
  }, 120_000);

  it('ignores a comment that does not start with /recheck, writing nothing and reading nothing else', async () => {
    const pull = openPr();
    for (const body of ['please /recheck', 'Thanks!\n/recheck']) {
      gh.requests.length = 0;
      const c = comment(pull, 'alice', body);
      const run = await recheck(c.id);
      expect(run).toMatchObject({ code: 0, out: expect.stringContaining('not a /recheck command') });
      expect(gh.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /repos/acme/registry/issues/comments/${c.id}`]);
    }
    expect(gh.writes()).toEqual([]);
  }, 60_000);

  it('the publisher\'s loop: a check fails on something outside the PR, the author fixes it, /recheck, and the PR merges itself', async () => {
    const fixture = pullRequestFixture(() => gh, work);
    try {
      const { repo, origin: registryOrigin } = fixture.registry();
      gh.merge.gitRemote = registryOrigin;
      const pull = fixture.openPr(repo, registryOrigin, 8, (r) => r.server('io.github.acme-org/weather', '1.0.0'), 'acme');
      gh.users.add('acme');
      // acme has not accepted the invitation to the organisation acme-org yet (like a package not yet on npm, or a
      // DNS record not yet set): the trusted check, as pr-comment.yml runs it, leaves the PR to its author.
      gh.orgs.set('acme-org', new Map([['acme', { role: 'admin', state: 'pending' }]]));
      await fixture.prBot(registryOrigin, 8, pull, undefined, ['--ownership', '--packages', '--merge']);
      expect(pull.state).toBe('open');
      expect([...pull.labels]).toContain('needs-author-feedback');

      expect(pull.comments[0]!.body).toContain('ownership-github-org-pending');
      gh.orgs.get('acme-org')!.set('acme', { role: 'admin', state: 'active' });
      const c = comment(pull, 'acme');
      const run = await runScript('pr-bot.ts', [
        '--repo', `${gh.owner}/${gh.repo}`, '--pr', '8', '--recheck-comment', String(c.id), '--pr-tree', path.join(work, `tree-${Math.random().toString(36).slice(2)}`),
        '--git-remote', registryOrigin, '--packages', '--ownership', '--merge',
      ], { cwd: PROJECT, env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url } });
      expect(run, run.err).toMatchObject({ code: 0, out: expect.stringContaining('PR #8: merged as') });
      expect(reactionsOn(c)).toEqual([`${gh.botLogin}:eyes`]);
      expect(pull.state).toBe('closed');
      expect(gh.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/pulls/8/merge')).map((r) => (r.body as { sha: string }).sha)).toEqual([pull.headSha]);
      expect(pull.labels.has('needs-author-feedback')).toBe(false);
      expect(gh.unexpected).toEqual([]);
    } finally {
      fixture.cleanup();
    }
  }, 120_000);

  it('refuses a comment that is not on the PR the event named, and takes no --head-sha', async () => {
    const pull = openPr();
    const c = comment(pull, 'alice');
    const wrong = await recheck(c.id, ['--pr', '8']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain(`comment ${c.id} is on #7, not on #8`);
    const sha = await recheck(c.id, ['--head-sha', 'a'.repeat(40)]);
    expect(sha).toMatchObject({ code: 2, err: expect.stringContaining('no --head-sha or --report') });
    expect(gh.writes()).toEqual([]);
  }, 60_000);
});
