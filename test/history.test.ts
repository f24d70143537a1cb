// publishedAt, updatedAt, statusChangedAt and status from real git history (official-registry.md §5): what each
// commit does to each version, across merges, subfolders, uncommitted work, no git at all and shallow clones.

import { chmodSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { fallbackClock } from '../scripts/lib/build/fallback-clock.ts';
import { loadEntries } from '../scripts/lib/entries/load.ts';
import { readEntriesHistory } from '../scripts/lib/history/entries-history.ts';
import type { OfficialMeta } from '../scripts/lib/model.ts';
import { assembleRegistry } from '../scripts/lib/registry/assemble.ts';
import { git, Repo, statusFile, tempDir } from './support/git-fixture.ts';

const T = (n: number): string => `2025-03-${String(n).padStart(2, '0')}T12:00:00Z`;
/** SOURCE_DATE_EPOCH used as the fallback clock: 2025-12-01T00:00:00Z, after every commit in these tests. */
const EPOCH = '1764547200';
const EPOCH_TIME = '2025-12-01T00:00:00Z';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function repo(subfolder = ''): Repo {
  const r = Repo.init('history', subfolder);
  cleanups.push(() => r.cleanup());
  return r;
}

/** The official metadata of every version under `entries`, keyed `name@version`. */
async function states(entries: string, env: NodeJS.ProcessEnv = { SOURCE_DATE_EPOCH: EPOCH }): Promise<Map<string, OfficialMeta>> {
  const loaded = await loadEntries(entries);
  expect(loaded.problems).toEqual([]);
  const history = await readEntriesHistory(entries);
  const records = assembleRegistry(loaded.servers, history, fallbackClock(entries, env));
  return new Map(records.map((r) => [`${r.name}@${r.version}`, r.official]));
}

/** Shorthand for the expected metadata. */
function meta(publishedAt: string, updatedAt: string, statusChangedAt: string, status: OfficialMeta['status'] = 'active', statusMessage?: string): Partial<OfficialMeta> {
  return { status, publishedAt, updatedAt, statusChangedAt, ...(statusMessage === undefined ? {} : { statusMessage }) };
}

function expectMeta(actual: OfficialMeta | undefined, expected: Partial<OfficialMeta>): void {
  expect(actual).toBeDefined();
  const { isLatest: _ignored, ...rest } = actual!;
  expect(rest).toEqual(expected);
}

const S = 'io.github.acme/weather';
const OTHER = 'io.github.acme/maps';

describe('timestamps from commits', () => {
  it('publishedAt is the commit that added the file, updatedAt the last commit that changed it', async () => {
    const r = repo();
    r.server(S, '1.0.0').commit(T(1));
    r.server(S, '1.1.0').commit(T(2));
    r.server(S, '1.0.0', { title: 'Weather' }).commit(T(3)); // an edit of the published file
    r.server(OTHER, '0.1.0').commit(T(4)); // unrelated commits change nothing here
    const s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), T(3), T(1)));
    expectMeta(s.get(`${S}@1.1.0`), meta(T(2), T(2), T(2)));
    expectMeta(s.get(`${OTHER}@0.1.0`), meta(T(4), T(4), T(4)));
    expect(s.get(`${S}@1.1.0`)!.isLatest).toBe(true);
    expect(s.get(`${S}@1.0.0`)!.isLatest).toBe(false);
  });

  it('a file deleted and added again is published by the commit that added it again', async () => {
    const r = repo();
    r.server(S, '1.0.0').commit(T(1));
    r.remove(`${S}/1.0.0`).server(S, '2.0.0').commit(T(2));
    r.server(S, '1.0.0').commit(T(3));
    const s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(T(3), T(3), T(3)));
  });
});

