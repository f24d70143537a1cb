// Times a trivial command, `validate --help`, from process start to exit (npm excluded, as `npm run -s` adds the
// same to every way): through scripts/run.mjs with its bundle cached (warm: every run but the first), with an empty
// cache (cold: the first run after a checkout, an install or an edit, which builds the bundle), and through tsx as
// the npm scripts ran before (`node --import tsx`, tsx's own compile cache warm). Medians of `runs` runs each.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliStartTiming {
  warmMs: number;
  coldMs: number;
  tsxMs: number;
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (ms: number): number => Math.round(ms * 10) / 10;

/** Wall time of one `node <args>`; a run that does not print the usage fails the measure rather than time an error. */
function timeNode(args: string[], cache: string): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, MCP_REGISTRY_TSX: '', MCP_REGISTRY_CACHE_DIR: cache },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  if (run.status !== 0 || !run.stdout.startsWith('usage: ')) {
    throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  }
  return ms;
}

export function measureCliStart(runs = 5): CliStartTiming {
  // Caches of its own: the checkout's cache is neither emptied nor trusted to be warm.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-cli-start-'));
  try {
    const launcher = [path.join(ROOT, 'scripts', 'run.mjs'), 'validate', '--help'];
    const times = (n: number, one: (i: number) => number) => Array.from({ length: n }, (_, i) => one(i));
    const cold = times(runs, (i) => timeNode(launcher, path.join(scratch, `cold-${i}`)));
    const warmCache = path.join(scratch, 'warm');
    timeNode(launcher, warmCache);
    const warm = times(runs, () => timeNode(launcher, warmCache));
    const tsx = ['--import', 'tsx', path.join(ROOT, 'scripts', 'validate.ts'), '--help'];
    timeNode(tsx, warmCache);
    const viaTsx = times(runs, () => timeNode(tsx, warmCache));
    return { warmMs: round(median(warm)), coldMs: round(median(cold)), tsxMs: round(median(viaTsx)) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { parseFlags } = await import('../lib/cli.ts');
  const flags = parseFlags({ runs: { type: 'string', default: '5' } }, `usage: npx tsx scripts/bench/cli-start.ts [--runs <n>]
Times \`validate --help\` through scripts/run.mjs (warm and cold cache) and through tsx; prints JSON.
  --runs <n>   runs per measure, the median is reported (default 5)`);
  process.stdout.write(`${JSON.stringify(measureCliStart(Number(flags.runs)), null, 2)}\n`);
}
