// npm run bench -- [--servers <n>] [--versions <n>] [--seed <n>] [--quick] [--skip-load] [--skip-site] [--no-git] [--load-seconds <n>] [--scratch <dir>]
// Generates a synthetic registry, builds it, compares the build with the bare cost of writing its output, load-tests
// nginx, the Node server and the Cloudflare Worker in workerd on the result (and measures each one's bytes on the
// wire, and the Worker's CPU time per list query), times the web site in Chromium on it (first search results,
// longest main-thread task while typing), and times builds at 1/100, 1/10 and 1/1 of the size. Prints ONE JSON
// document on stdout; progress and the children's output go to stderr. Everything lives in one temporary folder
// under os.tmpdir(), removed at the end, also on error or Ctrl-C.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitAsGitRepo, generateSyntheticRegistry, type SyntheticResult } from './bench/synthetic-registry.ts';
import { measureValidation, type ValidationTiming } from './bench/validate-timing.ts';
import { measureSearch, SEARCH_TARGETS, type SearchTiming } from './bench/search-timing.ts';
import { measureSync } from './bench/sync-timing.ts';
import { buildWorkload, preflight, runLoad, type LoadResult } from './bench/load.ts';
import { measureSite, SITE_TARGETS, type SiteTiming } from './bench/site-timing.ts';
import { flushDisk, measureWriteFloor, scanTree, type FloorResult, type TreeStats } from './bench/write-floor.ts';
import { measureIncrementalBuild, type IncrementalTiming } from './bench/incremental-timing.ts';
import { measureCliStart } from './bench/cli-start.ts';
import { measureHostWire, WIRE_PATHS, type HostWire } from './bench/wire-bytes.ts';
import { findDescendants, measureWorkerCpu, processCpuNs, type WorkerCpuResult } from './bench/worker-cpu.ts';
import { chromiumMissing } from './lib/chromium.ts';
import { parseFlags } from './lib/cli.ts';
import { freePort } from './lib/serve/run-nginx.ts';
import { removeTree } from './lib/build/write-output.ts';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// The targets of the performance issue (#14), each measured in the same run.
const TARGETS = {
  buildVsFloor: 1.3,
  buildSeconds: 60,
  buildRssMiB: 700,
  incrementalBuildSeconds: 2,
  incrementalVsFull: 0.1,
  cliStartMs: 300,
  nginxRequestsPerSec: 15000,
  validateRegistrySeconds: 10,
  validatePullRequestSeconds: 1,
  workerVsNginx: 0.5,
  wireListCompressedRatio: 0.15,
  workerListCpuP99Ms: 10,
  tenfoldBuildTimeRatio: 12,
  largestBuildRssMiB: 4096,
};
const GIT_COMMITS = 5;

// What limits the Worker's figures here, from miniflare 4.20260426's source: workerd listens on the port itself
// (miniflare's loopback server in Node only receives request logs, off at its default log level), and the rest is
// workers sharing workerd's one event-loop thread. On Cloudflare requests spread over machines.
const WORKER_LOAD_NOTE =
  'worker: our Worker alone in workerd (npm run edge -- --runtime workerd), its ASSETS binding served by workerd\'s disk service; on the platform the API paths reach the Worker first too (run_worker_first), so this is the Worker\'s own throughput on one workerd thread. workerAsDeployed: the whole deployment under miniflare 4 (npm run edge): no Node proxy in the request path (workerd listens on the port itself), but each request runs miniflare\'s entry worker and Cloudflare\'s router worker before ours, each asset our Worker fetches (packs, kept in the isolate once read) goes through the asset worker and miniflare\'s KV worker, and all of it shares one workerd event-loop thread (serverCpuCores: that process\'s CPU during the run, in cores) where nginx runs one worker process per core. It measures the deployment\'s code path on one machine, not the platform\'s throughput.';
const WIRE_NOTE =
  'receivedBytes is the body as received, still encoded (contentLength is null for chunked answers). nginx and the Node server send the build\'s precompressed .gz/.br files for /v0.1/servers and compress computed pages themselves (nginx: gzip only). The Worker sends uncompressed bodies and lets the platform compress: here that is miniflare\'s emulation of it (its entry worker sets Content-Encoding as Cloudflare would for JSON, and workerd compresses on the fly, chunked), whose compression levels need not be Cloudflare\'s.';

