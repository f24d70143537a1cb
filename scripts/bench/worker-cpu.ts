// CPU time per list query of the Worker in workerd, measured from outside: inside a Worker performance.now() does not
// advance while it computes (Spectre mitigation), so the figure is the workerd process's own on-CPU time, summed over
// its threads from /proc/<pid>/task/*/schedstat, read before a request and after its answer once the process is idle
// again. Requests go one at a time over one kept-alive connection. The whole process is counted (miniflare's entry
// worker, Cloudflare's router and asset workers, the asset reads, HTTP parsing): an upper bound of the CPU time
// Cloudflare bills the Worker, which covers the Worker's own JavaScript only. Linux only.

import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { answerListQuery, readListParams, type BuiltFiles } from '../lib/query/list-query.ts';
import { mulberry32 } from '../lib/seeded-random.ts';

interface ProcEntry {
  ppid: number;
  comm: string;
}

/** `/proc/<pid>/stat`: the command name sits in parentheses and may itself hold spaces or parentheses. */
function readProcEntry(pid: number): ProcEntry | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    return { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(fields[1]) };
  } catch {
    return null; // gone meanwhile
  }
}

/**
 * The processes named `comm` whose chain of parents leads to `ancestor` (this process by default), so a workerd that
 * another program started on the same machine is never measured.
 */
export function findDescendants(comm: string, ancestor = process.pid): number[] {
  const table = new Map<number, ProcEntry>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readProcEntry(Number(name));
    if (entry) table.set(Number(name), entry);
  }
  const found: number[] = [];
  for (const [pid, entry] of table) {
    if (entry.comm !== comm) continue;
    for (let p = entry.ppid, hops = 0; p > 1 && hops < 64; p = table.get(p)?.ppid ?? 0, hops++) {
      if (p === ancestor) {
        found.push(pid);
        break;
      }
    }
  }
  return found.sort((a, b) => a - b);
}

/** Nanoseconds the process has spent on a CPU: the first field of each thread's schedstat, summed. */
export function processCpuNs(pid: number): number {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return total;
}

/** Peak and current resident memory of the process (VmHWM, VmRSS), MiB. */
export function processMemoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: Math.round(kb('VmRSS') / 102.4) / 10, peak: Math.round(kb('VmHWM') / 102.4) / 10 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Re-reads until two reads `gapMs` apart agree (the process went idle), at most `maxMs` long. */
async function settledCpuNs(pid: number, gapMs = 3, maxMs = 200): Promise<number> {
  const started = performance.now();
  let last = processCpuNs(pid);
  for (;;) {
    await sleep(gapMs);
    const now = processCpuNs(pid);
    if (now === last || performance.now() - started > maxMs) return now;
    last = now;
  }
}

interface Answer {
  status: number;
  body: Buffer;
}

