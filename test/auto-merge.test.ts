// The PR bot merges a pull request by itself only from its own checks (`npm run pr-bot -- --merge`, as pr-comment.yml
// runs it): a real base repository with refs/pull/<n>/head, the GitHub stand-in merging with real git, and the
// forgeries that must never merge.

import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub, type FakePull } from './support/fake-github.ts';
import { git, serverJson, tempDir } from './support/git-fixture.ts';
import { pullRequestFixture, type PullRequestFixture } from './support/pull-request-fixture.ts';

const TRUSTED = ['--ownership', '--packages', '--merge'];

let gh: FakeGitHub;
let work: string;
let fixture: PullRequestFixture;
let registry: PullRequestFixture['registry'], openPr: PullRequestFixture['openPr'], prBot: PullRequestFixture['prBot'];

beforeAll(() => {
  work = tempDir('auto-merge');
  fixture = pullRequestFixture(() => gh, work);
  ({ registry, openPr, prBot } = fixture);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeEach(async () => {
  gh = await startFakeGitHub();
  gh.users.add('acme');
  gh.users.add('mallory');
});
afterEach(async () => {
  await gh.stop();
  fixture.cleanup();
});

/** The registry pushed to a bare repository the stand-in merges into; the ownership check reads the base through the API. */
function mergingRegistry(prepare?: Parameters<PullRequestFixture['registry']>[0]) {
  const made = registry(prepare);
  gh.merge.gitRemote = made.origin;
  return made;
}

/** Files of the base as the contents API serves them, at the base commit. */
function serveBase(pull: FakePull, repo: { git(args: string[]): string }, files: string[]): void {
  for (const file of files) gh.contents.set(`${pull.baseSha}:${file}`, repo.git(['show', `${pull.baseSha}:${file}`]));
}

const mergeRequests = () => gh.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/merge'));
const mainTip = (origin: string) => git(origin, ['rev-parse', 'refs/heads/main']).trim();

describe('a proven pull request merges itself', () => {
  it('merges the exact head it checked, with the commit on the default branch holding the new version', async () => {
    const { repo, origin } = mergingRegistry();
    const pull = openPr(repo, origin, 1, (r) => r.server('io.github.acme/weather', '1.1.0'));
    pull.title = 'Publish io.github.acme/weather 1.1.0';
    const out = await prBot(origin, 1, pull, undefined, [...TRUSTED, '--deploy-workflows', 'pages.yml, deploy-cloudflare.yml,gone.yml']);
    expect(out).toContain('PR #1: merged as');
    // The merge by GITHUB_TOKEN starts no push workflow: the bot dispatches the deployments itself.
    expect(gh.merge.dispatches).toEqual([{ workflow: 'pages.yml', ref: 'main' }, { workflow: 'deploy-cloudflare.yml', ref: 'main' }]);
    expect(out).toContain('no such workflow to start: gone.yml');
    expect(mergeRequests().map((r) => r.body)).toEqual([{ sha: pull.headSha, merge_method: 'squash', commit_title: 'Publish io.github.acme/weather 1.1.0 (#1)' }]);
    expect(pull.state).toBe('closed');
    expect(git(origin, ['show', 'main:entries/io.github.acme/weather/1.1.0/server.json'])).toBe(serverJson('io.github.acme/weather', '1.1.0'));
    expect(git(origin, ['log', '-1', '--format=%s', 'main']).trim()).toBe('Publish io.github.acme/weather 1.1.0 (#1)');
    const body = pull.comments[0]!.body;
    expect(body).toContain('### Merged');
    expect(body).toContain(pull.mergedAs!.sha.slice(0, 12));
    expect([...pull.labels]).toEqual(['ready-to-merge']);
    expect(gh.unexpected).toEqual([]);
  });

  it('checks again when the base moved after the check, and merges onto the base it checked', async () => {
    const { repo, origin } = mergingRegistry();
    const pull = openPr(repo, origin, 2, (r) => r.server('io.github.acme/weather', '1.1.0'));
    let moved = false;
    gh.merge.beforeBranchRead = () => {
      if (moved) return;
      moved = true;
      repo.server('io.github.acme/weather', '1.0.1').commit('2026-01-03T00:00:00Z');
      repo.git(['push', '--quiet', origin, 'main']);
    };
    const movedTo = () => mainTip(origin);
    await prBot(origin, 2, pull, undefined, TRUSTED);
    expect(moved).toBe(true);
    expect(gh.requests.filter((r) => r.path.endsWith('/branches/main'))).toHaveLength(2);
    expect(pull.mergedAs).toBeDefined();
    expect(git(origin, ['rev-parse', `${movedTo()}^`]).trim()).toBe(repo.git(['rev-parse', 'main']).trim());
  });
});

describe('forgeries that never merge', () => {
  it('a forged green report for a PR that modifies a published file', async () => {
    const { repo, origin } = mergingRegistry();
    const pull = openPr(repo, origin, 3, (r) => r.write('io.github.acme/weather/1.0.0/server.json', serverJson('io.github.acme/weather', '1.0.0', { description: 'rewritten' })));
    const out = await prBot(origin, 3, pull, undefined, TRUSTED);
    expect(mergeRequests()).toEqual([]);
    expect(gh.merge.dispatches).toEqual([]);
    expect(out).toContain('not merged (author)');
    expect([...pull.labels].sort()).toEqual(['needs-author-feedback', 'published-file-changed']);
    expect(pull.state).toBe('open');
  });

  it('code hidden in a file that a parser could run is never run, and the PR does not merge', async () => {
    const { repo, origin } = mergingRegistry();
    const marker = path.join(work, 'ran-hidden-code');
    const pull = openPr(repo, origin, 4, (r) => r
      .server('io.github.acme/weather', '1.1.0')
      .write('io.github.acme/weather/server.md', `---js\nrequire('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x')\n---\n`));
    await prBot(origin, 4, pull, undefined, TRUSTED);
    expect(existsSync(marker)).toBe(false);
    expect(mergeRequests()).toEqual([]);
    expect(pull.labels.has('needs-author-feedback')).toBe(true);
  });

  it('a push after the check: the merge names the checked head, and GitHub refuses it', async () => {
    const { repo, origin } = mergingRegistry();
    const pull = openPr(repo, origin, 5, (r) => r.server('io.github.acme/weather', '1.1.0'));
    const checked = pull.headSha;
    gh.merge.beforeBranchRead = () => {
      // The author pushes something else once the check is done.
      const next = openPr(repo, origin, 5, (r) => r.server('io.github.acme/weather', '1.1.0').write('io.github.acme/weather/1.0.0/server.json', '{}'));
      pull.headSha = next.headSha;
      gh.pulls.set(5, pull);
    };
    const out = await prBot(origin, 5, pull, undefined, TRUSTED);
    expect(mergeRequests().map((r) => (r.body as { sha: string }).sha)).toEqual([checked]);
    expect(out).toContain('moved on');
    expect(pull.state).toBe('open');
    expect(git(origin, ['ls-tree', '-r', '--name-only', 'main'])).not.toContain('1.1.0');
  });

  it('a PR that mixes an owned server with one of another namespace', async () => {
    const { repo, origin } = mergingRegistry();
    gh.users.add('other');
    const pull = openPr(repo, origin, 6, (r) => r.server('io.github.acme/weather', '1.1.0').server('io.github.other/tool', '1.0.0'));
    await prBot(origin, 6, pull, undefined, TRUSTED);
    expect(mergeRequests()).toEqual([]);
    expect([...pull.labels].sort()).toEqual(['needs-author-feedback', 'ownership-unproven']);
  });

  it('a status change of someone else\'s server', async () => {
    const { repo, origin } = mergingRegistry();
    const pull = openPr(repo, origin, 7, (r) => r.status('io.github.acme/weather', 'status: deleted\nstatusMessage: "gone"'), 'mallory');
    await prBot(origin, 7, pull, undefined, TRUSTED);
    expect(mergeRequests()).toEqual([]);
    expect(pull.labels.has('ownership-unproven')).toBe(true);
  });

  it('a ledger that adds its own author', async () => {
    const { repo, origin } = mergingRegistry((r) => r.write('com.example/owners.json', '{"owners": ["bob"]}\n').server('com.example/tool', '1.0.0'));
    const pull = openPr(repo, origin, 8, (r) => r.write('com.example/owners.json', '{"owners": ["bob", "mallory"]}\n'), 'mallory');
    serveBase(pull, repo, ['entries/com.example/owners.json']);
    await prBot(origin, 8, pull, undefined, TRUSTED);
    expect(mergeRequests()).toEqual([]);
    expect(pull.labels.has('ownership-unproven')).toBe(true);
  });

  it('a title and branch crafted to inject into a command stay text: the commit title is exactly the title', async () => {
    const { repo, origin } = mergingRegistry();
    const marker = path.join(work, 'injected');
    const pull = openPr(repo, origin, 9, (r) => r.server('io.github.acme/weather', '1.2.0'));
    pull.title = `"; touch ${marker}; echo "$(touch ${marker})\`touch ${marker}\``;
    pull.headRef = `x$(touch ${marker})`;
    await prBot(origin, 9, pull, undefined, TRUSTED);
    expect(pull.mergedAs?.title).toBe(`${pull.title} (#9)`);
    expect(git(origin, ['log', '-1', '--format=%s', 'main']).trim()).toBe(`${pull.title} (#9)`);
    expect(existsSync(marker)).toBe(false);
  });

  it('files outside entries/ need a maintainer, even when every check passes', async () => {
    const { repo, origin } = mergingRegistry();
    const pull = openPr(repo, origin, 10, (r) => r.server('io.github.acme/weather', '1.1.0'));
    pull.files.push({ filename: '.github/workflows/pr-comment.yml', status: 'modified' });
    await prBot(origin, 10, pull, undefined, TRUSTED);
    expect(mergeRequests()).toEqual([]);
    expect([...pull.labels]).toEqual(['needs-maintainer']);
    expect(pull.comments[0]!.body).toContain('A maintainer must merge this pull request');
  });

  it('GitHub refusing the merge (branch protection) leaves the PR to a maintainer, with GitHub\'s reason', async () => {
    const { repo, origin } = mergingRegistry();
    const pull = openPr(repo, origin, 11, (r) => r.server('io.github.acme/weather', '1.1.0'));
    gh.merge.unmergeable.add(11);
    await prBot(origin, 11, pull, undefined, TRUSTED);
    expect(mergeRequests()).toHaveLength(1);
    expect(pull.state).toBe('open');
    expect([...pull.labels]).toEqual(['needs-maintainer']);
    expect(pull.comments[0]!.body).toContain('GitHub refused the merge: Pull Request is not mergeable');
  });
});
