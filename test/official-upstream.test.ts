// The test upstream (test/support/official-upstream.ts) against the official MCP Registry read API as
// ../shared/reference/official-registry.md describes it (§1.3–§1.9, §3.5, §5): routes, list paging and filters,
// errors, the isLatest rule, status changes, and the failure modes the sync tests use (rate limit, failures, holds).
// Expectations are worked out here by hand or with independent means (Buffer byte order, the npm semver package).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import semver from 'semver';
import { Ajv } from 'ajv';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { describeWithReference, openApiValidators } from './support/reference.ts';
import {
  generateUpstreamRows,
  OFFICIAL_META,
  SERVER_SCHEMA,
  startOfficialUpstream,
  type OfficialUpstream,
  type UpstreamRow,
} from './support/official-upstream.ts';

const BAD_SINCE = 'Invalid updated_since format: expected RFC3339 timestamp (e.g., 2025-08-07T13:15:04.280Z)';
const SINCE_WITHOUT_DELETED = 'Cannot set include_deleted=false when using updated_since (incremental sync requires deleted servers)';
const NOT_FOUND = '{"title":"Not Found","status":404,"detail":"Server not found"}\n';
const EMPTY_PAGE = '{"servers":[],"metadata":{"count":0}}\n';
/** Go's UTC time.Time: whole seconds, or a fraction of up to 6 digits (µs from PostgreSQL) without trailing zeros. */
const GO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,5}[1-9])?Z$/;
/** official-registry.md §3.1, stricter than the schema's pattern. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9.-]*[a-zA-Z0-9]\/[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$/;
const GO_ORDER = ['$schema', 'name', 'description', 'title', 'repository', 'version', 'websiteUrl', 'icons', 'packages', 'remotes', '_meta'];

const started: OfficialUpstream[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((u) => u.close()));
});

async function upstream(rows?: UpstreamRow[]): Promise<OfficialUpstream> {
  const u = await startOfficialUpstream(rows);
  started.push(u);
  return u;
}

interface Got {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function get(u: OfficialUpstream, pathAndQuery: string, init: RequestInit = {}): Promise<Got> {
  const res = await fetch(u.url + pathAndQuery, { redirect: 'manual', ...init });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const bytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const byNameVersion = (a: UpstreamRow, b: UpstreamRow): number => bytes(a.server.name, b.server.name) || bytes(a.server.version, b.server.version);
const id = (r: { server: { name: string; version: string } }): string => `${r.server.name}@${r.server.version}`;
const us = (t: string): bigint => BigInt(Date.parse(t.replace(/\.\d+/, ''))) * 1000n + BigInt((t.match(/\.(\d+)/)?.[1] ?? '').padEnd(6, '0'));

/** What the API must answer for a row: the server document and the official object in Go field order. */
function expectedItem(r: UpstreamRow): unknown {
  const o = r.official;
  return {
    server: r.server,
    _meta: {
      [OFFICIAL_META]: {
        status: o.status,
        statusChangedAt: o.statusChangedAt,
        ...(o.statusMessage !== undefined ? { statusMessage: o.statusMessage } : {}),
        publishedAt: o.publishedAt,
        updatedAt: o.updatedAt,
        isLatest: o.isLatest,
      },
    },
  };
}

