// The build as a whole: same tree → same bytes and mtimes; a failed, crashed or killed build leaves the previous
// output as it was; bad input is reported with file, position, JSON path and a hint; the CLI's flags and exit codes.

import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { jsonErrorOffset, jsonSyntaxErrorOffset } from '../scripts/lib/entries/json-position.ts';
import { loadEntries } from '../scripts/lib/entries/load.ts';
import { ProblemsError, type Problem } from '../scripts/lib/problems.ts';
import { Repo, serverJson, tempDir } from './support/git-fixture.ts';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
const EPOCH = '1764547200';
const T = (n: number): string => `2025-04-${String(n).padStart(2, '0')}T08:00:00Z`;

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function scratch(prefix: string): string {
  const dir = tempDir(prefix);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A small registry in git: a few servers, versions over several commits, a status file. */
function sampleRepo(): Repo {
  const r = Repo.init('build');
  cleanups.push(() => r.cleanup());
  r.server('io.github.acme/weather', '1.0.0').server('io.github.acme/maps', '0.1.0').commit(T(1));
  r.server('io.github.acme/weather', '1.1.0').server('com.example/notes', '2025-06-18').commit(T(2));
  r.status('io.github.acme/weather', 'versions:\n  "1.0.0":\n    status: deprecated\n    statusMessage: "use 1.1.0"').commit(T(3));
  r.status('io.github.acme/maps', 'status: deleted').commit(T(4));
  return r;
}

interface FileState {
  sha1: string;
  mtimeMs: number;
}

/** Every file under `dir` (relative path → content hash and mtime), and every folder, sorted. */
function snapshot(dir: string): Map<string, FileState | 'dir'> {
  const out = new Map<string, FileState | 'dir'>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      const stat = lstatSync(path.join(dir, child));
      if (stat.isDirectory()) {
        out.set(child, 'dir');
        walk(child);
      } else {
        out.set(child, { sha1: createHash('sha1').update(readFileSync(path.join(dir, child))).digest('hex'), mtimeMs: stat.mtimeMs });
      }
    }
  };
  walk('');
  return out;
}

/** Names beside `out` that start with its name: the output itself plus any staging or retired folder. */
function siblings(out: string): string[] {
  return readdirSync(path.dirname(out)).filter((name) => name.startsWith(path.basename(out))).sort();
}

async function buildProblems(entriesDir: string, outDir: string): Promise<Problem[]> {
  try {
    await buildRegistry({ entriesDir, outDir, env: { SOURCE_DATE_EPOCH: EPOCH } });
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemsError);
    return (error as ProblemsError).problems;
  }
  throw new Error('the build was expected to fail');
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(path.join(PROJECT, 'node_modules/.bin/tsx'), ['scripts/build.ts', ...args], {
    cwd: PROJECT, encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: EPOCH, ...env },
  });
}

/** Writes `count` servers with one version each under `dir`, outside git. */
function manyEntries(dir: string, count: number): void {
  for (let i = 0; i < count; i++) {
    const name = `io.github.load/server-${String(i).padStart(5, '0')}`;
    mkdirSync(path.join(dir, name, '1.0.0'), { recursive: true });
    writeFileSync(path.join(dir, name, '1.0.0', 'server.json'), serverJson(name, '1.0.0', { title: `Load ${i}`, websiteUrl: `https://example.com/${i}` }));
  }
}

