// Search: the index the build writes (scripts/lib/search/index-build.ts), the client that queries it
// (scripts/lib/search/client.ts), and the Node server's `?search=`, which must answer a superset of the official
// semantics (case-insensitive substring of name or description) in the official order and pages.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import MiniSearch from 'minisearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import type { RegistryRecord } from '../scripts/lib/model.ts';
import { indexOptions, loadSearch, QUERY_OPTIONS, searchFromJson, type RegistrySearch, type SearchDocument } from '../scripts/lib/search/client.ts';
import { buildSearchIndex, MANIFEST_FILE } from '../scripts/lib/search/index-build.ts';
import { startRegistryServer, type RunningServer } from '../scripts/lib/serve/node-server.ts';
import { serverJson, statusFile, tempDir } from './support/git-fixture.ts';

const EPOCH = '1767225600'; // 2026-01-01T00:00:00Z

interface FixtureServer {
  name: string;
  versions: Array<{ version: string; extra: Record<string, unknown> }>;
  status?: string;
}

const npm = (identifier: string) => ({ registryType: 'npm', identifier, version: '1.0.0', transport: { type: 'stdio' } });
const FIXTURE: FixtureServer[] = [
  {
    name: 'io.github.modelcontextprotocol/server-filesystem',
    versions: [{ version: '1.0.0', extra: { title: 'Filesystem', description: 'Read, write and edit local files in allowed directories.', packages: [npm('@modelcontextprotocol/server-filesystem')] } }],
    status: statusFile('status: active', '# Filesystem\n\nConfines every operation to allowed directories; supports glob patterns and quasar roots.\n'),
  },
  {
    name: 'io.github.acme/files-sync',
    versions: [{ version: '0.3.0', extra: { title: 'File Sync', description: 'Keeps folders in step between machines.', packages: [npm('@acme/files-sync')] } }],
  },
  {
    name: 'com.example/weather',
    versions: [{ version: '2.0.0', extra: { title: 'Weather', description: 'Forecasts and alerts for any city.', remotes: [{ type: 'streamable-http', url: 'https://api.forecastly.net/mcp' }] } }],
  },
  {
    name: 'io.github.alice/weather-tools',
    versions: [{ version: '1.1.0', extra: { title: 'Weather Tools', description: 'Weather helpers for scripts, with a filesystem cache.', packages: [{ registryType: 'pypi', identifier: 'weather-tools-mcp', version: '1.1.0', transport: { type: 'stdio' } }] } }],
  },
  {
    name: 'io.github.bob/old-bridge',
    versions: [{ version: '1.0.0', extra: { description: 'Legacy database bridge.', packages: [npm('@bob/old-bridge')] } }],
    status: statusFile('status: deprecated\nstatusMessage: "Use something newer."'),
  },
  {
    name: 'io.github.bob/gone',
    versions: [{ version: '1.0.0', extra: { description: 'A filesystem helper that was withdrawn.', packages: [npm('@bob/gone')] } }],
    status: statusFile('status: deleted'),
  },
  {
    name: 'io.github.carol/kube-ops',
    versions: [{ version: '0.9.0', extra: { title: 'Kube Ops', description: 'Operate Kubernetes clusters.', packages: [{ registryType: 'oci', identifier: 'ghcr.io/carol/helmsman-image', version: '0.9.0', transport: { type: 'stdio' } }], remotes: [{ type: 'sse', url: 'https://kube.carol.dev/sse' }] } }],
    status: statusFile('status: active', '# Kube Ops\n\nRuns a zeppelin of kubectl commands for you.\n'),
  },
  {
    name: 'io.github.dave/multi',
    versions: [
      { version: '1.0.0', extra: { description: 'First cut, with a needle in it.', packages: [npm('@dave/multi')] } },
      { version: '2.0.0', extra: { description: 'Second cut.', packages: [npm('@dave/multi')] } },
    ],
  },
];

let root: string;
let outDir: string;
let records: RegistryRecord[];
let search: RegistrySearch;
let longDescriptions: Map<string, string>;

