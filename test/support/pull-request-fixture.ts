// A registry repository as GitHub holds it, for the PR bot's tests: main pushed to a bare repository, pull requests
// as commits under refs/pull/<n>/head with their files listed by the GitHub stand-in, and `npm run pr-bot` run as
// pr-comment.yml runs it.

import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ValidationReport } from '../../scripts/lib/validate/types.ts';
import type { FakeGitHub, FakePull } from './fake-github.ts';
import { Repo } from './git-fixture.ts';

const PROJECT = path.resolve(import.meta.dirname, '..', '..');
export const T1 = '2026-01-01T00:00:00Z';
export const T2 = '2026-01-02T00:00:00Z';
export const PUBLISHED = 'entries/io.github.acme/weather/1.0.0/server.json';
export const ALL_PASSED = (['files', 'schema', 'rules', 'registry', 'changes', 'ownership', 'packages'] as const).map((id) => ({ id, ran: true, passed: true }));
/** What a PR whose code rewrote its own report uploads. */
export const FORGED: ValidationReport = { problems: [], publishes: [{ name: 'io.github.acme/weather', version: '1.0.0', file: PUBLISHED }], checks: ALL_PASSED };

const random = () => Math.random().toString(36).slice(2);

export interface PullRequestFixture {
  /** The base repository: main with a published server, pushed to a bare repository as GitHub would hold it. */
  registry(prepare?: (repo: Repo) => void): { repo: Repo; origin: string };
  /** A PR as GitHub sees it: the branch's commit under refs/pull/<n>/head, its files listed by the API. */
  openPr(repo: Repo, origin: string, n: number, change: (repo: Repo) => void, author?: string): FakePull;
  /** `npm run pr-bot` as pr-comment.yml runs it, with the PR's own (here forged) report; its stdout. */
  prBot(origin: string, n: number, pull: FakePull, report?: ValidationReport, extra?: string[]): Promise<string>;
  cleanup(): void;
}

export function pullRequestFixture(gh: () => FakeGitHub, work: string): PullRequestFixture {
  const repos: Repo[] = [];
  return {
    registry(prepare = () => {}) {
      const repo = Repo.init('trust', 'entries');
      repos.push(repo);
      repo.server('io.github.acme/weather', '1.0.0');
      prepare(repo);
      repo.commit(T1);
      return { repo, origin: repo.pushToBare(path.join(work, `origin-${random()}.git`)) };
    },
    openPr(repo, origin, n, change, author = 'acme') {
      repo.git(['checkout', '--quiet', '-B', `pr-${n}`, 'main']);
      change(repo);
      repo.commit(T2);
      const head = repo.git(['rev-parse', 'HEAD']).trim();
      repo.git(['push', '--quiet', '--force', origin, `HEAD:refs/pull/${n}/head`]);
      const status: Record<string, string> = { A: 'added', M: 'modified', D: 'removed', T: 'modified' };
      const files = repo.git(['diff', '--name-status', '--no-renames', 'main', 'HEAD']).trim().split('\n').filter(Boolean)
        .map((line) => ({ filename: line.split('\t')[1]!, status: status[line[0]!]! }));
      repo.git(['checkout', '--quiet', 'main']);
      return gh().addPull(n, { headSha: head, baseSha: repo.git(['rev-parse', 'main']).trim(), author, files });
    },
    async prBot(origin, n, pull, report = FORGED, extra = []) {
      const file = path.join(work, `report-${n}-${random()}.json`);
      writeFileSync(file, JSON.stringify(report));
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: gh().token, GITHUB_API_URL: gh().url };
      const { stdout } = await promisify(execFile)('npm', [
        'run', '-s', 'pr-bot', '--', '--repo', `${gh().owner}/${gh().repo}`, '--pr', String(n), '--head-sha', pull.headSha,
        '--pr-tree', path.join(work, `tree-${n}-${random()}`), '--git-remote', origin, '--report', file, ...extra,
      ], { cwd: PROJECT, env });
      return stdout;
    },
    cleanup() {
      while (repos.length) repos.pop()!.cleanup();
    },
  };
}
