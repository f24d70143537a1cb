// Search benchmark over a built registry: the size of its search index (bytes, gzipped bytes), the time to build
// that index again from the dist's latest rows (plus the status files' long descriptions when the entries are
// given), and the latency (and CPU time) of 1,000 queries from a fixed list in Node (one page of hits with the count
// and facets, as the site's worker answers each keystroke).
//
//   npx tsx scripts/bench/search-timing.ts --dir <dist> [--entries <entries>]   (prints one JSON document)

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { loadEntries } from '../lib/entries/load.ts';
import { OFFICIAL_META_KEY, type OfficialMeta, type RegistryRecord, type ServerJson } from '../lib/model.ts';
import { versionFile } from '../lib/query/layout.ts';
import { chunkFile, countFile, type RowTuple } from '../lib/query/row-index.ts';
import { searchFromJson } from '../lib/search/client.ts';
import { PAGE_SIZE } from '../lib/site/browser/query.ts';
import { buildSearchIndex, MANIFEST_FILE, SEARCH_DIR } from '../lib/search/index-build.ts';

export const SEARCH_TARGETS = { indexGzipBytes: 3 * 1024 * 1024, indexBuildSeconds: 10, queryP95Ms: 2 };

/** The fixed query list: exact names, service words, prefixes as typed, typos, several words, hosts, packages. */
export const BENCH_QUERIES = [
  'filesystem', 'fil', 'files', 'filesytem', 'weather', 'wea', 'wether', 'github', 'git', 'githib', 'gitlab',
  'slack', 'sl', 'notion', 'postgres', 'postgress', 'postgr', 'sqlite', 'redis', 'mongo', 'kubernetes', 'kube',
  'kubernetse', 'docker', 'jira', 'figma', 'stripe', 'shopify', 'sentry', 'grafana', 'snowflake', 'supabase',
  'cloudflare', 'terraform', 'aws', 'azure', 'graphql', 'browser', 'playwright', 'puppeter', 'calendar', 'gmail',
  'youtube', 'discord', 'telegram', 'pdf', 'excel', 'markdown', 'wikipedia', 'search', 'fetch', 'memory', 'vector',
  'qdrant', 'obsidian', 'home-assistant', 'home assistant', 'crypto', 'maps', 'translate', 'mcp', 'server', 'm',
  'a', 's', 'io.github', 'com.acme', 'acme', 'alice', 'npm', 'pypi', 'oci', 'stdio', 'streamable-http', 'sse',
  'remote', 'local', 'database query', 'send email', 'read files', 'issue tracker', 'mcp server for slack',
  'vector database', 'cloud storage', 'api', 'tools', 'connector', 'bridge', 'deprecated', 'x', 'zz', 'qqq',
  'nothing-matches-this-query', 'io.github.modelcontextprotocol/server-filesystem',
];

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** The latest live row of every server, as RegistryRecords read back from the built detail files. */
function latestRecords(dir: string): RegistryRecord[] {
  const chunks = Number(readFileSync(path.join(dir, countFile()), 'utf8'));
  const records: RegistryRecord[] = [];
  for (let c = 0; c < chunks; c++) {
    const rows = JSON.parse(readFileSync(path.join(dir, chunkFile(c)), 'utf8')) as RowTuple[];
    for (const row of rows) {
      if (!row[3] || row[4]) continue;
      const item = JSON.parse(readFileSync(path.join(dir, versionFile(row[0], row[1], false)), 'utf8')) as {
        server: ServerJson;
        _meta: Record<string, OfficialMeta>;
      };
      records.push({ name: row[0], version: row[1], server: item.server, official: item._meta[OFFICIAL_META_KEY]! });
    }
  }
  return records;
}

