// The static-host layout (npm run static-host) against stored XSS: a plain file host serves the list and versions
// paths as index.html, so publisher text in that JSON must never be markup. A registry whose description carries
// <script> and <img onerror> payloads is laid out, served by a stock file server, and opened in real Chromium; no
// payload may run, and the site must still work under its Content-Security-Policy. Plus the escaping itself, the
// headers file, and content-derived modification times of the rewritten files.

import fg from 'fast-glob';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { contentMtime } from '../scripts/lib/build/write-output.ts';
import { HEADERS_FILE } from '../scripts/lib/deploy/headers-file.ts';
import { renderStaticHostHeaders, writeStaticHostLayout } from '../scripts/lib/deploy/static-host.ts';
import { encodeJson, htmlSafeJson } from '../scripts/lib/query/json.ts';
import { SITE_CSP } from '../scripts/lib/serve/routes.ts';
import { chromiumMissing, launchChromium, skipWithoutChromium } from './support/browser.ts';
import { startStaticFileServer } from './support/static-file-server.ts';

declare const window: any;
declare const document: any;

const SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';
const EVIL = 'io.github.mallory/weather';
// Each payload sets a global the test reads back: any script that ran on the origin leaves its mark. No double
// quotes, which JSON would escape into a syntax error: these run when the JSON is parsed as HTML.
const DESCRIPTION = '<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2> & more';
const ENV_DESCRIPTION = '</script><svg onload=window.__pwned=3>';

describe('htmlSafeJson', () => {
  it('escapes <, > and & so that every parser reads the same value', () => {
    const values: unknown[] = [
      { description: DESCRIPTION, nested: [ENV_DESCRIPTION, '\\<\\\\>', 'a&&b', '<!--', ']]>'] },
      '\\</script>', // a backslash before "<" in the value: the escape must not pair with it
      ['<', '>', '&', '\u2028', 'plain'],
    ];
    for (const value of values) {
      const json = encodeJson(value);
      const safe = htmlSafeJson(json);
      expect(safe).not.toMatch(/[<>&]/);
      expect(JSON.parse(safe)).toEqual(value);
    }
    expect(htmlSafeJson('{"a":"<b>&"}')).toBe('{"a":"\\u003cb\\u003e\\u0026"}');
    expect(htmlSafeJson('{"pong":true}\n')).toBe('{"pong":true}\n');
  });
});

