// MCPB downloads, remote liveness and the nightly drift report, against a local HTTP server on 127.0.0.1 (reached
// through the fetch factory's test-only loopback switch; github.com is mapped to it by `hostOverrides`).

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasDrift, mapWithConcurrency, renderDriftJson, renderDriftMarkdown, reverifyEntries } from '../scripts/lib/packages/drift.ts';
import { createMcpbFetch, verifyMcpbPackage, type McpbContext } from '../scripts/lib/packages/mcpb.ts';
import { checkRemote, createRemoteFetch } from '../scripts/lib/packages/remotes.ts';
import type { Problem } from '../scripts/lib/problems.ts';

const ASSET = Buffer.from('PK\u0003\u0004 a pretend MCP bundle '.repeat(50));
const ASSET_SHA = createHash('sha256').update(ASSET).digest('hex');
const BIG = Buffer.alloc(64 * 1024, 7);

let server: http.Server;
let port: number;
let deadPort: number;
const hangingResponses: http.ServerResponse[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const release = /^\/acme\/weather-mcp\/releases\/download\/v1\.0\.0\/(.+)$/.exec(url.pathname);
    if (release) {
      const name = release[1]!;
      if (name === 'weather-mcp.mcpb') {
        // As GitHub does: the release URL redirects to the storage host.
        res.writeHead(302, { Location: `http://127.0.0.1:${port}/objects/weather-mcp.mcpb?token=x` }).end();
      } else if (name === 'big-mcp.mcpb') res.writeHead(302, { Location: '/objects/big' }).end();
      else if (name === 'chunked-big-mcp.mcpb') {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' }); // no Content-Length: the cap counts bytes
        res.write(BIG.subarray(0, 32 * 1024));
        res.end(BIG.subarray(32 * 1024));
      } else if (name === 'slow-mcp.mcpb') hangingResponses.push(res);
      else if (name === 'loop-mcp.mcpb') res.writeHead(302, { Location: url.pathname }).end();
      else if (name === 'private-mcp.mcpb') res.writeHead(302, { Location: 'http://10.0.0.1/x.mcpb' }).end();
      else if (name === 'forbidden-mcp.mcpb') res.writeHead(403).end('no');
      else res.writeHead(404).end('Not Found');
      return;
    }
    if (url.pathname === '/objects/weather-mcp.mcpb') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': ASSET.length }).end(ASSET);
      return;
    }
    if (url.pathname === '/objects/big') {
      res.writeHead(200, { 'Content-Length': BIG.length }).end(BIG);
      return;
    }
    const status = /^\/status\/(\d{3})$/.exec(url.pathname);
    if (status) {
      res.writeHead(Number(status[1])).end(req.method === 'HEAD' ? undefined : 'x'.repeat(1000));
      return;
    }
    if (url.pathname === '/redirect') {
      res.writeHead(302, { Location: 'http://10.0.0.1/mcp' }).end();
      return;
    }
    if (url.pathname === '/slow') {
      hangingResponses.push(res);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  deadPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});