const USAGE = `usage: npm run bench -- [--servers <n>] [--versions <n>] [--seed <n>] [--quick] [--skip-load] [--skip-site] [--no-git] [--scale-only] [--load-seconds <n>] [--scratch <dir>]
The scale benchmark: generates a synthetic registry, builds, serves, validates and syncs it; prints one JSON document.
  --servers <n>       synthetic servers (default 20000; 200 with --quick)
  --versions <n>      synthetic versions (default 100000; 1000 with --quick)
  --seed <n>          the generator's seed (default 1)
  --quick             a small smoke run
  --skip-load         no wrk load tests (nginx, the Node server, the Worker); bytes on the wire and the
                      Worker's CPU per list query are still measured
  --skip-site         no timing of the web site in Chromium
  --no-git            entries without git history (also skips the validate timing)
  --scale-only        only the growth curve: full builds at the size and at a tenth and a hundredth of it
                      (time, peak RSS, output), as for --versions 1000000 --servers 200000
  --load-seconds <n>  length of each load test (default 10; 3 with --quick)
  --scratch <dir>     where the synthetic registry and builds go (default: /dev/shm when it has room, else the
                      system's temporary folder)`;

const flags = parseFlags({
  servers: { type: 'string' },
  versions: { type: 'string' },
  seed: { type: 'string', default: '1' },
  quick: { type: 'boolean', default: false },
  'skip-load': { type: 'boolean', default: false },
  'skip-site': { type: 'boolean', default: false },
  'no-git': { type: 'boolean', default: false },
  'scale-only': { type: 'boolean', default: false },
  'load-seconds': { type: 'string' },
  scratch: { type: 'string' },
}, USAGE);

function intFlag(name: string, text: string | undefined, fallback: number): number {
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`error: --${name} must be a positive whole number, not "${text}"`);
    process.exit(2);
  }
  return n;
}

const options = {
  servers: intFlag('servers', flags.servers, flags.quick ? 200 : 20_000),
  versions: intFlag('versions', flags.versions, flags.quick ? 1_000 : 100_000),
  seed: intFlag('seed', flags.seed, 1),
  quick: flags.quick!,
  skipLoad: flags['skip-load']!,
  skipSite: flags['skip-site']!,
  git: !flags['no-git'],
  scaleOnly: flags['scale-only']!,
  loadSeconds: intFlag('load-seconds', flags['load-seconds'], flags.quick ? 3 : 10),
  connections: 64,
  // Each distinct list query's measured requests after the warm-up (28-34 queries).
  workerCpuRounds: flags.quick ? 2 : 10,
};

const log = (msg: string) => console.error(`[bench] ${msg}`);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

// Cleanup hooks run on normal exit, on error and on Ctrl-C/SIGTERM, newest first, so no temp folder, server or
// child outlives the bench. They are awaited: children are stopped and reaped, not left as zombies.
type Cleanup = () => void | Promise<void>;
const cleanups: Cleanup[] = [];
let interrupted = false;

function onCleanup(fn: Cleanup): () => void {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

// One run only, shared: the signal handler and main's `finally` may both call it, and the second caller must wait
// for the first to finish rather than see an empty list and exit while children are still stopping.
let cleaning: Promise<void> | undefined;
function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    for (let fn = cleanups.pop(); fn; fn = cleanups.pop()) {
      try {
        await fn();
      } catch (error) {
        log(`cleanup failed: ${(error as Error).message}`);
      }
    }
  })();
  return cleaning;
}

// Phases check this before starting anything new, so an interrupted run does not start the next server or build
// while the cleanup is running.
function checkInterrupted(): void {
  if (interrupted) throw new Error('interrupted');
}

// First Ctrl-C/SIGTERM: stop children and remove temp folders; the run then fails at its next step and still prints
// its (partial) JSON. A second one kills the bench at once (process.once restores the default action).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping and cleaning up`);
    interrupted = true;
    void cleanupAll();
  });
}

