// The web site in real Chromium, on a built registry: how long until the first search results show, and the longest
// main-thread task while typing. Used by `npm run bench` (its `site` section); runnable on its own:
//   npx tsx scripts/bench/site-timing.ts --dir <dist> [--url <origin serving it>] [--runs 3]
// Without --url, the project's Node server serves <dist> on a free port.
//
// Measured in the page, against performance.timeOrigin (the start of the navigation), by a script injected before
// any of the site's own code runs:
// - firstResults: open `/`, enter the query (a server's full name, filled in at once) as soon as the search box
//   exists; the time at the first animation frame after a result list reflecting the whole query is in the DOM
//   (its first result links to that server), counted from navigation start. Each run in a fresh browser context, so
//   every file comes from the server (a first visit).
// - deepLink: the same, opening `/?q=<query>` directly (no typing).
// - typing: a 10-character query typed into a page that has finished loading (network idle, then 500 ms);
//   long tasks (≥ 50 ms, PerformanceObserver 'longtask') from the first key until the results settle.
// The firstResults runs also report their long tasks inside the typing window, which include loading the index if
// the page loads it while the user types. Targets: first results ≤ 1 s; no task > 50 ms while typing (both windows).

import path from 'node:path';
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../lib/chromium.ts';
import { startRegistryServer } from '../lib/serve/node-server.ts';

export const SITE_TARGETS = { firstResultsMs: 1000, longestTaskWhileTypingMs: 50 };

export interface SiteTiming {
  url: string;
  chromium: string;
  query: { firstResults: string; typing: string; expected: string };
  runs: number;
  /** Navigation start → first results for the typed query, per run (ms). */
  firstResultsMs: number[];
  /** Navigation start → first results for /?q=<query>, per run (ms). */
  deepLinkMs: number[];
  /** Navigation start → the search box exists (ms), per firstResults run. */
  searchBoxMs: number[];
  /** Longest task from the first key to settled results, typing into a loaded page, per run (ms; 0 = none ≥ 50 ms). */
  typingLongestTaskMs: number[];
  /** The same in the firstResults runs (typing while the page may still be loading). */
  loadingTypingLongestTaskMs: number[];
  /** Longest task anywhere in a firstResults run, page load included (informational). */
  pageLongestTaskMs: number[];
  /** The last firstResults run in detail (ms from navigation start): query entered, results shown, every long task. */
  lastRun: { enteredAt: number; resultsAt: number; longTasks: Array<{ start: number; duration: number }> } | null;
  /** Performance marks and measures the site itself set, from the last firstResults run. */
  siteMarks: Array<{ name: string; type: string; startTime: number; duration: number }>;
  summary: { firstResultsMs: number; deepLinkMs: number; longestTaskWhileTypingMs: number };
}

// The page's globals, for the callbacks that run in the browser (the project compiles without the DOM library).
declare const document: any;
declare const window: any;
declare function requestAnimationFrame(callback: () => void): number;
declare class MutationObserver {
  constructor(callback: () => void);
  observe(target: unknown, options: unknown): void;
}

interface Probe {
  firstResultsAt: number | null;
  searchBoxAt: number | null;
  firstKeyAt: number | null;
  /** When the input first held the whole query. */
  enteredAt: number | null;
  settledAt: number | null;
  longTasks: Array<{ start: number; duration: number }>;
}

/** Runs in the page before its scripts: records long tasks, when the search box appears, and when the results
 * first reflect `query` (first result linking to `expected`). */
