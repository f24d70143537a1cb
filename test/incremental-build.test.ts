// The incremental build against the full one, over a random sequence of real git commits: publishes, new servers,
// status changes, deletions of versions and of whole servers, a change reverted by a later commit, uncommitted work.
// After every step the output built incrementally in place must be the full build's, byte for byte and time for time
// (nginx's ETag is mtime-size), and the changed/removed lists must be exactly what differs from the previous output.

import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import type { BuildResult } from '../scripts/lib/build/build-types.ts';
import { mulberry32 } from '../scripts/lib/seeded-random.ts';
import { Repo, tempDir } from './support/git-fixture.ts';
import { runScript } from './support/run-script.ts';

type Tree = Map<string, string>;

/** Every file under `dir`: its sha1 and modification time. */
function snapshot(dir: string): Tree {
  const out: Tree = new Map();
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const child = rel ? `${rel}/${name}` : name;
      const stats = lstatSync(path.join(dir, child));
      if (stats.isDirectory()) walk(child);
      else out.set(child, `${createHash('sha1').update(readFileSync(path.join(dir, child))).digest('hex')} ${Math.floor(stats.mtimeMs / 1000)}`);
    }
  };
  walk('');
  return out;
}

function differences(before: Tree, after: Tree): { changed: string[]; removed: string[] } {
  const changed = [...after].filter(([file, state]) => before.get(file) !== state).map(([file]) => file).sort();
  const removed = [...before.keys()].filter((file) => !after.has(file)).sort();
  return { changed, removed };
}

const day = (n: number): string => `2026-0${1 + Math.floor(n / 28)}-${String(1 + (n % 28)).padStart(2, '0')}T12:00:00Z`;

