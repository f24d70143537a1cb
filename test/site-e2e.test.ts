// The web site end to end, in real Chromium (Debian's `chromium`, driven by playwright-core), against a 30-server
// fixture registry built by the project's build and served by the project's Node server: search as you type, facets,
// deep links, copying configuration, JavaScript off, keyboard, dark mode, a phone-sized screen. Screenshots go to
// test-results/screenshots/ (gitignored), kept as CI artifacts.
//
// The site's contract with these tests is the data-testid attributes below, nothing about its markup otherwise.
// Without Chromium the suite fails in strict mode (.ci/run) and is skipped, visibly, elsewhere.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRegistryServer, type RunningServer } from '../scripts/lib/serve/node-server.ts';
import { chromiumMissing, launchChromium, skipWithoutChromium } from './support/browser.ts';
import { buildSiteFixture, serverPath, siteServer, SITE_SERVERS, type BuiltSite, type SiteServer } from './support/site-fixture.ts';
import { STRICT_PREREQUISITES } from './support/strict.ts';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');
const missing = chromiumMissing();
if (missing && !STRICT_PREREQUISITES) console.warn(`SKIPPED web site end-to-end tests: ${missing}`);

// The page's globals, for the callbacks that run in the browser (the project compiles without the DOM library).
declare const document: any;
declare const navigator: any;
declare function getComputedStyle(element: any): any;

const SEL = {
  search: '[data-testid="search"]',
  count: '[data-testid="result-count"]',
  result: 'li[data-testid="result"]',
  facet: (name: string) => `[data-testid="facet-${name}"]`,
  config: (client: string) => `pre[data-testid="config-${client}"]`,
  copy: (client: string) => `[data-testid="copy-${client}"]`,
};
const CLIENTS = ['vscode', 'claude', 'cursor'] as const;
const UPDATE = { timeout: 5_000, interval: 50 };

const listed = SITE_SERVERS.filter((s) => s.status !== 'deleted');
const pathsOf = (servers: SiteServer[]) => servers.map((s) => serverPath(s.name)).sort();

/** The path of each result's first link, in order. */
function resultPaths(page: Page): Promise<string[]> {
  return page.$$eval(SEL.result, (items) =>
    items.map((li) => {
      const a = (li as any).querySelector('a[href]');
      return a ? decodeURI(new URL(a.href).pathname) : '';
    }),
  );
}

/** The first number in the result count ("12 servers", "1,204 results"). */
async function shownCount(page: Page): Promise<number | null> {
  const text = (await page.locator(SEL.count).first().textContent()) ?? '';
  const match = /\d[\d,.\u202f\u00a0 ]*/.exec(text);
  if (match) return Number(match[0].replace(/[^\d]/g, ''));
  return /^\s*no\b/i.test(text) ? 0 : null; // "No servers match."
}

/** Picks one value in a facet, whether it is a group of checkboxes (or radios) or a select. */
async function chooseFacet(page: Page, facet: string, value: string): Promise<void> {
  const group = page.locator(SEL.facet(facet)).first();
  const select = (await group.evaluate((el) => el.tagName)) === 'SELECT' ? group : group.locator('select').first();
  if ((await select.count()) > 0 && (await select.evaluate((el) => el.tagName)) === 'SELECT') {
    const options = await select.locator('option').evaluateAll((os) => os.map((o) => ({ value: (o as any).value, label: o.textContent?.trim() ?? '' })));
    const option = options.find((o) => o.value.toLowerCase() === value.toLowerCase()) ?? options.find((o) => o.label.toLowerCase().startsWith(value.toLowerCase()));
    if (!option) throw new Error(`facet ${facet} has no option ${value}: ${JSON.stringify(options)}`);
    await select.selectOption(option.value);
    return;
  }
  const inputs = group.locator('input[type="checkbox"], input[type="radio"]');
  const byValue = inputs.and(page.locator(`[value="${value}" i]`));
  const input = (await byValue.count()) > 0 ? byValue.first() : group.getByLabel(new RegExp(`^\\s*${value}`, 'i')).first();
  await input.check();
}

