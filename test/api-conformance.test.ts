// The built API, served by each host, against the official v0.1 semantics (official-registry.md §1, §3.5, §5):
// official metadata of every version, the list with every filter and page size, path encodings, errors, headers,
// and the official OpenAPI schemas. The registry is a fixture written over dated git commits, whose expected
// answers were worked out by hand (test/support/fixture-registry.ts).

import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildFixture, compareBytes, compareRows, rowKey, T5, type BuiltFixture, type ExpectedRow } from './support/fixture-registry.ts';
import { decodedBody, describeEachHost, http, type HttpAnswer, type RunningHost } from './support/servers.ts';
import { openApiValidators, referenceDir, type OpenApiValidators } from './support/reference.ts';
import { STRICT_PREREQUISITES } from './support/strict.ts';
import { brotliStaticAvailable } from '../scripts/lib/serve/nginx-config.ts';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';
const NOT_FOUND_BODY = '{"title":"Not Found","status":404,"detail":"Server not found"}\n';
const EMPTY_PAGE = '{"servers":[],"metadata":{"count":0}}\n';
const BAD_SINCE = 'Invalid updated_since format: expected RFC3339 timestamp (e.g., 2025-08-07T13:15:04.280Z)';
const SINCE_WITHOUT_DELETED = 'Cannot set include_deleted=false when using updated_since (incremental sync requires deleted servers)';
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, OPTIONS',
  'access-control-allow-headers': 'Authorization, Content-Type',
};

let built: BuiltFixture;
let rows: ExpectedRow[];

beforeAll(async () => {
  built = await buildFixture();
  rows = built.fixture.expected;
});
afterAll(() => built?.remove());

// ---- expectations derived from the fixture table ----

const live = (r: ExpectedRow): boolean => r.status !== 'deleted';

/** The official object in the official field order. */
function officialOf(r: ExpectedRow): Record<string, unknown> {
  return {
    status: r.status,
    statusChangedAt: r.statusChangedAt,
    ...(r.statusMessage !== undefined ? { statusMessage: r.statusMessage } : {}),
    publishedAt: r.publishedAt,
    updatedAt: r.updatedAt,
    isLatest: r.isLatest,
  };
}

function serverNames(): string[] {
  return [...new Set(rows.map((r) => r.name))].sort(compareBytes);
}

interface ListFilter {
  label: string;
  query: string;
  select(r: ExpectedRow): boolean;
}

const after = (instant: string) => (r: ExpectedRow): boolean => Date.parse(r.updatedAt) > Date.parse(instant);
const searching = (text: string) => (r: ExpectedRow): boolean =>
  live(r) && (r.name.toLowerCase().includes(text.toLowerCase()) || r.description.toLowerCase().includes(text.toLowerCase()));

const FILTERS: ListFilter[] = [
  { label: 'no filter', query: '', select: live },
  { label: 'version=latest', query: 'version=latest', select: (r) => live(r) && r.isLatest },
  { label: 'version=latest&include_deleted=true', query: 'version=latest&include_deleted=true', select: (r) => r.isLatest },
  { label: 'version=1.0.0 (exact)', query: 'version=1.0.0', select: (r) => live(r) && r.version === '1.0.0' },
  { label: 'include_deleted=true', query: 'include_deleted=true', select: () => true },
  { label: 'include_deleted=false', query: 'include_deleted=false', select: live },
  { label: 'search=ALPHA (name, any case)', query: 'search=ALPHA', select: searching('alpha') },
  // Name OR description (official PR #1453, see official-registry.md §1.3): neither name says "forecast".
  { label: 'search=forecast (description)', query: 'search=forecast', select: searching('forecast') },
  { label: 'search=_ (literal, not a wildcard)', query: 'search=_', select: searching('_') },
  { label: 'search=% (literal, matches nothing)', query: 'search=%25', select: searching('%') },
  { label: 'search=editor&version=latest', query: 'search=editor&version=latest', select: (r) => searching('editor')(r) && r.isLatest },
  // Strictly after T5, deleted rows included; mixed@2025-07-01 was updated exactly at T5 and is left out.
  { label: `updated_since=${T5}`, query: `updated_since=${encodeURIComponent(T5)}`, select: after(T5) },
  { label: 'updated_since=T5 written with an offset and fraction', query: `updated_since=${encodeURIComponent('2025-03-05T09:00:00.000+01:00')}`, select: after(T5) },
  { label: 'updated_since=T5&include_deleted=true', query: `updated_since=${encodeURIComponent(T5)}&include_deleted=true`, select: after(T5) },
  { label: 'updated_since=T5&version=latest', query: `updated_since=${encodeURIComponent(T5)}&version=latest`, select: (r) => after(T5)(r) && r.isLatest },
];

const LIMITS = [1, 2, 3, 7, 30, 100];

// ---- URL helpers ----