// Stops a child on cleanup: SIGTERM to it, SIGKILL to its process group (when it has one) after 10 s; waits for it.
// Memoized: a second SIGTERM would hit a child that is already shutting down with the default action and kill it
// before it has stopped its own children (nginx.ts handles one SIGTERM by stopping nginx).
function stopChild(child: ChildProcess, group: boolean): () => Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        try {
          if (group) process.kill(-child.pid!, 'SIGKILL');
          else child.kill('SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
}

interface BuildRun {
  seconds: number;
  maxRssMiB: number | null;
  exitCode: number | null;
}

// Peak RSS: GNU time's %M (ru_maxrss from wait4: the largest of the build process and any child it waited for)
// when /usr/bin/time exists; otherwise a preloaded hook writes the build process's own
// process.resourceUsage().maxRSS at exit. The build runs as `node scripts/run.mjs build`, what `npm run build` runs,
// without npm's own start-up in the timing. Its wall time still includes Node's start-up (about 0.1 s).
const TIME_BINARY = '/usr/bin/time';
const RSS_METHOD = existsSync(TIME_BINARY)
  ? '/usr/bin/time -f %M (max RSS of build and waited-for children)'
  : 'process.resourceUsage().maxRSS of the build process (preloaded exit hook)';
const RSS_HOOK = `data:text/javascript,${encodeURIComponent(
  'import{writeFileSync}from"node:fs";process.on("exit",()=>writeFileSync(process.env.BENCH_RSS_FILE,String(process.resourceUsage().maxRSS)))',
)}`;

function runBuild(entriesDir: string, outDir: string, scratch: string, extraArgs: string[] = []): Promise<BuildRun> {
  return runScript('scripts/build.ts', ['--entries', entriesDir, '--out', outDir, ...extraArgs], path.join(scratch, `rss-${path.basename(outDir)}.txt`));
}

/** Runs one of the project's scripts as its own process: wall time, peak RSS, exit code. */
async function runScript(script: string, scriptArgs: string[], rssFile: string): Promise<BuildRun> {
  // As `npm run <name>` runs it: through scripts/run.mjs and its cached bundle (warmed by the first run).
  const node = [
    process.execPath,
    ...(existsSync(TIME_BINARY) ? [] : ['--import', RSS_HOOK]),
    path.join(ROOT, 'scripts', 'run.mjs'),
    path.basename(script, '.ts'),
    ...scriptArgs,
  ];
  const [cmd, ...args] = existsSync(TIME_BINARY) ? [TIME_BINARY, '-f', '%M', '-o', rssFile, ...node] : node;
  flushDisk(); // the previous phase's write-back must not land in this timing
  checkInterrupted();
  const started = performance.now();
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(cmd!, args, {
      cwd: ROOT,
      stdio: ['ignore', 2, 2],
      env: { ...process.env, BENCH_RSS_FILE: rssFile },
    });
    const forget = onCleanup(stopChild(child, false));
    child.on('error', reject);
    child.on('close', (code) => {
      forget();
      resolve(code);
    });
  });
  const seconds = (performance.now() - started) / 1000;
  let maxRssMiB: number | null = null;
  try {
    // Both sources report kilobytes; GNU time may print a "Command exited…" line first on failure.
    const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    if (Number.isFinite(kb) && kb > 0) maxRssMiB = round(kb / 1024, 1);
  } catch {
    // no RSS figure: reported as null
  }
  return { seconds: round(seconds, 3), maxRssMiB, exitCode };
}

interface Case {
  floor?: FloorResult;
  incremental?: IncrementalTiming;
  validation?: ValidationTiming;
  search?: SearchTiming;
  synthetic: Omit<SyntheticResult, 'publishOrder'> & { gitSeconds: number | null };
  build: BuildRun;
  output: TreeStats;
  distDir: string;
}

// One size: generate entries (as a git repository, so the build dates versions from history), build, count output.
async function runCase(scratch: string, label: string, servers: number, versions: number): Promise<Case> {
  const repo = path.join(scratch, `repo-${label}`);
  const distDir = path.join(scratch, `dist-${label}`);
  checkInterrupted();
  mkdirSync(repo, { recursive: true });
  log(`${label}: generating ${versions} versions of ${servers} servers`);
  const { publishOrder, ...generated } = generateSyntheticRegistry({
    dir: path.join(repo, 'entries'),
    servers,
    versions,
    seed: options.seed,
  });
  let gitSeconds: number | null = null;
  if (options.git) {
    const t = performance.now();
    await commitAsGitRepo(
      repo,
      GIT_COMMITS,
      publishOrder.map((rel) => `entries/${rel.split(path.sep).join('/')}`),
    );
    gitSeconds = round((performance.now() - t) / 1000, 3);
  }
  log(
    `${label}: generated ${generated.files} files (${round(generated.bytes / 1048576, 1)} MiB) in ${round(generated.seconds)} s${gitSeconds === null ? '' : `, git ${gitSeconds} s`}; building`,
  );
  const build = await runBuild(path.join(repo, 'entries'), distDir, scratch);
  if (build.exitCode !== 0) throw new Error(`${label}: build exited with ${build.exitCode}`);
  const output = scanTree(distDir).stats;
  log(
    `${label}: build ${build.seconds} s, max RSS ${build.maxRssMiB} MiB, ${output.files} files, ${round(output.bytes / 1048576, 1)} MiB`,
  );
  let floor: FloorResult | undefined;
  let incremental: IncrementalTiming | undefined;
  const extras = label === 'main' && !options.scaleOnly;
  if (extras) {
    log('measuring the floor: reading the same entries and writing the same tree, in a minimal script');
    floor = await measureWriteFloor(distDir, path.join(repo, 'entries'));
    log(`floor ${round(floor.seconds, 3)} s (reading ${floor.inputFiles} files: ${round(floor.readSeconds, 3)} s) for ${floor.files} files`);
  }
  if (extras && options.git) {
    log(`${label}: timing an incremental build after one new version`);
    incremental = await measureIncrementalBuild(repo, distDir, scratch, (entries, out, extra) => runBuild(entries, out, scratch, extra));
    log(`${label}: incremental build ${incremental.seconds} s (${incremental.changedPaths} paths written, incremental: ${incremental.incremental})`);
  }
  let validation: ValidationTiming | undefined;
  if (extras && options.git) {
    log(`${label}: timing npm run validate (whole registry, and a pull request adding one version)`);
    validation = measureValidation(repo, scratch);
    log(`${label}: validate ${validation.wholeRegistry.seconds} s for the registry, ${validation.onePullRequest.seconds} s for one version`);
  }
  let search: SearchTiming | undefined;
  if (extras) {
    log(`${label}: timing search (index size, index build, 1,000 queries in Node)`);
    search = await measureSearch(distDir, path.join(repo, 'entries'));
    log(`${label}: search index ${round(search.indexGzipBytes / 1048576, 2)} MiB gzipped, built in ${search.indexBuildSeconds} s, query p95 ${search.queryMs.p95} ms`);
  }
  await removeTree(repo); // the entries are no longer needed; keep disk use down
  return { validation, search, floor, incremental, synthetic: { ...generated, seconds: round(generated.seconds, 3), gitSeconds }, build, output, distDir };
}

