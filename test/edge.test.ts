// The Cloudflare deployment beyond the conformance suite (which runs on the Worker as a host, test/support/servers.ts):
// the generated wrangler.jsonc and _headers, and what Cloudflare's asset layer in front of the Worker changes.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import fg from 'fast-glob';
import os from 'node:os';
import path from 'node:path';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import type { HeaderRule } from '../scripts/lib/deploy/headers-file.ts';
import { writeCloudflareDeployment, type WrittenDeployment } from '../scripts/lib/edge/cloudflare.ts';
import { miniflareAssetsOptions, startEdge, type RunningEdge } from '../scripts/lib/edge/run-edge.ts';
import { startWorkerd } from '../scripts/lib/edge/run-workerd.ts';
import { freePort } from '../scripts/lib/serve/run-nginx.ts';
import { AssetReader, type AssetsBinding } from '../scripts/lib/edge/asset-reader.ts';
import { PACK_INDEX, packOf, type PackIndex } from '../scripts/lib/edge/asset-packs.ts';
import { answerListQueryFromAssets, createWorkerState } from '../scripts/lib/edge/worker-entry.ts';
import { writePacks, type PackSummary } from '../scripts/lib/edge/write-packs.ts';
import { compareBytewise } from '../scripts/lib/query/compare.ts';
import { versionFile } from '../scripts/lib/query/layout.ts';
import { readListParams } from '../scripts/lib/query/list-query.ts';
import { chunkFile, countFile, headFile, renderHead, renderSearchText, searchFile, type RowTuple } from '../scripts/lib/query/row-index.ts';
import { CACHE_CONTROL, SITE_CSP, siteContentType } from '../scripts/lib/serve/routes.ts';
import { etagFor } from '../scripts/lib/serve/node-server.ts';
import { createMatrixRegistry } from './support/hosting-matrix.ts';
import { http } from './support/servers.ts';

let work: string;
let dist: string;