/** The colour an element paints behind its text: the nearest opaque background up the tree, else the canvas. */
function pageColours(page: Page, selector: string): Promise<{ background: number[]; text: number[]; scheme: string }> {
  return page.evaluate((sel) => {
    const parse = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const el = document.querySelector(sel) ?? document.body;
    let background: number[] | null = null;
    for (let node: any = el; node; node = node.parentElement) {
      const rgba = parse(getComputedStyle(node).backgroundColor);
      if (rgba.length >= 3 && (rgba[3] ?? 1) > 0.5) {
        background = rgba;
        break;
      }
    }
    if (!background) {
      // Nothing painted: the canvas shows, whose colour follows color-scheme. Ask for the Canvas system colour.
      const probe = document.createElement('div');
      probe.style.background = 'Canvas';
      document.body.append(probe);
      background = parse(getComputedStyle(probe).backgroundColor);
      probe.remove();
    }
    return { background, text: parse(getComputedStyle(el).color), scheme: getComputedStyle(document.documentElement).colorScheme };
  }, selector);
}

/** WCAG relative luminance and contrast ratio. */
function luminance([r, g, b]: number[]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
}
const contrast = (a: number[], b: number[]) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};

describe.skipIf(skipWithoutChromium())(`web site in Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let site: BuiltSite;
  let server: RunningServer;
  let browser: Browser;
  // Every context a test opens, with the page errors and failed requests seen in it; checked after each test.
  let opened: Array<{ context: BrowserContext; errors: string[] }> = [];

  beforeAll(async () => {
    if (missing) throw new Error(`Chromium is required in strict mode: ${missing}`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    site = await buildSiteFixture();
    server = await startRegistryServer({ dir: site.distDir, port: 0 });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    site?.remove();
  });

  afterEach(async () => {
    const seen = opened;
    opened = [];
    for (const { context } of seen) await context.close();
    expect(seen.flatMap((o) => o.errors)).toEqual([]);
  });

  async function open(options: BrowserContextOptions = {}): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 }, ...options });
    const errors: string[] = [];
    opened.push({ context, errors });
    context.on('weberror', (e) => errors.push(`page error: ${e.error().message}`));
    context.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    // The site's Content-Security-Policy (header and meta tag) must let everything the site needs load.
    context.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) errors.push(`CSP: ${m.text()}`);
    });
    context.on('response', (r) => {
      if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    return { page: await context.newPage(), context };
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  it('types a query and shows the expected server first, with the decoy after it', async () => {
    const { page } = await open();
    await page.goto('/');
    await expect.poll(() => page.locator(SEL.result).count(), UPDATE).toBeGreaterThan(0);
    await page.locator(SEL.search).first().click();
    await page.locator(SEL.search).first().pressSequentially('kubernetes', { delay: 20 });
    await expect.poll(() => resultPaths(page).then((p) => p[0]), UPDATE).toBe(serverPath('io.github.kube/kubernetes'));
    const paths = await resultPaths(page);
    expect(paths).toContain(serverPath('io.github.helm/charts'));
    expect(await shownCount(page)).toBe(paths.length);
    await expect.poll(() => page.locator(SEL.result).first().textContent(), UPDATE).toContain('Kubernetes');
    await shot(page, 'search-kubernetes');
  });

  it.each([
    ['kube', 'io.github.kube/kubernetes'], // prefix
    ['kubernets', 'io.github.kube/kubernetes'], // typo
    ['postgresql', 'io.github.pyfolks/postgres'], // title
    ['remote notes', 'com.example/remote-notes'], // two words, remote-only server
    ['azure-devops', 'io.github.dotnet/azure-devops'], // the name part
  ])('ranks the expected server first for %j', async (query, expected) => {
    const { page } = await open();
    await page.goto('/');
    await page.locator(SEL.search).first().fill(query);
    await expect.poll(() => resultPaths(page).then((p) => p[0]), UPDATE).toBe(serverPath(expected));
  });

  it('reads ?q= from the address', async () => {
    const { page } = await open();
    await page.goto('/?q=weather');
    await expect(page.locator(SEL.search).first().inputValue()).resolves.toBe('weather');
    await expect.poll(() => resultPaths(page).then((p) => p[0]), UPDATE).toBe(serverPath('io.github.acme/weather'));
  });

  it('leaves deleted servers out and marks deprecated ones', async () => {
    const { page } = await open();
    await page.goto('/?q=zzyzx');
    await expect.poll(() => shownCount(page), UPDATE).toBe(0);
    expect(await resultPaths(page)).toEqual([]);
    await page.goto('/?q=pandas');
    await expect.poll(() => resultPaths(page).then((p) => p[0]), UPDATE).toBe(serverPath('io.github.pyfolks/pandas-tools'));
    expect(await page.locator(SEL.result).first().textContent()).toMatch(/deprecated/i);
  });

  it.each<[string, string, (s: SiteServer) => boolean]>([
    ['registryType', 'pypi', (s) => s.registryTypes.includes('pypi')],
    ['transport', 'sse', (s) => s.transports.includes('sse')],
    ['kind', 'remote', (s) => s.remote],
    ['status', 'deprecated', (s) => s.status === 'deprecated'],
  ])('filters by the %s facet (%s), and the count follows', async (facet, value, matches) => {
    const { page } = await open();
    await page.goto('/');
    await expect.poll(() => shownCount(page), UPDATE).toBe(listed.length);
    await chooseFacet(page, facet, value);
    const expected = pathsOf(listed.filter(matches));
    await expect.poll(() => resultPaths(page).then((p) => [...p].sort()), UPDATE).toEqual(expected);
    expect(await shownCount(page)).toBe(expected.length);
    if (facet === 'registryType') await shot(page, 'facet-pypi');
  });

  it('opens a server page by deep link, with everything needed to install it', async () => {
    const { page } = await open();
    const kube = siteServer('io.github.kube/kubernetes');
    const response = await page.goto(serverPath(kube.name));
    expect(response?.status()).toBe(200);
    await expect(page.locator('h1').first().textContent()).resolves.toContain('Kubernetes');
    expect(await page.title()).toContain('Kubernetes');
    const text = await page.locator('body').innerText();
    for (const expected of [kube.description, kube.name, 'KUBECONFIG', '--context', '1.0.0', '1.1.0', '@kube/kubernetes-mcp', 'Read-only unless']) {
      expect(text).toContain(expected);
    }
    expect(await page.locator('a[href="https://github.com/kube/kubernetes"]').count()).toBeGreaterThan(0);
    for (const client of CLIENTS) expect(await page.locator(SEL.config(client)).count()).toBe(1);
    await shot(page, 'server-kubernetes');

    const remote = siteServer('com.example/remote-notes');
    expect((await page.goto(serverPath(remote.name)))?.status()).toBe(200);
    await expect(page.locator('h1').first().textContent()).resolves.toContain(remote.title);
    expect(await page.locator('body').innerText()).toContain('https://notes.example.com/mcp');
  });

  it.each(['io.github.kube/kubernetes', 'com.example/remote-notes'])('copies the configuration shown, for each client (%s)', async (name) => {
    const { page, context } = await open();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.goto(serverPath(name));
    for (const client of CLIENTS) {
      const shown = (await page.locator(SEL.config(client)).textContent()) ?? '';
      const config = JSON.parse(shown);
      expect(JSON.stringify(config)).toContain(name.includes('kube') ? '@kube/kubernetes-mcp' : 'https://notes.example.com/mcp');
      await page.evaluate(() => navigator.clipboard.writeText(''));
      await page.locator(SEL.copy(client)).click();
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), UPDATE).not.toBe('');
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied.trim()).toBe(shown.trim());
      expect(JSON.parse(copied)).toEqual(config);
      await expect.poll(() => page.locator('[aria-live]').allTextContents().then((t) => t.join(' ')), UPDATE).toMatch(/copied/i);
    }
    if (name.includes('kube')) await shot(page, 'server-copied');
  });

  it('shows the home list and server pages with JavaScript off', async () => {
    const { page } = await open({ javaScriptEnabled: false });
    expect((await page.goto('/'))?.status()).toBe(200);
    const paths = await resultPaths(page);
    expect(paths.length).toBeGreaterThan(0);
    const known = new Set(pathsOf(listed));
    for (const p of paths) expect(known.has(p), p).toBe(true);
    expect(paths).not.toContain(serverPath('io.github.gone/vanishing'));
    await shot(page, 'nojs-home');

    await page.goto(serverPath('io.github.pyfolks/postgres'));
    await expect(page.locator('h1').first().textContent()).resolves.toContain('PostgreSQL');
    expect(await page.locator('body').innerText()).toContain('Query PostgreSQL databases with read-only SQL.');
    const shown = await page.locator(SEL.config('vscode')).textContent();
    expect(JSON.stringify(JSON.parse(shown ?? ''))).toContain('postgres-mcp');
    expect(await page.locator(SEL.config('vscode')).isVisible()).toBe(true);
    await shot(page, 'nojs-server');
  });

  it('works from the keyboard: Tab reaches the labelled search box and the results; Enter opens one', async () => {
    const { page } = await open();
    await page.goto('/');
    await expect.poll(() => page.locator(SEL.result).count(), UPDATE).toBeGreaterThan(0);
    const focused = () => page.evaluate(() => {
      const el = document.activeElement;
      return {
        search: !!el?.matches('[data-testid="search"]'),
        inResult: !!el?.closest('li[data-testid="result"]'),
        href: el?.tagName === 'A' ? decodeURI(new URL(el.href).pathname) : null,
      };
    });
    let tabs = 0;
    for (; tabs < 40 && !(await focused()).search; tabs++) await page.keyboard.press('Tab');
    expect((await focused()).search, 'Tab never reached the search box').toBe(true);
    const labelled = await page.locator(SEL.search).first().evaluate((el) => {
      const input = el as any;
      return (input.labels?.length ?? 0) > 0 || !!input.getAttribute('aria-label') || !!input.getAttribute('aria-labelledby');
    });
    expect(labelled, 'the search box has no label').toBe(true);
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return { outline: s.outlineStyle !== 'none' && s.outlineWidth !== '0px', shadow: s.boxShadow !== 'none' };
    });
    expect(ring.outline || ring.shadow, 'the focused search box shows no focus indicator').toBe(true);

    await page.keyboard.type('sentry');
    await expect.poll(() => resultPaths(page).then((p) => p[0]), UPDATE).toBe(serverPath('io.github.ops/sentry'));
    for (tabs = 0; tabs < 40 && !(await focused()).inResult; tabs++) await page.keyboard.press('Tab');
    const onResult = await focused();
    expect(onResult.inResult, 'Tab never reached a result').toBe(true);
    expect(onResult.href).toBe(serverPath('io.github.ops/sentry'));
    await shot(page, 'keyboard-focus');
    await Promise.all([page.waitForURL(`**${serverPath('io.github.ops/sentry')}`), page.keyboard.press('Enter')]);
    await expect(page.locator('h1').first().textContent()).resolves.toContain('Sentry');
  });

  it.each(['light', 'dark'] as const)('renders in %s mode with a matching background and readable text', async (scheme) => {
    const { page } = await open({ colorScheme: scheme });
    for (const [where, url, selector] of [['home', '/', 'main'], ['server', serverPath('io.github.kube/kubernetes'), 'h1']] as const) {
      await page.goto(url);
      const colours = await pageColours(page, selector);
      const bg = luminance(colours.background);
      if (scheme === 'dark') expect(bg, `${where}: background ${colours.background} is not dark`).toBeLessThan(0.1);
      else expect(bg, `${where}: background ${colours.background} is not light`).toBeGreaterThan(0.7);
      expect(contrast(colours.text, colours.background), `${where}: text ${colours.text} on ${colours.background}`).toBeGreaterThanOrEqual(4.5);
      await shot(page, `${where}-${scheme}`);
    }
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const { page } = await open({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    for (const [where, url] of [['home', '/'], ['server', serverPath('io.github.kube/kubernetes')]] as const) {
      await page.goto(url);
      const { overflow, wide } = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        // The outermost elements sticking out on the right, to say what to fix.
        const out = [...document.body.querySelectorAll('*')].filter((el: any) => el.getBoundingClientRect().right > width + 1);
        const wide = out.filter((el: any) => !out.includes(el.parentElement)).slice(0, 5)
          .map((el: any) => `<${el.tagName.toLowerCase()}${el.className ? ` class="${el.className}"` : ''}> to ${Math.round(el.getBoundingClientRect().right)}px`);
        return { overflow: document.documentElement.scrollWidth - width, wide };
      });
      expect(overflow, `${where} scrolls sideways by ${overflow}px: ${wide.join(', ')}`).toBeLessThanOrEqual(1);
      await shot(page, `mobile-${where}`);
    }
  });
});