afterAll(async () => {
  for (const res of hangingResponses) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const toLocal = (url: URL): URL => new URL(`http://127.0.0.1:${port}${url.pathname}${url.search}`);

function mcpbContext(options: { maxBytes?: number; timeoutMs?: number } = {}): McpbContext {
  return {
    serverName: 'io.github.acme/weather',
    file: 'entries/io.github.acme/weather/1.0.0/server.json',
    jsonPath: '/packages/0',
    fetch: createMcpbFetch({ allowLoopbackForTests: true, ...options }),
    hostOverrides: toLocal,
  };
}

const release = (file: string) => `https://github.com/acme/weather-mcp/releases/download/v1.0.0/${file}`;
const codes = (problems: Problem[]) => problems.map((p) => `${p.severity} ${p.code}`);

describe('verifyMcpbPackage', () => {
  it('follows the release redirect and accepts a matching hash (upper-case hex too)', async () => {
    expect(await verifyMcpbPackage({ identifier: release('weather-mcp.mcpb'), fileSha256: ASSET_SHA }, mcpbContext())).toEqual([]);
    expect(await verifyMcpbPackage({ identifier: release('weather-mcp.mcpb'), fileSha256: ASSET_SHA.toUpperCase() }, mcpbContext())).toEqual([]);
  });

  it('reports a hash mismatch with both hashes, at fileSha256', async () => {
    const declared = 'a'.repeat(64);
    const problems = await verifyMcpbPackage({ identifier: release('weather-mcp.mcpb'), fileSha256: declared }, mcpbContext());
    expect(codes(problems)).toEqual(['error package-mcpb-hash-mismatch']);
    expect(problems[0]).toMatchObject({ file: 'entries/io.github.acme/weather/1.0.0/server.json', jsonPath: '/packages/0/fileSha256' });
    expect(problems[0]!.message).toContain(ASSET_SHA);
    expect(problems[0]!.message).toContain(declared);
    expect(problems[0]!.hint).toContain(ASSET_SHA);
  });

  it('checks the file exists even without fileSha256 (the rule reports the missing hash)', async () => {
    expect(await verifyMcpbPackage({ identifier: release('weather-mcp.mcpb') }, mcpbContext())).toEqual([]);
    expect(codes(await verifyMcpbPackage({ identifier: release('gone-mcp.mcpb') }, mcpbContext()))).toEqual(['error package-mcpb-not-found']);
  });

  it('reports 404 as not found, other statuses with their own code', async () => {
    const missing = await verifyMcpbPackage({ identifier: release('gone-mcp.mcpb'), fileSha256: ASSET_SHA }, mcpbContext());
    expect(codes(missing)).toEqual(['error package-mcpb-not-found']);
    expect(missing[0]).toMatchObject({ jsonPath: '/packages/0/identifier' });
    expect(missing[0]!.message).toContain(release('gone-mcp.mcpb')); // the identifier, not the test host
    expect(codes(await verifyMcpbPackage({ identifier: release('forbidden-mcp.mcpb'), fileSha256: ASSET_SHA }, mcpbContext())))
      .toEqual(['error package-mcpb-status']);
  });

  it('stops at the size cap, declared or counted', async () => {
    const declared = await verifyMcpbPackage({ identifier: release('big-mcp.mcpb'), fileSha256: ASSET_SHA }, mcpbContext({ maxBytes: 1024 }));
    expect(codes(declared)).toEqual(['error package-mcpb-too-large']);
    expect(declared[0]!.message).toContain('1024');
    const counted = await verifyMcpbPackage({ identifier: release('chunked-big-mcp.mcpb'), fileSha256: ASSET_SHA }, mcpbContext({ maxBytes: 1024 }));
    expect(codes(counted)).toEqual(['error package-mcpb-too-large']);
  });

  it('times out', async () => {
    const started = Date.now();
    const problems = await verifyMcpbPackage({ identifier: release('slow-mcp.mcpb'), fileSha256: ASSET_SHA }, mcpbContext({ timeoutMs: 300 }));
    expect(codes(problems)).toEqual(['error package-mcpb-timeout']);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('bounds redirects and refuses private redirect targets', async () => {
    expect(codes(await verifyMcpbPackage({ identifier: release('loop-mcp.mcpb'), fileSha256: ASSET_SHA }, mcpbContext())))
      .toEqual(['error package-mcpb-too-many-redirects']);
    expect(codes(await verifyMcpbPackage({ identifier: release('private-mcp.mcpb'), fileSha256: ASSET_SHA }, mcpbContext())))
      .toEqual(['error package-mcpb-address-not-public']);
  });

  it('reports a connection failure as a network error', async () => {
    const ctx = { ...mcpbContext(), hostOverrides: (url: URL) => new URL(`http://127.0.0.1:${deadPort}${url.pathname}`) };
    expect(codes(await verifyMcpbPackage({ identifier: release('weather-mcp.mcpb'), fileSha256: ASSET_SHA }, ctx))).toEqual(['error package-mcpb-network-error']);
  });

  it('downloads nothing from a URL the shape rules reject', async () => {
    let called = 0;
    const ctx = { ...mcpbContext(), fetch: async () => (called++, { ok: false as const, reason: 'network' as const, detail: 'x' }) };
    for (const identifier of ['https://example.com/weather-mcp.mcpb', 'http://github.com/acme/weather-mcp/releases/download/v1/a.mcpb', 'not a url', 'https://github.com/acme/weather-mcp/blob/main/a.mcpb']) {
      expect(await verifyMcpbPackage({ identifier, fileSha256: ASSET_SHA }, ctx)).toEqual([]);
    }
    expect(called).toBe(0);
  });

  it('the production fetch refuses the loopback test server', async () => {
    const ctx = { ...mcpbContext(), fetch: createMcpbFetch() };
    expect(codes(await verifyMcpbPackage({ identifier: release('weather-mcp.mcpb'), fileSha256: ASSET_SHA }, ctx))).toEqual(['error package-mcpb-address-not-public']);
  });
});

describe('checkRemote', () => {
  const ctx = () => ({ file: 'entries/io.github.acme/weather/1.0.0/server.json', jsonPath: '/remotes/0', fetch: createRemoteFetch({ allowLoopbackForTests: true }) });

  it.each([200, 401, 404, 405, 500, 301])('counts HTTP %i as alive', async (status) => {
    expect(await checkRemote({ url: `http://127.0.0.1:${port}/status/${status}` }, ctx())).toEqual([]);
  });

  it('counts a redirect as alive without following it (not even to a private address)', async () => {
    expect(await checkRemote({ url: `http://127.0.0.1:${port}/redirect` }, ctx())).toEqual([]);
  });

  it('sends a HEAD and reads no body', async () => {
    const seen: string[] = [];
    const fetch = createRemoteFetch({ allowLoopbackForTests: true });
    await checkRemote({ url: `http://127.0.0.1:${port}/status/200` }, { ...ctx(), fetch: (url, request) => (seen.push(request?.method ?? 'GET'), fetch(url, request)) });
    expect(seen).toEqual(['HEAD']);
  });

  it('warns (never errs) about a dead remote', async () => {
    const problems = await checkRemote({ url: `http://127.0.0.1:${deadPort}/mcp` }, ctx());
    expect(codes(problems)).toEqual(['warning package-remote-unreachable']);
    expect(problems[0]).toMatchObject({ jsonPath: '/remotes/0/url', file: 'entries/io.github.acme/weather/1.0.0/server.json' });
  });

  it('warns about a remote that does not answer in time', async () => {
    const problems = await checkRemote({ url: `http://127.0.0.1:${port}/slow` }, { ...ctx(), fetch: createRemoteFetch({ allowLoopbackForTests: true, timeoutMs: 300 }) });
    expect(codes(problems)).toEqual(['warning package-remote-unreachable']);
  });

  it('warns about a name that does not resolve', async () => {
    const fetch = createRemoteFetch({ resolve: async () => { throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }); } });
    expect(codes(await checkRemote({ url: 'https://nowhere.invalid/mcp' }, { ...ctx(), fetch }))).toEqual(['warning package-remote-unreachable']);
  });

  it('never contacts a non-public address, and says so as a warning', async () => {
    const fetch = createRemoteFetch({ resolve: async () => ['192.168.1.10'] });
    const problems = await checkRemote({ url: 'https://intranet.example.com/mcp' }, { ...ctx(), fetch });
    expect(codes(problems)).toEqual(['warning package-remote-address-not-public']);
    expect(codes(await checkRemote({ url: `https://127.0.0.1:${port}/status/200` }, { ...ctx(), fetch: createRemoteFetch() }))).toEqual(['warning package-remote-address-not-public']);
  });

  it('skips URL templates and URLs the rules already reject', async () => {
    let called = 0;
    const fetch = async () => (called++, { ok: false as const, reason: 'network' as const, detail: 'x' });
    for (const url of ['https://{tenant}.example.com/mcp', 'https://mcp.example.com/{path}', 'not a url', 'ftp://example.com/x', '']) {
      expect(await checkRemote({ url }, { ...ctx(), fetch })).toEqual([]);
    }
    expect(called).toBe(0);
  });
});

describe('drift report', () => {
  let root: string;

  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  const serverJson = (name: string, version: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json', name, version, description: 'A server.', ...extra }, null, 2);

  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'reverify-'));
    write('entries/io.github.acme/weather/1.0.0/server.json', serverJson('io.github.acme/weather', '1.0.0'));
    write('entries/io.github.acme/weather/1.1.0/server.json', serverJson('io.github.acme/weather', '1.1.0', { remotes: [{ type: 'streamable-http', url: 'https://weather.example.com/mcp' }] }));
    write('entries/io.github.acme/files/2.0.0/server.json', serverJson('io.github.acme/files', '2.0.0'));
    write('entries/io.github.acme/gone/1.0.0/server.json', serverJson('io.github.acme/gone', '1.0.0'));
    write('entries/io.github.acme/gone/server.md', '---\nstatus: deleted\nstatusMessage: "Withdrawn."\n---\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const verifier = (seen: string[]) => async (doc: { file: string; server: Record<string, unknown> }): Promise<Problem[]> => {
    seen.push(`${String(doc.server.name)} ${String(doc.server.version)} ${doc.file}`);
    if (doc.server.name !== 'io.github.acme/weather') return [];
    return [
      { code: 'package-remote-unreachable', severity: 'warning', file: doc.file, jsonPath: '/remotes/0/url', message: 'remote "https://weather.example.com/mcp" did not answer <script> @octocat', hint: 'Check it.' },
      { code: 'package-mcpb-hash-mismatch', severity: 'error', file: doc.file, jsonPath: '/packages/0/fileSha256', message: 'the SHA-256 differs', hint: 'Set "fileSha256".' },
    ];
  };

  it('verifies only the latest non-deleted version of each server, and reports the drift per server', async () => {
    const seen: string[] = [];
    const entriesDir = path.join(root, 'entries');
    const report = await reverifyEntries({ entriesDir, verify: verifier(seen), env: { SOURCE_DATE_EPOCH: '1700000000' } });
    const prefix = entriesDir.split(path.sep).join('/');
    expect(seen.sort()).toEqual([
      `io.github.acme/files 2.0.0 ${prefix}/io.github.acme/files/2.0.0/server.json`,
      `io.github.acme/weather 1.1.0 ${prefix}/io.github.acme/weather/1.1.0/server.json`,
    ]);
    expect(report.checked).toBe(2);
    expect(hasDrift(report)).toBe(true);

    const md = renderDriftMarkdown(report);
    expect(md).toContain('# Nightly package re-verification');
    expect(md).toContain('Checked the latest version of 2 servers: 1 with problems (1 error, 1 warning).');
    expect(md).toContain('## io.github.acme/weather 1.1.0');
    expect(md).not.toContain('## io.github.acme/files');
    expect(md).toContain('- **warning** `package-remote-unreachable` at `/remotes/0/url`');
    expect(md).toContain('- **error** `package-mcpb-hash-mismatch` at `/packages/0/fileSha256`');
    expect(md).not.toContain('<script>'); // publisher-controlled text cannot inject HTML or mentions into the issue
    expect(md).not.toContain('@octocat');

    const json = JSON.parse(renderDriftJson(report));
    expect(json.drift).toBe(true);
    expect(json.entries.find((e: { name: string }) => e.name === 'io.github.acme/weather').problems).toHaveLength(2);
  });

  it('reports no drift, and a verifier crash as a problem instead of failing the run', async () => {
    const entriesDir = path.join(root, 'entries');
    const clean = await reverifyEntries({ entriesDir, verify: async () => [], env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(hasDrift(clean)).toBe(false);
    expect(renderDriftMarkdown(clean)).toContain('Checked the latest version of 2 servers: no drift.');
    const crashed = await reverifyEntries({ entriesDir, verify: async () => { throw new Error('boom'); }, env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(crashed.entries.map((e) => codes(e.problems))).toEqual([['error reverify-verifier-failed'], ['error reverify-verifier-failed']]);
  });

  it('runs at most `concurrency` verifications at once', async () => {
    let running = 0, peak = 0;
    const out = await mapWithConcurrency([...Array(20).keys()], 8, async (n) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return n * 2;
    });
    expect(peak).toBe(8);
    expect(out).toEqual([...Array(20).keys()].map((n) => n * 2));
  });
});