beforeAll(async () => {
  const { root, entries } = createMatrixRegistry();
  work = mkdtempSync(path.join(os.tmpdir(), 'edge-'));
  dist = path.join(work, 'dist');
  await buildRegistry({ entriesDir: entries, outDir: dist });
  rmSync(root, { recursive: true, force: true });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Reads a `_headers` file as Cloudflare documents it: a path line, then indented `Name: value` or `! Name` lines. */
function readHeadersFile(text: string): Record<string, HeaderRule> {
  const rules: Record<string, HeaderRule> = {};
  let current: HeaderRule | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      current = { set: {} };
      rules[line.trim()] = current;
    } else if (line.trim().startsWith('! ')) (current!.unset ??= []).push(line.trim().slice(2));
    else {
      const colon = line.indexOf(':');
      current!.set[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
  }
  return rules;
}

describe('the generated deployment', () => {
  let deployment: WrittenDeployment;
  let out: string;
  beforeAll(async () => {
    out = path.join(work, 'cloudflare');
    deployment = await writeCloudflareDeployment(dist, out, 'my-registry');
  });

  it('writes wrangler.jsonc with the Worker, the assets binding and the Worker first for the API only', () => {
    const errors: ParseError[] = [];
    const config = parseJsonc(readFileSync(path.join(out, 'wrangler.jsonc'), 'utf8'), errors);
    expect(errors).toEqual([]);
    expect(config).toMatchObject({
      name: 'my-registry',
      main: './worker.js',
      compatibility_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      assets: { directory: './public', binding: 'ASSETS', html_handling: 'none', not_found_handling: 'none' },
    });
    expect(config.assets.run_worker_first).toEqual(['/v0', '/v0/*', '/v0.1', '/v0.1/*', '/_build', '/_build/*']);
    // The local runtime gets the same routing and headers the file says.
    const options = miniflareAssetsOptions(deployment, path.join(out, 'public'));
    expect(options.routerConfig.static_routing.user_worker).toEqual(config.assets.run_worker_first);
    expect(options.assetConfig.headers.rules).toEqual(readHeadersFile(readFileSync(path.join(out, 'public/_headers'), 'utf8')));
  });

  it('packs every API and row-index file, leaving the site as its own files and no precompressed copies', async () => {
    const assets = await fg('**/*', { cwd: path.join(out, 'public'), dot: true });
    const underBuild = assets.filter((f) => f.startsWith('_build/'));
    expect(underBuild.length).toBeGreaterThan(1);
    expect(underBuild.every((f) => /^_build\/_packs\/(index\.json|\d{5}\.bin)$/.test(f) || f === '_build/v0.1/servers.json'), underBuild.join(', ')).toBe(true);
    expect(assets.filter((f) => /\.(br|gz)$/.test(f))).toEqual([]);
    const built = await fg(['v0.1/**', '_query/**', '_include_deleted/**'], { cwd: dist, ignore: ['**/*.br', '**/*.gz'] });
    const index = JSON.parse(readFileSync(path.join(out, 'public/_build/_packs/index.json'), 'utf8')) as PackIndex;
    expect(deployment.packs.packs + deployment.packs.single).toBe(index.first.length + Object.keys(index.single).length);
    expect(built.length).toBeGreaterThan(underBuild.length);
  });

  it('sends the router\'s site headers, with the immutable cache only on content-hashed files', () => {
    const rules = readHeadersFile(readFileSync(path.join(out, 'public/_headers'), 'utf8'));
    expect(rules['/*']!.set).toMatchObject({ 'Content-Security-Policy': SITE_CSP, 'Cache-Control': CACHE_CONTROL.page, 'Access-Control-Allow-Origin': '*' });
    const hashed = Object.keys(rules).filter((p) => p !== '/*');
    expect(hashed.length).toBeGreaterThanOrEqual(3);
    for (const p of hashed) {
      expect(p).toMatch(/^\/(assets|search)\/[^/]+-[0-9a-f]{8,}\.[a-z]+$/);
      expect(rules[p]).toEqual({ unset: ['Cache-Control'], set: { 'Cache-Control': CACHE_CONTROL.immutable } });
    }
  });
});

describe('the Worker behind the asset layer', () => {
  let edge: RunningEdge;
  beforeAll(async () => {
    edge = await startEdge({ dir: dist });
  });
  afterAll(async () => {
    await edge?.stop();
  });

  it('never serves the raw build files it reads: they answer as unknown endpoints, as on the Node server', async () => {
    for (const target of ['/_build/_query/chunks.json', '/_build/v0.1/servers.json', '/_build', '/_query/chunks.json', '/_include_deleted/']) {
      const answer = await http(edge.url, target);
      expect(answer.status, target).toBe(404);
      expect(answer.headers['content-type'], target).toBe('application/problem+json');
      expect(answer.json().detail, target).toMatch(/^Endpoint not found/);
    }
  });

  it('serves site files from the asset layer with the router\'s headers, and folders without a redirect', async () => {
    const home = await http(edge.url, '/');
    const asset = /src="(assets\/site-[0-9a-f]+\.js)"/.exec(home.body)?.[1];
    expect(asset).toBeTruthy();
    const script = await http(edge.url, `/${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers['cache-control']).toBe(CACHE_CONTROL.immutable);
    expect(script.headers['content-security-policy']).toBe(SITE_CSP);
    // Typed by the asset layer, as the router types it.
    expect(script.headers['content-type']).toBe(siteContentType(asset!));
    const manifest = await http(edge.url, '/search/manifest.json');
    expect(manifest.status).toBe(200);
    expect(manifest.headers['cache-control']).toBe(CACHE_CONTROL.page);
    const page = await http(edge.url, '/servers/io.github.matrix00/tool');
    expect(page.status).toBe(200);
    expect(page.headers.location).toBeUndefined();
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('sends the ETag nginx and the Node server send for the same API file, and 304 for it', async () => {
    const file = path.join(dist, versionFile('io.github.matrix00/tool', 'latest', false));
    const stat = statSync(file);
    const answer = await http(edge.url, '/v0.1/servers/io.github.matrix00%2Ftool/versions/latest');
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(readFileSync(file, 'utf8'));
    expect(answer.headers.etag).toBe(etagFor(stat.mtimeMs, stat.size));
    expect((await http(edge.url, '/v0.1/servers/io.github.matrix00%2Ftool/versions/latest', { headers: { 'If-None-Match': String(answer.headers.etag) } })).status).toBe(304);
  });

  it('answers HEAD without a body and refuses other methods with 405 problem+json', async () => {
    const head = await http(edge.url, '/v0.1/servers?limit=1', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const post = await http(edge.url, '/v0.1/servers', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD, OPTIONS');
  });
});

describe('the Worker alone in workerd (npm run edge -- --runtime workerd, the benchmark\'s throughput host)', () => {
  let edge: RunningEdge;
  beforeAll(async () => {
    edge = await startWorkerd({ dir: dist, port: await freePort() });
  });
  afterAll(async () => {
    await edge?.stop();
  });

  it('answers list queries, details with nginx\'s ETag, and problems, reading its packs through workerd\'s disk service', async () => {
    const list = await http(edge.url, '/v0.1/servers?limit=2&search=tool');
    expect(list.status).toBe(200);
    expect(list.json().servers).toHaveLength(2);
    const file = path.join(dist, versionFile('io.github.matrix00/tool', 'latest', false));
    const detail = await http(edge.url, '/v0.1/servers/io.github.matrix00%2Ftool/versions/latest');
    expect(detail.body).toBe(readFileSync(file, 'utf8'));
    expect(detail.headers.etag).toBe(etagFor(statSync(file).mtimeMs, statSync(file).size));
    const missing = await http(edge.url, '/v0.1/servers/io.github.matrix00%2Fnope/versions/latest');
    expect([missing.status, missing.headers['content-type']]).toEqual([404, 'application/problem+json']);
  });
});

describe('list queries over a large row index (the Worker\'s reads through packs, with a stand-in for the assets binding)', () => {
  const CHUNKS = 200;
  const name = (i: number): string => `io.github.big/s${String(i).padStart(4, '0')}`;
  const reads: string[] = [];
  let assetsDir: string;
  let packs: PackSummary;
  // Serves the written assets folder as the binding does: 200 with the file, 404 without.
  const binding: AssetsBinding = {
    async fetch(request) {
      const asset = new URL(request.url).pathname.split('/').map(decodeURIComponent).join('/').slice(1);
      reads.push(asset);
      const full = path.join(assetsDir, asset);
      return existsSync(full) ? new Response(readFileSync(full)) : new Response(null, { status: 404 });
    },
  };

  beforeAll(async () => {
    const built = path.join(work, 'big-index');
    const write = (file: string, text: string): void => {
      mkdirSync(path.dirname(path.join(built, file)), { recursive: true });
      writeFileSync(path.join(built, file), text);
    };
    for (let i = 0; i < CHUNKS; i++) {
      const row: RowTuple = [name(i), '1.0.0', '2025-01-01T00:00:00Z', 1, 0];
      write(headFile(i), renderHead({ firstName: row[0], firstVersion: row[1], lastName: row[0], lastVersion: row[1], rows: 1, latestLive: 1, live: 1, maxUpdated: row[2] }));
      write(chunkFile(i), JSON.stringify([row]));
      write(searchFile(i), JSON.stringify(renderSearchText([{ name: row[0], description: `server number ${i}` }])));
      write(versionFile(row[0], row[1], false), `{"server":{"name":"${row[0]}","version":"1.0.0"}}\n`);
    }
    write(countFile(), String(CHUNKS));
    assetsDir = path.join(work, 'big-assets');
    const stats = (await fg('**/*', { cwd: built, stats: true })).map((e) => ({ path: e.path, size: e.stats!.size, mtimeMs: e.stats!.mtimeMs }));
    // Small packs, so the index spans many of them as a large registry's does.
    packs = await writePacks(built, path.join(assetsDir, '_build'), stats, 2048);
  });

  it('packs the files in path order, far fewer assets than files', () => {
    expect(packs.single).toBe(0);
    expect(packs.packs).toBeGreaterThan(20);
    expect(packs.packs).toBeLessThan(CHUNKS);
    const index = JSON.parse(readFileSync(path.join(assetsDir, '_build', PACK_INDEX), 'utf8')) as PackIndex;
    expect(index.first).toEqual([...index.first].sort(compareBytewise));
    expect(packOf(index, index.first[3]!)).toBe(3);
    expect(packOf(index, index.first[3]! + 'x')).toBe(3);
    expect(packOf(index, '')).toBe(-1);
  });

  it('scans every chunk for a filter that matches nothing, reading each pack once', async () => {
    reads.length = 0;
    const answer = await answerListQueryFromAssets(createWorkerState(binding), readListParams('search=no-such-text&limit=50'));
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('{"servers":[],"metadata":{"count":0}}\n');
    expect(reads.length).toBe(new Set(reads).size);
    expect(reads.length).toBeLessThanOrEqual(packs.packs + 1);
  });

  it('keeps what it read for the isolate\'s life: a repeated query reads no asset', async () => {
    const state = createWorkerState(binding);
    const query = readListParams(`cursor=${encodeURIComponent(`${name(150)}:1.0.0`)}&limit=3`);
    const first = await answerListQueryFromAssets(state, query);
    expect(JSON.parse(first.body).servers.map((s: { server: { name: string } }) => s.server.name)).toEqual([name(151), name(152), name(153)]);
    reads.length = 0;
    const again = await answerListQueryFromAssets(state, query);
    expect(again.body).toBe(first.body);
    expect(reads).toEqual([]);
  });

  it('holds packs up to its memory budget, reading an evicted pack again', async () => {
    const kept = new AssetReader(4096);
    // Each read as its own request: only finished reads are kept between requests.
    const reader = { readText: (file: string) => kept.forRequest(binding).readText(file) };
    const detail = (i: number): string => versionFile(name(i), '1.0.0', false);
    expect(await reader.readText(detail(0))).toContain(name(0));
    for (let i = 20; i < CHUNKS; i += 20) await reader.readText(detail(i));
    reads.length = 0;
    expect(await reader.readText(detail(0))).toContain(name(0));
    expect(reads.length).toBe(1);
    reads.length = 0;
    expect(await reader.readText(detail(0))).toContain(name(0));
    expect(reads).toEqual([]);
    expect(await reader.readText(versionFile(name(0), '9.9.9', false))).toBeNull();
  });
});