describe('status changes', () => {
  it('walks a server through deprecation, message edits, server-wide status and its removal', async () => {
    const r = repo();
    r.server(S, '1.0.0').server(S, '2.0.0').commit(T(1));
    let s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), T(1), T(1)));

    // T2: 1.0.0 deprecated with a message.
    r.status(S, 'versions:\n  "1.0.0":\n    status: deprecated\n    statusMessage: "use 2.0.0"').commit(T(2));
    s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), T(2), T(2), 'deprecated', 'use 2.0.0'));
    expectMeta(s.get(`${S}@2.0.0`), meta(T(1), T(1), T(1)));

    // T3: only the message changes: updatedAt moves, statusChangedAt does not.
    r.status(S, 'versions:\n  "1.0.0":\n    status: deprecated\n    statusMessage: "use 2.0.0 or later"').commit(T(3));
    s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), T(3), T(2), 'deprecated', 'use 2.0.0 or later'));

    // T4: only the Markdown body changes: no version changes.
    r.status(S, 'versions:\n  "1.0.0":\n    status: deprecated\n    statusMessage: "use 2.0.0 or later"', '# New body\n').commit(T(4));
    s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), T(3), T(2), 'deprecated', 'use 2.0.0 or later'));
    expectMeta(s.get(`${S}@2.0.0`), meta(T(1), T(1), T(1)));

    // T5: a server-wide status applies to versions without their own entry; 1.0.0 keeps its own.
    const wide = 'status: deprecated\nstatusMessage: "moved to io.github.acme/forecast"\nversions:\n  "1.0.0":\n    status: deprecated\n    statusMessage: "use 2.0.0 or later"';
    r.status(S, wide).commit(T(5));
    s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), T(3), T(2), 'deprecated', 'use 2.0.0 or later'));
    expectMeta(s.get(`${S}@2.0.0`), meta(T(1), T(5), T(5), 'deprecated', 'moved to io.github.acme/forecast'));

    // T6: a version added while the server is deprecated is born deprecated.
    r.server(S, '3.0.0').commit(T(6));
    s = await states(r.entries);
    expectMeta(s.get(`${S}@3.0.0`), meta(T(6), T(6), T(6), 'deprecated', 'moved to io.github.acme/forecast'));
    expect(s.get(`${S}@3.0.0`)!.isLatest).toBe(true);

    // T7: the server-wide status is lifted: versions without their own entry are active again, without a message.
    r.status(S, 'versions:\n  "1.0.0":\n    status: deprecated\n    statusMessage: "use 2.0.0 or later"').commit(T(7));
    s = await states(r.entries);
    expectMeta(s.get(`${S}@2.0.0`), meta(T(1), T(7), T(7)));
    expectMeta(s.get(`${S}@3.0.0`), meta(T(6), T(7), T(7)));
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), T(3), T(2), 'deprecated', 'use 2.0.0 or later'));

    // T8: deleting the latest version moves isLatest; T9: deleted → deprecated is a status change again.
    r.status(S, 'versions:\n  "1.0.0":\n    status: deprecated\n    statusMessage: "use 2.0.0 or later"\n  "3.0.0":\n    status: deleted').commit(T(8));
    s = await states(r.entries);
    expectMeta(s.get(`${S}@3.0.0`), meta(T(6), T(8), T(8), 'deleted'));
    expect(s.get(`${S}@3.0.0`)!.isLatest).toBe(false);
    expect(s.get(`${S}@2.0.0`)!.isLatest).toBe(true);
  });

  it('a status set in the commit that publishes the version is its birth status', async () => {
    const r = repo();
    r.server(S, '1.0.0').status(S, 'status: deprecated\nstatusMessage: "experimental"').commit(T(1));
    const s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), T(1), T(1), 'deprecated', 'experimental'));
  });

  it('changing a status and back counts both changes', async () => {
    const r = repo();
    r.server(S, '1.0.0').commit(T(1));
    r.status(S, 'status: deleted').commit(T(2));
    r.status(S, 'status: active').commit(T(3));
    r.status(S, 'status: active', '# Edited\n').commit(T(4));
    const s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), T(3), T(3)));
  });

  it('deleting the status file makes its versions active again, and that is a status change', async () => {
    const r = repo();
    r.server(S, '1.0.0').commit(T(1));
    r.status(S, 'status: deprecated\nstatusMessage: "gone"').commit(T(2));
    r.remove(`${S}/server.md`).commit(T(3));
    const s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), T(3), T(3)));
  });

  it('deleting the status file without committing is a change at the fallback time', async () => {
    const r = repo();
    r.server(S, '1.0.0').status(S, 'status: deprecated').commit(T(1));
    r.remove(`${S}/server.md`);
    const s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), EPOCH_TIME, EPOCH_TIME));
  });
});