describe('the static-host layout', () => {
  let work: string;
  let dist: string;
  let pages: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'static-host-security-'));
    const entries = path.join(work, 'entries');
    const write = (name: string, version: string, server: Record<string, unknown>): void => {
      mkdirSync(path.join(entries, name, version), { recursive: true });
      writeFileSync(path.join(entries, name, version, 'server.json'), JSON.stringify({ $schema: SCHEMA, name, version, ...server }, null, 2));
    };
    const evil = {
      description: DESCRIPTION, title: '<img src=x onerror=window.__pwned=4>',
      packages: [{
        registryType: 'npm', identifier: '@mallory/weather', version: '1.0.0', transport: { type: 'stdio' },
        environmentVariables: [{ name: 'API_KEY', description: ENV_DESCRIPTION, isRequired: true }],
      }],
    };
    write(EVIL, '1.0.0', evil);
    write(EVIL, '1.1.0', evil);
    write('io.github.alice/notes', '2.0.0', { description: 'Plain notes.', packages: [{ registryType: 'npm', identifier: '@alice/notes', version: '2.0.0', transport: { type: 'stdio' } }] });
    dist = path.join(work, 'dist');
    pages = path.join(work, 'pages');
    await buildRegistry({ entriesDir: entries, outDir: dist, env: { ...process.env, SOURCE_DATE_EPOCH: '1741860000' } });
    await writeStaticHostLayout(dist, pages);
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes the list and versions index.html files without markup, holding the same JSON value as the build', () => {
    const pairs: Array<[string, string]> = [
      ['v0.1/servers/index.html', 'v0.1/servers.json'],
      ['v0/servers/index.html', 'v0.1/servers.json'],
      [`v0.1/servers/${EVIL}/versions/index.html`, `v0.1/servers/${EVIL}/versions.json`],
      [`v0.1/servers/${EVIL}/versions/1.0.0`, `v0.1/servers/${EVIL}/versions/1.0.0.json`],
      [`v0.1/servers/${EVIL}/versions/latest`, `v0.1/servers/${EVIL}/versions/latest.json`],
    ];
    for (const [hosted, built] of pairs) {
      const text = readFileSync(path.join(pages, hosted), 'utf8');
      const original = readFileSync(path.join(dist, built), 'utf8');
      expect(original, built).toContain('<script>'); // the build itself keeps the official bytes
      expect(text, hosted).not.toMatch(/[<>&]/);
      expect(JSON.parse(text), hosted).toEqual(JSON.parse(original));
      // The ETag of mtime-and-size hosts follows the content, as for the build's own files.
      expect(Math.floor(statSync(path.join(pages, hosted)).mtimeMs / 1000), hosted).toBe(contentMtime(Buffer.from(text, 'utf8')));
    }
    // Files with nothing to escape keep the build's bytes (and its content-derived time).
    const plain = `v0.1/servers/io.github.alice/notes/versions/2.0.0`;
    expect(readFileSync(path.join(pages, plain), 'utf8')).toBe(readFileSync(path.join(dist, 'v0.1/servers/io.github.alice/notes/versions/2.0.0.json'), 'utf8'));
  });

  it('leaves out the build\'s precompressed variants, whose JSON is not escaped and which file hosts never negotiate', async () => {
    const variants = (dir: string) => fg('**/*.{br,gz}', { cwd: dir, dot: true });
    expect((await variants(dist)).length).toBeGreaterThan(0);
    expect(await variants(pages)).toEqual([]);
  });

  it('writes a _headers file with the site policy on every path and JSON, CORS and nosniff on the API', () => {
    const text = readFileSync(path.join(pages, HEADERS_FILE), 'utf8');
    expect(text).toBe(renderStaticHostHeaders());
    const blocks = new Map(text.split(/\n(?=\/)/).filter((b) => b.startsWith('/')).map((b) => {
      const [pattern, ...lines] = b.trim().split('\n');
      return [pattern!, Object.fromEntries(lines.map((l) => l.trim().split(/: (.*)/s).slice(0, 2) as [string, string]))];
    }));
    expect(blocks.get('/*')).toEqual({ 'Content-Security-Policy': SITE_CSP, 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY' });
    for (const api of ['/v0.1/*', '/v0/*']) {
      expect(blocks.get(api)).toMatchObject({ 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*', 'X-Content-Type-Options': 'nosniff' });
    }
  });

  describe.skipIf(skipWithoutChromium())(`in Chromium, served by a stock file server${chromiumMissing() ? ` (skipped: ${chromiumMissing()})` : ''}`, () => {
    let host: { url: string; stop(): Promise<void> };
    let browser: Browser;
    let context: BrowserContext;
    const dialogs: string[] = [];
    const violations: string[] = [];

    beforeAll(async () => {
      const missing = chromiumMissing();
      if (missing) throw new Error(`Chromium is required in strict mode: ${missing}`);
      host = await startStaticFileServer(pages);
      browser = await launchChromium();
      context = await browser.newContext({ baseURL: host.url });
      context.on('dialog', (d) => void d.dismiss().then(() => dialogs.push(d.message())));
      context.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
    });

    afterAll(async () => {
      await browser?.close();
      await host?.stop();
    });

    async function visit(target: string): Promise<Page> {
      const page = await context.newPage();
      const answer = await page.goto(target);
      expect(answer?.status(), target).toBe(200);
      await page.waitForLoadState('load');
      return page;
    }

    it('runs no payload on the API paths a file host serves as HTML', async () => {
      // (Detail files have no extension: a file host types them application/octet-stream, a download.)
      for (const target of ['/v0.1/servers/', '/v0/servers/', `/v0.1/servers/${EVIL}/versions/`, `/v0.1/servers/${encodeURIComponent(EVIL)}/versions/`]) {
        const page = await visit(target);
        expect(await page.evaluate(() => window.__pwned), target).toBeUndefined();
        // Nothing was parsed as an element: the page holds only the JSON text.
        expect(await page.evaluate(() => document.querySelectorAll('script, img, svg').length), target).toBe(0);
        await page.close();
      }
      expect(dialogs).toEqual([]);
    });

    it('runs no payload on the site pages, which carry their policy in a meta tag', async () => {
      for (const target of ['/', `/servers/${EVIL}/`]) {
        const page = await visit(target);
        expect(await page.evaluate(() => window.__pwned), target).toBeUndefined();
        const csp = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content);
        expect(csp, target).toContain("script-src 'self'");
        await page.close();
      }
    });

    it('still searches under that policy: the hashed script, its worker and the index load', async () => {
      const page = await visit('/');
      await page.locator('[data-testid="search"]').fill('notes');
      await expect.poll(() => page.locator('li[data-testid="result"]').count(), { timeout: 5_000, interval: 50 }).toBe(1);
      expect(await page.locator('li[data-testid="result"]').first().textContent()).toContain('io.github.alice/notes');
      // The home page still shows the payload as text, not as elements.
      await page.locator('[data-testid="search"]').fill('mallory');
      await expect.poll(() => page.locator('li[data-testid="result"]').first().textContent(), { timeout: 5_000, interval: 50 }).toContain('<script>');
      expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
      await page.close();
      expect(violations).toEqual([]);
    });
  });
});
