// The validator as a whole: a registry in a real git repository, pull requests as branches against main.

import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateRegistry } from '../scripts/lib/validate/validate.ts';
import { scanInParallel } from '../scripts/lib/validate/parallel-scan.ts';
import { claimedBy, MAIN_THREAD, SCAN_WORKER } from '../scripts/lib/validate/scan-claims.ts';
import type { ValidationReport } from '../scripts/lib/validate/types.ts';
import { Repo } from './support/git-fixture.ts';

const PROJECT = path.resolve(import.meta.dirname, '..');
const repos: Repo[] = [];
afterEach(() => {
  while (repos.length) repos.pop()!.cleanup();
});

const T1 = '2026-01-01T00:00:00Z';

/** main holds two servers; the returned repo is on a `pr` branch ready for changes. */
function registryWithPr(): Repo {
  const repo = Repo.init('validate', 'entries');
  repos.push(repo);
  repo.server('io.github.acme/weather', '1.0.0').server('io.github.acme/maps', '0.1.0', { remotes: [{ type: 'streamable-http', url: 'https://maps.acme.dev/mcp' }] });
  repo.commit(T1);
  repo.git(['checkout', '--quiet', '-b', 'pr']);
  return repo;
}

const codes = (report: ValidationReport): string[] => report.problems.map((p) => p.code);
const validate = (repo: Repo, extra: { base?: string; paths?: string[]; committedOnly?: boolean } = {}): Promise<ValidationReport> => validateRegistry({ root: repo.root, entriesDir: 'entries', ...extra });