interface RunningServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

// Starts scripts/<name>.ts in its own process group (so nginx's processes can be killed with it as a last resort)
// and waits for the URL it prints first. stop() sends it SIGTERM, on which it shuts its nginx down, and waits.
// Its stderr is passed on, and its last lines end the error when it exits before printing the URL.
function startServer(script: string, args: string[], startSeconds = 30): Promise<RunningServer> {
  checkInterrupted();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errorTail = '';
    child.stderr!.on('data', (d: Buffer) => {
      process.stderr.write(d);
      errorTail = (errorTail + d.toString()).slice(-2000);
    });
    const lastLines = () => errorTail.trim().split('\n').slice(-3).join(' / ');
    const shutdown = stopChild(child, true);
    const forget = onCleanup(shutdown);
    const stop = async () => {
      forget();
      await shutdown();
    };
    const timeout = setTimeout(() => {
      reject(new Error(`${script} printed no URL within ${startSeconds} s`));
      void stop();
    }, startSeconds * 1000);
    let buffered = '';
    let announced = false;
    child.stdout!.on('data', (d: Buffer) => {
      if (announced) return void process.stderr.write(d);
      buffered += d.toString();
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      announced = true;
      clearTimeout(timeout);
      process.stderr.write(buffered.slice(newline + 1));
      resolve({ url: buffered.slice(0, newline).trim(), pid: child.pid!, stop });
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timeout);
      if (!announced) reject(new Error(`${script} exited with ${code} before printing its URL: ${lastLines()}`));
    });
  });
}

type LoadReport =
  | (LoadResult & {
      workload: { list: number; detail: number; latest: number };
      preflight: Awaited<ReturnType<typeof preflight>>;
      /** CPU time of the serving process during the run over its length (1 = one core busy); the Worker only. */
      serverCpuCores?: number;
    })
  | { error: string };

/** wrk on a running host. `busyPid`: a process whose CPU use during the run is reported (the Worker's workerd). */
async function loadTest(label: string, server: RunningServer, distDir: string, busyPid?: number): Promise<LoadReport> {
  try {
    const workload = await buildWorkload(server.url, distDir);
    const check = await preflight(server.url, workload.paths);
    log(
      `load ${label}: ${server.url}, ${check.paths} distinct paths, statuses ${JSON.stringify(check.statuses)}; wrk for ${options.loadSeconds} s`,
    );
    checkInterrupted();
    // On interrupt: abort wrk and wait until runLoad has removed its temp folder.
    const abort = new AbortController();
    const cpuBefore = busyPid === undefined ? 0 : processCpuNs(busyPid);
    const running = runLoad({
      url: server.url,
      paths: workload.paths,
      seconds: options.loadSeconds,
      connections: options.connections,
      threads: 2,
      signal: abort.signal,
    });
    const forget = onCleanup(async () => {
      abort.abort();
      await running.catch(() => undefined);
    });
    const result = await running.finally(forget);
    const serverCpuCores = busyPid === undefined ? undefined : round((processCpuNs(busyPid) - cpuBefore) / 1e9 / result.seconds, 2);
    log(`load ${label}: ${result.requestsPerSec} req/s, p99 ${result.latencyMs.p99} ms, non-2xx ${result.non2xx}${serverCpuCores === undefined ? '' : `, server busy ${serverCpuCores} cores`}`);
    return { ...result, workload: workload.counts, preflight: check, ...(serverCpuCores === undefined ? {} : { serverCpuCores }) };
  } catch (error) {
    log(`load ${label} failed: ${(error as Error).message}`);
    return { error: (error as Error).message };
  }
}

