// npm run sync against a test upstream that behaves like the official registry API (test/support/official-upstream.ts,
// on 127.0.0.1, a few thousand server versions): a full ingest, then only the changes, a kill halfway, the policy,
// 429s and 5xx, a looping cursor, and a build of the result that serves the upstream's timestamps.

import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { writeStaticHostLayout } from '../scripts/lib/deploy/static-host.ts';
import { startRegistryServer } from '../scripts/lib/serve/node-server.ts';
import { freePort } from '../scripts/lib/serve/run-nginx.ts';
import { terminalProgress } from '../scripts/lib/sync/terminal.ts';
import { listEntryFiles } from '../scripts/lib/entries/load.ts';
import { OFFICIAL_META_KEY } from '../scripts/lib/model.ts';
import { ProblemsError } from '../scripts/lib/problems.ts';
import { versionFile } from '../scripts/lib/query/layout.ts';
import { compilePolicy, policySubject } from '../scripts/lib/sync/policy.ts';
import { syncRegistry, type SyncOptions } from '../scripts/lib/sync/sync.ts';
import type { Policy } from '../scripts/lib/sync/types.ts';
import { generateUpstreamRows, startOfficialUpstream, type OfficialUpstream, type UpstreamRow } from './support/official-upstream.ts';
import { git, tempDir } from './support/git-fixture.ts';
import { createFixtureRegistry, type FixtureRegistry } from './support/fixture-registry.ts';
import { startStaticFileServer } from './support/static-file-server.ts';
import { STRICT_PREREQUISITES } from './support/strict.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const FAST_RETRY = { attempts: 8, baseDelayMs: 5, maxDelayMs: 2000 };

let upstream: OfficialUpstream;
let rows: UpstreamRow[];
const dirs: string[] = [];

