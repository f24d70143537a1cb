// docs/hosting.md's table is measured here, on every run: the doc must say what the hosts really do.
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
import { nginxMissing, startNginx } from '../scripts/lib/serve/run-nginx.ts';
import { createMatrixRegistry, measureHost, renderMatrix, MATRIX_ROWS } from './support/hosting-matrix.ts';
import { startStaticFileServer } from './support/static-file-server.ts';
import { STRICT_PREREQUISITES } from './support/strict.ts';

const DOC = path.join(import.meta.dirname, '..', 'docs', 'hosting.md');
const START = '<!-- hosting-matrix:start -->';
const END = '<!-- hosting-matrix:end -->';
const missing = nginxMissing();
if (missing && !STRICT_PREREQUISITES) console.warn(`hosting matrix skipped: ${missing}`);

describe.skipIf(missing !== null && !STRICT_PREREQUISITES)('hosting matrix (docs/hosting.md)', () => {
  let work: string;
  let table: string;
  let results: Record<string, Record<(typeof MATRIX_ROWS)[number], boolean>>;

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
    try {
      results = {
        node: await measureHost(node.url),
        nginx: await measureHost(nginx.url),
        worker: await measureHost(worker.url),
        plain: await measureHost(plain.url),
      };
    } finally {
      await Promise.all([node.close(), nginx.stop(), worker.stop(), plain.stop()]);
    }
    table = renderMatrix(
      ['`npm run serve` (Node)', 'nginx (generated config, njs)', 'Cloudflare Worker (`npm run edge`, workerd)', 'plain file host (`npm run static-host`)'],
      [results.node!, results.nginx!, results.worker!, results.plain!],
    );
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('Node server, nginx and the Worker answer everything', () => {
    for (const row of MATRIX_ROWS) {
      expect.soft(results.node![row], `node: ${row}`).toBe(true);
      expect.soft(results.nginx![row], `nginx: ${row}`).toBe(true);
      expect.soft(results.worker![row], `worker: ${row}`).toBe(true);
    }
  });

  it('a plain file host still serves VS Code, Copilot and its policy check', () => {
    expect(results.plain!['VS Code gallery (list, load more, by name)']).toBe(true);
    expect(results.plain!['Copilot CLI (list, follows nextCursor)']).toBe(true);
    expect(results.plain!['Copilot "Registry only" policy (200 / 404)']).toBe(true);
    expect(results.plain!['name as `%2F` / raw `/`']).toBe(true);
  });

  it('docs/hosting.md shows the measured table', () => {
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
