// Package verification against local servers on 127.0.0.1 that speak the registries' real protocols: npm (version
// documents and packuments), the PyPI JSON API, NuGet v3 (service index, README template, package base address) and
// the crates.io readme endpoint with its redirect target. Plus the bounded fetch's own limits, and an opt-in live npm
// check (LIVE_NPM=1).

import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBoundedFetch } from '../scripts/lib/packages/fetch.ts';
import {
  PACKAGE_PROBLEM_CODES,
  findMcpNameMarkers,
  hasMcpNameMarker,
  nugetLowerVersion,
  verifyCargoPackage,
  verifyNpmPackage,
  verifyNugetPackage,
  verifyPypiPackage,
  type PackageVerifyContext,
} from '../scripts/lib/packages/registries.ts';
import type { Problem } from '../scripts/lib/problems.ts';

const NAME = 'io.github.alice/weather';
const FILE = 'entries/io.github.alice/weather/1.0.0/server.json';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const text = (res: http.ServerResponse, status: number, body: string, type = 'text/plain') => {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
};

// ---------------------------------------------------------------------------------------------------------------
// npm

const npmPackages: Record<string, { latest: string; versions: Record<string, Record<string, unknown>> }> = {
  '@alice/weather': {
    latest: '1.2.0',
    versions: {
      '1.0.0': {},
      '1.1.0': { mcpName: 'io.github.mallory/weather' },
      '1.2.0': { mcpName: NAME },
    },
  },
  plain: { latest: '2.0.0', versions: { '1.0.0': {}, '2.0.0': { mcpName: 'io.github.bob/plain' } } },
};

const npm: Handler = (req, res, url) => {
  const parts = url.pathname.slice('/npm/'.length).split('/').map(decodeURIComponent);
  if (parts[0] === 'ratelimited') return json(res, 429, { error: 'Too many requests' }, { 'retry-after': '30' });
  if (parts[0] === 'broken') return text(res, 500, 'oops');
  const pkg = npmPackages[parts[0]!];
  if (!pkg) return json(res, 404, { error: 'Not found' });
  const docOf = (v: string) => ({ name: parts[0], version: v, ...pkg.versions[v] });
  if (parts.length === 1) {
    return json(res, 200, {
      name: parts[0],
      'dist-tags': { latest: pkg.latest },
      versions: Object.fromEntries(Object.keys(pkg.versions).map((v) => [v, docOf(v)])),
    });
  }
  if (!pkg.versions[parts[1]!]) return json(res, 404, `version not found: ${parts[1]}`);
  return json(res, 200, docOf(parts[1]!));
};

// ---------------------------------------------------------------------------------------------------------------
// PyPI

const pypiProjects: Record<string, Record<string, string | null>> = {
  'weather-mcp': {
    '1.0.0': `# Weather\n\nmcp-name: ${NAME}\n`,
    '1.0.1': `# Weather\n\n<!-- mcp-name: ${NAME} -->\n`,
    '0.9.0': '# Weather\n\nNo marker here.',
    '0.8.0': `# Weather\n\nmcp-name: ${NAME}-evil\n`,
    '0.7.0': null,
  },
};

const pypi: Handler = (req, res, url) => {
  const m = /^\/pypi\/pypi\/([^/]+)(?:\/([^/]+))?\/json$/.exec(url.pathname);
  if (!m) return json(res, 404, { message: 'Not Found' });
  const project = pypiProjects[m[1]!];
  if (!project) return json(res, 404, { message: 'Not Found' });
  if (!m[2]) {
    return json(res, 200, {
      info: { name: m[1], version: '1.0.1', description: project['1.0.1'] },
      releases: Object.fromEntries(Object.keys(project).map((v) => [v, []])),
    });
  }
  if (!(m[2] in project)) return json(res, 404, { message: 'Not Found' });
  return json(res, 200, { info: { name: m[1], version: m[2], description: project[m[2]] }, urls: [] });
};

// ---------------------------------------------------------------------------------------------------------------
// NuGet v3

const nugetPackages: Record<string, Record<string, string | undefined>> = {
  'alice.weather': { '1.0.0': `# Weather\r\n\r\nmcp-name: ${NAME}\r\n`, '2.0.0-beta.1': '# Weather beta', '0.1.0': undefined },
};