interface HostReport {
  /** null with --skip-load */
  load: LoadReport | null;
  wire: HostWire | { error: string };
}

const failure = (error: unknown) => ({ error: (error as Error).message });

interface HostOptions {
  port: number;
  /** More arguments for the script. */
  args?: string[];
  startSeconds?: number;
  /** Runs first; may return a process to watch during the load test. */
  probe?: (server: RunningServer) => Promise<number | undefined>;
}

/**
 * One host on the build: started as `npm run <script>` would start it, then its probe, bytes on the wire, and wrk;
 * stopped whatever happens.
 */
async function hostTest(label: string, script: string, distDir: string, host: HostOptions): Promise<HostReport> {
  const { probe } = host;
  let server: RunningServer;
  try {
    log(`${label}: starting ${script}`);
    server = await startServer(script, ['--dir', distDir, '--port', String(host.port), ...(host.args ?? [])], host.startSeconds);
  } catch (error) {
    log(`${label}: did not start: ${(error as Error).message}`);
    return { load: options.skipLoad ? null : failure(error), wire: failure(error) };
  }
  try {
    const busyPid = await probe?.(server);
    checkInterrupted();
    const wire = await measureHostWire(server.url).catch(failure);
    if (!('error' in wire)) log(`${label}: /v0.1/servers ${wire.list.raw.receivedBytes} bytes raw, gzip ${wire.list.gzipRatio}, br ${wire.list.brRatio} of it`);
    const load = options.skipLoad ? null : await loadTest(label, server, distDir, busyPid);
    return { load, wire };
  } finally {
    await server.stop();
  }
}

type WorkerCpuReport = (WorkerCpuResult & { versions: number }) | { error: string };

/** The Worker's CPU per list query, first thing after its start (so the first requests are cold); returns workerd's pid. */
async function probeWorkerCpu(server: RunningServer, distDir: string, report: (r: WorkerCpuReport) => void): Promise<number | undefined> {
  const pids = findDescendants('workerd', server.pid);
  if (pids.length !== 1) {
    report({ error: `expected one workerd process under the Worker's process ${server.pid}, found ${pids.length}` });
    return undefined;
  }
  log(`worker cpu: workerd is process ${pids[0]}; timing list queries one at a time`);
  try {
    const cpu = await measureWorkerCpu({ pid: pids[0]!, base: server.url, distDir, rounds: options.workerCpuRounds, seed: options.seed, log });
    log(`worker cpu: warm p50 ${cpu.warmUpperBoundMs.p50} ms, p99 ${cpu.warmUpperBoundMs.p99} ms over ${cpu.warmUpperBoundMs.requests} requests`);
    report({ versions: options.versions, ...cpu });
  } catch (error) {
    log(`worker cpu failed: ${(error as Error).message}`);
    report(failure(error));
  }
  return pids[0];
}

type SiteReport = (SiteTiming & { host: string }) | { error: string };

// The web site in Chromium on the built registry, served by nginx as a static host would (the Node server when
// nginx cannot start). Its figures (site-timing.ts) are medians of three first visits.
async function siteTest(distDir: string, port: number): Promise<SiteReport> {
  const missing = chromiumMissing();
  if (missing) {
    log(`site: skipped, ${missing}`);
    return { error: missing };
  }
  let server: RunningServer | undefined;
  let host = 'nginx';
  try {
    try {
      server = await startServer('scripts/nginx.ts', ['--dir', distDir, '--port', String(port)]);
    } catch (error) {
      log(`site: nginx did not start (${(error as Error).message}); using the Node server`);
      host = 'node';
      server = await startServer('scripts/serve.ts', ['--dir', distDir, '--port', '0']);
    }
    checkInterrupted();
    log(`site: timing the web site in Chromium on ${server.url} (${host})`);
    const timing = await measureSite({ distDir, url: server.url, runs: 3, log });
    log(`site: first results ${timing.summary.firstResultsMs} ms, by ?q= ${timing.summary.deepLinkMs} ms, longest task while typing ${timing.summary.longestTaskWhileTypingMs} ms`);
    return { host, ...timing };
  } catch (error) {
    log(`site failed: ${(error as Error).message}`);
    return { error: (error as Error).message };
  } finally {
    await server?.stop();
  }
}