/** Follows nextCursor from the first page; returns every page body. */
async function walk(u: OfficialUpstream, query: string): Promise<Got[]> {
  const pages: Got[] = [];
  let cursor: string | undefined;
  do {
    const page = await get(u, `/v0.1/servers?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status, page.text).toBe(200);
    pages.push(page);
    cursor = page.json.metadata.nextCursor;
    expect(pages.length).toBeLessThan(1000);
  } while (cursor);
  return pages;
}

const items = (pages: Got[]): any[] => pages.flatMap((p) => p.json.servers);

function groupBy(rows: UpstreamRow[], key: (r: UpstreamRow) => string): Map<string, UpstreamRow[]> {
  const out = new Map<string, UpstreamRow[]>();
  for (const r of rows) out.set(key(r), [...(out.get(key(r)) ?? []), r]);
  return out;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i > 200) throw new Error('condition not reached in 2 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A minimal valid server.json document. */
function doc(name: string, version: string, description = `Tools for ${name}`): UpstreamRow['server'] {
  return { $schema: SERVER_SCHEMA, name, description, version };
}

describe('generateUpstreamRows', () => {
  const rows = generateUpstreamRows({ servers: 1500, versions: 3000 });

  it('is deterministic and produces the requested counts', () => {
    expect(rows).toHaveLength(3000);
    expect(new Set(rows.map((r) => r.server.name)).size).toBe(1500);
    expect(new Set(rows.map(id)).size).toBe(3000);
    expect(JSON.stringify(generateUpstreamRows({ servers: 1500, versions: 3000 }))).toBe(JSON.stringify(rows));
    expect(JSON.stringify(generateUpstreamRows({ servers: 1500, versions: 3000, seed: 2 }))).not.toBe(JSON.stringify(rows));
    const late = generateUpstreamRows({ servers: 3, versions: 5, start: '2026-01-02T03:04:05.5Z' });
    expect(late[0]!.official.publishedAt).toBe('2026-01-02T03:04:05.5Z');
  });

  it('makes realistic server.json documents in Go field order', () => {
    const remoteOwner = new Map<string, string>();
    for (const { server } of rows) {
      expect(server.name).toMatch(NAME);
      expect(server.name.length).toBeLessThanOrEqual(200);
      expect(server.description.length).toBeGreaterThan(0);
      expect(server.description.length).toBeLessThanOrEqual(100);
      expect(server.$schema).toBe(SERVER_SCHEMA);
      const keys = Object.keys(server);
      expect(keys).toEqual(GO_ORDER.filter((k) => keys.includes(k)));
      expect(server.repository).toEqual({ url: expect.stringMatching(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/), source: 'github' });
      const packages = (server.packages ?? []) as Array<Record<string, unknown>>;
      const remotes = (server.remotes ?? []) as Array<{ type: string; url: string }>;
      expect(packages.length + remotes.length).toBeGreaterThan(0);
      for (const p of packages) {
        expect(['npm', 'pypi', 'oci']).toContain(p.registryType);
        expect(p.transport).toEqual({ type: 'stdio' });
        // OCI carries its version in the identifier and must not set `version` (§3.4).
        if (p.registryType === 'oci') expect(p).not.toHaveProperty('version');
        else expect(p.version).toEqual(expect.any(String));
      }
      for (const r of remotes) {
        expect(['streamable-http', 'sse']).toContain(r.type);
        expect(r.url).toMatch(/^https:\/\/[^\s]+$/);
        // Remote URLs are unique across servers (§3.3); the same server may reuse its own.
        expect(remoteOwner.get(r.url) ?? server.name).toBe(server.name);
        remoteOwner.set(r.url, server.name);
      }
    }
    const all = JSON.stringify(rows);
    for (const needle of ['"registryType":"npm"', '"registryType":"pypi"', '"registryType":"oci"', '"type":"sse"', '"type":"streamable-http"', '"name":"io.github.', '"name":"com.']) {
      expect(all).toContain(needle);
    }
  });

  it('has increasing microsecond timestamps, a few deprecated and deleted versions, and several version styles', () => {
    for (let i = 0; i < rows.length; i++) {
      const o = rows[i]!.official;
      for (const t of [o.publishedAt, o.updatedAt, o.statusChangedAt]) expect(t).toMatch(GO_TIME);
      if (i > 0) expect(us(o.publishedAt)).toBeGreaterThan(us(rows[i - 1]!.official.publishedAt));
      expect(us(o.updatedAt)).toBeGreaterThanOrEqual(us(o.publishedAt));
      expect(o.statusChangedAt).toBe(o.status === 'active' ? o.publishedAt : o.updatedAt);
      if (o.status === 'active') expect(o).not.toHaveProperty('statusMessage');
    }
    expect(rows.some((r) => /\.\d{6}Z$/.test(r.official.publishedAt))).toBe(true);
    const count = (s: string): number => rows.filter((r) => r.official.status === s).length;
    expect(count('deprecated')).toBeGreaterThan(30);
    expect(count('deleted')).toBeGreaterThan(20);
    expect(count('active')).toBeGreaterThan(2700);
    const versions = rows.map((r) => r.server.version);
    expect(versions.filter((v) => semver.valid(v) !== null).length).toBeGreaterThan(2000);
    expect(versions.some((v) => v.startsWith('v'))).toBe(true);
    expect(versions.some((v) => v.includes('-beta.'))).toBe(true);
    expect(versions.some((v) => /^\d{4}-\d\d-\d\d$/.test(v))).toBe(true);
    expect(versions.some((v) => /^\d+\.\d+$/.test(v))).toBe(true);
    const perServer = groupBy(rows, (r) => r.server.name);
    expect(Math.max(...[...perServer.values()].map((v) => v.length))).toBeGreaterThan(20);
    expect([...perServer.values()].some((v) => v.every((r) => r.official.status === 'deleted'))).toBe(true);
  });

  it('computes isLatest by the official rule (checked with the npm semver package and publish times)', () => {
    for (const [name, versions] of groupBy(rows, (r) => r.server.name)) {
      const latest = versions.filter((r) => r.official.isLatest);
      expect(latest, name).toHaveLength(1);
      const live = versions.filter((r) => r.official.status !== 'deleted');
      const pool = live.length ? live : versions;
      const winner = latest[0]!;
      expect(pool).toContain(winner);
      // node-semver's strict parse agrees with Go's x/mod/semver for these strings (v prefix, build ignored).
      const semverPool = pool.filter((r) => semver.valid(r.server.version));
      if (semverPool.length) {
        expect(semver.valid(winner.server.version), name).not.toBeNull();
        for (const r of semverPool) expect(semver.compare(winner.server.version, r.server.version), `${name} ${r.server.version}`).toBeGreaterThanOrEqual(0);
      } else {
        const newest = pool.reduce((a, b) => (us(a.official.publishedAt) > us(b.official.publishedAt) ? a : b));
        expect(winner, name).toBe(newest);
      }
    }
  });
});

describeWithReference('generated rows and list pages against the official reference', (dir) => {
  it('validates every document against the 2025-12-11 server.schema.json and every page against the OpenAPI', async () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const formats = addFormatsModule as unknown as FormatsPlugin & { default?: FormatsPlugin };
    (formats.default ?? formats)(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(dir, 'schemas/2025-12-11/server.schema.json'), 'utf8')));
    const rows = generateUpstreamRows({ servers: 300, versions: 700, seed: 7 });
    for (const r of rows) expect(validate(r.server) ? [] : validate.errors, id(r)).toEqual([]);

    const { serverList, serverResponse } = openApiValidators(dir);
    const u = await upstream(rows);
    for (const page of await walk(u, 'limit=100&include_deleted=true')) {
      expect(serverList(page.json) ? [] : serverList.errors).toEqual([]);
    }
    const versions = await get(u, `/v0.1/servers/${encodeURIComponent(rows[0]!.server.name)}/versions?include_deleted=true`);
    expect(serverList(versions.json) ? [] : serverList.errors).toEqual([]);
    const one = await get(u, `/v0.1/servers/${encodeURIComponent(rows[0]!.server.name)}/versions/latest?include_deleted=true`);
    expect(serverResponse(one.json) ? [] : serverResponse.errors).toEqual([]);
  });
});

describe('official upstream: routes, bodies and headers', () => {
  it('answers the same bytes under /v0 and /v0.1, compact JSON with a newline, and CORS for requests with an Origin', async () => {
    const rows = generateUpstreamRows({ servers: 40, versions: 60 });
    const u = await upstream(rows);
    const a = await get(u, '/v0.1/servers');
    const b = await get(u, '/v0/servers');
    expect(a.status).toBe(200);
    expect(b.text).toBe(a.text);
    expect(a.headers.get('content-type')).toBe('application/json');
    expect(a.text).toBe(JSON.stringify(a.json) + '\n');
    expect(a.json.servers).toHaveLength(30); // default limit
    expect(Object.keys(a.json)).toEqual(['servers', 'metadata']);
    expect(Object.keys(a.json.metadata)).toEqual(['nextCursor', 'count']);
    expect(Object.keys(a.json.servers[0])).toEqual(['server', '_meta']);
    const withOrigin = await get(u, '/v0.1/servers?limit=1', { headers: { Origin: 'https://example.com' } });
    expect(withOrigin.headers.get('access-control-allow-origin')).toBe('*');
    expect(a.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await get(u, '/v0.1/servers', { method: 'OPTIONS', headers: { Origin: 'https://example.com', 'Access-Control-Request-Method': 'GET' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');

    for (const prefix of ['/v0', '/v0.1']) {
      expect((await get(u, `${prefix}/ping`)).text).toBe('{"pong":true}\n');
      expect((await get(u, `${prefix}/health`)).text).toBe('{"status":"ok"}\n');
    }
  });

  it('answers unknown routes, wrong methods, trailing slashes and NUL bytes as the official service does', async () => {
    const u = await upstream(generateUpstreamRows({ servers: 5, versions: 5 }));
    for (const p of ['/v0.1/nope', '/v0/servers/a/b/versions', '/v0.1/servers/io.github.a/b/versions/1.0.0']) {
      const r = await get(u, p);
      expect(r.status, p).toBe(404);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.text).toBe('{"detail":"Endpoint not found. See /docs for the API documentation.","status":404,"title":"Not Found"}');
    }
    expect((await get(u, '/servers')).json.detail).toBe("Endpoint not found. Did you mean '/v0.1/servers' or '/v0/servers'? See /docs for the API documentation.");
    const slash = await get(u, '/v0.1/servers/?limit=2');
    expect(slash.status).toBe(308);
    expect(slash.headers.get('location')).toBe('/v0.1/servers?limit=2');
    expect((await get(u, '/v0.1/servers', { method: 'POST', body: '{}' })).status).toBe(405);
    const nul = await get(u, '/v0.1/servers?search=%00');
    expect(nul.status).toBe(400);
    expect(nul.headers.get('content-type')).toBe('application/json');
    expect(nul.json).toEqual({ title: 'Bad Request', status: 400, detail: 'Invalid request: URL path contains null bytes' });
    const badEscape = await get(u, '/v0.1/servers/io.github.a%zz/versions');
    expect(badEscape.status).toBe(400);
    expect(badEscape.json).toEqual({ title: 'Bad Request', status: 400, detail: 'Invalid server name encoding', errors: [{ message: 'invalid URL escape "%zz"' }] });
  });

  it('validates limit and include_deleted like huma: 422 problem+json, not clamped', async () => {
    const u = await upstream(generateUpstreamRows({ servers: 150, versions: 200 }));
    const r = await get(u, '/v0.1/servers?limit=1000');
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.text).toBe('{"title":"Unprocessable Entity","status":422,"detail":"validation failed","errors":[{"message":"expected number <= 100","location":"query.limit","value":1000}]}\n');
    expect((await get(u, '/v0.1/servers?limit=0')).json.errors).toEqual([{ message: 'expected number >= 1', location: 'query.limit', value: 0 }]);
    expect((await get(u, '/v0.1/servers?limit=-1')).json.errors).toEqual([{ message: 'expected number >= 1', location: 'query.limit', value: -1 }]);
    for (const bad of ['abc', '1.5', '1e2']) {
      expect((await get(u, `/v0.1/servers?limit=${bad}`)).json.errors, bad).toEqual([{ message: 'invalid integer', location: 'query.limit', value: bad }]);
    }
    const both = await get(u, '/v0.1/servers?limit=101&include_deleted=maybe');
    expect(both.status).toBe(422);
    expect(both.json.errors.map((e: { location: string }) => e.location)).toEqual(['query.limit', 'query.include_deleted']);
    expect((await get(u, '/v0.1/servers?limit=')).json.metadata.count).toBe(30);
    expect((await get(u, '/v0.1/servers?limit=100')).json.metadata.count).toBe(100);
    expect((await get(u, '/v0.1/servers?limit=1')).json.metadata.count).toBe(1);
    expect((await get(u, '/v0.1/servers?limit=1&q=ignored&unknown=1')).status).toBe(200);
  });
});

describe('official upstream: list paging and filters', () => {
  it('walks 3,000 versions with limit=100 in bytewise (name, version) order, hiding deleted ones', async () => {
    const rows = generateUpstreamRows({ servers: 1500, versions: 3000 });
    const u = await upstream(rows);
    const expected = rows.filter((r) => r.official.status !== 'deleted').sort(byNameVersion);
    const pages = await walk(u, 'limit=100');
    expect(items(pages)).toEqual(expected.map(expectedItem));
    expect(pages).toHaveLength(Math.floor(expected.length / 100) + 1);
    for (const [i, page] of pages.entries()) {
      const last = page.json.servers.at(-1);
      expect(page.json.metadata.count).toBe(page.json.servers.length);
      if (i < pages.length - 1) expect(page.json.metadata.nextCursor).toBe(`${last.server.name}:${last.server.version}`);
    }
    expect(pages.at(-1)!.json.metadata.count).toBe(expected.length % 100);

    const everything = items(await walk(u, 'limit=100&include_deleted=true'));
    expect(everything.map(id)).toEqual([...rows].sort(byNameVersion).map(id));
    // Bytewise, not locale or semver order: the byte sort of names and versions is what the pages follow.
    expect(everything.some((x, i) => i > 0 && x.server.name.toLowerCase() < everything[i - 1].server.name.toLowerCase())).toBe(true);
  });

  it('gives an exact multiple of limit a final empty page, and follows cursor and order rules', async () => {
    const rows: UpstreamRow[] = [];
    const u = await upstream(rows);
    for (const [name, version] of [
      ['io.github.alice/tool', '1.9.0'],
      ['io.github.alice/tool', '1.10.0'],
      ['io.github.Zed/tool', '1.0.0'],
      ['io.github.alice/tool-x', '2:0'],
      ['io.github.alice/tool-x', '2:1'],
      ['io.github.alice/tool', '1.10.0-rc.1'],
    ] as const) {
      u.publish(doc(name, version));
    }
    const order = ['io.github.Zed/tool@1.0.0', 'io.github.alice/tool@1.10.0', 'io.github.alice/tool@1.10.0-rc.1', 'io.github.alice/tool@1.9.0', 'io.github.alice/tool-x@2:0', 'io.github.alice/tool-x@2:1'];
    const pages = await walk(u, 'limit=2');
    expect(pages.map((p) => p.json.metadata.count)).toEqual([2, 2, 2, 0]);
    expect(pages.at(-1)!.text).toBe(EMPTY_PAGE);
    expect(items(pages).map(id)).toEqual(order);
    expect(pages[0]!.json.metadata.nextCursor).toBe('io.github.alice/tool:1.10.0');

    const after = async (cursor: string): Promise<string[]> =>
      (await get(u, `/v0.1/servers?cursor=${encodeURIComponent(cursor)}`)).json.servers.map(id);
    // A bare name skips every version of that name; the cursor splits on the first ':' so versions may hold one.
    expect(await after('io.github.alice/tool')).toEqual(order.slice(4));
    expect(await after('io.github.alice/tool-x:2:0')).toEqual(['io.github.alice/tool-x@2:1']);
    expect(await after('io.github.alice/tool:1.10.0-rc.1')).toEqual(order.slice(3));
    expect(await after('io.github.alice/tool:')).toEqual(order.slice(1));
    expect(await after('zzz')).toEqual([]);
    expect(await after('')).toEqual(order);
  });

  it('filters by search (name or description, literal, case-insensitive), version and include_deleted', async () => {
    const u = await upstream([]);
    u.publish(doc('com.acme/Weather', '1.0.0', 'Forecasts'));
    u.publish(doc('com.acme/weather', '2.0.0', 'Forecasts again'));
    u.publish(doc('com.acme/weather', '2.1.0', 'Forecasts again'));
    u.publish(doc('com.acme/notes', '1.0.0', 'Keeps 100% of your WEATHER notes'));
    u.publish(doc('com.acme/files', '1.0.0', 'Reads fast_path files'));
    u.publish(doc('com.acme/blob', '1.0.0', 'Reads fastXpath 1000 files'));
    u.setStatus('com.acme/weather', '2.1.0', 'deleted');
    const names = async (query: string): Promise<string[]> => (await get(u, `/v0.1/servers?${query}`)).json.servers.map(id);

    expect(await names('search=wEaThEr')).toEqual(['com.acme/Weather@1.0.0', 'com.acme/notes@1.0.0', 'com.acme/weather@2.0.0']);
    expect(await names('search=100%25')).toEqual(['com.acme/notes@1.0.0']); // '%' is literal, not a wildcard
    expect(await names('search=fast_path')).toEqual(['com.acme/files@1.0.0']); // so is '_'
    expect(await names('search=')).toHaveLength(5);
    expect(await names('version=latest')).toEqual(['com.acme/Weather@1.0.0', 'com.acme/blob@1.0.0', 'com.acme/files@1.0.0', 'com.acme/notes@1.0.0', 'com.acme/weather@2.0.0']);
    expect(await names('version=2.1.0')).toEqual([]);
    expect(await names('version=2.1.0&include_deleted=true')).toEqual(['com.acme/weather@2.1.0']);
    expect(await names('include_deleted=true&search=weather&version=2.1.0')).toEqual(['com.acme/weather@2.1.0']);
    expect(await names('include_deleted=false&search=weather')).toHaveLength(3);
    expect(await names('search=weather&limit=1&cursor=com.acme/Weather:1.0.0')).toEqual(['com.acme/notes@1.0.0']);
  });

  it('applies updated_since strictly after the instant, at microsecond precision, with deleted rows included', async () => {
    const u = await upstream([]);
    u.publish(doc('com.acme/a', '1.0.0'), '2025-09-16T16:43:44.243434Z');
    u.publish(doc('com.acme/b', '1.0.0'), '2025-09-16T16:43:44.2435Z');
    u.publish(doc('com.acme/c', '1.0.0'), '2025-09-16T16:43:45Z');
    u.setStatus('com.acme/c', '1.0.0', 'deleted', 'gone', '2025-09-17T00:00:00Z');
    const since = async (t: string, extra = ''): Promise<string[]> => {
      const r = await get(u, `/v0.1/servers?updated_since=${encodeURIComponent(t)}${extra}`);
      expect(r.status, r.text).toBe(200);
      return r.json.servers.map((x: any) => x.server.name);
    };
    expect(await since('2025-09-16T16:43:44.243433Z')).toEqual(['com.acme/a', 'com.acme/b', 'com.acme/c']);
    expect(await since('2025-09-16T16:43:44.243434Z')).toEqual(['com.acme/b', 'com.acme/c']);
    expect(await since('2025-09-16T16:43:44.2434349Z')).toEqual(['com.acme/b', 'com.acme/c']); // ns truncated to µs
    expect(await since('2025-09-16T16:43:44.243Z')).toEqual(['com.acme/a', 'com.acme/b', 'com.acme/c']);
    expect(await since('2025-09-16T18:43:44.2435+02:00')).toEqual(['com.acme/c']);
    expect(await since('2025-09-16T16:43:45Z', '&include_deleted=true')).toEqual(['com.acme/c']);
    expect(await since('2025-09-17T00:00:00Z')).toEqual([]);

    for (const bad of ['yesterday', '2025-09-16', '2025-09-16 16:43:44Z', '2025-09-16T16:43:44', '2025-02-30T00:00:00Z', '1758041024']) {
      const r = await get(u, `/v0.1/servers?updated_since=${encodeURIComponent(bad)}`);
      expect(r.status, bad).toBe(400);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(r.text).toBe(`{"title":"Bad Request","status":400,"detail":"${BAD_SINCE}"}\n`);
    }
    const conflict = await get(u, '/v0.1/servers?updated_since=2025-01-01T00:00:00Z&include_deleted=false');
    expect(conflict.status).toBe(400);
    expect(conflict.json.detail).toBe(SINCE_WITHOUT_DELETED);
    expect((await get(u, '/v0.1/servers?updated_since=&include_deleted=false')).json.metadata.count).toBe(2);
  });

  it('returns exactly the changed versions to an updated_since walk after publishes and status changes', async () => {
    const rows = generateUpstreamRows({ servers: 1500, versions: 3000 });
    const u = await upstream(rows);
    const mark = rows.map((r) => r.official.updatedAt).sort((a, b) => (us(a) > us(b) ? 1 : -1)).at(-1)!;
    expect(items(await walk(u, `limit=100&updated_since=${encodeURIComponent(mark)}`))).toEqual([]);

    const byServer = groupBy(rows, (r) => r.server.name);
    const multi = [...byServer.values()].filter((v) => v.length >= 3 && v.every((r) => r.official.status === 'active')).slice(0, 6);
    expect(multi.length).toBe(6);
    const latestOf = (v: UpstreamRow[]): UpstreamRow => v.find((r) => r.official.isLatest)!;
    const changed = new Set<string>();
    const touch = (r: UpstreamRow): void => void changed.add(id(r));

    const deletedLatest = latestOf(multi[0]!);
    u.setStatus(deletedLatest.server.name, deletedLatest.server.version, 'deleted', 'Removed');
    touch(deletedLatest);
    u.setStatus(multi[1]![0]!.server.name, multi[1]![0]!.server.version, 'deprecated', 'Use a newer one');
    touch(multi[1]![0]!);
    for (const r of multi[2]!) {
      u.setStatus(r.server.name, r.server.version, 'deleted');
      touch(r);
    }
    const template = multi[3]![0]!.server;
    touch(u.publish({ ...template, version: '99.0.0' }));
    touch(u.publish(doc('io.github.newcomer/brand-new', '0.1.0')));
    // A restore from deprecated back to active is a change too.
    u.setStatus(multi[1]![0]!.server.name, multi[1]![0]!.server.version, 'active');

    const seen = items(await walk(u, `limit=100&updated_since=${encodeURIComponent(mark)}`));
    expect(seen.map(id).sort()).toEqual([...changed].sort());
    expect(seen.filter((x) => x._meta[OFFICIAL_META].status === 'deleted')).toHaveLength(1 + multi[2]!.length);
    for (const x of seen) expect(us(x._meta[OFFICIAL_META].updatedAt)).toBeGreaterThan(us(mark));
    // isLatest moved within multi[0] and multi[3] without bumping the new holder's updatedAt, so the walk skips it.
    const newLatest = latestOf(multi[0]!);
    expect(newLatest).not.toBe(deletedLatest);
    expect(changed.has(id(newLatest))).toBe(false);
    expect(us(newLatest.official.updatedAt)).toBeLessThanOrEqual(us(mark));
  });
});

describe('official upstream: one server', () => {
  it('lists versions newest publication first, decodes %2F, and answers 404 as the official service does', async () => {
    const u = await upstream([]);
    const name = 'io.github.alice/weather';
    u.publish(doc(name, '1.0.0'), '2025-10-01T00:00:00Z');
    u.publish(doc(name, '2.0.0'), '2025-10-02T00:00:00Z');
    u.publish(doc(name, '1.5.0'), '2025-10-03T00:00:00Z');
    u.publish(doc(name, '1.0.0+build.1'), '2025-10-04T00:00:00Z');
    u.setStatus(name, '2.0.0', 'deleted');

    for (const enc of ['io.github.alice%2Fweather', 'io.github.alice%2fweather']) {
      const r = await get(u, `/v0.1/servers/${enc}/versions`);
      expect(r.status).toBe(200);
      expect(r.json.servers.map((x: any) => x.server.version)).toEqual(['1.0.0+build.1', '1.5.0', '1.0.0']);
      expect(r.json.metadata).toEqual({ count: 3 });
    }
    const all = await get(u, `/v0/servers/${encodeURIComponent(name)}/versions?include_deleted=true`);
    expect(all.json.servers.map((x: any) => x.server.version)).toEqual(['1.0.0+build.1', '1.5.0', '2.0.0', '1.0.0']);
    for (const p of ['/v0.1/servers/io.github.alice%2Fnone/versions', '/v0.1/servers/io.github.alice%2Fweather/versions/2.0.0', '/v0.1/servers/io.github.alice%2Fweather/versions/9.9.9']) {
      const r = await get(u, p);
      expect(r.status, p).toBe(404);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(r.text).toBe(NOT_FOUND);
    }
    const deleted = await get(u, '/v0.1/servers/io.github.alice%2Fweather/versions/2.0.0?include_deleted=true');
    expect(deleted.json).toEqual(expectedItem(u.rows.find((r) => r.server.version === '2.0.0')!));
    expect(deleted.json._meta[OFFICIAL_META].isLatest).toBe(false);

    const latest = await get(u, '/v0.1/servers/io.github.alice%2Fweather/versions/latest');
    expect(latest.json.server.version).toBe('1.5.0');
    expect(latest.text).toBe(JSON.stringify(expectedItem(u.rows.find((r) => r.server.version === '1.5.0')!)) + '\n');
    // '+' in a path is literal and %2B decodes to it.
    for (const v of ['1.0.0+build.1', '1.0.0%2Bbuild.1']) {
      expect((await get(u, `/v0.1/servers/io.github.alice%2Fweather/versions/${v}`)).json.server.version).toBe('1.0.0+build.1');
    }

    // With every version deleted the highest keeps isLatest, visible only with include_deleted.
    for (const v of ['1.0.0', '1.5.0', '1.0.0+build.1']) u.setStatus(name, v, 'deleted');
    expect((await get(u, '/v0.1/servers/io.github.alice%2Fweather/versions')).text).toBe(NOT_FOUND);
    expect((await get(u, '/v0.1/servers/io.github.alice%2Fweather/versions/latest')).text).toBe(NOT_FOUND);
    expect((await get(u, '/v0.1/servers/io.github.alice%2Fweather/versions/latest?include_deleted=true')).json.server.version).toBe('2.0.0');
  });
});

describe('official upstream: isLatest and status changes', () => {
  const latestVersion = (u: OfficialUpstream, name: string): string[] =>
    u.rows.filter((r) => r.server.name === name && r.official.isLatest).map((r) => r.server.version);

  /** Publishes each version in turn and returns the latest after each publish. */
  async function latestAfterEach(versions: string[]): Promise<string[]> {
    const u = await upstream([]);
    return versions.map((v) => {
      u.publish(doc('com.example/s', v));
      const latest = latestVersion(u, 'com.example/s');
      expect(latest).toHaveLength(1);
      return latest[0]!;
    });
  }

  it('moves isLatest on publish only to a strictly higher version (semver, then publish time, semver beats non-semver)', async () => {
    // Semver numerically, not as text; a backport or a prerelease of an existing release does not take over.
    expect(await latestAfterEach(['1.9.0', '1.10.0', '1.2.0', '2.0.0-rc.1', '2.0.0', '2.0.0-rc.2'])).toEqual(['1.9.0', '1.10.0', '1.10.0', '2.0.0-rc.1', '2.0.0', '2.0.0']);
    // semver.org §11 precedence of prereleases.
    expect(await latestAfterEach(['1.0.0-alpha', '1.0.0-beta', '1.0.0-alpha.1', '1.0.0-beta.11', '1.0.0-beta.2', '1.0.0-rc.1'])).toEqual(['1.0.0-alpha', '1.0.0-beta', '1.0.0-beta', '1.0.0-beta.11', '1.0.0-beta.11', '1.0.0-rc.1']);
    // A v prefix still counts as semver; build metadata is ignored, so an equal version does not take over.
    expect(await latestAfterEach(['1.4.0', 'v1.5.0', '1.5.0+build.2', '1.5.1'])).toEqual(['1.4.0', 'v1.5.0', 'v1.5.0', '1.5.1']);
    // Neither semver: the later publish wins.
    expect(await latestAfterEach(['2025-06-18', '1.0', '2024-01-01', '1.2.3.4'])).toEqual(['2025-06-18', '1.0', '2024-01-01', '1.2.3.4']);
    // Mixed: semver always beats non-semver, whatever the order (the code's rule, not the docs').
    expect(await latestAfterEach(['2025-06-18', '0.0.1', '2026-01-01', '01.2.3', '0.0.2'])).toEqual(['2025-06-18', '0.0.1', '0.0.1', '0.0.1', '0.0.2']);
  });

  it('recalculates isLatest over non-deleted versions after a status change', async () => {
    const u = await upstream([]);
    const name = 'com.example/s';
    for (const v of ['1.0.0', '3.0.0', '2.0.0']) u.publish(doc(name, v));
    u.setStatus(name, '3.0.0', 'deprecated');
    expect(latestVersion(u, name)).toEqual(['3.0.0']); // deprecated still counts
    u.setStatus(name, '3.0.0', 'deleted');
    expect(latestVersion(u, name)).toEqual(['2.0.0']);
    u.setStatus(name, '2.0.0', 'deleted');
    u.setStatus(name, '1.0.0', 'deleted');
    expect(latestVersion(u, name)).toEqual(['3.0.0']); // every version deleted: the highest keeps the flag
    u.setStatus(name, '1.0.0', 'active');
    expect(latestVersion(u, name)).toEqual(['1.0.0']);
    u.setStatus(name, '3.0.0', 'active');
    expect(latestVersion(u, name)).toEqual(['3.0.0']);

    // Publishing compares with the current latest only, even a deleted one (no recalculation on publish).
    const v = await upstream([]);
    v.publish(doc(name, '2.0.0'));
    v.setStatus(name, '2.0.0', 'deleted');
    v.publish(doc(name, '1.0.0'));
    expect(latestVersion(v, name)).toEqual(['2.0.0']);
  });

  it('sets timestamps and messages with official status semantics', async () => {
    const u = await upstream([]);
    const name = 'com.example/s';
    const row = u.publish(doc(name, '1.0.0'), '2025-10-01T12:00:00.000Z');
    expect(row.official).toEqual({ status: 'active', statusChangedAt: '2025-10-01T12:00:00Z', publishedAt: '2025-10-01T12:00:00Z', updatedAt: '2025-10-01T12:00:00Z', isLatest: true });
    u.setStatus(name, '1.0.0', 'deprecated', 'Old', '2025-10-02T00:00:00.5Z');
    expect(u.rows[0]!.official).toEqual({ status: 'deprecated', statusChangedAt: '2025-10-02T00:00:00.5Z', statusMessage: 'Old', publishedAt: '2025-10-01T12:00:00Z', updatedAt: '2025-10-02T00:00:00.5Z', isLatest: true });
    // Same status, new message: updatedAt moves, statusChangedAt does not.
    u.setStatus(name, '1.0.0', 'deprecated', 'Older', '2025-10-03T00:00:00Z');
    expect(u.rows[0]!.official).toMatchObject({ statusChangedAt: '2025-10-02T00:00:00.5Z', statusMessage: 'Older', updatedAt: '2025-10-03T00:00:00Z' });
    u.setStatus(name, '1.0.0', 'active', undefined, '2025-10-04T00:00:00Z');
    expect(u.rows[0]!.official).toEqual({ status: 'active', statusChangedAt: '2025-10-04T00:00:00Z', publishedAt: '2025-10-01T12:00:00Z', updatedAt: '2025-10-04T00:00:00Z', isLatest: true });
    expect(Object.keys(u.rows[0]!.official)).not.toContain('statusMessage');

    // The official PATCH's 400s, and publish's duplicate check.
    expect(() => u.setStatus(name, '1.0.0', 'active')).toThrow(/No changes to apply/);
    expect(() => u.setStatus(name, '1.0.0', 'deprecated', 'x')).not.toThrow();
    expect(() => u.setStatus(name, '1.0.0', 'active', 'back')).toThrow(/active/);
    expect(() => u.setStatus(name, '9.9.9', 'deleted')).toThrow(/not found/);
    expect(() => u.publish(doc(name, '1.0.0'))).toThrow(/duplicate version/);

    // Default times are now, strictly increasing, at microsecond precision; documents get Go's key order.
    const a = u.publish({ version: '2.0.0', name, description: 'd', $schema: SERVER_SCHEMA, title: 'T' });
    const b = u.publish(doc(name, '3.0.0'));
    expect(Object.keys(a.server)).toEqual(['$schema', 'name', 'description', 'title', 'version']);
    expect(us(b.official.publishedAt)).toBeGreaterThan(us(a.official.publishedAt));
    expect(Math.abs(Number(us(a.official.publishedAt) / 1000n) - Date.now())).toBeLessThan(5000);
  });
});

describe('official upstream: failure modes for sync tests', () => {
  it('rate limits with 429 problem+json and Retry-After, counting only requests let through', async () => {
    const u = await upstream(generateUpstreamRows({ servers: 5, versions: 5 }));
    u.rateLimit = { requests: 3, windowMs: 300, retryAfterSeconds: 7 };
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(u, i % 2 ? '/v0.1/ping' : '/v0.1/servers')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await get(u, '/v0.1/servers');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.headers.get('content-type')).toBe('application/problem+json');
    expect(limited.json).toEqual({ title: 'Too Many Requests', status: 429, detail: 'Rate limit exceeded' });
    await new Promise((r) => setTimeout(r, 320));
    expect((await get(u, '/v0.1/servers')).status).toBe(200);
    u.rateLimit = undefined;
    for (let i = 0; i < 10; i++) expect((await get(u, '/v0.1/ping')).status).toBe(200);
    expect(u.requests.map((r) => r.status).slice(0, 7)).toEqual([200, 200, 200, 429, 429, 429, 200]);
  });

  it('fails the next n requests with the given status, then serves normally', async () => {
    const u = await upstream(generateUpstreamRows({ servers: 5, versions: 5 }));
    u.failNext(2, 503);
    const first = await get(u, '/v0.1/servers?limit=2');
    expect(first.status).toBe(503);
    expect(first.headers.get('content-type')).toBe('application/problem+json');
    expect(first.json).toMatchObject({ title: 'Service Unavailable', status: 503 });
    expect((await get(u, '/v0.1/ping')).status).toBe(503);
    expect((await get(u, '/v0.1/servers?limit=2')).status).toBe(200);
    u.failNext(1, 429);
    const limited = await get(u, '/v0.1/servers');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).not.toBeNull();
    u.failNext(1, 500);
    expect((await get(u, '/v0.1/servers')).json).toEqual({ title: 'Internal Server Error', status: 500, detail: 'Failed to get registry list' });
    expect(u.requests.map((r) => [r.path, r.query, r.status])).toEqual([
      ['/v0.1/servers', { limit: '2' }, 503],
      ['/v0.1/ping', {}, 503],
      ['/v0.1/servers', { limit: '2' }, 200],
      ['/v0.1/servers', {}, 429],
      ['/v0.1/servers', {}, 500],
    ]);
  });

  it('holds list requests after n successful ones until release(), and survives clients that leave', async () => {
    const u = await upstream(generateUpstreamRows({ servers: 20, versions: 30 }));
    u.holdAfter(1);
    expect((await get(u, '/v0.1/servers?limit=bad')).status).toBe(422); // not successful: does not count
    expect((await get(u, '/v0.1/servers?limit=5')).status).toBe(200);
    const held = get(u, '/v0.1/servers?limit=5&cursor=a');
    await until(() => u.requests.length === 3);
    const abort = new AbortController();
    const abandoned = get(u, '/v0.1/servers?limit=1', { signal: abort.signal }).catch((e: Error) => e.name);
    await until(() => u.requests.length === 4);
    const race = await Promise.race([held.then(() => 'answered'), new Promise((r) => setTimeout(() => r('waiting'), 150))]);
    expect(race).toBe('waiting');
    expect((await get(u, '/v0.1/ping')).status).toBe(200); // only list requests are held
    abort.abort();
    expect(await abandoned).toBe('AbortError');
    await new Promise((r) => setTimeout(r, 20));
    u.release();
    const answered = await held;
    expect(answered.status).toBe(200);
    expect(answered.json.metadata.count).toBe(5);
    expect((await get(u, '/v0.1/servers?limit=5')).status).toBe(200);
    expect(u.requests.map((r) => [r.query.limit, r.status])).toEqual([
      ['bad', 422],
      ['5', 200],
      ['5', 200],
      ['1', 0],
      [undefined, 200],
      ['5', 200],
    ]);

    // close() does not wait for requests still held.
    u.holdAfter(0);
    const never = get(u, '/v0.1/servers').catch(() => 'closed');
    await until(() => u.requests.length === 7);
    await u.close();
    expect(await never).toBe('closed');
  });
});