function nuget(port: number): Handler {
  return (req, res, url) => {
    const base = `http://127.0.0.1:${port}/nuget`;
    if (url.pathname === '/nuget/v3/index.json') {
      return json(res, 200, {
        version: '3.0.0',
        resources: [
          { '@id': `${base}/v3-flatcontainer/`, '@type': 'PackageBaseAddress/3.0.0' },
          { '@id': `${base}/v3-flatcontainer/{lower_id}/{lower_version}/readme`, '@type': 'ReadmeUriTemplate/6.13.0' },
        ],
      });
    }
    if (url.pathname === '/nuget/noreadme/index.json') return json(res, 200, { version: '3.0.0', resources: [] });
    let m = /^\/nuget\/v3-flatcontainer\/([^/]+)\/index\.json$/.exec(url.pathname);
    if (m) {
      const pkg = nugetPackages[m[1]!];
      return pkg ? json(res, 200, { versions: Object.keys(pkg) }) : text(res, 404, '<Error><Code>BlobNotFound</Code></Error>', 'application/xml');
    }
    m = /^\/nuget\/v3-flatcontainer\/([^/]+)\/([^/]+)\/readme$/.exec(url.pathname);
    if (m) {
      // Only lower-case ids and versions exist, as on api.nuget.org.
      const readme = nugetPackages[m[1]!]?.[m[2]!];
      return readme === undefined ? text(res, 404, '<Error><Code>BlobNotFound</Code></Error>', 'application/xml') : text(res, 200, readme, 'text/markdown');
    }
    text(res, 404, 'not found');
  };
}

// ---------------------------------------------------------------------------------------------------------------
// crates.io

const crates: Record<string, Record<string, string | undefined>> = {
  'weather-mcp': {
    '1.0.0': `<h1>Weather</h1>\n<p>mcp-name: ${NAME}</p>\n`,
    '1.1.0': `<h1>Weather</h1>\n<!-- mcp-name: ${NAME} -->\n`,
    '1.2.0': `Weather\n\nmcp-name: ${NAME}\n`, // served as plain text
    '1.3.0': '<h1>Weather</h1><p>nothing</p>',
    '0.1.0': undefined,
  },
};

function cargo(port: number): Handler {
  return (req, res, url) => {
    let m = /^\/cargo\/api\/v1\/crates\/([^/]+)\/([^/]+)\/readme$/.exec(url.pathname);
    if (m) {
      // Like crates.io: answers with the static URL whether or not it exists; JSON when asked for it, else a redirect.
      const target = `http://127.0.0.1:${port}/cargo-static/readmes/${m[1]}/${m[1]}-${m[2]}.html`;
      if ((req.headers.accept ?? '').includes('application/json')) return json(res, 200, { url: target });
      res.writeHead(302, { location: target });
      return res.end();
    }
    m = /^\/cargo\/api\/v1\/crates\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const crate = crates[m[1]!];
      if (!crate) return json(res, 404, { errors: [{ detail: 'Not Found' }] });
      return json(res, 200, { crate: { name: m[1], max_version: '1.3.0' }, versions: Object.keys(crate).map((num) => ({ num })) });
    }
    m = /^\/cargo-static\/readmes\/([^/]+)\/(.+)\.html$/.exec(url.pathname);
    if (m) {
      const version = m[2]!.slice(m[1]!.length + 1);
      const readme = crates[m[1]!]?.[version];
      if (readme === undefined) return text(res, 403, '<Error><Code>AccessDenied</Code></Error>', 'application/xml');
      return text(res, 200, readme, version === '1.2.0' ? 'text/plain' : 'text/html');
    }
    json(res, 404, { errors: [{ detail: 'Not Found' }] });
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Server and context

let server: http.Server;
let origin: string;
let port: number;
const fetchForTests = createBoundedFetch({ allowLoopbackForTests: true, timeoutMs: 2000 });

beforeAll(async () => {
  const handlers: [string, () => Handler][] = [
    ['/npm/', () => npm],
    ['/pypi/', () => pypi],
    ['/nuget/', () => nuget(port)],
    ['/cargo', () => cargo(port)],
  ];
  server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://127.0.0.1');
    if (url.pathname === '/slow' || url.pathname.startsWith('/slow/')) return setTimeout(() => text(res, 200, 'late'), 3000);
    if (url.pathname === '/slow-body') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('start');
      return setTimeout(() => res.end('end'), 3000);
    }
    if (url.pathname === '/big' || url.pathname.startsWith('/big/')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < 64; i++) res.write(Buffer.alloc(1024, 1));
      return res.end();
    }
    if (url.pathname === '/big-declared') {
      res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
      return res.end();
    }
    const loop = /^\/loop\/(\d+)$/.exec(url.pathname);
    if (loop) {
      res.writeHead(302, { location: `/loop/${Number(loop[1]) + 1}` });
      return res.end();
    }
    if (url.pathname === '/to-nope') {
      res.writeHead(301, { location: `${origin}/nope` });
      return res.end();
    }
    if (url.pathname === '/to-private') {
      res.writeHead(302, { location: 'http://10.0.0.1/x' });
      return res.end();
    }
    for (const [prefix, h] of handlers) if (url.pathname.startsWith(prefix)) return h()(req, res, url);
    text(res, 404, 'no route');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
});