const siteJudged = <T extends { pass: boolean | null }>(site: SiteReport | null, t: T): T => (site && 'error' in site ? { ...t, pass: false } : t);

const errorsOf = (r: LoadReport | null | undefined) =>
  r && !('error' in r)
    ? r.non2xx +
      r.socketErrors.connect +
      r.socketErrors.read +
      r.socketErrors.write +
      r.socketErrors.timeout +
      (r.preflight.paths - (r.preflight.statuses['200'] ?? 0))
    : null;

// Bytes of scratch space per synthetic version: entries, git objects, the output with its compressed variants (in
// 4 KiB blocks), the floor's copy, the Worker deployment, measured at 100,000 versions with room to spare.
const SCRATCH_BYTES_PER_VERSION = 60 * 1024;

/**
 * tmpfs (/dev/shm) when it has room, so the build is timed against the floor without this machine's disk, whose
 * speed varies several-fold from run to run; otherwise (1,000,000 versions) the system's temporary folder.
 */
function scratchFolder(): { dir: string; why: string } {
  if (flags.scratch) return { dir: flags.scratch, why: '--scratch' };
  const need = options.versions * SCRATCH_BYTES_PER_VERSION;
  try {
    const fs = statfsSync('/dev/shm');
    const free = fs.bavail * fs.bsize;
    if (free > need) return { dir: '/dev/shm', why: `tmpfs: ${round(free / 2 ** 30, 1)} GiB free for about ${round(need / 2 ** 30, 1)} GiB` };
    return { dir: os.tmpdir(), why: `disk: tmpfs has ${round(free / 2 ** 30, 1)} GiB free, about ${round(need / 2 ** 30, 1)} GiB needed` };
  } catch {
    return { dir: os.tmpdir(), why: 'disk: no /dev/shm' };
  }
}

/** Full builds at 1/100 and 1/10 of the size (1,000 and 10,000 versions by default), then the main run's own figures. */
async function measureScaling(scratch: string, full: Case) {
  const scaling = [];
  for (const divisor of [100, 10]) {
    const versions = Math.round(options.versions / divisor);
    if (versions < 1) continue;
    const servers = Math.max(1, Math.round(options.servers / divisor));
    const c = await runCase(scratch, `scale-${versions}`, servers, versions);
    await removeTree(c.distDir);
    scaling.push({ versions, servers, buildSeconds: c.build.seconds, maxRssMiB: c.build.maxRssMiB, outputFiles: c.output.files, outputBytes: c.output.bytes });
  }
  scaling.push({
    versions: options.versions, servers: options.servers, buildSeconds: full.build.seconds, maxRssMiB: full.build.maxRssMiB,
    outputFiles: full.output.files, outputBytes: full.output.bytes,
  });
  return scaling;
}