describe('incremental build', () => {
  let work: string;
  let repo: Repo;
  let dist: string;
  let clock = 0;

  beforeAll(() => {
    work = tempDir('incremental');
    repo = Repo.init('incremental-repo', 'entries');
    // 640 versions of 320 servers: several row-index chunks (about 256 rows each) and two list pages (200 servers
    // each), so that an incremental build keeps some and renders others, and a new server shifts the pages after it.
    for (let s = 0; s < 320; s++) for (let v = 1; v <= 2; v++) repo.server(`io.github.seed/server-${String(s).padStart(3, '0')}`, `1.0.${v}`, { description: `Seed server ${s}` });
    repo.status('io.github.seed/server-003', 'status: deprecated\nstatusMessage: use server-004');
    repo.commit(day(clock++));
    dist = path.join(work, 'dist');
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    repo.cleanup();
  });

  const incremental = (): Promise<BuildResult> => buildRegistry({ entriesDir: repo.entries, outDir: dist, env: {}, cache: true });
  const full = async (): Promise<Tree> => {
    const out = path.join(work, `full-${clock}`);
    await buildRegistry({ entriesDir: repo.entries, outDir: out, env: {} });
    const tree = snapshot(out);
    rmSync(out, { recursive: true, force: true });
    return tree;
  };

  it('matches a full build after every step of a random history, and names exactly what it changed', async () => {
    const first = await incremental();
    expect(first.mode).toEqual({ kind: 'full', reason: 'no build cache yet' });
    expect(snapshot(dist)).toEqual(await full());
    const random = mulberry32(14);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const servers = (): string[] => readdirSync(path.join(repo.entries, 'io.github.seed')).map((s) => `io.github.seed/${s}`);
    const versionsOf = (name: string): string[] => readdirSync(path.join(repo.entries, name)).filter((v) => v !== 'server.md');
    const steps: Array<[string, () => void]> = [
      ['publish a version', () => {
        const name = pick(servers());
        repo.server(name, `2.0.${clock}`, { description: `Published at step ${clock}` }).commit(day(clock++));
      }],
      ['publish a new server', () => repo.server(`io.github.seed/new-${clock}`, '0.1.0').commit(day(clock++))],
      ['deprecate a version with a message', () => {
        const name = pick(servers());
        repo.status(name, `versions:\n  ${JSON.stringify(pick(versionsOf(name)))}:\n    status: deprecated\n    statusMessage: step ${clock}`).commit(day(clock++));
      }],
      ['mark a server deleted', () => repo.status(pick(servers()), 'status: deleted\nstatusMessage: gone').commit(day(clock++))],
      ['remove a version folder', () => {
        const name = pick(servers().filter((s) => versionsOf(s).length > 1));
        repo.remove(`${name}/${pick(versionsOf(name))}`).commit(day(clock++));
      }],
      ['remove a whole server', () => repo.remove(pick(servers())).commit(day(clock++))],
      ['change a description, then revert it in a later commit', () => {
        const name = pick(servers());
        const file = path.join(repo.entries, name, pick(versionsOf(name)), 'server.json');
        const original = readFileSync(file, 'utf8');
        writeFileSync(file, original.replace('"description": "', '"description": "Changed: '));
        repo.commit(day(clock++));
        writeFileSync(file, original);
        repo.commit(day(clock++));
      }],
      ['edit the working tree without committing', () => {
        const name = pick(servers());
        repo.server(name, `9.9.${clock++}`);
      }],
      // An untracked folder: git status names the folder, not its files.
      ['add a server in a new namespace without committing', () => {
        repo.server(`io.github.untracked-${clock}/fresh`, `0.0.${clock++}`);
      }],
      ['commit the working tree', () => repo.commit(day(clock++))],
    ];
    for (let step = 0; step < 16; step++) {
      const [label, act] = step < steps.length ? steps[step]! : pick(steps);
      // Committing a clean tree (an empty commit) changes nothing, which the build must see too.
      const clean = repo.git(['status', '--porcelain']).trim() === '';
      act();
      const before = snapshot(dist);
      const result = await incremental();
      expect(result.mode.kind, label).toBe('incremental');
      const after = snapshot(dist);
      expect(after, label).toEqual(await full());
      if (result.mode.kind === 'incremental') {
        expect(result.mode.servers, label).toBeLessThanOrEqual(2);
        const expected = differences(before, after);
        if (label === 'commit the working tree' && clean) expect(expected).toEqual({ changed: [], removed: [] });
        else expect(expected.changed.length + expected.removed.length, label).toBeGreaterThan(0);
        expect({ changed: result.mode.changes.changed, removed: result.mode.changes.removed }, label).toEqual(expected);
      }
    }
    // Nothing changed: nothing written.
    const idle = await incremental();
    expect(idle.mode).toEqual({ kind: 'incremental', servers: 0, changes: { changed: [], removed: [] } });
  }, 240_000);

  it('builds in full, and correctly, when the cache is corrupt, missing or describes another output', async () => {
    repo.server('io.github.seed/server-10', '3.0.0').commit(day(clock++));
    writeFileSync(path.join(`${dist}.cache`, 'state.json'), '{ not json');
    const corrupt = await incremental();
    expect(corrupt.mode).toEqual({ kind: 'full', reason: 'the build cache\'s state.json is unreadable' });
    expect(snapshot(dist)).toEqual(await full());

    // A details file damaged: found when a changed server's details are read, before anything is written.
    const details = path.join(`${dist}.cache`, 'details');
    for (const file of readdirSync(details)) writeFileSync(path.join(details, file), readFileSync(path.join(details, file), 'utf8').replaceAll('1.0.', '1.1.'));
    repo.server('io.github.seed/server-012', '3.0.0').commit(day(clock++));
    expect((await incremental()).mode).toEqual({ kind: 'full', reason: 'the build cache\'s details of io.github.seed/server-012 are unreadable' });
    expect(snapshot(dist)).toEqual(await full());

    writeFileSync(path.join(`${dist}.cache`, 'servers.tsv'), '{"name": "truncated');
    repo.server('io.github.seed/server-11', '3.0.0').commit(day(clock++));
    expect((await incremental()).mode).toEqual({ kind: 'full', reason: 'the build cache\'s servers.tsv is unreadable' });
    expect(snapshot(dist)).toEqual(await full());

    rmSync(`${dist}.cache`, { recursive: true });
    expect((await incremental()).mode).toEqual({ kind: 'full', reason: 'no build cache yet' });

    // The output folder replaced behind the cache's back.
    rmSync(dist, { recursive: true });
    await buildRegistry({ entriesDir: repo.entries, outDir: dist, env: {} });
    expect((await incremental()).mode).toEqual({ kind: 'full', reason: 'the output folder is not the one the cache describes' });
    expect(snapshot(dist)).toEqual(await full());
  }, 120_000);

  it('builds in full after a history rewrite (a force-pushed main)', async () => {
    await incremental(); // a cache, whatever ran before
    repo.server('io.github.seed/server-12', '4.0.0').commit(day(clock++));
    expect((await incremental()).mode.kind).toBe('incremental');
    repo.git(['commit', '--quiet', '--amend', '-m', 'rewritten'], day(clock++));
    const rewritten = await incremental();
    expect(rewritten.mode).toEqual({ kind: 'full', reason: 'the history was rewritten since the cached build (or its shallow boundary moved, or a symbolic link appeared)' });
    expect(snapshot(dist)).toEqual(await full());
  }, 60_000);

  it('npm run build writes the changed and removed paths with --changes', async () => {
    repo.server('io.github.cli/server', '5.0.0', { description: 'Through the command line' }).commit(day(clock++));
    const changes = path.join(work, 'changes.json');
    const before = snapshot(dist);
    const run = await runScript('build.ts', ['--entries', repo.entries, '--out', dist, '--changes', changes], { cwd: work, env: { ...process.env, SOURCE_DATE_EPOCH: '' }, launcher: true });
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^built \d+ servers, \d+ versions into .* incrementally \(1 changed servers; \d+ paths written, \d+ removed\)/);
    const written = JSON.parse(readFileSync(changes, 'utf8')) as { full: boolean; changed: string[]; removed: string[] };
    expect(written).toEqual({ full: false, ...differences(before, snapshot(dist)) });
    expect(written.changed).toContain('v0.1/servers/io.github.cli/server/versions/5.0.0.json');
    expect(existsSync(path.join(dist, 'v0.1/servers/io.github.cli/server/versions/5.0.0.json'))).toBe(true);
  }, 60_000);
});