afterAll(() => new Promise<void>((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
}));

function ctx(overrides: Partial<PackageVerifyContext> = {}): PackageVerifyContext {
  return {
    serverName: NAME,
    file: FILE,
    jsonPath: '/packages/0',
    fetch: fetchForTests,
    baseUrls: { npm: `${origin}/npm`, pypi: `${origin}/pypi`, nuget: `${origin}/nuget/v3/index.json`, cargo: `${origin}/cargo` },
    ...overrides,
  };
}

const codes = (problems: Problem[]) => problems.map((p) => p.code);
function one(problems: Problem[]): Problem {
  expect(problems).toHaveLength(1);
  const p = problems[0]!;
  expect(p.severity).toBe('error');
  expect(p.file).toBe(FILE);
  expect(p.jsonPath).toMatch(/^\/packages\/0(\/identifier|\/version)?$/);
  expect(p.message.length).toBeGreaterThan(20);
  expect(p.hint.length).toBeGreaterThan(20);
  return p;
}

// ---------------------------------------------------------------------------------------------------------------

describe('the mcp-name marker', () => {
  it('matches the name exactly: the next character must not be a name character', () => {
    expect(hasMcpNameMarker(`mcp-name: ${NAME}`, NAME)).toBe(true);
    expect(hasMcpNameMarker(`x\nmcp-name: ${NAME}\ny`, NAME)).toBe(true);
    expect(hasMcpNameMarker(`<!-- mcp-name: ${NAME} -->`, NAME)).toBe(true);
    expect(hasMcpNameMarker(`<p>mcp-name: ${NAME}</p>`, NAME)).toBe(true);
    expect(hasMcpNameMarker(`mcp-name: ${NAME}-evil`, NAME)).toBe(false);
    expect(hasMcpNameMarker(`mcp-name: ${NAME}/sub`, NAME)).toBe(false);
    expect(hasMcpNameMarker(`mcp-name: ${NAME}.`, NAME)).toBe(false);
    expect(hasMcpNameMarker(`mcp-name: io.github.alice`, NAME)).toBe(false);
    expect(findMcpNameMarkers(`mcp-name: a/b and mcp-name: c/d, mcp-name: a/b`)).toEqual(['a/b', 'c/d']);
  });

  it('normalizes NuGet versions as the flat container does', () => {
    expect(nugetLowerVersion('1.0.0-Beta+build.5')).toBe('1.0.0-beta');
  });
});