function get(url: string, agent: http.Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

export interface TimedRequest {
  path: string;
  status: number;
  cpuMs: number;
}

/** One request, alone: the process's CPU time from before it was sent until the process is idle after the answer. */
export async function timeRequest(pid: number, base: string, requestPath: string, agent: http.Agent): Promise<TimedRequest & { body: Buffer }> {
  const before = await settledCpuNs(pid);
  const answer = await get(base + requestPath, agent);
  const after = await settledCpuNs(pid);
  return { path: requestPath, status: answer.status, cpuMs: (after - before) / 1e6, body: answer.body };
}

interface ListedServer {
  server: { name: string; version: string };
  _meta?: Record<string, { updatedAt?: string }>;
}

const OFFICIAL_META = 'io.modelcontextprotocol.registry/official';
const OTHER_ANSWER_SAMPLES = 20;
const GENERIC_WORDS = ['mcp', 'server', 'tools', 'connector', 'bridge'];
const ABSENT_TERM = 'no-such-server-zq';
// Far beyond any build's dates: the filter matches nothing, so the query scans the whole index.
const FUTURE_INSTANT = '2999-01-01T00:00:00Z';

/** The element at fraction `f` of a sorted list. */
const at = <T>(items: T[], f: number): T => items[Math.min(items.length - 1, Math.floor(items.length * f))]!;

export interface QueryPlan {
  /** Asked first, from a fresh isolate: its cold start and first reads of the index. */
  cold: string[];
  /** The distinct queries measured, besides one per cursor seed. */
  queries: string[];
  /** Queries asked once before measuring, whose nextCursor (a page deep in the list) becomes a measured query. */
  cursorSeeds: Array<{ seed: string; limit: number }>;
  /** A version's detail path. */
  detail: string;
}

/**
 * Varied list queries over what the build holds: limits 1/30/50/100; searches for a term most servers match, one a
 * few match, one that names a single server, and one nobody matches (a scan of every search chunk); version=latest;
 * updated_since early, late and after everything; include_deleted; and pages far into the list continued by the
 * registry's own cursors and by official `name:version` ones.
 */
export function planListQueries(distDir: string): QueryPlan {
  const list = JSON.parse(readFileSync(path.join(distDir, 'v0.1', 'servers.json'), 'utf8')) as { servers: ListedServer[] };
  const servers = list.servers.filter((s) => s.server?.name);
  if (servers.length === 0) throw new Error(`no servers in ${distDir}/v0.1/servers.json`);
  const names = [...new Set(servers.map((s) => s.server.name))].sort();
  const updated = servers.map((s) => s._meta?.[OFFICIAL_META]?.updatedAt).filter((t): t is string => !!t).sort();
  const slugOf = (name: string) => name.slice(name.lastIndexOf('/') + 1);
  const middle = at(names, 0.5);
  // A word of a name other than the usual suffixes: a service (`jira` in `acme/jira-mcp`), which some servers share.
  const shared = slugOf(middle).split('-').find((w) => w.length > 2 && !GENERIC_WORDS.includes(w)) ?? 'mcp';
  const q = (params: string) => `/v0.1/servers?${params}`;
  const e = encodeURIComponent;
  const queries = [
    q('limit=1'),
    q('limit=30'),
    q('limit=50'),
    q('limit=100'),
    q('limit=1&version=latest'),
    q('limit=30&version=latest'),
    q('limit=100&version=latest'),
    q('limit=50&search=mcp'),
    q('limit=50&search=mcp&version=latest'),
    q(`limit=30&search=${e(shared)}`),
    q(`limit=100&search=${e(shared)}&version=latest`),
    q(`limit=30&search=${e(slugOf(middle))}`),
    q(`limit=50&search=${e(middle)}&version=latest`),
    q(`limit=30&search=${ABSENT_TERM}`),
    q(`limit=100&search=${ABSENT_TERM}&version=latest`),
    q('limit=30&include_deleted=true'),
    q('limit=100&include_deleted=true'),
    q(`limit=100&updated_since=${e(updated[0] ?? FUTURE_INSTANT)}`),
    q(`limit=30&updated_since=${e(at(updated, 0.9) ?? FUTURE_INSTANT)}`),
    q(`limit=50&updated_since=${e(FUTURE_INSTANT)}`),
    q('limit=1&version=1.0.0'),
    ...[0.5, 0.9].map((f) => q(`limit=30&cursor=${e(`${at(names, f)}:`)}`)),
    q(`limit=100&cursor=${e(at(names, 0.97))}&version=latest`),
  ];
  // Seeds start at an official cursor deep in the list; the registry's cursor on their answer is what a client
  // paging that far would send next.
  const cursorSeeds = [
    { seed: q(`limit=100&cursor=${e(at(names, 0.6))}`), limit: 100 },
    { seed: q(`limit=30&cursor=${e(at(names, 0.8))}&version=latest`), limit: 30 },
    { seed: q(`limit=50&cursor=${e(at(names, 0.4))}&search=mcp`), limit: 50 },
    { seed: q(`limit=50&cursor=${e(at(names, 0.7))}&search=${e(shared)}&version=latest`), limit: 50 },
    { seed: q(`limit=100&cursor=${e(at(names, 0.9))}&include_deleted=true`), limit: 100 },
    { seed: q(`limit=1&cursor=${e(at(names, 0.99))}`), limit: 1 },
  ];
  const cold = [q('limit=30'), q(`limit=30&search=${ABSENT_TERM}`), q('limit=1&version=latest'), q(`limit=50&updated_since=${e(FUTURE_INSTANT)}`), q('limit=100&include_deleted=true')];
  const first = servers[0]!.server;
  const detail = `/v0.1/servers/${e(first.name)}/versions/${e(first.version)}`;
  return { cold, queries, cursorSeeds, detail };
}

export interface CpuSummary {
  requests: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

function summarize(values: number[]): CpuSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  const r = (n: number) => Math.round(n * 1000) / 1000;
  return {
    requests: sorted.length,
    p50: r(pct(50)),
    p90: r(pct(90)),
    p99: r(pct(99)),
    max: r(sorted.at(-1) ?? 0),
    mean: r(sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length)),
  };
}

/** The build's files from memory once read, parsed JSON kept, as the Worker keeps its row index in the isolate. */
function memoryBuiltFiles(dir: string): BuiltFiles {
  const texts = new Map<string, string>();
  const parsed = new Map<string, unknown>();
  const readText = (file: string) => {
    let text = texts.get(file);
    if (text === undefined) texts.set(file, (text = readFileSync(path.join(dir, file), 'utf8')));
    return text;
  };
  return {
    readText,
    readJson(file) {
      if (!parsed.has(file)) parsed.set(file, JSON.parse(readText(file)));
      return parsed.get(file);
    },
  };
}

/**
 * The lower bound beside workerd's upper one: the same list-query code the Worker bundles, run in this process's V8
 * over files already in memory, timed per query (synchronous code: wall time is CPU time, GC pauses included).
 * No Request/Response, no asset reads: what the Worker's own JavaScript costs at the least.
 */
