// HTTP load test of a running registry server with wrk: a mixed workload of list pages, version details and
// /versions/latest, rotated by a Lua script. Local targets only, bounded duration and connections, so the benchmark
// can never be pointed at someone else's server or left hammering one.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LoadOptions {
  url: string; // base URL, e.g. http://127.0.0.1:8080 (127.0.0.1 only)
  paths: string[]; // request paths, rotated in order
  seconds?: number; // default 10, at most 60
  connections?: number; // default 64, at most 256
  threads?: number; // default 2, at most 4
  acceptEncoding?: string; // sent with every request, default DEFAULT_ACCEPT_ENCODING; '' sends none
  signal?: AbortSignal; // stops wrk early (the caller is shutting down)
}

export interface LoadResult {
  seconds: number; // measured by wrk
  connections: number;
  threads: number;
  distinctPaths: number;
  acceptEncoding: string; // '' when none was sent
  requests: number;
  requestsPerSec: number;
  transferMiBPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  non2xx: number; // wrk's "Non-2xx or 3xx responses" counter, i.e. responses with status >= 400
  socketErrors: { connect: number; read: number; write: number; timeout: number };
}

export interface Workload {
  paths: string[]; // the rotation, in the mix below
  counts: { list: number; detail: number; latest: number }; // distinct paths of each kind
}

/**
 * What real clients send: browsers and Node's fetch over HTTPS ask for both, so hosts answer with their precompressed
 * files and compress computed pages, as deployed.
 */
export const DEFAULT_ACCEPT_ENCODING = 'gzip, br';

const LIMITS = { seconds: 60, connections: 256, threads: 4 };

function checkedBase(url: string): URL {
  const base = new URL(url);
  // Servers may print "localhost"; pin to IPv4 loopback so nothing else can be targeted.
  if (base.hostname === 'localhost') base.hostname = '127.0.0.1';
  if (base.hostname !== '127.0.0.1' || base.protocol !== 'http:')
    throw new Error(`load target must be http://127.0.0.1, got ${url}`);
  return base;
}

function bounded(name: keyof typeof LIMITS, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > LIMITS[name])
    throw new Error(`${name} must be an integer in 1..${LIMITS[name]}, got ${value}`);
  return value;
}

const detailPath = (name: string, version: string) =>
  `/v0.1/servers/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`;

// Every k-th element, so the sample spreads over the whole sorted list and is the same on every run.
function spread<T>(items: T[], max: number): T[] {
  const step = Math.max(1, Math.floor(items.length / max));
  return items.filter((_, i) => i % step === 0).slice(0, max);
}

interface ServerList {
  servers?: Array<{ server?: { name?: string; version?: string }; _meta?: Record<string, { status?: string }> }>;
  metadata?: { nextCursor?: string };
}

const liveVersions = (list: ServerList) =>
  (list.servers ?? []).filter(
    (s) =>
      s.server?.name &&
      s.server.version &&
      s._meta?.['io.modelcontextprotocol.registry/official']?.status !== 'deleted',
  ) as Array<{ server: { name: string; version: string } }>;

async function getJson<T>(base: URL, p: string): Promise<T | undefined> {
  const res = await fetch(new URL(p, base));
  if (!res.ok) return undefined; // preflight reports it
  return (await res.json()) as T;
}

// Picks request paths from what the build produced: server names from dist/v0.1/servers.json, their versions from
// the server's own /versions endpoint (servers.json may hold only the latest versions), and list pages by following
// nextCursor from the first page, since only cursors the build emitted have a page behind them. Deleted versions
// are skipped: they answer 404 by design.
export async function buildWorkload(url: string, distDir: string, maxListPages = 50): Promise<Workload> {
  const base = checkedBase(url);
  const listed = liveVersions(
    JSON.parse(readFileSync(path.join(distDir, 'v0.1', 'servers.json'), 'utf8')) as ServerList,
  );
  const names = spread([...new Set(listed.map((s) => s.server.name))], 500);
  if (names.length === 0) throw new Error(`no servers in ${distDir}/v0.1/servers.json`);
  const latest = names.map((n) => `/v0.1/servers/${encodeURIComponent(n)}/versions/latest`);
  const versions: string[] = [];
  for (let i = 0; i < names.length; i += 16) {
    const lists = await Promise.all(
      names.slice(i, i + 16).map((n) => getJson<ServerList>(base, `/v0.1/servers/${encodeURIComponent(n)}/versions`)),
    );
    for (const list of lists)
      if (list) for (const s of liveVersions(list)) versions.push(detailPath(s.server.name, s.server.version));
  }
  const details = spread(versions, 1000);

  const lists: string[] = [];
  let next: string | undefined = '/v0.1/servers?limit=30&version=latest';
  while (next && lists.length < maxListPages) {
    lists.push(next);
    const cursor: string | undefined = (await getJson<ServerList>(base, next))?.metadata?.nextCursor;
    next = cursor ? `/v0.1/servers?limit=30&version=latest&cursor=${encodeURIComponent(cursor)}` : undefined;
  }

  // Mix per 10 requests: 5 details, 3 latest, 2 list pages (clients mostly resolve servers, aggregators page lists).
  const pattern = [
    'detail',
    'latest',
    'detail',
    'list',
    'detail',
    'latest',
    'detail',
    'list',
    'detail',
    'latest',
  ] as const;
  const pools = { detail: details, latest, list: lists };
  const cursors = { detail: 0, latest: 0, list: 0 };
  const paths: string[] = [];
  const total = Math.max(details.length, latest.length, lists.length) * 2;
  for (let i = 0; i < total; i++) {
    const kind = pattern[i % pattern.length] as keyof typeof pools;
    const pool = pools[kind];
    if (pool.length > 0) paths.push(pool[cursors[kind]++ % pool.length] as string);
  }
  return { paths, counts: { list: lists.length, detail: details.length, latest: latest.length } };
}

