// Times `npm run validate` as CI runs it (scripts/run.mjs, npm excluded), process start included: once over the
// whole synthetic registry, and for a pull request that adds one version, committed as the pull request's checkout
// holds it and checked with `--base HEAD~1 --committed` as validate-pr.yml runs it (median of three runs, after one
// warm-up, as a CI runner's disk cache would be warm after checkout).

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ValidationTiming {
  wholeRegistry: { seconds: number; exitCode: number | null; errors: number };
  onePullRequest: { seconds: number; runs: number[]; exitCode: number | null; publishes: number };
}

function runValidate(repo: string, args: string[]): { seconds: number; exitCode: number | null } {
  const started = performance.now();
  // --offline: the timing is of the validator itself, not of npm and PyPI answering for synthetic packages.
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts/run.mjs'), 'validate', '--offline', ...args], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  return { seconds: (performance.now() - started) / 1000, exitCode: run.status };
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

export function measureValidation(repo: string, scratch: string): ValidationTiming {
  const reportFile = path.join(scratch, 'validation.json');
  const whole = runValidate(repo, ['--format', 'json', '--output', reportFile]);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { problems: Array<{ severity: string }>; publishes: unknown[] };
  const errors = report.problems.filter((p) => p.severity === 'error').length;

  const name = 'io.github.bench-publisher/fresh-mcp';
  const dir = path.join(repo, 'entries', name, '1.0.0');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'server.json'), JSON.stringify({
    $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
    name, description: 'A server published by the benchmark.', version: '1.0.0',
    packages: [{ registryType: 'npm', identifier: '@bench-publisher/fresh-mcp', version: '1.0.0', transport: { type: 'stdio' } }],
  }, null, 2) + '\n');
  const git = (gitArgs: string[]): void => {
    const run = spawnSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', ...gitArgs], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
    if (run.status !== 0) throw new Error(`git ${gitArgs.join(' ')} failed`);
  };
  git(['add', '--all', 'entries']);
  git(['commit', '--quiet', '-m', 'the pull request']);
  const args = ['--base', 'HEAD~1', '--committed', '--format', 'json', '--output', reportFile];
  runValidate(repo, args); // warm-up
  const runs = [runValidate(repo, args), runValidate(repo, args), runValidate(repo, args)];
  const pr = JSON.parse(readFileSync(reportFile, 'utf8')) as { publishes: unknown[] };
  git(['reset', '--quiet', '--hard', 'HEAD~1']);
  rmSync(path.join(repo, 'entries', name), { recursive: true, force: true });
  const seconds = runs.map((r) => r.seconds).sort((a, b) => a - b);
  return {
    wholeRegistry: { seconds: round(whole.seconds), exitCode: whole.exitCode, errors },
    onePullRequest: { seconds: round(seconds[1]!), runs: seconds.map(round), exitCode: runs[1]!.exitCode, publishes: pr.publishes.length },
  };
}