/** Everything besides the growth curve: the floor, hosts and load, the site, sync, and every target. */
async function measureEverything(scratch: string, full: Case, report: Record<string, unknown>): Promise<void> {
  report.validation = full.validation ?? null;
  report.search = full.search ?? null;

  const floor = full.floor!;
  report.incrementalBuild = full.incremental ?? null;
  report.cliStart = measureCliStart();
  report.floor = { ...floor, seconds: round(floor.seconds, 3), processSeconds: round(floor.processSeconds, 3) };
  const ratio = round(full.build.seconds / floor.seconds, 2);
  report.buildToFloorRatio = ratio;
  log(`floor ${round(floor.seconds, 3)} s for ${floor.files} files; build/floor = ${ratio}`);

  let measuredCpu: WorkerCpuReport | undefined;
  const hosts = {
    nginx: await hostTest('nginx', 'scripts/nginx.ts', full.distDir, { port: await freePort() }),
    node: await hostTest('node', 'scripts/serve.ts', full.distDir, { port: 0 }), // load informational, no target
    // The Worker's own throughput and CPU: workerd alone, the binding served by workerd's disk service.
    worker: await hostTest('worker', 'scripts/edge.ts', full.distDir, {
      port: 0,
      args: ['--runtime', 'workerd'],
      // It writes the deployment (packs of the built files) first.
      startSeconds: 600,
      probe: (server) => probeWorkerCpu(server, full.distDir, (r) => (measuredCpu = r)),
    }),
    // The deployment as a whole, behind Cloudflare's asset layer as miniflare runs it: informational.
    workerAsDeployed: await hostTest('worker as deployed', 'scripts/edge.ts', full.distDir, {
      port: 0,
      // In the scratch folder, which the bench removes: at full size its removal outlasts stopChild's grace time.
      args: ['--out', path.join(scratch, 'worker-deployment')],
      // It writes the deployment, then miniflare hashes every asset.
      startSeconds: 600,
    }),
  };
  rmSync(path.join(scratch, 'worker-deployment'), { recursive: true, force: true });
  // Assigned by the probe, which does not run when the Worker does not start.
  const workerCpu = (measuredCpu as WorkerCpuReport | undefined) ?? failure(new Error('error' in hosts.worker.wire ? hosts.worker.wire.error : 'not measured'));
  const rps = (r: LoadReport | null) => (r && !('error' in r) ? r.requestsPerSec : null);
  const workerVsNginx = rps(hosts.worker.load) !== null && rps(hosts.nginx.load) ? round(rps(hosts.worker.load)! / rps(hosts.nginx.load)!, 3) : null;
  const load = options.skipLoad
    ? null
    : {
        nginx: hosts.nginx.load!,
        node: hosts.node.load!,
        worker: hosts.worker.load!,
        workerAsDeployed: hosts.workerAsDeployed.load!,
        workerVsNginx,
        workerNote: WORKER_LOAD_NOTE,
      };
  report.load = load;
  report.wire = {
    servers: options.servers,
    paths: WIRE_PATHS,
    nginx: hosts.nginx.wire,
    node: hosts.node.wire,
    worker: hosts.worker.wire,
    workerAsDeployed: hosts.workerAsDeployed.wire,
    note: WIRE_NOTE,
  };
  report.workerCpu = workerCpu;
  const site = options.skipSite ? null : await siteTest(full.distDir, await freePort());
  report.site = site;
  log('sync: ingesting 20,000 server versions from a local upstream, then an incremental run');
  report.sync = await measureSync(scratch, runScript);
  log(`sync: full ${(report.sync as { full: { seconds: number } }).full.seconds} s`);
  await removeTree(full.distDir);

  const scaling = await measureScaling(scratch, full);
  report.scaling = scaling;

  // Load targets are null (not judged) with --skip-load, and failed when a load test itself failed.
  const nginx = load?.nginx;
  const worker = load?.worker;
  const failedLoad = (...reports: Array<LoadReport | undefined>) => reports.some((r) => r !== undefined && 'error' in r);
  const judged = <T extends { pass: boolean | null }>(t: T, ...reports: Array<LoadReport | undefined>): T =>
    failedLoad(nginx, ...reports) ? { ...t, pass: false } : t;
  // The unparameterised list with gzip (which every client and host speaks; br is smaller still), worst host. The
  // Worker alone in workerd sends what the platform then compresses: the deployment under miniflare is judged.
  const wires = [hosts.nginx.wire, hosts.node.wire, hosts.workerAsDeployed.wire];
  const listGzip = wires.map((w) => ('error' in w ? null : w.list.gzipRatio));
  const wireJudged = <T extends { pass: boolean | null }>(t: T): T => (listGzip.includes(null) ? { ...t, pass: false } : t);
  const targets = {
    buildVsFloor: check(ratio, TARGETS.buildVsFloor, 'max'),
    buildSeconds: check(full.build.seconds, TARGETS.buildSeconds, 'max'),
    buildRssMiB: check(full.build.maxRssMiB, TARGETS.buildRssMiB, 'max'),
    incrementalBuildSeconds: {
      of: 'npm run build after committing one new version, on the full build\'s output and cache, process start included',
      ...(full.incremental && !full.incremental.incremental ? { ...check(null, TARGETS.incrementalBuildSeconds, 'max'), pass: false } : check(full.incremental?.seconds ?? null, TARGETS.incrementalBuildSeconds, 'max')),
    },
    incrementalVsFull: check(full.incremental ? round(full.incremental.seconds / full.build.seconds, 3) : null, TARGETS.incrementalVsFull, 'max'),
    cliStartMs: { of: 'cliStart.warmMs: validate --help through scripts/run.mjs, npm excluded', ...check(report.cliStart ? (report.cliStart as { warmMs: number }).warmMs : null, TARGETS.cliStartMs, 'max') },
    tenfoldBuildTimeRatio: {
      of: 'build seconds at the largest size over those at a tenth of it (scaling)',
      ...check(scaling.length >= 2 ? round(scaling[scaling.length - 1]!.buildSeconds / scaling[scaling.length - 2]!.buildSeconds, 2) : null, TARGETS.tenfoldBuildTimeRatio, 'max'),
    },
    largestBuildRssMiB: check(full.build.maxRssMiB, TARGETS.largestBuildRssMiB, 'max'),
    nginxRequestsPerSec: judged(
      check(nginx && !('error' in nginx) ? nginx.requestsPerSec : null, TARGETS.nginxRequestsPerSec, 'min'),
    ),
    nginxErrors: judged(check(errorsOf(nginx), 0, 'max')),
    workerVsNginx: judged(check(workerVsNginx, TARGETS.workerVsNginx, 'min'), worker),
    workerErrors: judged(check(errorsOf(worker), 0, 'max'), worker),
    wireListCompressedRatio: {
      of: 'gzip bytes received / raw bytes of /v0.1/servers, worst of nginx, node and the Worker as deployed (wire.*.list)',
      ...wireJudged(check(listGzip.includes(null) ? null : Math.max(...(listGzip as number[])), TARGETS.wireListCompressedRatio, 'max')),
    },
    workerListCpuP99Ms: {
      of: 'workerCpu.warmUpperBoundMs.p99: the whole workerd process per list query, an upper bound of billed CPU',
      ...('error' in workerCpu
        ? { ...check(null, TARGETS.workerListCpuP99Ms, 'max'), pass: false }
        : check(workerCpu.warmUpperBoundMs.p99, TARGETS.workerListCpuP99Ms, 'max')),
    },
    validateRegistrySeconds: check(full.validation?.wholeRegistry.seconds ?? null, TARGETS.validateRegistrySeconds, 'max'),
    validatePullRequestSeconds: check(full.validation?.onePullRequest.seconds ?? null, TARGETS.validatePullRequestSeconds, 'max'),
    validateRegistryClean: check(full.validation?.wholeRegistry.errors ?? null, 0, 'max'),
    searchIndexGzipBytes: check(full.search?.indexGzipBytes ?? null, SEARCH_TARGETS.indexGzipBytes, 'max'),
    searchIndexBuildSeconds: check(full.search?.indexBuildSeconds ?? null, SEARCH_TARGETS.indexBuildSeconds, 'max'),
    searchQueryP95Ms: check(full.search?.queryMs.p95 ?? null, SEARCH_TARGETS.queryP95Ms, 'max'),
    // null (not judged) with --skip-site; failed when the browser run itself failed.
    siteFirstResultsMs: siteJudged(site, check(site && !('error' in site) ? site.summary.firstResultsMs : null, SITE_TARGETS.firstResultsMs, 'max')),
    siteLongestTaskWhileTypingMs: siteJudged(site, check(site && !('error' in site) ? site.summary.longestTaskWhileTypingMs : null, SITE_TARGETS.longestTaskWhileTypingMs, 'max')),
  };
  const verdicts = Object.values(targets).map((t) => t.pass);
  report.targets = { ...targets, allPass: verdicts.includes(false) ? false : verdicts.includes(null) ? null : true };
}