describe('merges', () => {
  it('dates what a --no-ff merge brings by the merge commit on main (first parent)', async () => {
    const r = repo();
    r.server(S, '1.0.0').commit(T(1));
    r.git(['checkout', '--quiet', '-b', 'feature']);
    r.server(S, '1.1.0').commit(T(2));
    r.status(S, 'versions:\n  "1.0.0":\n    status: deprecated').commit(T(3));
    r.git(['checkout', '--quiet', 'main']);
    r.server(OTHER, '0.1.0').commit(T(4));
    r.git(['merge', '--quiet', '--no-ff', '-m', 'Merge feature', 'feature'], T(5));

    // A second branch that main does not move past: the merge commit's tree equals the branch's.
    r.git(['checkout', '--quiet', '-b', 'feature-2']);
    r.server(S, '1.2.0').commit(T(6));
    r.git(['checkout', '--quiet', 'main']);
    r.git(['merge', '--quiet', '--no-ff', '-m', 'Merge feature-2', 'feature-2'], T(7));

    const s = await states(r.entries);
    expectMeta(s.get(`${S}@1.1.0`), meta(T(5), T(5), T(5)));
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), T(5), T(5), 'deprecated'));
    expectMeta(s.get(`${OTHER}@0.1.0`), meta(T(4), T(4), T(4)));
    expectMeta(s.get(`${S}@1.2.0`), meta(T(7), T(7), T(7)));
  });
});