describe('determinism', () => {
  it('builds the same tree twice into identical files, bytes and mtimes, in-process and through the CLI', async () => {
    const r = sampleRepo();
    const base = scratch('determinism');
    const a = path.join(base, 'a'), b = path.join(base, 'b'), c = path.join(base, 'c');
    const first = await buildRegistry({ entriesDir: r.entries, outDir: a, env: { SOURCE_DATE_EPOCH: EPOCH } });
    const second = await buildRegistry({ entriesDir: r.entries, outDir: b, env: {} });
    expect(first.problems).toEqual([]);
    expect(second.records).toEqual(first.records);
    const snapA = snapshot(a);
    expect(snapA.size).toBeGreaterThan(10);
    expect(snapshot(b)).toEqual(snapA);

    // --entries and --out, in a separate process.
    const cli = runCli(['--entries', r.entries, '--out', c]);
    expect(cli.stderr).not.toMatch(/error/);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`^built 3 servers, 4 versions into ${c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} in full \\(no build cache yet\\): \\d+ files, \\d+ bytes`));
    expect(snapshot(c)).toEqual(snapA);
  });

  it('writes .br and .gz beside every served JSON, HTML, JS and CSS file over 1 KB, deterministically, and beside nothing else', async () => {
    const entries = scratch('compress');
    manyEntries(entries, 40);
    const base = scratch('compress-out');
    const a = path.join(base, 'a'), b = path.join(base, 'b');
    const built = await buildRegistry({ entriesDir: entries, outDir: a, env: { SOURCE_DATE_EPOCH: EPOCH } });
    await buildRegistry({ entriesDir: entries, outDir: b, env: { SOURCE_DATE_EPOCH: EPOCH } });
    const snap = snapshot(a);
    // Identical bytes and times, variants included (gzip's header has no time or name; brotli's output is fixed).
    expect(snapshot(b)).toEqual(snap);
    const files = [...snap.keys()].filter((f) => snap.get(f) !== 'dir' && !/\.(br|gz)$/.test(f));
    const variants = [...snap.keys()].filter((f) => /\.(br|gz)$/.test(f));
    let compressed = 0;
    for (const file of files) {
      const data = readFileSync(path.join(a, file));
      const served = /^(v0\.1|_include_deleted|site)\//.test(file) && /\.(json|html|js|css)$/.test(file);
      const expected = served && data.length > 1024;
      expect([file, existsSync(path.join(a, `${file}.br`)), existsSync(path.join(a, `${file}.gz`))]).toEqual([file, expected, expected]);
      if (!expected) continue;
      compressed++;
      expect(brotliDecompressSync(readFileSync(path.join(a, `${file}.br`))).equals(data), `${file}.br`).toBe(true);
      expect(gunzipSync(readFileSync(path.join(a, `${file}.gz`))).equals(data), `${file}.gz`).toBe(true);
    }
    // The list, a server page, the search index and the site's assets at least; no variant of a variant.
    expect(compressed).toBeGreaterThan(5);
    expect(variants.length).toBe(2 * compressed);
    expect(built.files).toBe(files.length);
    // The row index and the njs bundle are read by our code and never sent: no variants, however large.
    expect(files.some((f) => f.startsWith('_query/') && readFileSync(path.join(a, f)).length > 1024)).toBe(true);
    expect(variants.some((f) => f.startsWith('_query/') || f.startsWith('_nginx/'))).toBe(false);
  });

  it('gives content-derived mtimes: a rebuild after touching an entry changes nothing', async () => {
    const r = sampleRepo();
    const out = path.join(scratch('rebuild'), 'dist');
    await buildRegistry({ entriesDir: r.entries, outDir: out });
    const before = snapshot(out);
    writeFileSync(path.join(r.entries, 'io.github.acme/maps/0.1.0/server.json'), serverJson('io.github.acme/maps', '0.1.0')); // same bytes, new mtime
    await buildRegistry({ entriesDir: r.entries, outDir: out });
    expect(snapshot(out)).toEqual(before);
    expect(siblings(out)).toEqual(['dist']);
  });
});