const check = (value: number | null, limit: number, kind: 'max' | 'min') => ({
  [kind]: limit,
  value,
  pass: value === null ? null : kind === 'max' ? value <= limit : value >= limit,
});

async function main(): Promise<number> {
  const startedAt = new Date().toISOString();
  const scratchRoot = scratchFolder();
  const scratch = mkdtempSync(path.join(scratchRoot.dir, 'mcp-bench-'));
  log(`scratch folder ${scratch} (${scratchRoot.why})`);
  onCleanup(() => removeTree(scratch));
  const report: Record<string, unknown> = {
    benchmark: 'mcp-static-registry',
    startedAt,
    options,
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    },
    rssMethod: RSS_METHOD,
    scratch: scratchRoot,
  };
  let failed = false;
  try {
    const full = await runCase(scratch, 'main', options.servers, options.versions);
    report.synthetic = full.synthetic;
    report.build = full.build;
    report.output = full.output;
    if (options.scaleOnly) {
      await removeTree(full.distDir);
      const scaling = await measureScaling(scratch, full);
      report.scaling = scaling;
      const largest = scaling[scaling.length - 1]!, tenth = scaling[scaling.length - 2];
      report.targets = {
        tenfoldBuildTimeRatio: check(tenth ? round(largest.buildSeconds / tenth.buildSeconds, 2) : null, TARGETS.tenfoldBuildTimeRatio, 'max'),
        largestBuildRssMiB: check(largest.maxRssMiB, TARGETS.largestBuildRssMiB, 'max'),
      };
    } else await measureEverything(scratch, full, report);
  } catch (error) {
    failed = true;
    report.error = (error as Error).message;
    log(`failed: ${interrupted ? (error as Error).message : ((error as Error).stack ?? error)}`);
  } finally {
    await cleanupAll();
  }
  report.finishedAt = new Date().toISOString();
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return interrupted ? 130 : failed ? 1 : 0;
}

process.exitCode = await main();