beforeAll(async () => {
  rows = generateUpstreamRows({ servers: 1500, versions: 3000, seed: 7 });
  upstream = await startOfficialUpstream(rows.map((r) => structuredClone(r)));
});
afterAll(async () => {
  await upstream?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fork: a git repository with registry.yaml naming the upstream, and optionally local entries. */
function fork(config: string, local: Record<string, string> = {}): string {
  const root = tempDir('sync');
  dirs.push(root);
  git(root, ['init', '-q', '-b', 'main']);
  writeFileSync(path.join(root, 'registry.yaml'), config);
  mkdirSync(path.join(root, 'entries'));
  for (const [file, content] of Object.entries(local)) {
    mkdirSync(path.dirname(path.join(root, 'entries', file)), { recursive: true });
    writeFileSync(path.join(root, 'entries', file), content);
  }
  git(root, ['add', '-A']);
  git(root, ['commit', '-q', '--allow-empty', '-m', 'fork'], '2026-01-01T00:00:00Z');
  return root;
}

const sourceYaml = (url: string, policy = '') => `sources:\n  - id: upstream\n    url: ${url}\n${policy}`;
const sync = (root: string, extra: Partial<SyncOptions> = {}) => syncRegistry({ root, retry: FAST_RETRY, ...extra });
const listRequests = () => upstream.requests.filter((r) => r.path === '/v0.1/servers');
const key = (name: string, version: string) => `${name}@${version}`;

/** Every file under entries/ with its content, for comparing two trees. */
function snapshot(root: string): Record<string, string> {
  const entries = path.join(root, 'entries');
  return Object.fromEntries(listEntryFiles(entries).map((file) => [file, readFileSync(path.join(entries, file), 'utf8')]));
}

function serverJsonCount(root: string): number {
  return listEntryFiles(path.join(root, 'entries')).filter((f) => f.endsWith('/server.json')).length;
}

describe('a full ingest, then only the changes', () => {
  let root: string;
  const localName = () => rows[0]!.server.name;

  it('ingests every version (deleted ones with their status), minus the name a local entry holds', async () => {
    const local = rows[0]!.server.name;
    root = fork(sourceYaml(upstream.url), {
      [`${local}/9.9.9/server.json`]: `${JSON.stringify({ name: local, version: '9.9.9', description: 'Our own build of it.' }, null, 2)}\n`,
    });
    const before = listRequests().length;
    const summary = await sync(root);
    const s = summary.sources[0]!;
    const localRows = rows.filter((r) => r.server.name === localName());
    expect(s.mode).toBe('full');
    expect(s.added).toHaveLength(rows.length - localRows.length);
    expect(s.conflicts).toEqual([{ name: localName(), reason: 'a local entry of the same name (local entries win)' }]);
    // 3,000 rows by 100: 30 full pages, and the 30th still carries a cursor (official rule), so one empty page.
    expect(s.requests).toBe(31);
    const requests = listRequests().slice(before);
    expect(requests.every((r) => r.query.limit === '100' && r.query.include_deleted === 'true')).toBe(true);
    expect(serverJsonCount(root)).toBe(rows.length - localRows.length + 1);

    for (const row of rows.filter((r) => r.server.name !== localName()).slice(0, 200)) {
      const dir = path.join(root, 'entries', row.server.name);
      expect(JSON.parse(readFileSync(path.join(dir, row.server.version, 'server.json'), 'utf8'))).toEqual(row.server);
      const { isLatest: _, ...state } = row.official;
      expect(JSON.parse(readFileSync(path.join(dir, 'upstream.json'), 'utf8')).versions[row.server.version]).toEqual(state);
    }
    expect(existsSync(path.join(root, '.sync'))).toBe(true);
    expect(readdirSync(path.join(root, '.sync'))).toEqual([]);
  });

  it('builds an API that serves the upstream timestamps, statuses and isLatest, byte for byte', async () => {
    const outDir = path.join(root, 'dist');
    const built = await buildRegistry({ entriesDir: path.join(root, 'entries'), outDir, env: { SOURCE_DATE_EPOCH: '1767225600' } });
    expect(built.problems.filter((p) => p.severity === 'error')).toEqual([]);
    for (const row of rows) {
      if (row.server.name === localName()) continue;
      const file = path.join(outDir, versionFile(row.server.name, row.server.version, row.official.status === 'deleted'));
      const item = JSON.parse(readFileSync(file, 'utf8')) as { server: unknown; _meta: Record<string, unknown> };
      expect(item._meta[OFFICIAL_META_KEY], key(row.server.name, row.server.version)).toEqual(row.official);
    }
  });

  it('then reads only what changed (updated_since), with status changes and deletions', async () => {
    const [a, b] = rows.filter((r) => r.server.name !== localName() && r.official.status === 'active' && r.official.isLatest);
    const newest = rows.map((r) => r.official.updatedAt).sort().at(-1)!;
    const later = (minutes: number) => new Date(Date.parse(newest) + minutes * 60_000).toISOString();
    upstream.setStatus(a!.server.name, a!.server.version, 'deprecated', 'Use the successor.', later(1));
    upstream.setStatus(b!.server.name, b!.server.version, 'deleted', undefined, later(2));
    upstream.publish({ ...rows[5]!.server, name: 'io.github.newcomer/fresh', version: '0.1.0', description: 'Just published.' }, later(3));
    const before = listRequests().length;
    const summary = await sync(root);
    const s = summary.sources[0]!;
    expect(s.mode).toBe('incremental');
    expect(s.updatedSince).toBe(newest);
    // The one page of changes holds every row, so one small request checks that the host reads the query string.
    expect(listRequests().slice(before).map((r) => r.query)).toEqual([{ limit: '100', updated_since: newest }, { limit: '1', updated_since: '9999-12-31T23:59:59.999999Z' }]);
    expect(s.added).toEqual([{ name: 'io.github.newcomer/fresh', version: '0.1.0' }]);
    expect(s.statusChanged).toEqual(expect.arrayContaining([
      { name: a!.server.name, version: a!.server.version, from: 'active', to: 'deprecated' },
      { name: b!.server.name, version: b!.server.version, from: 'active', to: 'deleted' },
    ]));
    const provenance = JSON.parse(readFileSync(path.join(root, 'entries', b!.server.name, 'upstream.json'), 'utf8'));
    expect(provenance.versions[b!.server.version]).toMatchObject({ status: 'deleted', updatedAt: later(2) });
    // Nothing new upstream: one request, no changes.
    const again = (await sync(root)).sources[0]!;
    expect([again.requests, again.added.length, again.updated.length, again.statusChanged.length]).toEqual([1, 0, 0, 0]);
  });
});

describe('the policy', () => {
  it('lets in only what it allows, a deny winning, and takes out what a stricter policy no longer admits', async () => {
    const policy = 'policy:\n  allow:\n    - namespace: "io.github.*"\n  deny:\n    - registryType: oci\n    - status: deleted\n';
    const root = fork(sourceYaml(upstream.url, policy));
    const s = (await sync(root)).sources[0]!;
    const decide = compilePolicy({ allow: [{ namespace: ['io.github.*'] }], deny: [{ registryType: ['oci'] }, { status: ['deleted'] }] } satisfies Policy);
    const admitted = upstream.rows.filter((r) => decide(policySubject(r.server as never, r.official.status)).admitted);
    expect(admitted.length).toBeGreaterThan(100);
    expect(admitted.length).toBeLessThan(upstream.rows.length - 100);
    expect(s.added.map((v) => key(v.name, v.version)).sort()).toEqual(admitted.map((r) => key(r.server.name, r.server.version)).sort());
    expect(s.skippedByPolicy).toBe(upstream.rows.length - admitted.length);

    // A stricter policy: the versions it no longer admits leave at the next sync, without a full read.
    writeFileSync(path.join(root, 'registry.yaml'), sourceYaml(upstream.url, `${policy}    - transport: sse\n`));
    const stricter = (await sync(root)).sources[0]!;
    const sse = admitted.filter((r) => JSON.stringify(r.server).includes('"type":"sse"'));
    expect(sse.length).toBeGreaterThan(0);
    expect(stricter.removed.map((v) => key(v.name, v.version)).sort()).toEqual(sse.map((r) => key(r.server.name, r.server.version)).sort());
    expect(serverJsonCount(root)).toBe(admitted.length - sse.length);
  });
});

describe('interruptions', () => {
  it('survives being killed halfway through reading, and resumes from its checkpoint', async () => {
    const clean = fork(sourceYaml(upstream.url));
    await sync(clean);

    const root = fork(sourceYaml(upstream.url));
    upstream.holdAfter(10);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/sync.ts'), '--root', root], { cwd: ROOT, stdio: 'ignore', detached: true });
    try {
      const deadline = Date.now() + 20_000;
      while (!readdirSafe(path.join(root, '.sync')).includes('upstream.checkpoint.json') || JSON.parse(readFileSync(path.join(root, '.sync/upstream.checkpoint.json'), 'utf8')).pages < 10) {
        if (Date.now() > deadline) throw new Error('the sync never reached the held page');
        await new Promise((r) => setTimeout(r, 50));
      }
      process.kill(-child.pid!, 'SIGKILL');
      await new Promise((r) => child.once('exit', r));
    } finally {
      upstream.release();
    }
    // Killed while reading: entries/ untouched, the checkpoint holds ten pages.
    expect(serverJsonCount(root)).toBe(0);
    const checkpoint = JSON.parse(readFileSync(path.join(root, '.sync/upstream.checkpoint.json'), 'utf8'));
    expect(checkpoint.pages).toBe(10);

    const resumed = (await sync(root)).sources[0]!;
    expect(resumed.requests).toBe(upstream.rows.length % 100 === 0 ? upstream.rows.length / 100 + 1 - 10 : Math.ceil(upstream.rows.length / 100) - 10);
    expect(snapshot(root)).toEqual(snapshot(clean));
  });

  it('finishes an apply that was cut short before doing anything else', async () => {
    const clean = fork(sourceYaml(upstream.url));
    await sync(clean);
    const root = fork(sourceYaml(upstream.url));
    // Stop the apply after its first 500 file operations: the state a kill there leaves (each write is atomic).
    let stop = true;
    await expect(sync(root, {
      progress: {
        applying(_source, done) {
          if (stop && done === 500) throw new Error('killed');
        },
      },
    })).rejects.toThrow('killed');
    expect(existsSync(path.join(root, '.sync/apply.json'))).toBe(true);
    expect(listEntryFiles(path.join(root, 'entries')).length).toBe(500);
    stop = false;
    const recovered: number[] = [];
    const before = listRequests().length;
    await sync(root, { progress: { recovering: (_s, ops) => recovered.push(ops) } });
    expect(recovered).toEqual([Object.keys(snapshot(clean)).length]);
    expect(existsSync(path.join(root, '.sync/apply.json'))).toBe(false);
    expect(snapshot(root)).toEqual(snapshot(clean));
    // After the recovery the sync went on incrementally: one request, nothing new.
    expect(listRequests().length - before).toBe(1);
  });
});

describe('a source that misbehaves', () => {
  it('retries 429 (honouring Retry-After) and 5xx answers, and finishes', async () => {
    const small = await startOfficialUpstream(generateUpstreamRows({ servers: 150, versions: 250, seed: 3 }));
    try {
      const root = fork(sourceYaml(small.url));
      small.rateLimit = { requests: 2, windowMs: 400, retryAfterSeconds: 1 };
      small.failNext(2, 503);
      const started = Date.now();
      const s = (await sync(root)).sources[0]!;
      const statuses = small.requests.map((r) => r.status);
      expect(statuses.filter((x) => x === 503)).toHaveLength(2);
      expect(statuses.filter((x) => x === 429).length).toBeGreaterThan(0);
      expect(s.added).toHaveLength(small.rows.length);
      expect(s.requests).toBe(small.requests.length);
      // Retry-After: 1 was waited out at least once.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      await small.close();
    }
  });

  it('gives up on a source that keeps failing, with the code and a hint', async () => {
    const small = await startOfficialUpstream(generateUpstreamRows({ servers: 5, versions: 5 }));
    try {
      const root = fork(sourceYaml(small.url));
      small.failNext(100, 502);
      const error = await sync(root, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProblemsError);
      expect((error as ProblemsError).problems[0]).toMatchObject({ code: 'sync-source-unavailable' });
      expect((error as ProblemsError).problems[0]!.hint).toMatch(/resumes/);
      expect(small.requests).toHaveLength(3);
    } finally {
      await small.close();
    }
  });

  it('refuses a host that ignores the query string (a plain static host), which would lose versions silently', async () => {
    const items = rows.slice(0, 101).map((r) => ({ server: r.server, _meta: { [OFFICIAL_META_KEY]: r.official } }));
    const staticHost = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ servers: items, metadata: { count: items.length } })));
    await new Promise<void>((r) => staticHost.listen(0, '127.0.0.1', r));
    try {
      const root = fork(sourceYaml(`http://127.0.0.1:${(staticHost.address() as AddressInfo).port}`));
      const error = await sync(root).catch((e: unknown) => e);
      expect((error as ProblemsError).problems[0]).toMatchObject({ code: 'sync-source-static' });
      expect(serverJsonCount(root)).toBe(0);
    } finally {
      staticHost.close();
    }
  });

  it('sends the token named by tokenEnv, and says so when the variable is missing', async () => {
    const seen: Array<string | undefined> = [];
    const guarded = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== 'Bearer s3cret') return void res.writeHead(401).end();
      const servers = req.url!.includes('updated_since=') ? [] : [{ server: rows[1]!.server, _meta: { [OFFICIAL_META_KEY]: rows[1]!.official } }];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ servers, metadata: { count: servers.length } }));
    });
    await new Promise<void>((r) => guarded.listen(0, '127.0.0.1', r));
    try {
      const root = fork(`${sourceYaml(`http://127.0.0.1:${(guarded.address() as AddressInfo).port}`)}    tokenEnv: MSR_TEST_UPSTREAM_TOKEN\n`);
      const missing = await sync(root).catch((e: unknown) => e);
      expect((missing as ProblemsError).problems[0]).toMatchObject({ code: 'sync-source-token' });
      expect(seen).toEqual([]);
      process.env.MSR_TEST_UPSTREAM_TOKEN = 's3cret';
      const s = (await sync(root)).sources[0]!;
      expect(s.added).toHaveLength(1);
      expect(seen).toEqual(['Bearer s3cret', 'Bearer s3cret']);
    } finally {
      delete process.env.MSR_TEST_UPSTREAM_TOKEN;
      guarded.close();
    }
  });

  it('stops at a cursor it has already followed', async () => {
    // A host that ignores ?cursor= (a plain static file server) answers the same page, cursor included, forever.
    const page = JSON.stringify({ servers: [{ server: rows[0]!.server, _meta: { [OFFICIAL_META_KEY]: rows[0]!.official } }], metadata: { nextCursor: 'a:1', count: 1 } });
    let served = 0;
    const loop = createServer((_req, res) => {
      served++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(page);
    });
    await new Promise<void>((r) => loop.listen(0, '127.0.0.1', r));
    try {
      const root = fork(sourceYaml(`http://127.0.0.1:${(loop.address() as AddressInfo).port}`));
      const error = await sync(root).catch((e: unknown) => e);
      expect((error as ProblemsError).problems[0]).toMatchObject({ code: 'sync-cursor-loop' });
      expect(served).toBe(2);
      expect(serverJsonCount(root)).toBe(0);
    } finally {
      loop.close();
    }
  });
});