// GETs every distinct path once: wrk only counts status >= 400, so a redirect or a wrong 2xx would pass unseen.
export async function preflight(
  url: string,
  paths: string[],
): Promise<{ paths: number; statuses: Record<string, number>; failures: string[] }> {
  const base = checkedBase(url);
  const distinct = [...new Set(paths)];
  const statuses: Record<string, number> = {};
  const failures: string[] = [];
  for (let i = 0; i < distinct.length; i += 16) {
    await Promise.all(
      distinct.slice(i, i + 16).map(async (p) => {
        const res = await fetch(new URL(p, base), { redirect: 'manual' });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status !== 200 && failures.length < 10) failures.push(`${res.status} ${p}`);
      }),
    );
  }
  return { paths: distinct.length, statuses, failures };
}

// done() prints one machine-readable line: exact counters and µs percentiles, instead of scraping wrk's rounded,
// unit-suffixed text ("1.23ms", "4.56k"). Requests are formatted once per thread in init(), not per request: wrk
// shares the machine with the server, and the server's throughput is what is measured.
function luaScript(paths: string[], acceptEncoding: string): string {
  const quote = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `local paths = {
${paths.map(quote).join(',\n')}
}
local n = #paths
local threads = 0
function setup(thread)
  -- Each thread starts at a different point of the rotation, so threads do not request the same path in lockstep.
  thread:set("offset", threads * math.floor(n / 2))
  threads = threads + 1
end
local i = 0
local requests = {}
function init(args)
  i = offset or 0
${acceptEncoding ? `  wrk.headers["Accept-Encoding"] = ${quote(acceptEncoding)}\n` : ''}  for k = 1, n do
    requests[k] = wrk.format("GET", paths[k])
  end
end
function request()
  i = i + 1
  return requests[(i % n) + 1]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"durationUs":%d,"requests":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}\\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
`;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const base = checkedBase(options.url);
  const seconds = bounded('seconds', options.seconds ?? 10);
  const threads = bounded('threads', options.threads ?? 2);
  const connections = Math.max(threads, bounded('connections', options.connections ?? 64));
  const acceptEncoding = options.acceptEncoding ?? DEFAULT_ACCEPT_ENCODING;
  if (/[\r\n]/.test(acceptEncoding)) throw new Error('acceptEncoding must be one header line');
  if (options.paths.length === 0) throw new Error('no paths to load');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-bench-wrk-'));
  try {
    const script = path.join(dir, 'rotate.lua');
    writeFileSync(script, luaScript(options.paths, acceptEncoding));
    const args = [
      `-t${threads}`,
      `-c${connections}`,
      `-d${seconds}s`,
      '--timeout',
      '5s',
      '-s',
      script,
      base.origin + '/',
    ];
    const stdout = await new Promise<string>((resolve, reject) => {
      // Hard stop well after the requested duration in case wrk hangs on a stuck server.
      execFile(
        'wrk',
        args,
        { timeout: (seconds + 30) * 1000, maxBuffer: 1 << 20, signal: options.signal },
        (err, out, errOut) => (err ? reject(new Error(`wrk failed: ${err.message}\n${errOut}`)) : resolve(out)),
      );
    });
    const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
    if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
    const r = JSON.parse(line.slice('WRK_JSON '.length)) as Record<string, number>;
    const at = (k: string) => r[k] ?? 0;
    const wall = at('durationUs') / 1e6;
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      seconds: wall,
      connections,
      threads,
      distinctPaths: new Set(options.paths).size,
      acceptEncoding,
      requests: at('requests'),
      requestsPerSec: Math.round(at('requests') / wall),
      transferMiBPerSec: Math.round((at('bytes') / wall / 1048576) * 100) / 100,
      latencyMs: {
        p50: ms(at('p50')),
        p90: ms(at('p90')),
        p99: ms(at('p99')),
        max: ms(at('max')),
        mean: ms(at('mean')),
      },
      non2xx: at('status'),
      socketErrors: { connect: at('connect'), read: at('read'), write: at('write'), timeout: at('timeout') },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
