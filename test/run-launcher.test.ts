// scripts/run.mjs, the launcher the npm scripts go through: it runs a cached bundle of the entry point, built once
// per content of its sources, in its own process, and behaves as the script run by tsx would. Each test runs it in a
// small project of its own (the launcher copied into it, esbuild and tsx linked from this one's node_modules), so
// sources can be edited and caches emptied freely.

import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const PROJECT = path.resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'run-launcher-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const HELLO = `import { VERSION, where } from './lib/where.ts';
const [command, value] = process.argv.slice(2);
const fakeLoadedAtStart = (globalThis as { fakePkgLoaded?: boolean }).fakePkgLoaded === true;
console.log(JSON.stringify({ pid: process.pid, argv1: process.argv[1], args: process.argv.slice(2), where, VERSION, fakeLoadedAtStart }));
if (command === 'exit') process.exitCode = Number(value);
if (command === 'throw') throw new Error('thrown from hello');
if (command === 'lazy') console.log((await import('./lib/lazy.ts')).lazy);
if (command === 'wait') {
  process.on('SIGTERM', () => {
    console.log('stopping');
    process.exit(3);
  });
  console.log('ready');
  setInterval(() => {}, 1000);
}
`;
const WHERE = (version: number) => `export const VERSION = ${version};
export const where = { url: import.meta.url, filename: import.meta.filename, dirname: import.meta.dirname, resolved: import.meta.resolve('fake-pkg') };
`;
const LAZY = `import { name } from 'fake-pkg';
export const lazy = 'lazy loaded ' + name;
`;

let projects = 0;
/** A project with scripts/run.mjs, scripts/hello.ts and its lib, and a package of its own in node_modules. */
function project(): string {
  const root = path.join(scratch, `p${projects++}`);
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'launcher-fixture', type: 'module', private: true }),
    'tsconfig.json': readFileSync(path.join(PROJECT, 'tsconfig.json'), 'utf8'),
    'scripts/hello.ts': HELLO,
    'scripts/other.ts': 'console.log("other");\n',
    'scripts/lib/where.ts': WHERE(1),
    'scripts/lib/lazy.ts': LAZY,
    'node_modules/fake-pkg/package.json': JSON.stringify({ name: 'fake-pkg', type: 'module', exports: './index.js' }),
    'node_modules/fake-pkg/index.js': 'globalThis.fakePkgLoaded = true;\nexport const name = "fake-pkg";\n',
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  cpSync(path.join(PROJECT, 'scripts', 'run.mjs'), path.join(root, 'scripts', 'run.mjs'));
  for (const pkg of ['esbuild', 'tsx']) symlinkSync(path.join(PROJECT, 'node_modules', pkg), path.join(root, 'node_modules', pkg));
  return root;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  pid: number;
}

function launch(root: string, args: string[], env: NodeJS.ProcessEnv = {}, onOut?: (text: string, kill: (s: NodeJS.Signals) => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'run.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, MCP_REGISTRY_TSX: '', MCP_REGISTRY_CACHE_DIR: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      onOut?.(out, (s) => child.kill(s));
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err, pid: child.pid! });
    });
  });
}

const firstLine = (run: Run) => JSON.parse(run.out.split('\n')[0]!) as Record<string, unknown>;
const cacheRoot = (root: string) => path.join(root, 'node_modules', '.cache', 'mcp-static-registry');

/** The cache folder of the project (one per checkout) and what it holds. */
function cached(root: string, base = cacheRoot(root)): { dir: string; files: string[] } {
  const tags = existsSync(base) ? readdirSync(base) : [];
  expect(tags).toHaveLength(1);
  const dir = path.join(base, tags[0]!);
  return { dir, files: readdirSync(dir).sort() };
}

describe('scripts/run.mjs', () => {
  it('builds the bundle on the first run, reuses it untouched after, and runs the script as tsx does', async () => {
    const root = project();
    const first = await launch(root, ['hello', 'a', '--b']);
    expect(first).toMatchObject({ code: 0, err: '' });
    const { dir, files } = cached(root);
    const bundleDir = files.find((f) => f.startsWith('hello.') && !f.endsWith('.json'))!;
    expect(files).toEqual([bundleDir, 'hello.json']);
    const entry = path.join(dir, bundleDir, 'hello.mjs');
    const before = statSync(entry);
    const manifestBefore = statSync(path.join(dir, 'hello.json'));

    const second = await launch(root, ['hello', 'a', '--b']);
    expect(second).toMatchObject({ code: 0, err: '' });
    const after = statSync(entry);
    expect({ ino: after.ino, mtimeMs: after.mtimeMs }).toEqual({ ino: before.ino, mtimeMs: before.mtimeMs });
    expect(statSync(path.join(dir, 'hello.json')).mtimeMs).toBe(manifestBefore.mtimeMs);
    expect(cached(root).files).toEqual(files);

    // The same process, the same view of itself as under tsx: argv, and import.meta of each source its own.
    const tsx = await launch(root, ['hello', 'a', '--b'], { MCP_REGISTRY_TSX: '1' });
    expect(tsx).toMatchObject({ code: 0, err: '' });
    const lib = path.join(root, 'scripts', 'lib');
    const expected = {
      argv1: path.join(root, 'scripts', 'hello.ts'),
      args: ['a', '--b'],
      where: { url: pathToFileURL(path.join(lib, 'where.ts')).href, filename: path.join(lib, 'where.ts'), dirname: lib, resolved: pathToFileURL(path.join(root, 'node_modules', 'fake-pkg', 'index.js')).href },
      VERSION: 1,
      fakeLoadedAtStart: false,
    };
    for (const run of [first, second, tsx]) expect(firstLine(run)).toEqual({ ...expected, pid: run.pid });
  }, 120_000);

  it('rebuilds when a source of the bundle changes, and only then', async () => {
    const root = project();
    await launch(root, ['hello']);
    const { dir, files } = cached(root);
    // A script the bundle does not hold changes nothing.
    writeFileSync(path.join(root, 'scripts', 'other.ts'), 'console.log("other, edited");\n');
    await launch(root, ['hello']);
    expect(cached(root).files).toEqual(files);

    writeFileSync(path.join(root, 'scripts', 'lib', 'where.ts'), WHERE(2));
    const edited = await launch(root, ['hello']);
    expect(edited).toMatchObject({ code: 0, err: '' });
    expect(firstLine(edited).VERSION).toBe(2);
    const now = cached(root).files;
    expect(now.filter((f) => f !== 'hello.json')).toHaveLength(2);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'hello.json'), 'utf8')) as { key: string; inputs: string[] };
    expect(manifest.inputs).toEqual(['scripts/hello.ts', 'scripts/lib/lazy.ts', 'scripts/lib/where.ts']);
    expect(files).not.toContain(`hello.${manifest.key}`);
    expect(now).toContain(`hello.${manifest.key}`);

    // Back to the first content: its bundle is found again.
    writeFileSync(path.join(root, 'scripts', 'lib', 'where.ts'), WHERE(1));
    expect(firstLine(await launch(root, ['hello'])).VERSION).toBe(1);
    expect(cached(root).files).toEqual(now);
  }, 120_000);

  it('passes exit codes, thrown errors (with the .ts line) and signals through: the script runs in the launcher process', async () => {
    const root = project();
    expect(await launch(root, ['hello', 'exit', '7'])).toMatchObject({ code: 7, err: '' });
    const thrown = await launch(root, ['hello', 'throw']);
    expect(thrown.code).toBe(1);
    expect(thrown.err).toContain('thrown from hello');
    expect(thrown.err).toContain(`${path.join(root, 'scripts', 'hello.ts')}:6`);

    const waited = await launch(root, ['hello', 'wait'], {}, (out, kill) => {
      if (out.includes('ready\n')) kill('SIGTERM');
    });
    // The script's own SIGTERM handler ran, in the process the signal was sent to (pid printed = launcher's pid).
    expect(waited).toMatchObject({ code: 3, signal: null });
    expect(waited.out).toContain('stopping');
    expect(firstLine(waited).pid).toBe(waited.pid);
  }, 120_000);

  it('keeps a lazily imported module lazy, packages included', async () => {
    const root = project();
    const plain = await launch(root, ['hello']);
    expect(firstLine(plain).fakeLoadedAtStart).toBe(false);
    const lazy = await launch(root, ['hello', 'lazy']);
    expect(lazy).toMatchObject({ code: 0, err: '' });
    expect(lazy.out).toContain('lazy loaded fake-pkg');
    expect(firstLine(lazy).fakeLoadedAtStart).toBe(false);
  }, 120_000);

  it('is safe when several first runs build at once', async () => {
    const root = project();
    const runs = await Promise.all([1, 2, 3, 4].map(() => launch(root, ['hello', 'x'])));
    for (const run of runs) {
      expect(run).toMatchObject({ code: 0, err: '' });
      expect(firstLine(run)).toMatchObject({ args: ['x'], VERSION: 1 });
    }
    const { dir, files } = cached(root);
    expect(files).toHaveLength(2);
    const bundleDir = files.find((f) => f !== 'hello.json')!;
    expect(readdirSync(path.join(dir, bundleDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);

  it('caches in a private temporary folder when its cache folder cannot be written, and runs through tsx when nothing can', async () => {
    const root = project();
    const blocked = path.join(root, 'not-a-folder');
    writeFileSync(blocked, '');
    const tmp = mkdtempSync(path.join(scratch, 'tmp-'));
    const inTmp = await launch(root, ['hello', 'exit', '4'], { MCP_REGISTRY_CACHE_DIR: path.join(blocked, 'cache'), TMPDIR: tmp });
    expect(inTmp).toMatchObject({ code: 4, err: '' });
    expect(cached(root, path.join(tmp, `mcp-static-registry-${process.getuid!()}`)).files).toHaveLength(2);

    // Found there again, untouched.
    const again = await launch(root, ['hello'], { MCP_REGISTRY_CACHE_DIR: path.join(blocked, 'cache'), TMPDIR: tmp });
    expect(firstLine(again).VERSION).toBe(1);

    // tsx needs a temporary folder of its own; the launcher's is made a file.
    const tmpBlocked = mkdtempSync(path.join(scratch, 'tmp-'));
    writeFileSync(path.join(tmpBlocked, `mcp-static-registry-${process.getuid!()}`), '');
    const nowhere = await launch(root, ['hello', 'exit', '5'], { MCP_REGISTRY_CACHE_DIR: path.join(blocked, 'cache'), TMPDIR: tmpBlocked });
    expect(nowhere).toMatchObject({ code: 5, err: '' });
    expect(firstLine(nowhere).VERSION).toBe(1);
    expect(existsSync(cacheRoot(root))).toBe(false);
  }, 120_000);

  it('refuses an unknown script with its usage', async () => {
    const root = project();
    for (const args of [[], ['nope'], ['../hello'], ['lib/where']]) {
      const run = await launch(root, args);
      expect(run).toMatchObject({ code: 2, out: '' });
      expect(run.err).toMatch(/^usage: node scripts\/run\.mjs <script> \[args…\]\s+\(script: hello, other\)/);
    }
  }, 120_000);
});