export interface SearchTiming {
  documents: number;
  indexFile: string;
  indexBytes: number;
  indexGzipBytes: number;
  manifestBytes: number;
  /** buildSearchIndex on the latest rows, median of 3 runs (after one warm-up). */
  indexBuildSeconds: number;
  indexBuildRuns: number[];
  /** searchFromJson on the index text (what a client does after fetching). */
  loadMs: number;
  longDescriptions: number;
  queries: number;
  distinctQueries: number;
  /** query(q, {limit: PAGE_SIZE}): a page of hits + count + facets, as the site's search-as-you-type asks. */
  queryMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  /**
   * The same queries' CPU time (the process's, all threads, garbage collector helpers included). On a shared machine
   * a query's wall time also holds the time other processes ran while it waited; this does not.
   */
  queryCpuMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  /** The API's `?search=`: every hit's name, as the Node server's matcher collects them. */
  meanHits: number;
  targets: Record<string, { max: number; value: number; pass: boolean }>;
}

export async function measureSearch(distDir: string, entriesDir?: string, queries = 1000): Promise<SearchTiming> {
  const manifestText = readFileSync(path.join(distDir, MANIFEST_FILE), 'utf8');
  const manifest = JSON.parse(manifestText) as { index: string };
  const indexFile = path.join(SEARCH_DIR, manifest.index.slice('/search/'.length));
  const indexText = readFileSync(path.join(distDir, indexFile), 'utf8');
  const indexBytes = Buffer.byteLength(indexText);
  const indexGzipBytes = gzipSync(indexText, { level: 9 }).length;

  const longDescriptions = new Map<string, string>();
  if (entriesDir) {
    for (const server of (await loadEntries(entriesDir)).servers) if (server.statusFile?.body) longDescriptions.set(server.name, server.statusFile.body);
  }
  const records = latestRecords(distDir);
  const runs: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t = performance.now();
    buildSearchIndex(records, longDescriptions);
    if (i > 0) runs.push((performance.now() - t) / 1000);
  }
  const buildSeconds = [...runs].sort((a, b) => a - b)[1]!;

  let t = performance.now();
  const search = searchFromJson(manifest, indexText);
  const loadMs = performance.now() - t;

  for (const q of BENCH_QUERIES) search.query(q, { limit: PAGE_SIZE }); // warm-up
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let hits = 0;
  for (let i = 0; i < queries; i++) {
    const q = BENCH_QUERIES[i % BENCH_QUERIES.length]!;
    const cpu = process.cpuUsage();
    t = performance.now();
    const page = search.query(q, { limit: PAGE_SIZE });
    times.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1000);
    hits += page.count;
  }
  const summary = (values: number[]) => {
    values.sort((a, b) => a - b);
    return {
      p50: round(percentile(values, 50)), p95: round(percentile(values, 95)), p99: round(percentile(values, 99)),
      max: round(values[values.length - 1]!), mean: round(values.reduce((s, x) => s + x, 0) / values.length),
    };
  };
  const queryMs = summary(times);
  const queryCpuMs = summary(cpuTimes);
  const check = (value: number, max: number) => ({ max, value, pass: value <= max });
  return {
    documents: search.manifest.documents,
    indexFile,
    indexBytes,
    indexGzipBytes,
    manifestBytes: Buffer.byteLength(manifestText),
    indexBuildSeconds: round(buildSeconds),
    indexBuildRuns: runs.map((r) => round(r)),
    loadMs: round(loadMs, 1),
    longDescriptions: longDescriptions.size,
    queries,
    distinctQueries: BENCH_QUERIES.length,
    queryMs,
    queryCpuMs,
    meanHits: round(hits / queries, 1),
    targets: {
      indexGzipBytes: check(indexGzipBytes, SEARCH_TARGETS.indexGzipBytes),
      indexBuildSeconds: check(round(buildSeconds), SEARCH_TARGETS.indexBuildSeconds),
      queryP95Ms: check(queryMs.p95, SEARCH_TARGETS.queryP95Ms),
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const dir = flag('dir');
  if (!dir) {
    console.error('usage: tsx scripts/bench/search-timing.ts --dir <dist> [--entries <entries>] [--queries <n>]');
    process.exit(2);
  }
  const result = await measureSearch(dir, flag('entries'), Number(flag('queries') ?? 1000));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