type NameEncoding = '%2F' | '%2f' | '/';
const NAME_ENCODINGS: NameEncoding[] = ['%2F', '%2f', '/'];
const encodeName = (name: string, how: NameEncoding = '%2F'): string => {
  const [ns, server] = name.split('/') as [string, string];
  return encodeURIComponent(ns) + how + encodeURIComponent(server);
};
/** encodeURIComponent turns `+` into `%2B`; the raw form leaves it as it is (url.PathEscape, Copilot's raw version). */
const encodeVersion = (version: string, raw = false): string => (raw ? version : encodeURIComponent(version));
const detailPath = (name: string, version: string, options: { prefix?: string; name?: NameEncoding; raw?: boolean } = {}): string =>
  `${options.prefix ?? '/v0.1'}/servers/${encodeName(name, options.name)}/versions/${encodeVersion(version, options.raw)}`;

function itemKeys(body: { servers: Array<{ server: { name: string; version: string } }> }): string[] {
  return body.servers.map((s) => rowKey(s.server.name, s.server.version));
}

function header(answer: HttpAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function expectProblem(answer: HttpAnswer, status: number, what: string): any {
  expect(answer.status, `${what}: status (body ${answer.body})`).toBe(status);
  expect(header(answer, 'content-type'), `${what}: content type`).toBe('application/problem+json');
  const body = answer.json();
  expect(body.status, what).toBe(status);
  return body;
}

describeEachHost('v0.1 API conformance', (host) => {
  let server: RunningHost;
  const get = (target: string, headers?: Record<string, string>) => http(server.url, target, { headers });

  beforeAll(async () => {
    server = await host.start(built.outDir);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('has the expected status, message, timestamps and isLatest for every version', async () => {
    const mismatches: string[] = [];
    for (const row of rows) {
      const answer = await get(`${detailPath(row.name, row.version)}?include_deleted=true`);
      if (answer.status !== 200) {
        mismatches.push(`${rowKey(row.name, row.version)}: status ${answer.status}`);
        continue;
      }
      const body = answer.json();
      const official = body._meta?.[OFFICIAL];
      // toEqual ignores key order; the official order is checked too (Go struct field order).
      if (JSON.stringify(official) !== JSON.stringify(officialOf(row))) {
        mismatches.push(`${rowKey(row.name, row.version)}: got ${JSON.stringify(official)}, expected ${JSON.stringify(officialOf(row))}`);
      }
      expect(body.server).toEqual(built.fixture.published.get(rowKey(row.name, row.version)));
      expect(Object.keys(body)).toEqual(['server', '_meta']);
    }
    expect(mismatches).toEqual([]);
    // Each server has exactly one isLatest row (deleted or not).
    for (const name of serverNames()) expect(rows.filter((r) => r.name === name && r.isLatest), name).toHaveLength(1);
  });

  it('lists exactly the latest live version of each server, by name bytewise, on one page, for /v0.1/servers', async () => {
    const expected = rows.filter((r) => r.isLatest && live(r)).sort(compareRows);
    const answer = await get('/v0.1/servers');
    expect(answer.status).toBe(200);
    const body = answer.json();
    expect(itemKeys(body)).toEqual(expected.map((r) => rowKey(r.name, r.version)));
    expect(body.metadata).toEqual({ count: expected.length });
    expect('nextCursor' in body.metadata).toBe(false);
    expect(body.servers.map((s: any) => s._meta[OFFICIAL])).toEqual(expected.map(officialOf));
    // Upper case sorts before lower case; '-' < '.' < '/' inside names.
    expect(body.servers.map((s: any) => s.server.name)).toEqual([
      'com.example/weather', 'io.github.Zed/editor-mcp', 'io.github.acme-tools/kit', 'io.github.acme.sub/kit', 'io.github.acme/many',
      'io.github.alpha/Zeta-server', 'io.github.alpha/beta-server', 'io.github.alpha/snake_case-mcp', 'io.github.dates/calendar',
      'io.github.dates/mixed', 'io.github.old/legacy', 'io.github.zed/editor-mcp',
    ]);
    for (const same of ['/v0.1/servers/', '/v0/servers', '/v0/servers/', '/v0.1/servers?', '/v0.1/servers?q=weather', '/v0.1/servers?cursor=']) {
      const other = await get(same);
      expect(other.status, same).toBe(200);
      expect(other.body, same).toBe(answer.body);
    }
  });

  it.each(FILTERS)('pages through $label with every limit and recovers exactly the expected rows', async (filter) => {
    const expected = rows.filter(filter.select).sort(compareRows).map((r) => rowKey(r.name, r.version));
    const byKey = new Map(rows.map((r) => [rowKey(r.name, r.version), r]));
    for (const limit of LIMITS) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      const maxPages = Math.ceil(expected.length / limit) + 2;
      // As VS Code does, odd limits send the cursor unencoded and without the filter after the first page:
      // the cursor carries the query.
      const likeVsCode = limit % 2 === 1;
      for (;;) {
        if (++pages > maxPages) throw new Error(`${filter.label}, limit ${limit}: more than ${maxPages} pages`);
        const query = cursor === undefined ? [filter.query, `limit=${limit}`].filter(Boolean).join('&')
          : likeVsCode ? `limit=${limit}&cursor=${cursor}` : [filter.query, `limit=${limit}`, `cursor=${encodeURIComponent(cursor)}`].filter(Boolean).join('&');
        const answer = await get(`/v0.1/servers?${query}`);
        const where = `${filter.label}, limit ${limit}, page ${pages}`;
        expect(answer.status, `${where}: ${answer.body}`).toBe(200);
        expect(header(answer, 'content-type'), where).toBe('application/json');
        const body = answer.json();
        expect(Object.keys(body), where).toEqual(['servers', 'metadata']);
        const keys = itemKeys(body);
        expect(body.metadata.count, where).toBe(keys.length);
        expect(keys.length, where).toBeLessThanOrEqual(limit);
        for (const s of body.servers) expect(s._meta[OFFICIAL], `${where}: ${rowKey(s.server.name, s.server.version)}`).toEqual(officialOf(byKey.get(rowKey(s.server.name, s.server.version))!));
        seen.push(...keys);
        if (keys.length === limit) {
          const last = body.servers[keys.length - 1].server;
          expect(body.metadata, where).toEqual({ nextCursor: expect.stringMatching(/^[A-Za-z0-9_-]+$/), count: limit });
          expect(Object.keys(body.metadata), where).toEqual(['nextCursor', 'count']);
          expect(body.metadata.nextCursor, `${where}: after ${rowKey(last.name, last.version)}`).not.toBe(cursor);
          cursor = body.metadata.nextCursor;
          continue;
        }
        expect(body.metadata, where).toEqual({ count: keys.length });
        if (expected.length % limit === 0) expect(answer.body, `${where}: last page of an exact multiple`).toBe(EMPTY_PAGE);
        break;
      }
      expect(seen, `${filter.label}, limit ${limit}`).toEqual(expected);
    }
  });

  it('defaults the limit to 30 and ignores empty parameters', async () => {
    const all = rows.filter(live).sort(compareRows).map((r) => rowKey(r.name, r.version));
    const body = (await get('/v0.1/servers?include_deleted=false')).json();
    expect(itemKeys(body)).toEqual(all.slice(0, 30));
    const next = (await get(`/v0.1/servers?cursor=${body.metadata.nextCursor}`)).json();
    expect(itemKeys(next)).toEqual(all.slice(30, 60));
    const empties = (await get('/v0.1/servers?version=latest&search=&cursor=&limit=')).json();
    expect(itemKeys(empties)).toEqual(rows.filter((r) => live(r) && r.isLatest).sort(compareRows).map((r) => rowKey(r.name, r.version)));
  });

  it('compares a cursor without ":" on the name alone', async () => {
    for (const cursor of ['io.github.alpha/beta-server', 'io.github.alpha', 'io.github.Zed/editor-mcp', 'zzz']) {
      const expected = rows.filter((r) => live(r) && compareBytes(r.name, cursor) > 0).sort(compareRows).map((r) => rowKey(r.name, r.version));
      const body = (await get(`/v0.1/servers?limit=100&cursor=${encodeURIComponent(cursor)}`)).json();
      expect(itemKeys(body), cursor).toEqual(expected);
    }
    // With a version: strictly after (name, version), even when that row does not exist.
    const body = (await get(`/v0.1/servers?limit=100&cursor=${encodeURIComponent('io.github.acme/many:0.10.5')}`)).json();
    expect(itemKeys(body).slice(0, 3)).toEqual(['io.github.acme/many@0.11.0', 'io.github.acme/many@0.12.0', 'io.github.acme/many@0.2.0']);
  });

  it('continues the query of its own cursor, whatever filters come with it, and refuses a damaged one', async () => {
    const first = (await get('/v0.1/servers?search=alpha&limit=1')).json();
    const cursor: string = first.metadata.nextCursor;
    const expected = rows.filter(searching('alpha')).sort(compareRows).map((r) => rowKey(r.name, r.version));
    expect(itemKeys(first)).toEqual(expected.slice(0, 1));
    // Same query, same cursor: the search's case is not part of it.
    expect((await get('/v0.1/servers?search=ALPHA&limit=1')).json().metadata.nextCursor).toBe(cursor);
    for (const others of ['', 'search=forecast&', 'version=latest&include_deleted=true&']) {
      expect(itemKeys((await get(`/v0.1/servers?${others}limit=100&cursor=${cursor}`)).json()), others).toEqual(expected.slice(1));
    }
    // Parameters are still validated as without a cursor.
    expectProblem(await get(`/v0.1/servers?limit=0&cursor=${cursor}`), 422, 'limit=0');
    for (const bad of [cursor.slice(0, -1), `${cursor}A`, `${cursor.slice(0, 5)}*${cursor.slice(6)}`, '_', '_e30', '_W10']) {
      const body = expectProblem(await get(`/v0.1/servers?cursor=${encodeURIComponent(bad)}`), 400, bad);
      expect(body.detail, bad).toBe('Invalid cursor parameter');
    }
  });

  it('filters updated_since strictly after the instant, deleted rows included', async () => {
    const body = (await get(`/v0.1/servers?limit=100&updated_since=${encodeURIComponent(T5)}`)).json();
    expect(itemKeys(body)).toEqual([
      'com.example/weather@1.0.0', 'com.example/weather@1.10.0', 'io.github.dates/calendar@2025.02.01',
      'io.github.gone/vanished@0.1.0', 'io.github.gone/vanished@0.2.0', 'io.github.old/legacy@1.0.0', 'io.github.old/legacy@1.1.0',
    ]);
    // One second earlier, the row updated exactly at T5 comes in.
    const earlier = (await get(`/v0.1/servers?limit=100&updated_since=${encodeURIComponent('2025-03-05T07:59:59.999Z')}`)).json();
    expect(itemKeys(earlier)).toContain('io.github.dates/mixed@2025-07-01');
    expect(itemKeys(earlier)).toHaveLength(8);
  });

  it('refuses bad list parameters as the official registry does', async () => {
    for (const limit of ['0', '101', '-1', 'abc', '1000', '1.5']) {
      const answer = await get(`/v0.1/servers?limit=${limit}`);
      const body = expectProblem(answer, 422, `limit=${limit}`);
      expect(body.title).toBe('Unprocessable Entity');
      expect(body.detail).toBe('validation failed');
      expect(body.errors?.[0]?.location, `limit=${limit}`).toBe('query.limit');
    }
    for (const since of ['yesterday', '2025-03-05', '2025-03-05T08:00:00', '2025-13-01T00:00:00Z', '2025-03-05 08:00:00Z']) {
      const answer = await get(`/v0.1/servers?updated_since=${encodeURIComponent(since)}`);
      expect(answer.body, since).toBe(JSON.stringify({ title: 'Bad Request', status: 400, detail: BAD_SINCE }) + '\n');
      expectProblem(answer, 400, `updated_since=${since}`);
    }
    for (const query of [`updated_since=${T5}&include_deleted=false`, `include_deleted=false&updated_since=${T5}`]) {
      const answer = await get(`/v0.1/servers?${query}`);
      expectProblem(answer, 400, query);
      expect(answer.body, query).toBe(JSON.stringify({ title: 'Bad Request', status: 400, detail: SINCE_WITHOUT_DELETED }) + '\n');
    }
  });

  it('resolves every version through every path encoding, under /v0 and /v0.1, byte for byte', async () => {
    for (const row of rows) {
      const deleted = !live(row);
      const canonical = await get(`${detailPath(row.name, row.version)}?include_deleted=true`);
      expect(canonical.status, rowKey(row.name, row.version)).toBe(200);
      for (const prefix of ['/v0.1', '/v0']) {
        for (const name of NAME_ENCODINGS) {
          for (const raw of row.version.includes('+') ? [false, true] : [false]) {
            const target = detailPath(row.name, row.version, { prefix, name, raw });
            const withDeleted = await get(`${target}?include_deleted=true`);
            expect(withDeleted.status, target).toBe(200);
            expect(withDeleted.body, target).toBe(canonical.body);
            const plain = await get(target);
            if (deleted) {
              expect(plain.status, target).toBe(404);
              expect(plain.body, target).toBe(NOT_FOUND_BODY);
            } else {
              expect(plain.status, target).toBe(200);
              expect(plain.body, target).toBe(canonical.body);
            }
          }
        }
      }
    }
  });

  it('answers versions/latest with the isLatest row, and 404 for a server whose versions are all deleted', async () => {
    for (const name of serverNames()) {
      const latest = rows.find((r) => r.name === name && r.isLatest)!;
      const exact = await get(`${detailPath(name, latest.version)}?include_deleted=true`);
      for (const prefix of ['/v0.1', '/v0']) {
        for (const how of NAME_ENCODINGS) {
          const target = `${prefix}/servers/${encodeName(name, how)}/versions/latest`;
          const plain = await get(target);
          if (live(latest)) {
            expect(plain.status, target).toBe(200);
            expect(plain.body, target).toBe(exact.body);
          } else {
            expect(plain.status, target).toBe(404);
            expect(plain.body, target).toBe(NOT_FOUND_BODY);
          }
          const withDeleted = await get(`${target}?include_deleted=true`);
          expect(withDeleted.status, target).toBe(200);
          expect(withDeleted.body, target).toBe(exact.body);
        }
      }
    }
  });

  it('lists the versions of each server newest publication first, deleted ones only with include_deleted', async () => {
    for (const name of serverNames()) {
      const all = rows.filter((r) => r.name === name);
      for (const includeDeleted of [false, true]) {
        const expected = all.filter((r) => includeDeleted || live(r));
        const suffix = includeDeleted ? '?include_deleted=true' : '';
        const first = await get(`/v0.1/servers/${encodeName(name)}/versions${suffix}`);
        if (expected.length === 0) {
          expect(first.status, name).toBe(404);
          expect(first.body, name).toBe(NOT_FOUND_BODY);
          continue;
        }
        expect(first.status, name).toBe(200);
        const body = first.json();
        expect(body.metadata, name).toEqual({ count: expected.length });
        expect([...itemKeys(body)].sort(), name).toEqual(expected.map((r) => rowKey(r.name, r.version)).sort());
        const published = body.servers.map((s: any) => Date.parse(s._meta[OFFICIAL].publishedAt));
        expect(published, `${name}: publishedAt descending`).toEqual([...published].sort((a, b) => b - a));
        for (const s of body.servers) expect(s._meta[OFFICIAL]).toEqual(officialOf(all.find((r) => r.version === s.server.version)!));
        for (const prefix of ['/v0.1', '/v0']) {
          for (const how of NAME_ENCODINGS) {
            for (const slash of ['', '/']) {
              const target = `${prefix}/servers/${encodeName(name, how)}/versions${slash}${suffix}`;
              const other = await get(target);
              expect(other.status, target).toBe(200);
              expect(other.body, target).toBe(first.body);
            }
          }
        }
      }
    }
    // Weather: the deleted 1.10.0 is the newest publication.
    const weather = (await get(`/v0.1/servers/${encodeName('com.example/weather')}/versions?include_deleted=true`)).json();
    expect(itemKeys(weather)[0]).toBe('com.example/weather@1.10.0');
  });

  it('answers 404 problem+json for unknown names and versions, wrong case and double encoding', async () => {
    const targets = [
      detailPath('io.github.nobody/nothing', '1.0.0'),
      detailPath('io.github.nobody/nothing', 'latest'),
      '/v0.1/servers/io.github.nobody%2Fnothing/versions',
      detailPath('com.example/weather', '9.9.9'),
      detailPath('com.example/weather', '9.9.9') + '?include_deleted=true',
      detailPath('io.github.ZED/editor-mcp', 'v1.0.0'),
      detailPath('io.github.Zed/editor-mcp', 'V1.0.0'),
      detailPath('io.github.alpha/beta-server', '1.0.0 build.1'),
      detailPath('io.github.alpha/beta-server', '1.0.0'),
      '/v0/servers/io.github.nobody%2Fnothing/versions/latest',
    ];
    for (const target of targets) {
      const answer = await get(target);
      expectProblem(answer, 404, target);
      expect(answer.body, target).toBe(NOT_FOUND_BODY);
    }
    for (const target of [
      '/v0.1/servers/io.github.acme%252Fmany/versions/0.1.0',
      '/v0.1/servers/io.github.acme%252Fmany/versions/latest',
      '/v0.1/servers/io.github.acme%252Fmany/versions',
      '/v0/servers/io.github.acme%252fmany/versions/0.1.0',
    ]) {
      const answer = await get(target);
      const body = expectProblem(answer, 404, target);
      expect(body.title, target).toBe('Not Found');
    }
  });

  it('sends the content type, CORS and caching headers on every kind of answer', async () => {
    const detail = detailPath('io.github.alpha/beta-server', '1.0.0+build.1');
    const cases: Array<{ target: string; status: number; type: string }> = [
      { target: '/v0.1/servers', status: 200, type: 'application/json' },
      { target: '/v0.1/servers?limit=2&version=latest', status: 200, type: 'application/json' },
      { target: detail, status: 200, type: 'application/json' },
      { target: `/v0.1/servers/${encodeName('io.github.acme/many')}/versions`, status: 200, type: 'application/json' },
      { target: detailPath('io.github.nobody/nothing', 'latest'), status: 404, type: 'application/problem+json' },
      { target: '/v0.1/nowhere', status: 404, type: 'application/problem+json' },
      { target: '/v0.1/servers?limit=0', status: 422, type: 'application/problem+json' },
      { target: '/v0.1/servers?updated_since=yesterday', status: 400, type: 'application/problem+json' },
      { target: `/v0.1/servers?updated_since=${T5}&include_deleted=false`, status: 400, type: 'application/problem+json' },
    ];
    for (const { target, status, type } of cases) {
      const answer = await get(target, { Origin: 'https://example.com' });
      expect(answer.status, target).toBe(status);
      expect(header(answer, 'content-type'), target).toBe(type);
      for (const [name, value] of Object.entries(CORS)) expect(header(answer, name), `${target}: ${name}`).toBe(value);
      expect(header(answer, 'cache-control'), `${target}: cache-control`).toBeTruthy();
      expect(header(answer, 'x-content-type-options'), `${target}: nosniff`).toBe('nosniff');
    }
  });

  it('sends the site\'s Content-Security-Policy, nosniff and frame headers on its pages and assets', async () => {
    const home = await get('/');
    expect(home.status).toBe(200);
    const assets = [...home.body.matchAll(/(?:href|src)="(assets\/[^"]+)"/g)].map((m) => `/${m[1]}`);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const target of ['/', `/servers/${encodeName('io.github.alpha/beta-server', '/')}/`, ...assets]) {
      const answer = await get(target);
      expect(answer.status, target).toBe(200);
      const csp = header(answer, 'content-security-policy') ?? '';
      expect(csp, target).toContain("default-src 'none'");
      expect(csp, target).toContain("script-src 'self'");
      expect(csp, target).toContain("frame-ancestors 'none'");
      expect(header(answer, 'x-frame-options'), target).toBe('DENY');
      expect(header(answer, 'x-content-type-options'), target).toBe('nosniff');
    }
    // The page carries the policy itself too, for hosts that send no headers (GitHub Pages); a meta tag cannot hold
    // frame-ancestors, which browsers would ignore there with a warning.
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(home.body)?.[1];
    expect(meta).toContain("script-src 'self'");
    expect(meta).not.toContain('frame-ancestors');
  });

  it('sends an ETag on built files and answers If-None-Match with 304', async () => {
    for (const target of [
      '/v0.1/servers',
      '/v0/servers',
      detailPath('io.github.alpha/beta-server', '1.0.0+build.1'),
      detailPath('io.github.alpha/beta-server', 'latest'),
      `/v0.1/servers/${encodeName('io.github.acme/many')}/versions`,
      `${detailPath('io.github.gone/vanished', '0.1.0')}?include_deleted=true`,
    ]) {
      const first = await get(target);
      expect(first.status, target).toBe(200);
      const etag = header(first, 'etag');
      expect(etag, `${target}: ETag`).toMatch(/^(W\/)?"[^"]+"$/);
      const again = await get(target, { 'If-None-Match': etag! });
      expect(again.status, `${target}: If-None-Match`).toBe(304);
      expect(again.body).toBe('');
      for (const [name, value] of Object.entries(CORS)) expect(header(again, name), `${target} 304: ${name}`).toBe(value);
      const stale = await get(target, { 'If-None-Match': '"not-the-etag"' });
      expect(stale.status, `${target}: stale validator`).toBe(200);
    }
  });

  // Accept-Encoding → the Content-Encoding every host must pick, and what nginx picks without Debian's brotli_static
  // module (allowed only outside strict mode). nginx's brotli_static does not weigh q-values against gzip's, so no
  // case here prefers gzip by q alone while accepting br.
  const NEGOTIATIONS: Array<[string | undefined, string | undefined, string | undefined]> = [
    [undefined, undefined, undefined], ['identity', undefined, undefined], ['br', 'br', undefined], ['gzip', 'gzip', 'gzip'],
    ['gzip, br', 'br', 'gzip'], ['br;q=1, gzip;q=1', 'br', 'gzip'], ['gzip;q=0, br;q=0', undefined, undefined],
    ['br;q=0, gzip', 'gzip', 'gzip'], ['GZIP;Q=0.5', 'gzip', 'gzip'], ['identity;q=1, br;q=0', undefined, undefined],
  ];
  const brotli = host.name !== 'nginx' || brotliStaticAvailable() || STRICT_PREREQUISITES;
  // The Worker lets the platform compress (the issue allows it): workerd here, Cloudflare's edge when deployed.
  const platformCompresses = host.name === 'worker';
  const acceptedEncodings = (accept: string): string[] => accept.split(',').map((item) => item.trim().split(';'))
    .filter(([, q]) => q === undefined || !/^\s*q=0(\.0*)?\s*$/i.test(q)).map(([name]) => name!.trim().toLowerCase());
  if (!brotli) console.warn('nginx without the brotli_static module (apt-get install libnginx-mod-http-brotli-static): expecting gzip only');
  const expectedEncoding = (accept: string | undefined): string | undefined => {
    const row = NEGOTIATIONS.find(([a]) => a === accept)!;
    return brotli ? row[1] : row[2];
  };

  it('serves the precompressed variant Accept-Encoding asks for, decoding to the same bytes, with Vary and an ETag and 304 per encoding', async () => {
    const targets: Array<[string, string]> = [
      ['/v0.1/servers', 'v0.1/servers.json'],
      ['/v0/servers/', 'v0.1/servers.json'],
      [`/v0.1/servers/${encodeName('io.github.acme/many')}/versions`, 'v0.1/servers/io.github.acme/many/versions.json'],
      [`/v0.1/servers/${encodeName('io.github.gone/vanished')}/versions?include_deleted=true`, '_include_deleted/servers/io.github.gone/vanished/versions.json'],
      ['/', 'site/index.html'],
      ['/servers/io.github.acme/many/', 'site/servers/io.github.acme/many/index.html'],
    ];
    for (const [target, file] of targets) {
      // The build wrote both variants beside a file over 1 KB (the cases below need them).
      expect(existsSync(path.join(built.outDir, `${file}.br`)) && existsSync(path.join(built.outDir, `${file}.gz`)), file).toBe(true);
      const identity = await get(target, { 'Accept-Encoding': 'identity' });
      expect(identity.status, target).toBe(200);
      const etags = new Map<string | undefined, string>();
      for (const [accept] of NEGOTIATIONS) {
        const what = `${target} with Accept-Encoding ${accept ?? '(none)'}`;
        const answer = await get(target, accept === undefined ? {} : { 'Accept-Encoding': accept });
        expect(answer.status, what).toBe(200);
        let encoding = expectedEncoding(accept);
        // The platform picks among the encodings the client accepts by its own rules (workerd: the first listed,
        // identity for names it does not read, such as upper case), never one the client refused.
        if (platformCompresses && encoding) {
          encoding = header(answer, 'content-encoding');
          if (encoding !== undefined) expect(acceptedEncodings(accept!), what).toContain(encoding);
        }
        expect(header(answer, 'content-encoding'), what).toBe(encoding);
        expect(header(answer, 'vary'), what).toBe('Accept-Encoding');
        expect(header(answer, 'content-type'), what).toBe(header(identity, 'content-type'));
        // A body the platform compresses on the way out is chunked, with no Content-Length.
        if (!(platformCompresses && encoding)) expect(Number(header(answer, 'content-length')), what).toBe(answer.bytes.length);
        if (encoding) expect(answer.bytes.length, what).toBeLessThan(identity.bytes.length);
        expect(decodedBody(answer).equals(identity.bytes), `${what}: decoded body`).toBe(true);
        const etag = header(answer, 'etag')!;
        if (!etags.has(encoding)) etags.set(encoding, etag);
        expect(etag, `${what}: the same ETag for the same bytes`).toBe(etags.get(encoding));
        // HEAD: the same headers, no body.
        const head = await http(server.url, target, { method: 'HEAD', headers: accept === undefined ? {} : { 'Accept-Encoding': accept } });
        // The Worker leaves compression to the platform (workerd here, the CDN when deployed), which sends no
        // Content-Length on a HEAD it would compress.
        expect([head.status, header(head, 'content-encoding'), header(head, 'etag'), platformCompresses ? undefined : header(head, 'content-length'), head.bytes.length], `HEAD ${what}`)
          .toEqual([200, encoding, etag, platformCompresses ? undefined : String(answer.bytes.length), 0]);
      }
      if (platformCompresses) {
        // One representation, compressed on the way out: one validator, and it revalidates whatever the encoding.
        expect(etags.size, `${target}: encodings seen`).toBe(3);
        expect(new Set(etags.values()).size, `${target}: the asset layer's one ETag`).toBe(1);
        for (const accept of ['identity', 'gzip', 'br']) {
          expect((await get(target, { 'Accept-Encoding': accept, 'If-None-Match': etags.get(undefined)! })).status, `${target}: 304 with ${accept}`).toBe(304);
        }
        continue;
      }
      // A validator is per encoding: it revalidates only the representation it came from.
      expect(etags.size, `${target}: encodings seen`).toBe(brotli ? 3 : 2);
      expect(new Set(etags.values()).size, `${target}: an ETag per encoding`).toBe(etags.size);
      for (const [encoding, etag] of etags) {
        for (const accept of ['identity', 'gzip', 'br']) {
          const answer = await get(target, { 'Accept-Encoding': accept, 'If-None-Match': etag });
          expect(answer.status, `${target}: ETag of ${encoding ?? 'identity'} sent with Accept-Encoding ${accept}`).toBe(encoding === expectedEncoding(accept) ? 304 : 200);
          if (answer.status === 304) {
            expect(answer.bytes.length).toBe(0);
            expect(header(answer, 'vary')).toBe('Accept-Encoding');
            expect(header(answer, 'etag')).toBe(etag);
          }
        }
      }
    }
  });

  it('sends small files as they are, and problems uncompressed and without Vary', async () => {
    for (const target of ['/v0.1/ping', '/v0.1/health']) {
      const answer = await get(target, { 'Accept-Encoding': 'br, gzip' });
      expect(answer.status, target).toBe(200);
      // The platform compresses what the Worker sends, whatever its size: the bytes must still be the file's.
      if (platformCompresses) expect(decodedBody(answer).equals((await get(target, { 'Accept-Encoding': 'identity' })).bytes), target).toBe(true);
      else expect(header(answer, 'content-encoding'), target).toBeUndefined();
    }
    for (const target of ['/v0.1/servers/com.example%2Fnope/versions/1.0.0', '/v0.1/servers?limit=0', '/v0.1/nowhere']) {
      const answer = await get(target, { 'Accept-Encoding': 'br, gzip' });
      expect(answer.status, target).toBeGreaterThanOrEqual(400);
      if (platformCompresses) expect(JSON.parse(decodedBody(answer).toString('utf8')), target).toMatchObject({ status: answer.status });
      else expect(header(answer, 'content-encoding'), target).toBeUndefined();
      expect(header(answer, 'vary'), target).toBeUndefined();
    }
  });

  it('compresses computed list pages when asked (gzip on every host), decoding to the identity page', async () => {
    const target = '/v0.1/servers?limit=100&include_deleted=true';
    const identity = await get(target);
    expect(identity.bytes.length, 'a page big enough to compress').toBeGreaterThan(1024);
    expect(header(identity, 'content-encoding')).toBeUndefined();
    expect(header(identity, 'vary')).toBe('Accept-Encoding');
    for (const [accept, encodings] of [['gzip', ['gzip']], ['br, gzip', ['br', 'gzip']], ['gzip;q=0, br;q=0', [undefined]], ['identity', [undefined]]] as const) {
      const answer = await get(target, { 'Accept-Encoding': accept });
      expect(answer.status, accept).toBe(200);
      expect(encodings as readonly (string | undefined)[], accept).toContain(header(answer, 'content-encoding'));
      expect(header(answer, 'vary'), accept).toBe('Accept-Encoding');
      expect(decodedBody(answer).equals(identity.bytes), `${accept}: decoded page`).toBe(true);
    }
  });

  it('answers OPTIONS preflights with 204 and CORS headers', async () => {
    for (const target of ['/v0.1/servers', '/v0.1/servers?limit=3', detailPath('com.example/weather', 'latest'), `/v0.1/servers/${encodeName('com.example/weather')}/versions`, '/v0.1/nowhere']) {
      const answer = await http(server.url, target, {
        method: 'OPTIONS',
        headers: { Origin: 'https://example.com', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
      });
      expect(answer.status, target).toBe(204);
      for (const [name, value] of Object.entries(CORS)) expect(header(answer, name), `${target}: ${name}`).toBe(value);
    }
  });

  it('never redirects the list and versions paths, with or without a trailing slash', async () => {
    const versions = `/v0.1/servers/${encodeName('io.github.acme/many')}/versions`;
    for (const target of ['/v0.1/servers', '/v0.1/servers/', '/v0/servers', '/v0/servers/', versions, `${versions}/`, '/v0.1/servers?limit=1', '/v0.1/servers/?limit=1']) {
      const answer = await get(target);
      expect(answer.status, target).toBe(200);
      expect(header(answer, 'location'), target).toBeUndefined();
      expect(header(answer, 'content-type'), target).toBe('application/json');
    }
  });

  const reference = referenceDir();
  const itWithReference = reference || STRICT_PREREQUISITES ? it : it.skip;
  if (!reference) console.warn(`SKIPPED OpenAPI validation [${host.name}]: ../shared/reference not found`);
  itWithReference(`validates list and detail bodies against the official OpenAPI${reference ? '' : ' (skipped: ../shared/reference not found)'}`, async () => {
    if (!reference) throw new Error('../shared/reference is required in strict mode');
    const validators: OpenApiValidators = openApiValidators(reference);
    const failures: string[] = [];
    const check = (kind: 'serverList' | 'serverResponse', target: string, body: unknown): void => {
      const validate = validators[kind];
      if (!validate(body)) failures.push(`${target}: ${JSON.stringify(validate.errors)}`);
    };
    for (const target of ['/v0.1/servers', '/v0.1/servers?include_deleted=true&limit=100', '/v0.1/servers?version=latest&include_deleted=true', '/v0.1/servers?search=zzz']) {
      const answer = await get(target);
      expect(answer.status, target).toBe(200);
      check('serverList', target, answer.json());
    }
    for (const row of rows) {
      const target = `${detailPath(row.name, row.version)}?include_deleted=true`;
      check('serverResponse', target, (await get(target)).json());
    }
    for (const name of serverNames()) {
      const target = `/v0.1/servers/${encodeName(name)}/versions?include_deleted=true`;
      check('serverList', target, (await get(target)).json());
    }
    expect(failures).toEqual([]);
    // The validator is not vacuous: a row without its server or with an unknown official key is refused.
    expect(validators.serverResponse({ _meta: {} })).toBe(false);
    expect(validators.serverResponse({ server: { name: 'a/b', description: 'd', version: '1' }, _meta: { [OFFICIAL]: { extra: 1 } } })).toBe(false);
  });
});