function installProbe(arg: { query: string; expected: string }): void {
  const probe: Probe = { firstResultsAt: null, searchBoxAt: null, firstKeyAt: null, enteredAt: null, settledAt: null, longTasks: [] };
  window.__siteProbe = probe;
  try {
    new window.PerformanceObserver((list: any) => {
      for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no long task support: reported as none
  }
  document.addEventListener('keydown', () => {
    probe.firstKeyAt ??= window.performance.now();
  }, true);
  const check = (): void => {
    const input = document.querySelector('[data-testid="search"]');
    if (input && probe.searchBoxAt === null) probe.searchBoxAt = window.performance.now();
    if (probe.firstResultsAt !== null || !input || input.value.trim() !== arg.query) return;
    probe.enteredAt ??= window.performance.now();
    const link = document.querySelector('li[data-testid="result"] a[href]');
    if (!link || decodeURI(new URL(link.href).pathname) !== arg.expected) return;
    probe.firstResultsAt = -1; // found; the time is taken at the next frame, when it can be painted
    requestAnimationFrame(() => {
      probe.firstResultsAt = window.performance.now();
    });
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
  document.addEventListener('input', check, true);
}

const round = (n: number) => Math.round(n * 10) / 10;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};

/** A server of the built registry to look for, chosen deterministically: the middle one by name, with a server name
 * of at least 10 characters. Its server part is the first-results query; its first 10 characters the typing query. */
export function pickTarget(distDir: string): { name: string; query: string; typing: string } {
  const root = path.join(distDir, 'site', 'servers');
  const names: string[] = [];
  for (const ns of readdirSync(root).sort()) {
    for (const server of readdirSync(path.join(root, ns)).sort()) if (server.length >= 10) names.push(`${ns}/${server}`);
  }
  if (!names.length) throw new Error(`no server pages under ${root}`);
  const name = names[Math.floor(names.length / 2)]!;
  const server = name.split('/')[1]!;
  return { name, query: name, typing: server.slice(0, 10) };
}

async function settle(page: Page, ms: number): Promise<void> {
  await page.waitForTimeout(ms);
}

const longestIn = (tasks: Probe['longTasks'], from: number, to: number) =>
  Math.max(0, ...tasks.filter((t) => t.start + t.duration > from && t.start < to).map((t) => t.duration));

// tsx compiles this file with esbuild's keepNames, which wraps named functions in a `__name(…)` helper; the callbacks
// sent to the page carry those calls, so the page gets a no-op `__name` first.
async function newContext(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript('globalThis.__name ??= (fn) => fn;');
  return context;
}

async function firstResultsRun(browser: Browser, url: string, target: { name: string; query: string }, deepLink: boolean) {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    const expected = `/servers/${target.name}/`;
    await page.addInitScript(installProbe, { query: target.query, expected });
    await page.goto(deepLink ? `${url}/?q=${encodeURIComponent(target.query)}` : `${url}/`, { waitUntil: 'commit' });
    if (!deepLink) {
      const box = page.locator('[data-testid="search"]').first();
      await box.waitFor({ state: 'attached' });
      await box.fill(target.query); // entered at once (pasted), so the figure is the page's time, not the typist's
    }
    await page.waitForFunction(() => (window.__siteProbe?.firstResultsAt ?? -1) > 0, undefined, { timeout: 30_000, polling: 20 });
    await settle(page, 300);
    const probe: Probe = await page.evaluate(() => window.__siteProbe);
    const marks = await page.evaluate(() =>
      [...window.performance.getEntriesByType('mark'), ...window.performance.getEntriesByType('measure')].map((e: any) => ({
        name: e.name, type: e.entryType, startTime: Math.round(e.startTime * 10) / 10, duration: Math.round(e.duration * 10) / 10,
      })),
    );
    const keyAt = probe.enteredAt ?? probe.firstResultsAt!;
    return {
      at: probe.firstResultsAt!,
      searchBoxAt: probe.searchBoxAt ?? NaN,
      typingLongest: deepLink ? 0 : longestIn(probe.longTasks, keyAt, probe.firstResultsAt! + 300),
      pageLongest: Math.max(0, ...probe.longTasks.map((t) => t.duration)),
      detail: { enteredAt: round(keyAt), resultsAt: round(probe.firstResultsAt!), longTasks: probe.longTasks.map((t) => ({ start: round(t.start), duration: round(t.duration) })) },
      marks,
    };
  } finally {
    await context.close();
  }
}

async function typingRun(browser: Browser, url: string, typing: string) {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    await page.addInitScript(installProbe, { query: '\u0000never', expected: '' });
    await page.goto(`${url}/`, { waitUntil: 'networkidle' });
    await settle(page, 500);
    const box = page.locator('[data-testid="search"]').first();
    await box.focus();
    const startedAt: number = await page.evaluate(() => window.performance.now());
    await box.pressSequentially(typing, { delay: 80 });
    // Settled: the result list has not changed for 500 ms (or 5 s passed).
    await page.evaluate(() => new Promise<void>((resolve) => {
      let timer = setTimeout(done, 500);
      const deadline = setTimeout(done, 5000);
      const observer = new MutationObserver(() => {
        clearTimeout(timer);
        timer = setTimeout(done, 500);
      });
      observer.observe(document.querySelector('[data-testid="results"]') ?? document.body, { childList: true, subtree: true, characterData: true });
      function done() {
        clearTimeout(deadline);
        clearTimeout(timer);
        resolve();
      }
    }));
    const probe: Probe = await page.evaluate(() => window.__siteProbe);
    return longestIn(probe.longTasks, startedAt, Number.POSITIVE_INFINITY);
  } finally {
    await context.close();
  }
}