export function measureQueryCode(distDir: string, paths: string[]): CpuSummary {
  const files = memoryBuiltFiles(distDir);
  const run = (p: string) => answerListQuery(readListParams(new URL(p, 'http://registry.invalid').search.slice(1)), files);
  for (const p of new Set(paths)) run(p); // reads every file the queries need, and warms the JIT
  const values = paths.map((p) => {
    const started = performance.now();
    run(p);
    return performance.now() - started;
  });
  return summarize(values);
}

export interface WorkerCpuResult {
  method: string;
  pid: number;
  /** The process's CPU while nothing was asked, per second: what the per-request figures may include as noise. */
  idleCpuMsPerSecond: number;
  /** The first requests after start, one each, in order. */
  coldUpperBound: TimedRequest[];
  /** Requests after the warm-up: every distinct query, repeated in a shuffled order. */
  warmUpperBoundMs: CpuSummary;
  /**
   * Medians of two answers without a list query, for scale: an unknown API path (the request's way through workerd
   * and the Worker, reading nothing) and a version's detail (one built file).
   */
  otherAnswersMs: { unknownEndpoint: number; versionDetail: number };
  /** The same requests' list-query code alone in Node's V8 (measureQueryCode): a lower bound. */
  warmLowerBoundMs: CpuSummary;
  /** Each distinct query's median over its rounds, costliest first. */
  perQueryP50Ms: Record<string, number>;
  distinctQueries: number;
  /** Answers with another status than expected (a wrong query would make a cheap, meaningless figure). */
  unexpected: Array<{ path: string; status: number }>;
  memoryMiB: { rss: number; peak: number };
}

/**
 * Measures list-query CPU on a Worker that has answered nothing yet (for the cold figures): `pid` is its workerd
 * process, `base` its URL. `rounds` is how many times each distinct query is measured after the warm-up.
 */
export async function measureWorkerCpu(options: { pid: number; base: string; distDir: string; rounds: number; seed?: number; log?: (msg: string) => void }): Promise<WorkerCpuResult> {
  const { pid, base } = options;
  const plan = planListQueries(options.distDir);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const unexpected: Array<{ path: string; status: number }> = [];
  const timed = async (p: string, expected = 200) => {
    const result = await timeRequest(pid, base, p, agent);
    if (result.status !== expected) unexpected.push({ path: p, status: result.status });
    return result;
  };
  try {
    const idleFrom = processCpuNs(pid);
    await sleep(1000);
    const idleCpuMsPerSecond = Math.round((processCpuNs(pid) - idleFrom) / 1e4) / 100;

    const cold: TimedRequest[] = [];
    for (const p of plan.cold) {
      const { body: _, ...t } = await timed(p);
      cold.push({ ...t, cpuMs: Math.round(t.cpuMs * 1000) / 1000 });
    }
    options.log?.(`worker cpu: cold ${cold.map((c) => c.cpuMs).join(', ')} ms; warming up`);

    const queries = [...plan.queries];
    for (const { seed, limit } of plan.cursorSeeds) {
      const { body } = await timed(seed);
      const next = (JSON.parse(body.toString('utf8')) as { metadata?: { nextCursor?: string } }).metadata?.nextCursor;
      if (next) queries.push(`/v0.1/servers?limit=${limit}&cursor=${encodeURIComponent(next)}`);
    }
    for (const p of queries) await timed(p);

    const random = mulberry32(options.seed ?? 1);
    const order = Array.from({ length: options.rounds }, () => queries).flat();
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const byQuery = new Map<string, number[]>();
    const all: number[] = [];
    for (const p of order) {
      const { cpuMs } = await timed(p);
      all.push(cpuMs);
      byQuery.set(p, [...(byQuery.get(p) ?? []), cpuMs]);
    }
    const median = async (p: string, expected: number) => {
      const values: number[] = [];
      for (let i = 0; i < OTHER_ANSWER_SAMPLES; i++) values.push((await timed(p, expected)).cpuMs);
      return summarize(values).p50;
    };
    const otherAnswersMs = { unknownEndpoint: await median('/v0.1/no-such-endpoint', 404), versionDetail: await median(plan.detail, 200) };
    const perQuery = [...byQuery].map(([p, values]) => [p, summarize(values).p50] as const).sort((a, b) => b[1] - a[1]);
    return {
      method:
        'sum of /proc/<workerd pid>/task/*/schedstat on-CPU ns, before each request and after its answer once idle; one request at a time; the whole workerd process (entry, router and asset workers, asset reads, HTTP): an upper bound of the Worker\'s billed CPU time',
      pid,
      idleCpuMsPerSecond,
      coldUpperBound: cold,
      warmUpperBoundMs: summarize(all),
      otherAnswersMs,
      warmLowerBoundMs: measureQueryCode(options.distDir, order),
      perQueryP50Ms: Object.fromEntries(perQuery),
      distinctQueries: queries.length,
      unexpected: unexpected.slice(0, 10),
      memoryMiB: processMemoryMiB(pid),
    };
  } finally {
    agent.destroy();
  }
}