describe('npm', () => {
  const pkg = (identifier: string, version: string) => ({ identifier, version });

  it('accepts a version whose metadata has mcpName equal to the server name (scoped package)', async () => {
    expect(await verifyNpmPackage(pkg('@alice/weather', '1.2.0'), ctx())).toEqual([]);
  });

  it('reports a missing package at the identifier', async () => {
    const p = one(await verifyNpmPackage(pkg('@alice/nothing', '1.0.0'), ctx()));
    expect(p.code).toBe('package-not-found');
    expect(p.jsonPath).toBe('/packages/0/identifier');
  });

  it('reports a missing version at the version, naming the latest', async () => {
    const p = one(await verifyNpmPackage(pkg('@alice/weather', '9.9.9'), ctx()));
    expect(p.code).toBe('package-version-not-found');
    expect(p.jsonPath).toBe('/packages/0/version');
    expect(p.message).toContain('1.2.0');
  });

  it('shows both names when mcpName names another server', async () => {
    const p = one(await verifyNpmPackage(pkg('@alice/weather', '1.1.0'), ctx()));
    expect(p.code).toBe('package-npm-mcpname-mismatch');
    expect(p.message).toContain('io.github.mallory/weather');
    expect(p.message).toContain(NAME);
  });

  it('tells "mcpName only in another version" apart from "never there"', async () => {
    const other = one(await verifyNpmPackage(pkg('@alice/weather', '1.0.0'), ctx()));
    expect(other.code).toBe('package-npm-mcpname-other-version');
    expect(other.message).toContain('1.2.0');
    expect(other.hint).toContain('1.2.0');

    const missing = one(await verifyNpmPackage(pkg('plain', '1.0.0'), ctx()));
    expect(missing.code).toBe('package-npm-mcpname-missing');
    expect(missing.message).toMatch(/repository/);
    expect(missing.message).toContain('io.github.bob/plain'); // what the latest version says
  });

  it('fails closed on a rate limit, and says so', async () => {
    const p = one(await verifyNpmPackage(pkg('ratelimited', '1.0.0'), ctx()));
    expect(p.code).toBe('package-rate-limited');
    expect(p.message).toMatch(/429/);
    expect(p.message).toMatch(/rate-limited/);
    expect(p.hint).toContain('30 seconds');
  });

  it('reports a server error as a registry error', async () => {
    expect(codes(await verifyNpmPackage(pkg('broken', '1.0.0'), ctx()))).toEqual(['package-registry-error']);
  });

  it('does not fetch from an unofficial registryBaseUrl (a rule reports it) nor check a package without version', async () => {
    expect(await verifyNpmPackage({ identifier: 'x', version: '1.0.0', registryBaseUrl: 'https://npm.evil.example' }, ctx())).toEqual([]);
    expect(await verifyNpmPackage({ identifier: 'x', version: '' }, ctx())).toEqual([]);
  });
});

describe('PyPI', () => {
  const pkg = (version: string, identifier = 'weather-mcp') => ({ identifier, version });

  it('accepts a README with the marker, in plain text or in an HTML comment', async () => {
    expect(await verifyPypiPackage(pkg('1.0.0'), ctx())).toEqual([]);
    expect(await verifyPypiPackage(pkg('1.0.1'), ctx())).toEqual([]);
  });

  it('reports missing project, missing version, no README, missing marker and a marker for another name', async () => {
    expect(one(await verifyPypiPackage(pkg('1.0.0', 'nothing'), ctx())).code).toBe('package-not-found');
    const v = one(await verifyPypiPackage(pkg('3.0.0'), ctx()));
    expect(v.code).toBe('package-version-not-found');
    expect(v.message).toContain('1.0.1');
    expect(one(await verifyPypiPackage(pkg('0.7.0'), ctx())).code).toBe('package-readme-missing');
    const missing = one(await verifyPypiPackage(pkg('0.9.0'), ctx()));
    expect(missing.code).toBe('package-marker-missing');
    expect(missing.message).toContain(`mcp-name: ${NAME}`);
    const other = one(await verifyPypiPackage(pkg('0.8.0'), ctx()));
    expect(other.code).toBe('package-marker-other-name');
    expect(other.message).toContain(`${NAME}-evil`);
  });
});

describe('NuGet', () => {
  const pkg = (version: string, identifier = 'Alice.Weather') => ({ identifier, version });

  it('accepts a README with the marker, with the id and version lower-cased and build metadata stripped', async () => {
    expect(await verifyNugetPackage(pkg('1.0.0'), ctx())).toEqual([]);
    expect(await verifyNugetPackage(pkg('1.0.0+sha.abc'), ctx())).toEqual([]);
  });

  it('tells a missing package, a missing version and a missing README apart', async () => {
    expect(one(await verifyNugetPackage(pkg('1.0.0', 'Nobody.Nothing'), ctx())).code).toBe('package-not-found');
    expect(one(await verifyNugetPackage(pkg('3.0.0'), ctx())).code).toBe('package-version-not-found');
    expect(one(await verifyNugetPackage(pkg('0.1.0'), ctx())).code).toBe('package-readme-missing');
  });

  it('reports a README without the marker, and a service index without the README resource', async () => {
    expect(one(await verifyNugetPackage(pkg('2.0.0-BETA.1'), ctx())).code).toBe('package-marker-missing');
    const p = one(await verifyNugetPackage(pkg('1.0.0'), ctx({ baseUrls: { nuget: `${origin}/nuget/noreadme/index.json` } })));
    expect(p.code).toBe('package-registry-response-invalid');
    expect(p.message).toContain('ReadmeUriTemplate/6.13.0');
  });
});