describe('a pull request against its base', () => {
  it('adding a new version is clean and lists what it publishes', async () => {
    const repo = registryWithPr();
    repo.server('io.github.acme/weather', '1.1.0');
    const report = await validate(repo, { base: 'main' });
    expect(codes(report)).toEqual([]);
    expect(report.publishes).toEqual([{ name: 'io.github.acme/weather', version: '1.1.0', file: 'entries/io.github.acme/weather/1.1.0/server.json' }]);
    expect(report.checks.find((c) => c.id === 'changes')).toMatchObject({ ran: true, passed: true });
  });

  it('modifying, deleting or renaming a published server.json is refused', async () => {
    const repo = registryWithPr();
    repo.write('io.github.acme/weather/1.0.0/server.json', JSON.stringify({ $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json', name: 'io.github.acme/weather', description: 'changed', version: '1.0.0' }));
    repo.remove('io.github.acme/maps/0.1.0');
    const report = await validate(repo, { base: 'main' });
    const changed = report.problems.filter((p) => p.code === 'change-published-file').map((p) => p.file);
    expect(changed).toEqual(['entries/io.github.acme/maps/0.1.0/server.json', 'entries/io.github.acme/weather/1.0.0/server.json']);
    expect(report.problems.find((p) => p.code === 'change-published-file')!.hint).toContain('server.md');
  });

  it('a change outside entries/ needs a maintainer', async () => {
    const repo = registryWithPr();
    writeFileSync(path.join(repo.root, 'README.md'), 'hello');
    repo.server('io.github.acme/weather', '1.1.0');
    const report = await validate(repo, { base: 'main' });
    expect(report.problems.map((p) => [p.code, p.file])).toEqual([['change-outside-entries', 'README.md']]);
  });

  it('a status change through server.md is allowed', async () => {
    const repo = registryWithPr();
    repo.status('io.github.acme/weather', 'status: deprecated\nstatusMessage: "use maps"');
    expect(codes(await validate(repo, { base: 'main' }))).toEqual([]);
  });

  it('a remote URL already used by another live server is refused, and allowed once that server is deleted', async () => {
    const repo = registryWithPr();
    repo.server('io.github.other/maps', '1.0.0', { remotes: [{ type: 'streamable-http', url: 'https://maps.acme.dev/mcp' }] });
    expect(codes(await validate(repo, { base: 'main' }))).toContain('rule-remote-url-taken');
    repo.status('io.github.acme/maps', 'status: deleted');
    expect(codes(await validate(repo, { base: 'main' }))).not.toContain('rule-remote-url-taken');
  });

  it('a name differing only by case from an existing one collides', async () => {
    const repo = registryWithPr();
    repo.server('io.github.Acme/Weather', '1.0.0');
    expect(codes(await validate(repo, { base: 'main' }))).toContain('rule-name-case-collision');
  });
});

describe('a pull request read from git: only the servers it touches are walked', () => {
  // main also holds servers the change never touches; the registry-wide rules still see them, through git.
  function largerRegistry(): Repo {
    const repo = registryWithPr();
    repo.git(['checkout', '--quiet', 'main']);
    repo.server('io.github.zeta/tools', '2.0.0', { remotes: [{ type: 'sse', url: 'https://tools.zeta.dev/sse' }] })
      .status('io.github.zeta/gone', 'status: deleted')
      .server('io.github.zeta/gone', '1.0.0', { remotes: [{ type: 'sse', url: 'https://gone.zeta.dev/sse' }] })
      .server('io.github.solo/only', '1.0.0')
      .commit('2026-01-02T00:00:00Z');
    repo.git(['checkout', '--quiet', 'pr']);
    repo.git(['merge', '--quiet', '--ff-only', 'main']);
    return repo;
  }

  it('a committed name that differs only by case from a server the change does not touch collides', async () => {
    const repo = largerRegistry();
    repo.server('io.github.Zeta/Tools', '1.0.0').commit('2026-01-03T00:00:00Z');
    const report = await validate(repo, { base: 'main', committedOnly: true });
    // The folders collide on Windows and macOS (the walk of the namespace folders' list), and the names collide.
    expect(report.problems.map((p) => [p.code, p.file])).toEqual([
      ['rule-name-case-collision', 'entries/io.github.Zeta/Tools/1.0.0/server.json'],
      ['file-name-case-collision', 'entries/io.github.zeta'],
    ]);
    expect(report.problems[0]!.message).toContain('"io.github.zeta/tools" (entries/io.github.zeta/tools/2.0.0/server.json)');
  });

  it('a remote URL of an untouched server is taken, unless that server is deleted', async () => {
    const repo = largerRegistry();
    repo.server('io.github.acme/tools', '1.0.0', { remotes: [{ type: 'sse', url: 'https://tools.zeta.dev/sse' }] })
      .server('io.github.acme/revived', '1.0.0', { remotes: [{ type: 'sse', url: 'https://gone.zeta.dev/sse' }] })
      .commit('2026-01-03T00:00:00Z');
    const report = await validate(repo, { base: 'main', committedOnly: true });
    expect(report.problems.map((p) => [p.code, p.file])).toEqual([['rule-remote-url-taken', 'entries/io.github.acme/tools/1.0.0/server.json']]);
    expect(report.problems[0]!.message).toContain('"io.github.zeta/tools" (entries/io.github.zeta/tools/2.0.0/server.json)');
  });

  it('the rules apply to the merged result: a server the change deletes no longer holds its name', async () => {
    const repo = largerRegistry();
    repo.remove('io.github.solo').server('io.github.Solo/Only', '1.0.0').commit('2026-01-03T00:00:00Z');
    const report = await validate(repo, { base: 'main', committedOnly: true });
    // Deleting a published version is refused on its own; the new spelling collides with nothing that remains.
    expect(report.problems.map((p) => [p.code, p.file])).toEqual([['change-published-file', 'entries/io.github.solo/only/1.0.0/server.json']]);
  });

  it('a name case collision with a server deleted only in the working tree counts the working tree', async () => {
    const repo = largerRegistry();
    repo.remove('io.github.solo').server('io.github.Solo/Only', '1.0.0');
    expect(codes(await validate(repo, { base: 'main' }))).toEqual(['change-published-file']);
    // Still in the working tree, it collides.
    repo.server('io.github.solo/only', '1.0.0');
    expect(codes(await validate(repo, { base: 'main' }))).toEqual(['rule-name-case-collision', 'file-name-case-collision']);
  });

  it('with committedOnly, uncommitted and untracked files are not part of the change', async () => {
    const repo = largerRegistry();
    repo.server('io.github.acme/weather', '1.1.0').commit('2026-01-03T00:00:00Z');
    repo.server('io.github.acme/weather', '1.2.0').write('io.github.acme/maps/0.1.0/server.json', '{"changed": true}\n');
    const committed = await validate(repo, { base: 'main', committedOnly: true });
    expect(committed.problems).toEqual([]);
    expect(committed.publishes.map((p) => p.version)).toEqual(['1.1.0']);
    const working = await validate(repo, { base: 'main' });
    expect(working.publishes.map((p) => p.version)).toEqual(['1.1.0', '1.2.0']);
    expect(working.problems.map((p) => [p.code, p.file])).toContainEqual(['change-published-file', 'entries/io.github.acme/maps/0.1.0/server.json']);
  });

  it('a problem in a folder the change does not touch is not the change\'s', async () => {
    const repo = largerRegistry();
    repo.write('io.github.zeta/tools/notes.txt', 'left behind').git(['add', '--all']);
    repo.git(['commit', '--quiet', '-m', 'stray'], '2026-01-03T00:00:00Z');
    repo.git(['branch', '--quiet', '-f', 'main']);
    repo.server('io.github.acme/weather', '1.1.0').commit('2026-01-04T00:00:00Z');
    expect(codes(await validate(repo, { base: 'main', committedOnly: true }))).toEqual([]);
    // The whole registry's check still finds it.
    expect(codes(await validate(repo))).toEqual(['file-stray']);
  });
});

describe('paths', () => {
  it('a server.json must hold the name and version of its folders', async () => {
    const repo = registryWithPr();
    repo.write('io.github.acme/weather/1.2.0/server.json', JSON.stringify({ $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json', name: 'io.github.acme/maps', description: 'x', version: '1.3.0' }));
    const report = await validate(repo, { base: 'main' });
    expect(report.problems.map((p) => [p.code, p.jsonPath])).toEqual([['rule-path-name-mismatch', '/name'], ['rule-path-version-mismatch', '/version']]);
    expect(report.problems[0]!.hint).toContain('"io.github.acme/weather"');
  });
});

describe('reports', () => {
  it('checks only the given paths, and fills in line and column', async () => {
    const repo = registryWithPr();
    repo.write('io.github.acme/weather/2.0.0/server.json', '{\n  "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",\n  "name": "io.github.acme/weather",\n  "description": "x",\n  "version": "2.0.0",\n  "websiteUrl": "http://insecure.example"\n}\n');
    repo.write('io.github.acme/maps/0.2.0/server.json', '{ "broken": ');
    const only = await validate(repo, { paths: ['entries/io.github.acme/weather'] });
    expect(only.problems.every((p) => p.file?.startsWith('entries/io.github.acme/weather/'))).toBe(true);
    const website = only.problems.find((p) => p.jsonPath === '/websiteUrl');
    expect(website).toMatchObject({ file: 'entries/io.github.acme/weather/2.0.0/server.json', line: 6 });
  });

  it('does not depend on the order files were written in', async () => {
    const make = async (order: number[]): Promise<ValidationReport> => {
      const repo = Repo.init('order', 'entries');
      repos.push(repo);
      const names = ['io.github.b/one', 'io.github.a/two', 'io.github.c/three'];
      for (const i of order) repo.write(`${names[i]}/1.0.0/server.json`, `{"name": "${names[i]}", "version": "latest"}`);
      repo.commit(T1);
      return await validate(repo);
    };
    const a = await make([0, 1, 2]), b = await make([2, 0, 1]);
    expect(a.problems.length).toBeGreaterThan(3);
    expect(JSON.stringify(b)).toEqual(JSON.stringify(a));
  });

  it('the CLI exits 1 on errors, 0 on a clean registry, and --format json is the report', async () => {
    const repo = registryWithPr();
    const run = (args: string[]) => spawnSync(path.join(PROJECT, 'node_modules/.bin/tsx'), [path.join(PROJECT, 'scripts/validate.ts'), '--offline', ...args], { cwd: repo.root, encoding: 'utf8' });
    expect(run([]).status).toBe(0);
    repo.write('io.github.acme/weather/3.0.0/server.json', '{');
    const failing = run(['--format', 'json']);
    expect(failing.status).toBe(1);
    const report = JSON.parse(failing.stdout) as ValidationReport;
    expect(report.problems[0]).toMatchObject({ file: 'entries/io.github.acme/weather/3.0.0/server.json', severity: 'error' });
    expect(run(['--format', 'yaml']).status).toBe(2);
  });

  it('checks packages and remotes by default, as the pull request does; --offline skips them and says so', () => {
    const repo = registryWithPr();
    // Only io.github.acme/weather, which names no package and no remote: the package check runs with nothing to
    // fetch, so this test stays off the network.
    const run = (args: string[]) => spawnSync(path.join(PROJECT, 'node_modules/.bin/tsx'), [path.join(PROJECT, 'scripts/validate.ts'), '--format', 'json', ...args, 'entries/io.github.acme/weather'], { cwd: repo.root, encoding: 'utf8', env: { ...process.env, INIT_CWD: repo.root } });
    const online = run([]);
    expect(online.status).toBe(0);
    expect((JSON.parse(online.stdout) as ValidationReport).checks.find((c) => c.id === 'packages')).toEqual({ id: 'packages', ran: true, passed: true });
    const offline = run(['--offline']);
    expect(offline.status).toBe(0);
    expect((JSON.parse(offline.stdout) as ValidationReport).checks.find((c) => c.id === 'packages')).toEqual({ id: 'packages', ran: false, passed: false });
    // --packages, the old way to ask for them, is still accepted and changes nothing.
    expect((JSON.parse(run(['--packages']).stdout) as ValidationReport).checks.find((c) => c.id === 'packages')).toMatchObject({ ran: true });
  });

  it('refuses what the build refuses: a status file or upstream.json beside no version', async () => {
    const repo = registryWithPr();
    repo.status('io.github.acme/orphan', 'status: deprecated\nstatusMessage: "gone"');
    repo.write('io.github.acme/lost/upstream.json', '{}');
    const report = await validate(repo);
    expect(report.problems.filter((p) => p.code.endsWith('-orphan')).map((p) => `${p.code} ${p.file}`)).toEqual([
      'provenance-orphan entries/io.github.acme/lost/upstream.json',
      'status-file-orphan entries/io.github.acme/orphan/server.md',
    ]);
  });

  it('the CLI takes paths relative to the folder they were typed in, and fails on a path that checks nothing', () => {
    const repo = registryWithPr();
    const run = (args: string[], typedIn: string) => spawnSync(path.join(PROJECT, 'node_modules/.bin/tsx'), [path.join(PROJECT, 'scripts/validate.ts'), '--offline', '--format', 'json', ...args], { cwd: repo.root, encoding: 'utf8', env: { ...process.env, INIT_CWD: typedIn } });
    const report = (r: ReturnType<typeof run>) => JSON.parse(r.stdout) as ValidationReport;
    const here = path.join(repo.root, 'entries', 'io.github.acme');
    const ok = run(['weather/1.0.0/server.json'], here);
    expect(ok.status).toBe(0);
    expect(report(ok).publishes.map((p) => p.file)).toEqual(['entries/io.github.acme/weather/1.0.0/server.json']);
    const missing = run(['weather/9.9.9/server.json'], here);
    expect(missing.status).toBe(1);
    expect(report(missing).problems.map((p) => `${p.code} ${p.file}`)).toEqual(['file-missing entries/io.github.acme/weather/9.9.9/server.json']);
    writeFileSync(path.join(repo.root, 'server.json'), '{}');
    const outside = run(['server.json'], repo.root);
    expect(outside.status).toBe(1);
    expect(report(outside).problems.map((p) => p.code)).toEqual(['file-not-in-entries']);
  });
});

describe('values the site neutralises, on a mirrored server', () => {
  it('are warnings when mirrored from an upstream and errors when published here', async () => {
    const repo = Repo.init('validate', 'entries');
    repos.push(repo);
    const state = '{"status":"active","statusChangedAt":"2025-09-01T00:00:00Z","publishedAt":"2025-09-01T00:00:00Z","updatedAt":"2025-09-01T00:00:00Z"}';
    const packages = [{ registryType: 'npm', identifier: '@acme/tool', version: '1.0.0', transport: { type: 'stdio' }, runtimeHint: 'sh', environmentVariables: [{ name: 'TOKEN', value: '${input:token}' }] }];
    repo.server('io.github.upstreamer/tool', '1.0.0', { packages }).write('io.github.upstreamer/tool/upstream.json', `{"source":"official","from":"https://registry.example","versions":{"1.0.0":${state}}}\n`);
    repo.server('io.github.acme/tool', '1.0.0', { packages: [{ ...packages[0], identifier: '@acme/own' }] });
    const report = await validate(repo);
    const found = report.problems.filter((p) => p.code === 'rule-client-variable' || p.code === 'rule-package-runtime-hint').map((p) => [p.code, p.severity, p.file!.split('/')[1]]);
    expect(found.sort()).toEqual([
      ['rule-client-variable', 'error', 'io.github.acme'],
      ['rule-client-variable', 'warning', 'io.github.upstreamer'],
      ['rule-package-runtime-hint', 'error', 'io.github.acme'],
      ['rule-package-runtime-hint', 'warning', 'io.github.upstreamer'],
    ]);
  });
});

describe('a registry kept in another repository', () => {
  const run = (cwd: string, args: string[]) => spawnSync(path.join(PROJECT, 'node_modules/.bin/tsx'), [path.join(PROJECT, 'scripts/validate.ts'), '--offline', ...args], { cwd, encoding: 'utf8' });

  it('--entries <dir> --base main runs git in the repository that holds the entries, from the project folder', () => {
    const repo = registryWithPr();
    repo.server('io.github.acme/weather', '1.1.0').commit('2026-01-02T00:00:00Z');
    const clean = run(PROJECT, ['--entries', repo.entries, '--base', 'main', '--format', 'json']);
    expect(clean.stderr).not.toContain('outside repository');
    expect(clean.status, clean.stderr).toBe(0);
    const report = JSON.parse(clean.stdout) as ValidationReport;
    expect(report.publishes).toEqual([{ name: 'io.github.acme/weather', version: '1.1.0', file: 'entries/io.github.acme/weather/1.1.0/server.json' }]);

    repo.write('io.github.acme/weather/1.0.0/server.json', '{"changed": true}\n').commit('2026-01-03T00:00:00Z');
    const changed = run(PROJECT, ['--entries', repo.entries, '--base', 'main', '--format', 'json']);
    expect(changed.status).toBe(1);
    expect((JSON.parse(changed.stdout) as ValidationReport).problems.map((p) => [p.code, p.file])).toContainEqual(['change-published-file', 'entries/io.github.acme/weather/1.0.0/server.json']);
  });

  it('an entries folder nested in the other repository still keeps published files immutable', () => {
    const repo = Repo.init('nested', 'registry/entries');
    repos.push(repo);
    repo.server('io.github.acme/weather', '1.0.0').commit(T1);
    repo.git(['checkout', '--quiet', '-b', 'pr']);
    repo.write('io.github.acme/weather/1.0.0/server.json', '{"changed": true}\n').commit('2026-01-02T00:00:00Z');
    const result = run(PROJECT, ['--entries', repo.entries, '--base', 'main', '--format', 'json']);
    expect(result.status).toBe(1);
    expect((JSON.parse(result.stdout) as ValidationReport).problems.map((p) => [p.code, p.file])).toContainEqual(['change-published-file', 'registry/entries/io.github.acme/weather/1.0.0/server.json']);
  });

  it('--base on entries outside any git repository says so in one line', () => {
    const repo = Repo.init('nogit', 'entries');
    repos.push(repo);
    repo.server('io.github.acme/weather', '1.0.0');
    rmSync(path.join(repo.root, '.git'), { recursive: true, force: true });
    const result = run(PROJECT, ['--entries', repo.entries, '--base', 'main']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('inside a git repository');
    expect(result.stderr).not.toContain('    at ');
  });
});

describe('the whole registry on two threads', () => {
  it('gives each namespace folder to the first thread that reaches it, and files at the top to the main thread', () => {
    const names = ['a', 'b', 'c', 'd'];
    const claims = new SharedArrayBuffer(4 * names.length);
    const main = claimedBy(MAIN_THREAD, names, claims), worker = claimedBy(SCAN_WORKER, names, claims);
    expect([main('a'), worker('a'), worker('b'), main('b'), main('b/server'), worker('b/server')]).toEqual([true, false, true, false, false, true]);
    expect([worker('d/x/1.0.0'), main('d'), main('c'), worker('c')]).toEqual([true, false, true, false]);
    expect([main('README.md'), worker('README.md')]).toEqual([true, false]);
    expect([...new Int32Array(claims)]).toEqual([MAIN_THREAD, SCAN_WORKER, MAIN_THREAD, SCAN_WORKER]);
  });

  it('reports exactly what one thread reports', async () => {
    const repo = Repo.init('parallel', 'entries');
    repos.push(repo);
    const remote = (url: string) => ({ remotes: [{ type: 'sse', url }] });
    // Namespaces alternate between the threads in bytewise order (reserved: on a registry this small the main thread
    // would reach them all before the worker starts); problems of every kind on both sides, and rules across them (a
    // shared remote URL, names that differ only by case).
    for (const ns of ['io.github.a1', 'io.github.a2', 'io.github.a3', 'io.github.a4', 'io.github.a5', 'io.github.a6']) {
      repo.server(`${ns}/ok`, '1.0.0').server(`${ns}/ok`, '1.1.0', remote(`https://${ns}.example/mcp`));
      repo.write(`${ns}/bad/1.0.0/server.json`, `{"name": "${ns}/bad", "version": "latest", "version": "1.0.0"}`);
      repo.write(`${ns}/broken/1.0.0/server.json`, '{"name": ');
      repo.write(`${ns}/ok/1.0.0/notes.md`, 'stray');
    }
    repo.server('io.github.a1/shared', '1.0.0', remote('https://shared.example/mcp')).server('io.github.a2/shared', '1.0.0', remote('https://shared.example/mcp'));
    repo.server('io.github.a3/Case', '1.0.0').server('io.github.a4/x', '1.0.0').server('io.github.A4/x', '1.0.0');
    repo.write('io.github.a5/key/1.0.0/server.json', '"-----BEGIN PRIVATE KEY-----"');
    repo.status('io.github.a6/ok', 'status: deleted');
    repo.server('io.github.a2/gone', '1.0.0', remote('https://shared.example/mcp')).status('io.github.a2/gone', 'status: deleted');
    const state = '{"status":"active","statusChangedAt":"2025-09-01T00:00:00Z","publishedAt":"2025-09-01T00:00:00Z","updatedAt":"2025-09-01T00:00:00Z"}';
    repo.server('io.github.a3/mirror', '1.0.0', { packages: [{ registryType: 'npm', identifier: '@a3/m', version: '1.0.0', transport: { type: 'stdio' }, runtimeHint: 'sh' }] })
      .write('io.github.a3/mirror/upstream.json', `{"source":"official","from":"https://registry.example","versions":{"1.0.0":${state}}}\n`);
    const one = await validateRegistry({ root: repo.root, entriesDir: 'entries', parallelFrom: Infinity });
    const alternate = (i: number): boolean => i % 2 === 1;
    const two = await validateRegistry({ root: repo.root, entriesDir: 'entries', parallelFrom: 1, parallelReserved: alternate });
    for (const code of ['rule-remote-url-taken', 'rule-name-case-collision', 'file-name-case-collision', 'json-duplicate-key', 'json-syntax', 'file-stray', 'file-private-key', 'json-not-object', 'rule-package-runtime-hint']) {
      expect(one.problems.map((p) => p.code)).toContain(code);
    }
    // The second thread did start and walk its half (a failed start falls back to one thread, which would prove
    // nothing here).
    expect((await scanInParallel(repo.root, 'entries', 1, { reserved: alternate }))?.workerNamespaces).toBe(3);
    expect(one.problems.length).toBeGreaterThan(20);
    expect(JSON.stringify(two)).toEqual(JSON.stringify(one));
  });
});
