// docs/hosting.md's table is measured here, on every run: the doc must say what the hosts really do, and how many
// bytes they send for the requests clients make most.
// UPDATE_DOCS=1 npx vitest run test/hosting-matrix.test.ts rewrites the table after a deliberate change.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { writeStaticHostLayout } from '../scripts/lib/deploy/static-host.ts';
import { startEdge } from '../scripts/lib/edge/run-edge.ts';
import { startRegistryServer } from '../scripts/lib/serve/node-server.ts';
import { brotliStaticAvailable } from '../scripts/lib/serve/nginx-config.ts';
import { nginxMissing, startNginx } from '../scripts/lib/serve/run-nginx.ts';
import { createMatrixRegistry, measureHost, measureWire, renderMatrix, MATRIX_ROWS, type MatrixColumn, type WireRow } from './support/hosting-matrix.ts';
import { startStaticFileServer } from './support/static-file-server.ts';
import { STRICT_PREREQUISITES } from './support/strict.ts';

const DOC = path.join(import.meta.dirname, '..', 'docs', 'hosting.md');
const START = '<!-- hosting-matrix:start -->';
const END = '<!-- hosting-matrix:end -->';
const missing = nginxMissing();
if (missing && !STRICT_PREREQUISITES) console.warn(`hosting matrix skipped: ${missing}`);
// The doc's nginx column is nginx with Debian's brotli_static module; without it nginx sends gzip, other bytes.
const gzipOnlyNginx = !brotliStaticAvailable() && !STRICT_PREREQUISITES;
if (gzipOnlyNginx) console.warn('docs/hosting.md not compared: nginx here lacks brotli_static (apt-get install libnginx-mod-http-brotli-static)');

describe.skipIf(missing !== null && !STRICT_PREREQUISITES)('hosting matrix (docs/hosting.md)', () => {
  let work: string;
  let table: string;
  let columns: Record<'node' | 'nginx' | 'worker' | 'plain', MatrixColumn>;

  beforeAll(async () => {
    if (missing) throw new Error(missing);
    const { root, entries } = createMatrixRegistry();
    work = mkdtempSync(path.join(os.tmpdir(), 'matrix-out-'));
    const dist = path.join(work, 'dist'), pages = path.join(work, 'pages');
    await buildRegistry({ entriesDir: entries, outDir: dist });
    await writeStaticHostLayout(dist, pages);
    rmSync(root, { recursive: true, force: true });
    const node = await startRegistryServer({ dir: dist, port: 0 });
    const nginx = await startNginx({ dir: dist });
    const worker = await startEdge({ dir: dist });
    const plain = await startStaticFileServer(pages);
    const measure = async (host: string, url: string, wireNote?: string): Promise<MatrixColumn> =>
      ({ host, results: await measureHost(url), wire: await measureWire(url), ...(wireNote ? { wireNote } : {}) });
    try {
      columns = {
        node: await measure('`npm run serve` (Node)', node.url),
        nginx: await measure('nginx (generated config, njs)', nginx.url),
        worker: await measure('Cloudflare Worker (`npm run edge`, workerd)', worker.url,
          'The Worker sends identity bytes; what is measured is the local workerd runtime compressing them on the way out, ' +
          'with the first encoding the client lists (gzip for a browser\'s `gzip, deflate, br`). Deployed, Cloudflare\'s edge ' +
          'compresses instead, with its own choice of encoding and level: not tested here.'),
        plain: await measure('plain file host (`npm run static-host`)', plain.url,
          'The stock file server compresses nothing. GitHub Pages gzips on its own (Netlify and Cloudflare Pages also use brotli): not tested here.'),
      };
    } finally {
      await Promise.all([node.close(), nginx.stop(), worker.stop(), plain.stop()]);
    }
    table = renderMatrix([columns.node, columns.nginx, columns.worker, columns.plain]);
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('Node server, nginx and the Worker answer everything', () => {
    for (const row of MATRIX_ROWS) {
      expect.soft(columns.node.results[row], `node: ${row}`).toBe(true);
      expect.soft(columns.nginx.results[row], `nginx: ${row}`).toBe(true);
      expect.soft(columns.worker.results[row], `worker: ${row}`).toBe(true);
    }
  });

  it('a plain file host still serves VS Code, Copilot and its policy check', () => {
    expect(columns.plain.results['VS Code gallery (list, load more, by name)']).toBe(true);
    expect(columns.plain.results['Copilot CLI (list, follows nextCursor)']).toBe(true);
    expect(columns.plain.results['Copilot "Registry only" policy (200 / 404)']).toBe(true);
    expect(columns.plain.results['name as `%2F` / raw `/`']).toBe(true);
  });

  it('Node server and nginx send the list precompressed, in fewer bytes than its JSON', () => {
    const list: WireRow = '`/v0.1/servers`: bytes on the wire';
    for (const host of ['node', 'nginx'] as const) {
      const size = columns[host].wire[list];
      expect(['br', 'gzip'], `${host}: Content-Encoding of /v0.1/servers`).toContain(size.encoding);
      expect(size.sent, `${host}: bytes sent for /v0.1/servers`).toBeLessThan(size.decoded);
    }
  });

  it.skipIf(gzipOnlyNginx)('docs/hosting.md shows the measured table', () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(START), end = doc.indexOf(END);
    expect(start, 'hosting.md has the table markers').toBeGreaterThan(0);
    const current = doc.slice(start + START.length, end).trim();
    if (process.env.UPDATE_DOCS === '1' && current !== table.trim()) {
      writeFileSync(DOC, `${doc.slice(0, start + START.length)}\n${table}${doc.slice(end)}`);
      return;
    }
    expect(current).toBe(table.trim());
  });
});