describe('bounds on what an upstream can make the sync do', () => {
  let small: OfficialUpstream;
  beforeEach(async () => {
    small = await startOfficialUpstream(generateUpstreamRows({ servers: 5, versions: 8, seed: 11 }));
  });
  afterEach(async () => {
    await small.close();
  });
  const smallRequests = () => small.requests.filter((r) => r.path === '/v0.1/servers');
  const problemOf = (error: unknown) => {
    expect(error).toBeInstanceOf(ProblemsError);
    return (error as ProblemsError).problems[0]!;
  };

  it('stops reading an answer larger than 32 MiB, without reading it to the end', async () => {
    const root = fork(sourceYaml(small.url));
    const padding = 64 * 1024 * 1024;
    small.padList(padding);
    const p = problemOf(await sync(root).catch((e: unknown) => e));
    expect(p).toMatchObject({ code: 'sync-source-too-large' });
    expect(p.message).toContain('32 MiB');
    // Not retried, and the upstream could not send its whole answer: the sync hung up on it.
    expect(smallRequests()).toHaveLength(1);
    expect(smallRequests()[0]!.sent).toBeLessThan(padding);
    expect(serverJsonCount(root)).toBe(0);
  });

  it('skips a version whose server.json would exceed the validator\'s size limit, and stores the rest', async () => {
    const big = small.publish({ ...small.rows[0]!.server, name: 'io.github.bulky/huge', version: '1.0.0', _meta: { 'io.modelcontextprotocol.registry/publisher-provided': { blob: 'x'.repeat(300_000) } } });
    const root = fork(sourceYaml(small.url));
    const s = (await sync(root)).sources[0]!;
    expect(s.problems).toEqual([expect.objectContaining({ severity: 'warning', code: 'sync-version-too-large', jsonPath: 'io.github.bulky/huge@1.0.0' })]);
    expect(existsSync(path.join(root, 'entries', big.server.name))).toBe(false);
    expect(s.added).toHaveLength(small.rows.length - 1);
    expect(serverJsonCount(root)).toBe(small.rows.length - 1);
  });

  it('stops when new cursors bring no new rows', async () => {
    const root = fork(sourceYaml(small.url));
    small.endlessCursors({ newRowsPerPage: 0 });
    const p = problemOf(await sync(root).catch((e: unknown) => e));
    expect(p).toMatchObject({ code: 'sync-source-endless' });
    expect(p.message).toMatch(/last 3 pages/);
    // The first page, then three that repeat it under new cursors.
    expect(smallRequests()).toHaveLength(4);
    expect(serverJsonCount(root)).toBe(0);
  });

  it('stops when new cursors bring rows one by one', async () => {
    const root = fork(sourceYaml(small.url));
    small.endlessCursors({ newRowsPerPage: 1 });
    const p = problemOf(await sync(root).catch((e: unknown) => e));
    expect(p).toMatchObject({ code: 'sync-source-endless' });
    expect(p.message).toMatch(/21 pages with a next cursor brought only 21 different server versions/);
    expect(smallRequests()).toHaveLength(21);
  });

  it('stops at the page limit of a run, and says that a run again resumes', async () => {
    const root = fork(sourceYaml(small.url));
    small.endlessCursors({ newRowsPerPage: 100 });
    const p = problemOf(await sync(root, { limits: { maxPages: 5, maxResponseBytes: 1024 * 1024 } }).catch((e: unknown) => e));
    expect(p).toMatchObject({ code: 'sync-source-endless' });
    expect(p.message).toMatch(/read 5 pages \(500 server versions\)/);
    expect(p.hint).toMatch(/resumes/);
    expect(smallRequests()).toHaveLength(5);
  });

  it('does not let a version dated in the future freeze incremental reads, and names it', async () => {
    const root = fork(sourceYaml(small.url));
    const newest = small.rows.map((r) => r.official.updatedAt).sort().at(-1)!;
    small.publish({ ...small.rows[0]!.server, name: 'io.github.clock/skewed', version: '1.0.0' }, '2099-01-01T00:00:00Z');
    const first = (await sync(root)).sources[0]!;
    expect(first.problems).toEqual([expect.objectContaining({ severity: 'warning', code: 'sync-future-timestamp', jsonPath: 'io.github.clock/skewed@1.0.0' })]);
    expect(first.problems[0]!.message).toContain('2099-01-01T00:00:00Z');

    const later = new Date(Date.parse(newest) + 60_000).toISOString();
    small.publish({ ...small.rows[0]!.server, name: 'io.github.clock/punctual', version: '1.0.0' }, later);
    const next = (await sync(root)).sources[0]!;
    expect(next.mode).toBe('incremental');
    expect(next.updatedSince).toBe(newest);
    expect(next.added).toEqual([{ name: 'io.github.clock/punctual', version: '1.0.0' }]);
    expect(next.problems.map((p) => p.jsonPath)).toEqual(['io.github.clock/skewed@1.0.0']);
  });

  it('says why an upstream cannot be reached (ECONNREFUSED and the URL), with each retry on stderr', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const root = fork(sourceYaml(url));
    const stderr: string[] = [];
    const progress = terminalProgress({ isTTY: false, write: (text: string) => stderr.push(text) > 0 });
    const p = problemOf(await sync(root, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, progress }).catch((e: unknown) => e));
    expect(p.code).toBe('sync-source-unreachable');
    expect(p.message).toContain(`${url}/v0.1/servers?limit=100&include_deleted=true`);
    expect(p.message).toMatch(/ECONNREFUSED/);
    expect(p.message).toContain('(3 attempts)');
    expect(p.hint).toMatch(/port/);
    const retries = stderr.join('').split('\n').filter((line) => line.includes('attempt'));
    expect(retries).toEqual([
      expect.stringMatching(/^upstream: attempt 1 of 3 failed \(ECONNREFUSED \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)\); waiting \d+\.\d s before the next$/),
      expect.stringMatching(/^upstream: attempt 2 of 3 failed \(ECONNREFUSED/),
    ]);
  });
});

const openssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
if (!openssl && !STRICT_PREREQUISITES) console.warn('sync over TLS skipped: openssl is not installed');

describe.skipIf(!openssl && !STRICT_PREREQUISITES)('an upstream with a bad certificate', () => {
  it('is refused at once, naming the TLS error', async () => {
    const dir = tempDir('sync-tls');
    dirs.push(dir);
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    let served = 0;
    const tls = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (_req, res) => {
      served++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"servers":[],"metadata":{"count":0}}');
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    try {
      const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
      const error = await sync(fork(sourceYaml(url))).catch((e: unknown) => e);
      const p = (error as ProblemsError).problems[0]!;
      expect(p.code).toBe('sync-source-unreachable');
      expect(p.message).toContain(`cannot reach ${url}/v0.1/servers`);
      expect(p.message).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT/);
      expect(p.message).not.toMatch(/attempts/); // a certificate does not mend itself: no retry
      expect(p.hint).toMatch(/NODE_EXTRA_CA_CERTS/);
      expect(served).toBe(0);
    } finally {
      tls.closeAllConnections();
      tls.close();
    }
  });
});

describe('a plain static host', () => {
  let registry: FixtureRegistry;
  let dist: string;
  beforeAll(async () => {
    registry = createFixtureRegistry();
    dist = path.join(registry.root, 'dist');
    await buildRegistry({ entriesDir: registry.entriesDir, outDir: dist, env: {} });
  });
  afterAll(() => registry?.remove());

  it('is refused, however few servers it lists, before anything is written', async () => {
    const pages = path.join(registry.root, 'pages');
    await writeStaticHostLayout(dist, pages);
    const host = await startStaticFileServer(pages);
    try {
      // What the host answers: one complete page of the latest versions, far fewer than the 100 asked for.
      const listed = ((await (await fetch(`${host.url}/v0.1/servers?limit=100&include_deleted=true`)).json()) as { servers: unknown[] }).servers.length;
      expect(listed).toBeGreaterThan(1);
      expect(listed).toBeLessThan(registry.expected.length);
      const root = fork(sourceYaml(host.url));
      const p = (await sync(root).catch((e: unknown) => e) as ProblemsError).problems[0]!;
      expect(p).toMatchObject({ code: 'sync-source-static', file: host.url });
      expect(p.message).toContain(`answered ${listed} server versions to a request for those updated after 9999-12-31T23:59:59.999999Z`);
      expect(p.hint).toMatch(/latest version of each server/);
      expect(serverJsonCount(root)).toBe(0);
    } finally {
      await host.stop();
    }
  });

  it('while the same build behind the Node server syncs whole, older and deleted versions included', async () => {
    const server = await startRegistryServer({ dir: dist, port: 0 });
    try {
      const root = fork(sourceYaml(server.url));
      const s = (await sync(root)).sources[0]!;
      expect(s.fetched).toBe(registry.expected.length);
      expect(s.requests).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('is told apart from an API that holds a single version', async () => {
    const one = await startOfficialUpstream(generateUpstreamRows({ servers: 1, versions: 1 }));
    try {
      const root = fork(sourceYaml(one.url));
      const s = (await sync(root)).sources[0]!;
      expect(s.added).toHaveLength(1);
      expect(s.requests).toBe(2);
    } finally {
      await one.close();
    }
  });
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