describe('where the entries are', () => {
  it('reads history when the entries folder is a subfolder of the repository', async () => {
    const r = repo('registry/entries');
    writeFileSync(path.join(r.root, 'README.md'), 'root\n');
    r.server(S, '1.0.0').commit(T(1));
    r.status(S, 'status: deprecated').commit(T(2));
    writeFileSync(path.join(r.root, 'README.md'), 'changed\n');
    r.commit(T(3)); // touches nothing under entries
    r.server(S, '1.1.0'); // untracked, inside the subfolder
    writeFileSync(path.join(r.root, 'untracked-outside.txt'), 'x\n');
    const s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), T(2), T(2), 'deprecated'));
    expectMeta(s.get(`${S}@1.1.0`), meta(EPOCH_TIME, EPOCH_TIME, EPOCH_TIME, 'deprecated'));
  });

  it('uses the fallback clock for uncommitted work: modified, staged and untracked files', async () => {
    const r = repo();
    r.server(S, '1.0.0').server(S, '1.1.0').server(OTHER, '0.1.0').commit(T(1));
    r.server(S, '1.0.0', { title: 'edited, not committed' }); // modified
    r.server(S, '2.0.0').git(['add', '.']); // staged only
    r.server(S, '3.0.0'); // untracked
    r.status(OTHER, 'status: deprecated'); // an untracked status file
    const s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(EPOCH_TIME, EPOCH_TIME, EPOCH_TIME));
    expectMeta(s.get(`${S}@1.1.0`), meta(T(1), T(1), T(1)));
    expectMeta(s.get(`${S}@2.0.0`), meta(EPOCH_TIME, EPOCH_TIME, EPOCH_TIME));
    expectMeta(s.get(`${S}@3.0.0`), meta(EPOCH_TIME, EPOCH_TIME, EPOCH_TIME));
    expectMeta(s.get(`${OTHER}@0.1.0`), meta(T(1), EPOCH_TIME, EPOCH_TIME, 'deprecated'));
  });

  it('an uncommitted edit of a committed status file is a change at the fallback time', async () => {
    const r = repo();
    r.server(S, '1.0.0').status(S, 'status: deprecated\nstatusMessage: "old"').commit(T(1));
    r.status(S, 'status: deprecated\nstatusMessage: "new"');
    const s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), EPOCH_TIME, T(1), 'deprecated', 'new'));
  });

  it('outside git, uses SOURCE_DATE_EPOCH for everything', async () => {
    const dir = tempDir('nogit');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const r = new Repo(dir);
    r.server(S, '1.0.0').server(S, '2025-06-18').status(S, 'versions:\n  "1.0.0":\n    status: deprecated');
    const s = await states(dir);
    expectMeta(s.get(`${S}@1.0.0`), meta(EPOCH_TIME, EPOCH_TIME, EPOCH_TIME, 'deprecated'));
    expectMeta(s.get(`${S}@2025-06-18`), meta(EPOCH_TIME, EPOCH_TIME, EPOCH_TIME));
    expect(s.get(`${S}@1.0.0`)!.isLatest).toBe(true);
  });

  it('outside git and without SOURCE_DATE_EPOCH, uses each file\'s modification time', async () => {
    const dir = tempDir('nogit-mtime');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const r = new Repo(dir);
    r.server(S, 'alpha').server(S, 'beta').status(S, 'versions:\n  "alpha":\n    status: deprecated');
    const at = (iso: string): number => Date.parse(iso) / 1000;
    utimesSync(path.join(dir, S, 'alpha/server.json'), at(T(2)), at(T(2)));
    utimesSync(path.join(dir, S, 'beta/server.json'), at(T(1)), at(T(1)));
    utimesSync(path.join(dir, S, 'server.md'), at(T(9)), at(T(9)));
    const s = await states(dir, {});
    // Outside git the status file is no later than the versions: each is born with its status.
    expectMeta(s.get(`${S}@alpha`), meta(T(2), T(2), T(2), 'deprecated'));
    expectMeta(s.get(`${S}@beta`), meta(T(1), T(1), T(1)));
    expect(s.get(`${S}@alpha`)!.isLatest).toBe(true); // non-semver: the later modification wins
  });
});

describe('shallow clones', () => {
  it('warns with history-shallow, and dates everything before the cut by the oldest commit it has', async () => {
    const r = repo();
    r.server(S, '1.0.0').commit(T(1));
    r.server(S, '1.1.0').commit(T(2));
    r.server(S, '1.2.0').commit(T(3));
    const full = await buildRegistry({ entriesDir: r.entries, outDir: path.join(r.root, '..', `${path.basename(r.root)}-dist-full`), env: { SOURCE_DATE_EPOCH: EPOCH } });
    cleanups.push(() => rmSync(path.join(r.root, '..', `${path.basename(r.root)}-dist-full`), { recursive: true, force: true }));
    expect(full.problems).toEqual([]);

    const clone = tempDir('shallow');
    cleanups.push(() => rmSync(clone, { recursive: true, force: true }));
    git(clone, ['clone', '--quiet', '--depth', '2', `file://${r.root}`, 'repo']);
    const out = path.join(clone, 'dist');
    const result = await buildRegistry({ entriesDir: path.join(clone, 'repo'), outDir: out, env: { SOURCE_DATE_EPOCH: EPOCH } });
    expect(result.problems.map((p) => [p.code, p.severity])).toEqual([['history-shallow', 'warning']]);
    expect(result.problems[0]!.hint).toMatch(/fetch-depth: 0|--unshallow/);
    const published = Object.fromEntries(result.records.map((rec) => [rec.version, rec.official.publishedAt]));
    expect(published).toEqual({ '1.0.0': T(2), '1.1.0': T(2), '1.2.0': T(3) });
  });

  it('warns for a depth-1 clone too', async () => {
    const r = repo();
    r.server(S, '1.0.0').commit(T(1));
    r.server(S, '1.1.0').commit(T(2));
    const clone = tempDir('shallow1');
    cleanups.push(() => rmSync(clone, { recursive: true, force: true }));
    git(clone, ['clone', '--quiet', '--depth', '1', `file://${r.root}`, 'repo']);
    const result = await buildRegistry({ entriesDir: path.join(clone, 'repo'), outDir: path.join(clone, 'dist'), env: { SOURCE_DATE_EPOCH: EPOCH } });
    expect(result.problems.map((p) => p.code)).toEqual(['history-shallow']);
    expect(result.records.map((rec) => rec.official.publishedAt)).toEqual([T(2), T(2)]);
  });
});