describe('crates.io', () => {
  const pkg = (version: string, identifier = 'weather-mcp') => ({ identifier, version });

  it('follows the readme endpoint to the rendered README (HTML or plain text)', async () => {
    expect(await verifyCargoPackage(pkg('1.0.0'), ctx())).toEqual([]);
    expect(await verifyCargoPackage(pkg('1.2.0'), ctx())).toEqual([]);
  });

  it('reports a marker only inside an HTML comment distinctly', async () => {
    const p = one(await verifyCargoPackage(pkg('1.1.0'), ctx()));
    expect(p.code).toBe('package-marker-in-comment');
    expect(p.message).toMatch(/HTML comment/);
  });

  it('reports missing crate, missing version, no README and missing marker', async () => {
    expect(one(await verifyCargoPackage(pkg('1.0.0', 'nothing'), ctx())).code).toBe('package-not-found');
    expect(one(await verifyCargoPackage(pkg('9.0.0'), ctx())).code).toBe('package-version-not-found');
    expect(one(await verifyCargoPackage(pkg('0.1.0'), ctx())).code).toBe('package-readme-missing');
    expect(one(await verifyCargoPackage(pkg('1.3.0'), ctx())).code).toBe('package-marker-missing');
  });
});

describe('fetch failures become problems', () => {
  it('timeout, too large, too many redirects, refused address', async () => {
    const base = { npm: `${origin}/slow` };
    expect(codes(await verifyNpmPackage({ identifier: 'x', version: '1' }, ctx({ baseUrls: base, fetch: createBoundedFetch({ allowLoopbackForTests: true, timeoutMs: 300 }) })))).toEqual(['package-fetch-timeout']);
    expect(codes(await verifyPypiPackage({ identifier: 'x', version: '1' }, ctx({ baseUrls: { pypi: `${origin}/big` }, fetch: createBoundedFetch({ allowLoopbackForTests: true, maxBytes: 1000 }) })))).toEqual(['package-fetch-too-large']);
    expect(codes(await verifyNugetPackage({ identifier: 'x', version: '1' }, ctx({ baseUrls: { nuget: `${origin}/loop/0` } })))).toEqual(['package-fetch-redirects']);
    expect(codes(await verifyNpmPackage({ identifier: 'x', version: '1' }, ctx({ fetch: createBoundedFetch() })))).toEqual(['package-fetch-refused']);
    expect(codes(await verifyNpmPackage({ identifier: 'x', version: '1' }, ctx({ baseUrls: { npm: 'http://127.0.0.1:1/npm' } })))).toEqual(['package-fetch-network']);
  });
});