export async function measureSite(options: { distDir: string; url?: string; runs?: number; log?: (msg: string) => void }): Promise<SiteTiming> {
  const runs = options.runs ?? 3;
  const log = options.log ?? (() => undefined);
  const target = pickTarget(options.distDir);
  const server = options.url ? undefined : await startRegistryServer({ dir: options.distDir, port: 0 });
  const url = options.url ?? server!.url;
  const browser = await launchChromium();
  try {
    const result: SiteTiming = {
      url, chromium: browser.version(), runs,
      query: { firstResults: target.query, typing: target.typing, expected: target.name },
      firstResultsMs: [], deepLinkMs: [], searchBoxMs: [], typingLongestTaskMs: [], loadingTypingLongestTaskMs: [], pageLongestTaskMs: [], lastRun: null, siteMarks: [],
      summary: { firstResultsMs: NaN, deepLinkMs: NaN, longestTaskWhileTypingMs: NaN },
    };
    // One unmeasured visit first: the server's file cache and Chromium's own start-up are not the site's cost.
    await firstResultsRun(browser, url, target, true);
    for (let i = 0; i < runs; i++) {
      const typed = await firstResultsRun(browser, url, target, false);
      const deep = await firstResultsRun(browser, url, target, true);
      const typing = await typingRun(browser, url, target.typing);
      result.firstResultsMs.push(round(typed.at));
      result.searchBoxMs.push(round(typed.searchBoxAt));
      result.loadingTypingLongestTaskMs.push(round(typed.typingLongest));
      result.pageLongestTaskMs.push(round(typed.pageLongest));
      result.siteMarks = typed.marks;
      result.lastRun = typed.detail;
      result.deepLinkMs.push(round(deep.at));
      result.typingLongestTaskMs.push(round(typing));
      log(`site run ${i + 1}/${runs}: first results ${round(typed.at)} ms typed, ${round(deep.at)} ms by ?q=; longest task typing ${round(typing)} ms (loaded page), ${round(typed.typingLongest)} ms (while loading)`);
    }
    result.summary = {
      firstResultsMs: median(result.firstResultsMs),
      deepLinkMs: median(result.deepLinkMs),
      longestTaskWhileTypingMs: Math.max(...result.typingLongestTaskMs, ...result.loadingTypingLongestTaskMs),
    };
    return result;
  } finally {
    await browser.close();
    await server?.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { parseFlags } = await import('../lib/cli.ts');
  const usage = `usage: tsx scripts/bench/site-timing.ts --dir <dist> [--url <origin>] [--runs <n>]
  --dir <dist>     the built registry to time the site on (required)
  --url <origin>   an origin already serving <dist> (default: the Node server on a free port)
  --runs <n>       runs per measure, the median is reported (default 3)`;
  const flags = parseFlags({ dir: { type: 'string' }, url: { type: 'string' }, runs: { type: 'string', default: '3' } }, usage);
  if (!flags.dir) {
    console.error(usage);
    process.exit(2);
  }
  const timing = await measureSite({ distDir: flags.dir, url: flags.url, runs: Number(flags.runs), log: (m) => console.error(m) });
  process.stdout.write(`${JSON.stringify(timing, null, 2)}\n`);
}
