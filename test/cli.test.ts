// The documented commands, run as a user runs them: the first line printed is the URL, and it answers.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { NGINX_BINARY, nginxMissing } from '../scripts/lib/serve/run-nginx.ts';
import { runScript } from './support/run-script.ts';
import { STRICT_PREREQUISITES } from './support/strict.ts';

const PROJECT = path.resolve(import.meta.dirname, '..');
const missing = nginxMissing();
const skipNginx = missing !== null && !STRICT_PREREQUISITES;
if (skipNginx) console.warn(`nginx CLI tests skipped: ${missing}`);

let work: string;
let dist: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
  dist = path.join(work, 'dist');
  await buildRegistry({ entriesDir: path.join(PROJECT, 'entries'), outDir: dist, env: { SOURCE_DATE_EPOCH: '1764547200' } });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Starts `npm run -s <script> -- args` and resolves with its first line of output and the process. */
function firstLine(script: string, args: string[]): Promise<{ line: string; child: ChildProcess }> {
  const child = spawn('npm', ['run', '-s', script, '--', ...args], { cwd: PROJECT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve({ line, child }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    process.kill(-child.pid!, 'SIGTERM');
  });
}

async function expectRegistryAt(url: string): Promise<void> {
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const response = await fetch(`${url}/v0.1/servers`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { servers: Array<{ server: { name: string } }> };
  expect(body.servers.map((s) => s.server.name)).toContain('io.github.modelcontextprotocol/server-filesystem');
}

describe('npm run edge', () => {
  it('prints the URL first and serves the directory through the Worker in workerd on a free port', async () => {
    const { line, child } = await firstLine('edge', ['--dir', dist, '--port', '0']);
    try {
      await expectRegistryAt(line);
    } finally {
      await stop(child);
    }
  });

  it('writes the deployment for wrangler with --write-only', async () => {
    const out = path.join(work, 'cloudflare');
    const result = await runScript('edge.ts', ['--dir', dist, '--out', out, '--write-only'], { cwd: PROJECT });
    expect(result.code, result.err).toBe(0);
    expect(result.out.trim()).toBe(path.join(out, 'wrangler.jsonc'));
    for (const file of ['wrangler.jsonc', 'worker.js', 'public/index.html', 'public/_headers', 'public/_build/_packs/index.json', 'public/_build/_packs/00000.bin']) expect(existsSync(path.join(out, file)), file).toBe(true);
    // How many asset files the deployment holds, against Cloudflare's limit per Worker version.
    expect(result.err).toMatch(/^\d+ asset files: \d+ site files, 1 pack and 0 single files of the API and row index, _headers$/m);
  });
});

describe('npm run serve', () => {
  it('prints the URL first and serves the directory on a free port', async () => {
    const { line, child } = await firstLine('serve', ['--dir', dist, '--port', '0']);
    try {
      await expectRegistryAt(line);
    } finally {
      await stop(child);
    }
  });

  it('refuses a bad port with exit code 2', () => {
    const run = spawnSync('npm', ['run', '-s', 'serve', '--', '--port', 'eighty'], { cwd: PROJECT, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--port must be a whole number');
  });
});

describe('npm start', () => {
  it('builds the entries and serves them, URL first', async () => {
    const out = path.join(work, 'start-out');
    const { line, child } = await firstLine('start', ['--out', out, '--port', '0']);
    try {
      await expectRegistryAt(line);
    } finally {
      await stop(child);
    }
  });
});

describe.skipIf(skipNginx)('npm run nginx', () => {
  it('runs nginx in the foreground, URL first', async () => {
    if (missing) throw new Error(missing);
    const { line, child } = await firstLine('nginx', ['--dir', dist, '--port', '0']);
    try {
      await expectRegistryAt(line);
    } finally {
      await stop(child);
    }
  });

  it('--print gives a configuration that nginx itself accepts', () => {
    if (missing) throw new Error(missing);
    const prefix = mkdtempSync(path.join(work, 'prefix-'));
    const printed = spawnSync('npm', ['run', '-s', 'nginx', '--', '--dir', dist, '--port', '8999', '--prefix', prefix, '--print'], { cwd: PROJECT, encoding: 'utf8' });
    expect(printed.status).toBe(0);
    expect(printed.stdout).toContain('server {');
    const file = path.join(prefix, 'nginx.conf');
    writeFileSync(file, printed.stdout);
    const check = spawnSync(NGINX_BINARY, ['-t', '-p', prefix, '-c', file, '-e', 'stderr'], { encoding: 'utf8' });
    expect(check.stderr).toContain('syntax is ok');
    expect(check.status).toBe(0);
  });
});

describe('a busy port or a missing build: one line that says what to do', () => {
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    port = (busy.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  const run = (script: string, args: string[]) => runScript(script, args, { cwd: work });

  const oneLine = (text: string): void => expect(text.trim().split('\n')).toHaveLength(1);

  it('npm start checks the port before building', async () => {
    const out = path.join(work, 'busy-start-out');
    const result = await run('start.ts', ['--out', out, '--port', String(port)]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(new RegExp(`^error: port ${port} on 127\\.0\\.0\\.1 is in use: .*--port 0 to pick a free one\\n$`));
    oneLine(result.err);
    expect(existsSync(out)).toBe(false);
  }, 90_000);

  it('npm run serve on a busy port, and on a folder with no build', async () => {
    const result = await run('serve.ts', ['--dir', dist, '--port', String(port)]);
    expect(result).toMatchObject({ code: 1, out: '', err: expect.stringMatching(/^error: port \d+ on 127\.0\.0\.1 is in use: .*--port 0/) });
    oneLine(result.err);
    const missingDir = await run('serve.ts', ['--dir', path.join(work, 'no-dist'), '--port', '0']);
    expect(missingDir).toMatchObject({ code: 1, out: '', err: expect.stringContaining('run `npm run build` first') });
    oneLine(missingDir.err);
  }, 90_000);

  it('npm run static-host on a folder with no build writes nothing', async () => {
    const pages = path.join(work, 'no-pages');
    const result = await run('static-host.ts', ['--dir', path.join(work, 'no-dist'), '--out', pages]);
    expect(result).toMatchObject({ code: 1, err: expect.stringContaining('run `npm run build` first') });
    oneLine(result.err);
    expect(existsSync(pages)).toBe(false);
  }, 90_000);

  it.skipIf(skipNginx)('npm run nginx on a busy port, and on a folder with no build', async () => {
    const result = await run('nginx.ts', ['--dir', dist, '--port', String(port)]);
    expect(result).toMatchObject({ code: 1, out: '', err: expect.stringMatching(/^error: port \d+ on 127\.0\.0\.1 is in use: .*--port 0/) });
    oneLine(result.err);
    const missingDir = await run('nginx.ts', ['--dir', path.join(work, 'no-dist'), '--port', '0']);
    expect(missingDir).toMatchObject({ code: 1, err: expect.stringContaining('run `npm run build` first') });
    oneLine(missingDir.err);
  }, 90_000);
});

describe('build outputs are not committed by accident', () => {
  it('git ignores dist/ and the static-host output pages/', () => {
    for (const file of ['dist/v0.1/servers', 'pages/v0.1/servers/index.html']) {
      const check = spawnSync('git', ['check-ignore', '--quiet', '--no-index', file], { cwd: PROJECT });
      expect(check.status, file).toBe(0);
    }
  });
});