beforeAll(async () => {
  root = tempDir('search');
  const entries = path.join(root, 'entries');
  longDescriptions = new Map();
  for (const server of FIXTURE) {
    for (const v of server.versions) {
      const dir = path.join(entries, server.name, v.version);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'server.json'), serverJson(server.name, v.version, v.extra));
    }
    if (server.status) {
      writeFileSync(path.join(entries, server.name, 'server.md'), server.status);
      longDescriptions.set(server.name, server.status.slice(server.status.indexOf('\n---\n') + 5));
    }
  }
  outDir = path.join(root, 'dist');
  records = (await buildRegistry({ entriesDir: entries, outDir, env: { SOURCE_DATE_EPOCH: EPOCH } })).records;
  const read = (p: string): unknown => JSON.parse(readFileSync(path.join(outDir, 'site', p), 'utf8'));
  search = await loadSearch(async (p) => read(p));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const names = (query: string, options?: Parameters<RegistrySearch['search']>[1]): string[] => search.search(query, options).map((h) => h.name);

describe('the build', () => {
  it('writes a manifest that names a content-hashed index', () => {
    const manifest = JSON.parse(readFileSync(path.join(outDir, MANIFEST_FILE), 'utf8')) as { index: string; documents: number; fields: string[] };
    expect(manifest.index).toMatch(/^\/search\/index-[0-9a-f]{16}\.json$/);
    expect(manifest.documents).toBe(FIXTURE.length - 1);
    expect(manifest.fields).toEqual(['name', 'title', 'description', 'packageIdentifiers', 'registryTypes', 'transports', 'remoteHosts', 'longDescription']);
    const built = buildSearchIndex(records, new Map());
    expect(built.indexPath).toMatch(/^site\/search\/index-[0-9a-f]{16}\.json$/);
  });

  it('gives the same bytes for the same input, whatever the order of the rows', () => {
    const a = buildSearchIndex(records, longDescriptions);
    const b = buildSearchIndex([...records].reverse(), new Map([...longDescriptions].reverse()));
    expect(b.indexFile).toBe(a.indexFile);
    expect(b.manifest).toBe(a.manifest);
    expect(b.indexPath).toBe(a.indexPath);
    const other = buildSearchIndex(records.slice(1), longDescriptions);
    expect(other.indexPath).not.toBe(a.indexPath);
  });

  it('holds one document per server at its latest version; deleted servers are left out', () => {
    const all = search.all();
    expect(all.map((h) => h.name)).toEqual([...FIXTURE.map((s) => s.name).filter((n) => n !== 'io.github.bob/gone')].sort());
    const multi = all.find((h) => h.name === 'io.github.dave/multi')!;
    expect(multi).toMatchObject({ version: '2.0.0', description: 'Second cut.', status: 'active', registryTypes: ['npm'], transports: ['stdio'], kinds: ['local'] });
    expect(multi.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(all.find((h) => h.name === 'io.github.carol/kube-ops')).toMatchObject({ title: 'Kube Ops', registryTypes: ['oci'], transports: ['sse', 'stdio'], kinds: ['local', 'remote'] });
    expect(names('gone')).toEqual([]);
    expect(names('withdrawn')).toEqual([]);
  });
});

describe('relevance', () => {
  it('ranks an exact name or title first', () => {
    expect(names('weather')[0]).toBe('com.example/weather');
    expect(names('Weather Tools')[0]).toBe('io.github.alice/weather-tools');
    expect(names('io.github.alice/weather-tools')[0]).toBe('io.github.alice/weather-tools');
    expect(names('filesystem')[0]).toBe('io.github.modelcontextprotocol/server-filesystem');
    expect(names('FILESYSTEM')[0]).toBe('io.github.modelcontextprotocol/server-filesystem');
  });

  it('matches titles', () => {
    expect(names('kube ops')[0]).toBe('io.github.carol/kube-ops');
    expect(names('file sync')[0]).toBe('io.github.acme/files-sync');
  });

  it('matches prefixes as typed', () => {
    expect(names('fil')).toContain('io.github.modelcontextprotocol/server-filesystem');
    expect(names('fil')).toContain('io.github.acme/files-sync');
    expect(names('kuber')).toEqual(['io.github.carol/kube-ops']);
    expect(names('forec')).toEqual(['com.example/weather']);
  });

  it('forgives typos in longer words', () => {
    expect(names('filesytem')[0]).toBe('io.github.modelcontextprotocol/server-filesystem');
    expect(names('kubernetse')).toEqual(['io.github.carol/kube-ops']);
    expect(names('wether').slice(0, 2).sort()).toEqual(['com.example/weather', 'io.github.alice/weather-tools']);
  });

  it('searches package identifiers, registry types, transports and remote hosts', () => {
    expect(names('helmsman')).toEqual(['io.github.carol/kube-ops']);
    expect(names('forecastly')).toEqual(['com.example/weather']);
    expect(names('kube.carol.dev')).toEqual(['io.github.carol/kube-ops']);
    expect(names('pypi')).toEqual(['io.github.alice/weather-tools']);
    expect(names('streamable-http')).toEqual(['com.example/weather']);
  });

  it('searches the long description of the status file', () => {
    expect(names('zeppelin')).toEqual(['io.github.carol/kube-ops']);
    expect(names('quasar')).toEqual(['io.github.modelcontextprotocol/server-filesystem']);
  });

  it('keeps deprecated servers, marked', () => {
    const hits = search.search('bridge');
    expect(hits.map((h) => h.name)).toEqual(['io.github.bob/old-bridge']);
    expect(hits[0]!.status).toBe('deprecated');
    expect(names('bridge', { filters: { status: 'active' } })).toEqual([]);
  });

  it('returns every substring match of name or description (the official semantics) too', () => {
    expect(names('esyst')).toEqual(expect.arrayContaining(['io.github.modelcontextprotocol/server-filesystem', 'io.github.alice/weather-tools']));
    expect(names('le/we')).toEqual(['com.example/weather']);
  });

  it('returns everything by name for the empty query, and honours filters and limit', () => {
    expect(names('')).toEqual(search.all().map((h) => h.name));
    expect(names('  ', { limit: 2 })).toEqual(search.all().slice(0, 2).map((h) => h.name));
    expect(names('', { filters: { kind: 'remote' } })).toEqual(['com.example/weather', 'io.github.carol/kube-ops']);
    expect(names('', { filters: { registryType: 'npm', transport: 'stdio' } })).toEqual([
      'io.github.acme/files-sync', 'io.github.bob/old-bridge', 'io.github.dave/multi', 'io.github.modelcontextprotocol/server-filesystem',
    ]);
    expect(names('weather', { limit: 1 })).toEqual(['com.example/weather']);
    expect(names('nothing at all matches')).toEqual([]);
  });
});

describe('query (one page of the site)', () => {
  it('counts registry types, transports, kinds and statuses over the hits', () => {
    expect(search.query('').facets).toEqual({
      registryType: { '': 7, npm: 4, pypi: 1, oci: 1 },
      transport: { '': 7, stdio: 6, 'streamable-http': 1, sse: 1 },
      kind: { '': 7, local: 6, remote: 2 },
      status: { '': 7, active: 6, deprecated: 1 },
    });
    expect(search.query('weather').facets).toEqual({
      registryType: { '': 2, pypi: 1 },
      transport: { '': 2, 'streamable-http': 1, stdio: 1 },
      kind: { '': 2, remote: 1, local: 1 },
      status: { '': 2, active: 2 },
    });
  });

  it('pages the filtered hits in rank order and counts each facet under the other filters only', () => {
    const page = search.query('', { filters: { registryType: 'npm', transport: 'stdio' }, limit: 2 });
    expect(page.hits.map((h) => h.name)).toEqual(['io.github.acme/files-sync', 'io.github.bob/old-bridge']);
    expect(page.count).toBe(4);
    expect(page.total).toBe(7);
    // registryType ignores its own selection (npm), so pypi and oci stay visible with their counts under stdio.
    expect(page.facets.registryType).toEqual({ '': 6, npm: 4, pypi: 1, oci: 1 });
    expect(page.facets.transport).toEqual({ '': 4, stdio: 4 });
    expect(page.facets.kind).toEqual({ '': 4, local: 4 });
    expect(page.facets.status).toEqual({ '': 4, active: 3, deprecated: 1 });
    for (const q of ['weather', 'fil', 'io.github', 'stdio', 'bridge', 'nothing at all']) {
      for (const filters of [{}, { registryType: 'npm' }, { kind: 'remote' as const }, { status: 'deprecated' as const, transport: 'stdio' }]) {
        const paged = search.query(q, { filters, limit: 3 });
        const full = search.search(q, { filters });
        expect(paged.hits, `${q} ${JSON.stringify(filters)}`).toEqual(full.slice(0, 3));
        expect(paged.count).toBe(full.length);
      }
    }
    expect(search.query('', { filters: { registryType: 'no-such-type' } }).count).toBe(0);
  });
});

describe('query and search over a few thousand servers', () => {
  // Enough documents that broad terms, top-k selection and shared facet values all come into play.
  const WORDS = ['alpha', 'bravo', 'cloud', 'data', 'files', 'git', 'graph', 'mail', 'notes', 'query', 'search', 'sync', 'tools', 'vector', 'weather'];
  const TYPES = ['npm', 'pypi', 'oci', 'nuget', 'mcpb'];
  const TRANSPORTS = ['stdio', 'sse', 'streamable-http'];
  let big: RegistrySearch;
  let byComparator: RegistrySearch;
  let built: ReturnType<typeof buildSearchIndex>;

  beforeAll(() => {
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const many: RegistryRecord[] = [];
    for (let i = 0; i < 3000; i++) {
      const name = `io.github.u${next(400)}/${WORDS[next(WORDS.length)]}-${i}`;
      const words = Array.from({ length: 3 + next(5) }, () => WORDS[next(WORDS.length)]).join(' ');
      const server: Record<string, unknown> = { name, version: '1.0.0', description: `${words} server` };
      if (next(3) > 0) server.packages = [{ registryType: TYPES[next(TYPES.length)], identifier: `pkg-${i}`, version: '1.0.0', transport: { type: TRANSPORTS[next(2) === 0 ? 0 : next(3)] } }];
      if (next(4) === 0) server.remotes = [{ type: TRANSPORTS[1 + next(2)], url: `https://h${next(20)}.example.com/mcp` }];
      const when = '2026-01-01T00:00:00Z';
      many.push({
        name, version: '1.0.0', server: server as unknown as RegistryRecord['server'],
        official: { status: next(10) === 0 ? 'deprecated' : 'active', statusChangedAt: when, publishedAt: when, updatedAt: when, isLatest: true },
      });
    }
    built = buildSearchIndex(many, new Map());
    const manifest = JSON.parse(built.manifest) as unknown;
    big = searchFromJson(manifest, built.indexFile, { broadTermMinDocuments: 100 });
    byComparator = searchFromJson(manifest, built.indexFile, { broadTermMinDocuments: 100, packedOrderMaxDocuments: 0 });
  });

  const QUERIES = ['', 'a', 'git', 'gti', 'files', 'vector data', 'weather sync', 'io.github.u1', 'server', 'stdio', 'npm', 'h3.example', 'nothing here'];
  const FILTERS = [{}, { registryType: 'npm' }, { transport: 'sse', kind: 'remote' as const }, { status: 'deprecated' as const }, { registryType: 'oci', transport: 'stdio' }];

  it('orders hits the same through packed keys as through a comparator', () => {
    for (const q of QUERIES) expect(big.search(q).map((h) => h.name), q).toEqual(byComparator.search(q).map((h) => h.name));
  });

  it('pages exactly the head of the full ranking, whatever the page size', () => {
    for (const q of QUERIES) {
      for (const filters of FILTERS) {
        const full = big.search(q, { filters });
        for (const limit of [0, 1, 7, 200, 5000]) {
          const page = big.query(q, { filters, limit });
          expect(page.hits.map((h) => h.name), `${q} ${JSON.stringify(filters)} ${limit}`).toEqual(full.slice(0, limit).map((h) => h.name));
          expect(page.count).toBe(full.length);
        }
      }
    }
  });

  it('scores a word as MiniSearch does (its own search with the client\'s options), without MiniSearch\'s result objects', () => {
    const many = built.indexFile;
    const plain = searchFromJson(JSON.parse(built.manifest), many, { broadTermShare: Infinity });
    const mini = MiniSearch.loadJSON<SearchDocument>(many, indexOptions());
    // Exact words, prefixes as typed (2+ letters), typos (fuzzy from 4 letters), words in package ids and hosts.
    let compared = 0;
    for (const q of ['git', 'gi', 'files', 'file', 'fils', 'vector', 'vectr', 'weathr', 'server', 'servr', 'stdio', 'npm', 'pkg', 'example', 'u12', 'sync', 'q']) {
      const expected = new Map(mini.search(q, QUERY_OPTIONS).map((r) => [r.id as string, Math.fround(r.score)]));
      const scored = new Map(plain.search(q).filter((h) => h.score > 0).map((h) => [h.name, h.score]));
      expect(scored, q).toEqual(expected);
      compared += scored.size;
    }
    expect(compared).toBeGreaterThan(10000);
  });

  it('counts each facet over the hits that pass the other filters', () => {
    const valuesOf = (h: ReturnType<RegistrySearch['all']>[number], key: string): string[] =>
      key === 'registryType' ? h.registryTypes : key === 'transport' ? h.transports : key === 'kind' ? h.kinds : [h.status];
    for (const q of QUERIES) {
      for (const filters of FILTERS) {
        const page = big.query(q, { filters, limit: 10 });
        for (const key of ['registryType', 'transport', 'kind', 'status'] as const) {
          const others = { ...filters } as Record<string, string>;
          delete others[key];
          const pool = big.search(q, { filters: others });
          const expected: Record<string, number> = { '': pool.length };
          for (const hit of pool) for (const v of new Set(valuesOf(hit, key))) expected[v] = (expected[v] ?? 0) + 1;
          expect(page.facets[key], `${q} ${JSON.stringify(filters)} ${key}`).toEqual(expected);
        }
      }
    }
  });
});

describe('searchFromJson', () => {
  it('accepts the index as text or parsed JSON', () => {
    const built = buildSearchIndex(records, longDescriptions);
    const fromText = searchFromJson(JSON.parse(built.manifest), built.indexFile);
    const fromObject = searchFromJson(JSON.parse(built.manifest), JSON.parse(built.indexFile));
    expect(fromText.search('filesytem')).toEqual(fromObject.search('filesytem'));
    expect(() => searchFromJson({}, built.indexFile)).toThrow(/manifest/);
  });

  it('finds the same servers when common terms are answered outside MiniSearch (broad terms)', () => {
    const built = buildSearchIndex(records, longDescriptions);
    const manifest = JSON.parse(built.manifest) as unknown;
    const plain = searchFromJson(manifest, built.indexFile, { broadTermShare: Infinity });
    const broad = searchFromJson(manifest, built.indexFile, { broadTermShare: 0.3, broadTermMinDocuments: 2 });
    for (const q of ['stdio', 'std', 'npm', 'github', 'git', 'githib', 'io.github', 'npm filesystem', 'github weather', 'weather', 'fil', 'filesytem', 'cut', 'files', 'kube', 'the']) {
      expect(broad.search(q).map((h) => h.name).sort(), q).toEqual(plain.search(q).map((h) => h.name).sort());
    }
    expect(broad.search('filesystem')[0]!.name).toBe('io.github.modelcontextprotocol/server-filesystem');
  });
});

describe('the Node server answers ?search= with the official semantics, as nginx does', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startRegistryServer({ dir: outDir, port: 0 });
  });
  afterAll(() => server?.close());

  type Row = { name: string; version: string };
  async function allPages(query: string, limit: number): Promise<Row[]> {
    const rows: Row[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const url = `${server.url}/v0.1/servers?search=${encodeURIComponent(query)}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { servers: Array<{ server: Row }>; metadata: { nextCursor?: string; count: number } };
      rows.push(...body.servers.map((s) => ({ name: s.server.name, version: s.server.version })));
      cursor = body.metadata.nextCursor;
      if (!cursor) break;
    }
    return rows;
  }
  const bytewise = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const official = (query: string): Row[] => {
    const q = query.toLowerCase();
    return records
      .filter((r) => r.official.status !== 'deleted' && (r.name.toLowerCase().includes(q) || r.server.description.toLowerCase().includes(q)))
      .map((r) => ({ name: r.name, version: r.version }));
  };

  const QUERIES = ['filesystem', 'FileSystem', 'fil', 'filesytem', 'esyst', 'weather', 'needle', 'cut', 'io.github', 'le/we', 'helmsman', 'zeppelin', 'bridge', 'gone', 'stdio', 'a', ' ', 'e s', 'nothing'];

  it.each(QUERIES)('%j: exactly the official rows, in the official order and pages', async (query) => {
    const rows = await allPages(query, 100);
    const expected = official(query).sort((a, b) => bytewise(a.name, b.name) || bytewise(a.version, b.version));
    expect(rows).toEqual(expected);
    expect(rows.some((r) => r.name === 'io.github.bob/gone')).toBe(false);
    expect(await allPages(query, 1)).toEqual(rows);
  });

  it('leaves the search index\'s fuzzy and prefix matches to the site, which nginx and the Worker cannot make', async () => {
    expect(await allPages('filesytem', 100)).toEqual([]);
    expect(await allPages('multi', 100)).toEqual([{ name: 'io.github.dave/multi', version: '1.0.0' }, { name: 'io.github.dave/multi', version: '2.0.0' }]);
  });
});