describe('git processes', () => {
  /** Runs `fn` with a `git` on PATH that logs its subcommand before running the real git; returns the log. */
  async function countingGit(fn: () => Promise<unknown>): Promise<string[]> {
    const shimDir = tempDir('git-shim');
    cleanups.push(() => rmSync(shimDir, { recursive: true, force: true }));
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    const log = path.join(shimDir, 'calls.log');
    writeFileSync(log, '');
    const shim = path.join(shimDir, 'bin', 'git');
    mkdirSync(path.dirname(shim));
    writeFileSync(shim, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\nexec '${realGit}' "$@"\n`);
    chmodSync(shim, 0o755);
    const savedPath = process.env.PATH;
    process.env.PATH = `${path.dirname(shim)}${path.delimiter}${savedPath ?? ''}`;
    try {
      await fn();
    } finally {
      process.env.PATH = savedPath;
    }
    return readFileSync(log, 'utf8').split('\n').filter(Boolean);
  }

  it('reads the whole history with one git log, however many files there are', async () => {
    const small = repo();
    small.server(S, '1.0.0').status(S, 'status: deprecated').commit(T(1));
    const big = repo();
    for (let i = 0; i < 60; i++) {
      big.server(`io.github.acme/server-${String(i).padStart(2, '0')}`, '1.0.0');
      if (i % 10 === 0) big.status(`io.github.acme/server-${String(i).padStart(2, '0')}`, 'status: deprecated');
      if (i % 20 === 19) big.commit(T(1 + Math.floor(i / 20)));
    }
    for (let i = 0; i < 60; i += 3) big.server(`io.github.acme/server-${String(i).padStart(2, '0')}`, '1.1.0');
    big.commit(T(9));
    big.server(S, '9.9.9'); // and one untracked file

    const smallCalls = await countingGit(() => states(small.entries));
    const bigCalls = await countingGit(async () => {
      const s = await states(big.entries);
      expect(s.size).toBe(81);
      expect(s.get('io.github.acme/server-30@1.1.0')!.publishedAt).toBe(T(9));
    });
    expect(bigCalls.filter((c) => c === 'log')).toHaveLength(1);
    expect(bigCalls.filter((c) => c === 'cat-file')).toHaveLength(1);
    expect([...bigCalls].sort()).toEqual([...smallCalls].sort());
    expect(bigCalls.length).toBeLessThanOrEqual(5);
  });
});

describe('status files read from history', () => {
  it('an old revision of a status file with a YAML error counts as no status at that commit', async () => {
    const r = repo();
    r.server(S, '1.0.0').commit(T(1));
    r.write(`${S}/server.md`, '---\nstatus: [deprecated\n---\n').commit(T(2));
    r.status(S, 'status: deprecated').commit(T(3));
    const s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), T(3), T(3), 'deprecated'));
  });

  it('reads revisions of status files with non-ASCII text and names', async () => {
    const r = repo();
    r.server(S, '1.0.0').commit(T(1));
    r.write(`${S}/server.md`, statusFile('status: deprecated\nstatusMessage: "Ersetzt durch „forecast“ ✓"')).commit(T(2));
    r.write(`${S}/server.md`, statusFile('status: deprecated\nstatusMessage: "Ersetzt durch „forecast“ ✓"', '# Übersicht\n')).commit(T(3));
    const s = await states(r.entries);
    expectMeta(s.get(`${S}@1.0.0`), meta(T(1), T(2), T(2), 'deprecated', 'Ersetzt durch „forecast“ ✓'));
  });
});