describe('atomic output', () => {
  it('a build that fails validation leaves the previous output byte for byte and no temporary folders', async () => {
    const r = sampleRepo();
    const out = path.join(scratch('atomic'), 'dist');
    await buildRegistry({ entriesDir: r.entries, outDir: out });
    const before = snapshot(out);
    r.server('io.github.acme/weather', '2.0.0');
    r.write('io.github.acme/weather/2.0.1/server.json', '{"name": "io.github.acme/weather", "version": "2.0.1",');
    const problems = await buildProblems(r.entries, out);
    expect(problems.map((p) => p.code)).toEqual(['entry-json-invalid']);
    expect(snapshot(out)).toEqual(before);
    expect(siblings(out)).toEqual(['dist']);
  });

  it('rejects a version too long to be stored as a file name before writing anything', async () => {
    const dir = scratch('long-version');
    const entries = path.join(dir, 'entries'), out = path.join(dir, 'dist');
    manyEntries(entries, 30);
    await buildRegistry({ entriesDir: entries, outDir: out, env: { SOURCE_DATE_EPOCH: EPOCH } });
    const before = snapshot(out);
    // A 252-character version is a valid folder name, but `<version>.json` would be longer than a file name may be.
    const version = 'v'.repeat(252);
    mkdirSync(path.join(entries, 'aaa.example/first', version), { recursive: true });
    writeFileSync(path.join(entries, 'aaa.example/first', version, 'server.json'), serverJson('aaa.example/first', version));
    const problems = await buildProblems(entries, out);
    expect(problems.map((p) => [p.code, p.jsonPath])).toEqual([['entry-version-too-long', '/version']]);
    expect(siblings(out)).toEqual(['dist']);
    expect(snapshot(out)).toEqual(before);
  });

  it('after a kill between the two renames of the swap, the next build puts the previous output back', async () => {
    const r = sampleRepo();
    const out = path.join(scratch('swap-kill'), 'dist');
    await buildRegistry({ entriesDir: r.entries, outDir: out });
    const before = snapshot(out);
    // What a kill between `dist → dist.old-*` and `staging → dist` leaves, from a process that is gone.
    const deadPid = 999_999_999;
    renameSync(out, `${out}.old-${deadPid}-0000`);
    mkdirSync(`${out}.tmp-${deadPid}-1111/v0.1`, { recursive: true });
    r.write('io.github.acme/weather/9.0.0/server.json', '{');
    await buildProblems(r.entries, out);
    expect(siblings(out)).toEqual(['dist']);
    expect(snapshot(out)).toEqual(before);
  });

  it('a build killed with SIGKILL while writing leaves the previous output intact', async () => {
    const dir = scratch('sigkill');
    const entries = path.join(dir, 'entries'), out = path.join(dir, 'dist');
    new Repo(entries).server('io.github.acme/weather', '1.0.0');
    await buildRegistry({ entriesDir: entries, outDir: out, env: { SOURCE_DATE_EPOCH: EPOCH } });
    const before = snapshot(out);
    manyEntries(entries, 2000); // ~6,000 output files: writing them takes a good second

    // Its own process group, so the kill reaches npx, tsx and the node process that does the work.
    const child = spawn('npx', ['tsx', 'scripts/build.ts', '--entries', entries, '--out', out], {
      cwd: PROJECT, detached: true, stdio: 'ignore', env: { ...process.env, SOURCE_DATE_EPOCH: EPOCH },
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let staging: string | undefined;
    const deadline = Date.now() + 30_000;
    while (!staging && Date.now() < deadline) {
      staging = siblings(out).find((name) => name.startsWith('dist.tmp-'));
      if (!staging) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(staging, 'the build never created its staging folder').toBeDefined();
    // Kill once files are being written into it, not before.
    while (!existsSync(path.join(dir, staging!, 'v0.1')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
    process.kill(-child.pid!, 'SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // The whole group is gone (SIGKILL cannot be caught), not just npx.
    const groupAlive = (): boolean => {
      try {
        process.kill(-child.pid!, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let waited = 0; groupAlive() && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(groupAlive()).toBe(false);

    expect(snapshot(out)).toEqual(before);
    // A killed process cannot clean up: its staging folder stays (and is ignored by .gitignore's `dist.*/`).
    expect(siblings(out)).toEqual(['dist', staging]);
    expect(readdirSync(path.join(dir, staging!))).toContain('v0.1'); // it was killed midway, with files written
  });
});

describe('error reporting', () => {
  it('reports invalid JSON with file, line and column', async () => {
    const dir = scratch('json');
    new Repo(dir).write('io.github.acme/weather/1.0.0/server.json', '{\n  "name": "io.github.acme/weather",\n  "version": "1.0.0"\n  "description": "d"\n}\n');
    const problems = await buildProblems(dir, path.join(dir, '..', `${path.basename(dir)}-out`));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      code: 'entry-json-invalid', severity: 'error', file: 'io.github.acme/weather/1.0.0/server.json', line: 4, column: 3,
    });
    expect(problems[0]!.hint).toMatch(/JSON/);
    expect(existsSync(path.join(dir, '..', `${path.basename(dir)}-out`))).toBe(false);
  });

  it('reports the position of invalid JSON past multi-line content and at the end of a truncated file', async () => {
    const dir = scratch('json2');
    const r = new Repo(dir);
    r.write('io.github.acme/a/1.0.0/server.json', '{"name": "io.github.acme/a",\n"version": "1.0.0",\n"description": "x",\n"title": \'single\'\n}');
    r.write('io.github.acme/b/1.0.0/server.json', '{\n  "name": "io.github.acme/b",\n  "version": "1.0.0",\n');
    const problems = (await loadEntries(dir)).problems;
    expect(problems.map((p) => [p.code, p.file, p.line, p.column])).toEqual([
      ['entry-json-invalid', 'io.github.acme/a/1.0.0/server.json', 4, 10],
      ['entry-json-invalid', 'io.github.acme/b/1.0.0/server.json', 4, 1],
    ]);
  });

  it('finds the same error position as V8 wherever V8 names one, and a position wherever V8 fails', () => {
    const valid = serverJson('io.github.acme/weather', '1.0.0', {
      packages: [{ registryType: 'npm', identifier: '@acme/weather', version: '1.0.0', transport: { type: 'stdio' }, environmentVariables: [] }],
      _meta: { 'io.example/x': { n: -12.5e+3, z: 0, t: true, f: false, nil: null, s: 'tab\t quote\" \u00e9 \\' } },
    });
    const mutations: string[] = [];
    for (let i = 0; i < valid.length; i++) {
      mutations.push(valid.slice(0, i) + valid.slice(i + 1)); // one character dropped
      for (const extra of ['"', ',', '}', ']', 'x', '0', '\\', '\u0001', "'"]) mutations.push(valid.slice(0, i) + extra + valid.slice(i));
    }
    mutations.push('', ' ', '\ufeff{}', '{"a":01}', '{"a":1.}', '{"a":-}', '{"a":"\\x"}', '{"a":"\\u12G4"}', '[1,]', '{"a":1}{', 'nul', '"abc');
    let checked = 0;
    for (const text of mutations) {
      let v8: Error | undefined;
      try {
        JSON.parse(text);
      } catch (error) {
        v8 = error as Error;
      }
      const found = jsonSyntaxErrorOffset(text);
      if (!v8) {
        expect(found, text).toBeUndefined();
        continue;
      }
      expect(found, `${v8.message} in ${JSON.stringify(text)}`).toBeDefined();
      const v8Offset = jsonErrorOffset(v8.message);
      if (v8Offset !== undefined) {
        expect(found, `${v8.message} in ${JSON.stringify(text)}`).toBe(v8Offset);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('reports a name or version that does not match the path, with the JSON path and the right path in the hint', async () => {
    const dir = scratch('mismatch');
    const r = new Repo(dir);
    r.write('io.github.acme/weather/1.0.0/server.json', serverJson('io.github.acme/forecast', '1.0.0'));
    r.write('io.github.acme/maps/1.0.0/server.json', serverJson('io.github.acme/maps', '1.0.1'));
    r.write('io.github.acme/notes/1.0.0/server.json', JSON.stringify({ name: 'io.github.acme/notes', version: '1.0.0' }));
    const problems = await buildProblems(dir, path.join(dir, 'out'));
    const byFile = new Map(problems.map((p) => [p.file, p]));
    expect(byFile.get('io.github.acme/weather/1.0.0/server.json')).toMatchObject({ code: 'entry-path-name-mismatch', jsonPath: '/name' });
    expect(byFile.get('io.github.acme/weather/1.0.0/server.json')!.hint).toContain('io.github.acme/forecast/1.0.0/server.json');
    expect(byFile.get('io.github.acme/maps/1.0.0/server.json')).toMatchObject({ code: 'entry-path-version-mismatch', jsonPath: '/version' });
    expect(byFile.get('io.github.acme/maps/1.0.0/server.json')!.hint).toContain('io.github.acme/maps/1.0.1/server.json');
    expect(byFile.get('io.github.acme/notes/1.0.0/server.json')).toMatchObject({ code: 'entry-field-missing', jsonPath: '/description' });
    expect(problems).toHaveLength(3);
  });

  it('refuses versions that would break URLs: "latest", a web file extension, hidden characters', async () => {
    const dir = scratch('url-versions');
    const r = new Repo(dir);
    r.write('io.github.acme/weather/1.0.0/server.json', serverJson('io.github.acme/weather', '1.0.0'));
    const refused: Array<[version: string, code: string]> = [
      ['latest', 'rule-version-latest'],
      ['2.0.html', 'rule-version-web-extension'],
      ['2.1.SVG', 'rule-version-web-extension'],
      ['1.0.0\u202e1', 'rule-version-hidden-character'],
      ['1.0.1\u200b', 'rule-version-hidden-character'],
    ];
    for (const [version] of refused) r.write(`io.github.acme/weather/${version}/server.json`, serverJson('io.github.acme/weather', version));
    const problems = await buildProblems(dir, path.join(dir, 'out'));
    expect(problems.map((p) => [p.file, p.code, p.jsonPath]).sort()).toEqual(
      refused.map(([version, code]) => [`io.github.acme/weather/${version}/server.json`, code, '/version']).sort(),
    );
    // The message shows hidden characters escaped, never raw.
    for (const p of problems) expect(p.message).not.toMatch(/[\u202e\u200b]/);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('reports bad status file values with file, path and hint', async () => {
    const dir = scratch('status');
    const r = new Repo(dir);
    const long = 'x'.repeat(501);
    const cases: Array<[server: string, front: string, code: string, jsonPath: string]> = [
      ['io.github.acme/a', 'status: retired', 'status-invalid', '/status'],
      ['io.github.acme/b', `status: deprecated\nstatusMessage: "${long}"`, 'status-message-too-long', '/statusMessage'],
      ['io.github.acme/c', 'status: active\nstatusMessage: "why"', 'status-message-with-active', '/statusMessage'],
      ['io.github.acme/d', 'versions:\n  "1.0.0":\n    status: gone', 'status-invalid', '/versions/1.0.0/status'],
      ['io.github.acme/e', `versions:\n  "1.0.0":\n    status: deleted\n    statusMessage: "${long}"`, 'status-message-too-long', '/versions/1.0.0/statusMessage'],
      ['io.github.acme/f', 'versions:\n  "1.0.0":\n    status: active\n    statusMessage: "fine now"', 'status-message-with-active', '/versions/1.0.0/statusMessage'],
      ['io.github.acme/g', 'status: deprecated\nreason: "typo of statusMessage"', 'status-file-unknown-key', '/reason'],
      ['io.github.acme/h', 'status: [deprecated', 'status-file-yaml', ''],
    ];
    for (const [server, front] of cases) r.server(server, '1.0.0').status(server, front);
    r.server('io.github.acme/ok', '1.0.0').status('io.github.acme/ok', `status: deprecated\nstatusMessage: "${'y'.repeat(500)}"`);
    const problems = await buildProblems(dir, path.join(dir, 'out'));
    // In file order, bytewise, whatever order the file system lists them in.
    expect(problems.map((p) => [p.file, p.code, p.jsonPath])).toEqual(cases.map(([server, , code, jsonPath]) => [`${server}/server.md`, code, jsonPath]));
    for (const p of problems) {
      expect(p.severity).toBe('error');
      expect(p.hint.length, p.code).toBeGreaterThan(10);
    }
  });

  it('the CLI exits 1, prints every problem and writes nothing', () => {
    const dir = scratch('cli-fail');
    const r = new Repo(path.join(dir, 'entries'));
    r.server('io.github.acme/ok', '1.0.0');
    r.write('io.github.acme/weather/1.0.0/server.json', '{\n  "name": "io.github.acme/weather",\n  "version": "1.0.0"\n  "description": "d"\n}\n');
    r.write('io.github.acme/maps/1.0.0/server.json', serverJson('io.github.acme/maps', '1.0.1'));
    r.status('io.github.acme/ok', 'status: retired');
    const out = path.join(dir, 'out');
    const cli = runCli(['--entries', r.entries, '--out', out]);
    expect(cli.status).toBe(1);
    expect(cli.stdout).not.toMatch(/built/);
    expect(cli.stderr).toContain('error entry-json-invalid: io.github.acme/weather/1.0.0/server.json:4:3 at /');
    expect(cli.stderr).toContain('error entry-path-version-mismatch: io.github.acme/maps/1.0.0/server.json at /version');
    expect(cli.stderr).toContain('fix: Move the file to entries/io.github.acme/maps/1.0.1/server.json');
    expect(cli.stderr).toContain('error status-invalid: io.github.acme/ok/server.md at /status');
    expect(cli.stderr).not.toMatch(/\n\s+at .*\.ts:\d+/); // problems, not a stack trace
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(['entries']);
  });

  it('refuses symbolic links anywhere under entries/ and never reads through them', () => {
    const dir = scratch('symlinks');
    const secret = path.join(dir, 'outside');
    const marker = 'SECRET-d41d8cd98f00b204';
    // Valid server.json files outside the entries folder: followed, they would be published as they are.
    mkdirSync(path.join(secret, 'evil', '1.0.0'), { recursive: true });
    writeFileSync(path.join(secret, 'secret.json'), serverJson('io.github.acme/weather', '2.0.0').replace('Test server', marker));
    writeFileSync(path.join(secret, 'evil', '1.0.0', 'server.json'), serverJson('io.github.acme/evil', '1.0.0').replace('Test server', marker));
    writeFileSync(path.join(secret, 'server.md'), `---\nstatus: active\n---\n${marker}\n`);
    const r = new Repo(path.join(dir, 'entries'));
    r.server('io.github.acme/weather', '1.0.0');
    mkdirSync(path.join(r.entries, 'io.github.acme/weather/2.0.0'));
    symlinkSync(path.join(secret, 'secret.json'), path.join(r.entries, 'io.github.acme/weather/2.0.0/server.json'));
    symlinkSync(path.join(secret, 'server.md'), path.join(r.entries, 'io.github.acme/weather/server.md'));
    symlinkSync(path.join(secret, 'evil'), path.join(r.entries, 'io.github.acme/evil'));
    symlinkSync(secret, path.join(r.entries, 'io.github.other'));
    const out = path.join(dir, 'out');
    const cli = runCli(['--entries', r.entries, '--out', out]);
    expect(cli.status).toBe(1);
    // Four of one kind: one block listing the places.
    expect(cli.stderr).toContain('error file-symlink in 4 places: this is a symbolic link; links are never followed under entries/');
    for (const file of ['io.github.acme/weather/2.0.0/server.json', 'io.github.acme/weather/server.md', 'io.github.acme/evil', 'io.github.other']) {
      expect(cli.stderr).toContain(`\n  ${file}\n`);
    }
    expect(cli.stderr + cli.stdout).not.toContain(marker);
    expect(existsSync(out)).toBe(false);
  });

  it('the CLI rejects unknown flags with exit code 2', () => {
    const cli = runCli(['--entires', 'x']);
    expect(cli.status).toBe(2);
    expect(cli.stderr).toMatch(/entires/);
  });
});