describe('createBoundedFetch', () => {
  const f = () => createBoundedFetch({ allowLoopbackForTests: true, timeoutMs: 300, maxBytes: 10_000, maxRedirects: 3 });

  it('returns 4xx and 5xx as answers, with the final URL after redirects', async () => {
    const r = await f()(`${origin}/nope`);
    expect(r).toMatchObject({ ok: true, status: 404 });
    const redirected = await f()(`${origin}/to-nope`);
    expect(redirected).toMatchObject({ ok: true, status: 404, url: `${origin}/nope` });
    expect(redirected.ok && redirected.body.toString()).toBe('no route');
  });

  it('follows at most maxRedirects redirects, re-checking each hop', async () => {
    // /loop/n redirects forever: 3 hops allowed, the 4th is refused.
    const r = await f()(`${origin}/loop/0`);
    expect(r).toMatchObject({ ok: false, reason: 'too-many-redirects' });
    const priv = await f()(`${origin}/to-private`);
    expect(priv).toMatchObject({ ok: false, reason: 'address-not-public' });
    expect(priv.ok ? '' : priv.detail).toContain('10.0.0.1');
  });

  it('times out waiting for headers and while reading the body', async () => {
    const t0 = Date.now();
    expect(await f()(`${origin}/slow`)).toMatchObject({ ok: false, reason: 'timeout' });
    expect(await f()(`${origin}/slow-body`)).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(2500);
  });

  it('stops reading beyond the size cap, declared or not', async () => {
    expect(await f()(`${origin}/big`)).toMatchObject({ ok: false, reason: 'too-large' });
    expect(await f()(`${origin}/big-declared`)).toMatchObject({ ok: false, reason: 'too-large' });
    const fits = await createBoundedFetch({ allowLoopbackForTests: true, maxBytes: 64 * 1024 })(`${origin}/big`);
    expect(fits.ok && fits.body.length).toBe(64 * 1024);
  });

  it('refuses loopback, private and plain-http targets by default', async () => {
    const strict = createBoundedFetch();
    expect(await strict(`${origin}/npm/plain`)).toMatchObject({ ok: false, reason: 'address-not-public' });
    expect(await strict(`https://127.0.0.1:${port}/`)).toMatchObject({ ok: false, reason: 'address-not-public' });
    expect(await strict('https://[::1]/')).toMatchObject({ ok: false, reason: 'address-not-public' });
    expect(await strict('https://192.168.1.1/')).toMatchObject({ ok: false, reason: 'address-not-public' });
    const viaDns = createBoundedFetch({ resolve: async () => ['169.254.169.254'] });
    const r = await viaDns('https://metadata.example/');
    expect(r).toMatchObject({ ok: false, reason: 'address-not-public' });
    expect(r.ok ? '' : r.detail).toContain('link-local');
    // The test switch allows loopback only: private ranges and plain http to public hosts stay refused.
    expect(await f()('http://10.1.2.3/')).toMatchObject({ ok: false, reason: 'address-not-public' });
    // Official registry hosts are not address-checked (a mirror may sit on a non-public address); others are.
    const trusted = createBoundedFetch({ resolve: async () => ['10.0.0.1'], timeoutMs: 300 });
    expect(await trusted('https://mirror.example/')).toMatchObject({ ok: false, reason: 'address-not-public' });
    const viaMirror = createBoundedFetch({ trustedHosts: ['registry.invalid'], resolve: async () => ['10.0.0.1'], timeoutMs: 300 });
    expect(await viaMirror('https://registry.invalid/')).toMatchObject({ ok: false, reason: 'network' });
    expect(await viaMirror('http://registry.invalid/')).toMatchObject({ ok: false, reason: 'address-not-public' });
    const publicHttp = createBoundedFetch({ allowLoopbackForTests: true, resolve: async () => ['93.184.215.14'] });
    expect(await publicHttp('http://example.com/')).toMatchObject({ ok: false, reason: 'address-not-public' });
  });
});

describe('docs/errors.md', () => {
  it('has a section for every package code', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../docs/errors.md'), 'utf8');
    const sections = new Set([...doc.matchAll(/^### ([a-z0-9-]+)$/gm)].map((m) => m[1]!));
    expect(PACKAGE_PROBLEM_CODES.filter((c) => !sections.has(c))).toEqual([]);
  });
});

// Opt-in: LIVE_NPM=1 npx vitest run test/packages-registries.test.ts
const LIVE = process.env.LIVE_NPM === '1';
describe.skipIf(!LIVE)('live npm (LIVE_NPM=1)', () => {
  it('@modelcontextprotocol/server-filesystem 2026.8.31 has mcpName io.github.modelcontextprotocol/server-filesystem', async () => {
    const problems = await verifyNpmPackage(
      { identifier: '@modelcontextprotocol/server-filesystem', version: '2026.8.31' },
      { serverName: 'io.github.modelcontextprotocol/server-filesystem', file: 'live', jsonPath: '/packages/0', fetch: createBoundedFetch() },
    );
    expect(problems).toEqual([]);
    const wrong = await verifyNpmPackage(
      { identifier: '@modelcontextprotocol/server-filesystem', version: '2026.8.31' },
      { serverName: 'io.github.someone/else', file: 'live', jsonPath: '/packages/0', fetch: createBoundedFetch() },
    );
    expect(codes(wrong)).toEqual(['package-npm-mcpname-mismatch']);
  }, 30_000);
});
if (!LIVE) console.info('live npm test skipped: set LIVE_NPM=1 to run it against https://registry.npmjs.org');
