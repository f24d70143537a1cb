// Closing stale failing pull requests: the rules (stale.ts) on their own, then `npm run close-stale` as
// stale-prs.yml runs it, against the fake GitHub.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closingComment, isStale, lastPush, STALE_LABEL } from '../scripts/lib/github/stale.ts';
import { LABELS } from '../scripts/lib/validate/report/labels.ts';
import { startFakeGitHub, type FakeGitHub, type FakePull } from './support/fake-github.ts';
import { runScript } from './support/run-script.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-06-30T00:00:00Z');

describe('the rules', () => {
  it('last push: the head commit\'s committer date, never before the PR was opened, and no date from the future', () => {
    expect(lastPush('2026-06-01T00:00:00Z', '2026-05-01T00:00:00Z', NOW).toISOString()).toBe('2026-06-01T00:00:00.000Z');
    // An old branch opened as a PR today is as fresh as the PR.
    expect(lastPush('2025-01-01T00:00:00Z', '2026-06-20T00:00:00Z', NOW).toISOString()).toBe('2026-06-20T00:00:00.000Z');
    // A committer date in the future (anyone can write one) counts as none.
    expect(lastPush('2099-01-01T00:00:00Z', '2026-05-01T00:00:00Z', NOW).toISOString()).toBe('2026-05-01T00:00:00.000Z');
    expect(lastPush(undefined, '2026-05-01T00:00:00Z', NOW).toISOString()).toBe('2026-05-01T00:00:00.000Z');
  });

  it('stale after more than closeAfterDays; 0 is never', () => {
    expect(isStale(new Date(NOW.getTime() - 15 * DAY), NOW, 14)).toBe(true);
    expect(isStale(new Date(NOW.getTime() - 14 * DAY), NOW, 14)).toBe(false);
    expect(isStale(new Date(0), NOW, 0)).toBe(false);
  });

  it('the comment says what happened and how to carry on, with links', () => {
    const text = closingComment({ closeAfterDays: 14, pushed: new Date('2026-06-01T00:00:00Z'), filesUrl: 'https://github.com/acme/registry/blob/HEAD/' });
    expect(text).toContain('more than 14 days (the last commit is from 2026-06-01)');
    expect(text).toContain('push a fix to the branch and reopen this pull request');
    expect(text).toContain('open a new pull request');
    expect(text).toContain('(https://github.com/acme/registry/blob/HEAD/docs/errors.md)');
    expect(text).toContain('(https://github.com/acme/registry/blob/HEAD/README.md#publishing-a-server)');
  });

  it('the label exists for the bot to create, with the description the bot shows', () => {
    expect(LABELS[STALE_LABEL]).toMatchObject({ name: STALE_LABEL, description: 'Checks failed: the author must push a fix or comment /recheck' });
  });
});

describe('npm run close-stale', () => {
  let gh: FakeGitHub;
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'stale-prs-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  beforeEach(async () => {
    gh = await startFakeGitHub();
  });
  afterEach(async () => {
    await gh.stop();
  });

  const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z');
  /** A PR opened 60 days ago whose head commit was made `pushedDaysAgo` days ago. */
  function pr(n: number, pushedDaysAgo: number, labels: string[] = [STALE_LABEL]): FakePull {
    const headSha = n.toString(16).padStart(40, 'c');
    gh.loop.commits.set(headSha, { committerDate: daysAgo(pushedDaysAgo), authorDate: daysAgo(400) });
    return gh.addPull(n, { headSha, labels: new Set(labels), createdAt: daysAgo(60) });
  }
  function config(closeAfterDays: number): string {
    const file = path.join(work, `registry-${closeAfterDays}.yaml`);
    writeFileSync(file, `pullRequests:\n  closeAfterDays: ${closeAfterDays}\n`);
    return file;
  }
  const closeStale = (args: string[]) => runScript('close-stale.ts', ['--repo', `${gh.owner}/${gh.repo}`, ...args], {
    cwd: work, env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url },
  });

  it('closes an old failing PR with a comment; keeps a recent one and one without the label', async () => {
    gh.maxPageSize = 1;
    const old = pr(1, 20, [STALE_LABEL, 'invalid-schema']);
    const recent = pr(2, 3);
    const unlabelled = pr(3, 90, ['invalid-schema']);
    const closedAlready = pr(4, 90);
    closedAlready.state = 'closed';
    const run = await closeStale(['--config', config(14), '--files-url', 'https://github.com/acme/registry/blob/main']);
    expect(run, run.err).toMatchObject({ code: 0, out: expect.stringContaining('closed 1 pull request (#1); kept 1 labelled needs-author-feedback') });
    expect(old.state).toBe('closed');
    expect(old.comments).toHaveLength(1);
    expect(old.comments[0]!.body).toContain('nothing has been pushed to it for more than 14 days');
    expect(old.comments[0]!.body).toContain('https://github.com/acme/registry/blob/main/docs/errors.md');
    for (const kept of [recent, unlabelled]) {
      expect(kept.state).toBe('open');
      expect(kept.comments).toEqual([]);
    }
    // The comment first, so the PR never sits closed without saying why.
    expect(gh.writes().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /repos/acme/registry/issues/1/comments', 'PATCH /repos/acme/registry/pulls/1']);
    expect(gh.writes()[1]!.body).toEqual({ state: 'closed' });
    // The label filter is GitHub's, and its pages were all read.
    expect(gh.requests.filter((r) => r.path === '/repos/acme/registry/issues').map((r) => [r.query.labels, r.query.state, r.query.page ?? '1'])).toEqual([
      [STALE_LABEL, 'open', '1'], [STALE_LABEL, 'open', '2'],
    ]);
    expect(gh.unexpected).toEqual([]);
  }, 60_000);

  it('closes nothing, and asks GitHub nothing, when closeAfterDays is 0', async () => {
    const old = pr(1, 300);
    const run = await closeStale(['--config', config(0)]);
    expect(run).toMatchObject({ code: 0, out: expect.stringContaining('closed 0 pull requests') });
    expect(old.state).toBe('open');
    expect(gh.requests).toEqual([]);
  }, 60_000);

  it('--dry-run names what it would close and writes nothing', async () => {
    const old = pr(1, 20);
    pr(2, 1);
    const run = await closeStale(['--config', config(14), '--dry-run']);
    expect(run).toMatchObject({ code: 0, out: expect.stringContaining('would close 1 pull request (#1)') });
    expect(run.out).toContain('would close #1: failing, last push');
    expect(old.state).toBe('open');
    expect(gh.writes()).toEqual([]);
  }, 60_000);

  it('uses the repository\'s registry.yaml defaults (14 days) when it sets nothing, and refuses a broken one', async () => {
    const old = pr(1, 15);
    const keep = pr(2, 13);
    const defaults = path.join(work, 'empty.yaml');
    writeFileSync(defaults, 'sources: []\n');
    expect(await closeStale(['--config', defaults])).toMatchObject({ code: 0 });
    expect([old.state, keep.state]).toEqual(['closed', 'open']);
    const broken = path.join(work, 'broken.yaml');
    writeFileSync(broken, 'pullRequests:\n  closeAfterDays: soon\n');
    expect(await closeStale(['--config', broken])).toMatchObject({ code: 1, err: expect.stringContaining('closeAfterDays must be a whole number') });
  }, 60_000);
});
