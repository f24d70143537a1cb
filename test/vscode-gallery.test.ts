// The real VS Code gallery client (its compiled code, driven in Node) against every host of a built registry.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { startRegistryServer } from '../scripts/lib/serve/node-server.ts';
import { nginxMissing, startNginx } from '../scripts/lib/serve/run-nginx.ts';
import { startEdge } from '../scripts/lib/edge/run-edge.ts';
import { createMatrixRegistry, MATRIX_SERVERS } from './support/hosting-matrix.ts';
import { createVsCodeGallery } from './support/vscode-gallery.ts';
import { STRICT_PREREQUISITES } from './support/strict.ts';

const missing = nginxMissing();
if (missing && !STRICT_PREREQUISITES) console.warn(`VS Code gallery on nginx skipped: ${missing}`);

let work: string;
let dist: string;
let names: string[];

beforeAll(async () => {
  const { root, entries } = createMatrixRegistry();
  work = mkdtempSync(path.join(os.tmpdir(), 'vscode-out-'));
  dist = path.join(work, 'dist');
  const built = await buildRegistry({ entriesDir: entries, outDir: dist });
  names = [...new Set(built.records.map((r) => r.name))];
  rmSync(root, { recursive: true, force: true });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const hosts = [
  { name: 'node server', skip: false, start: async () => { const s = await startRegistryServer({ dir: dist, port: 0 }); return { url: s.url, stop: s.close }; } },
  { name: 'nginx', skip: missing !== null && !STRICT_PREREQUISITES, start: async () => startNginx({ dir: dist }) },
  { name: 'the Cloudflare Worker (workerd)', skip: false, start: async () => startEdge({ dir: dist }) },
];

describe.each(hosts)('VS Code gallery against $name', ({ start, skip }) => {
  it.skipIf(skip)('lists every server through "load more" and resolves each by name', async () => {
    const host = await start();
    const gallery = await createVsCodeGallery(host.url, { maxPages: 10 });
    try {
      const listed = await gallery.listAll();
      expect(listed.map((s) => s.name).sort()).toEqual([...names].sort());
      expect(listed).toHaveLength(MATRIX_SERVERS);
      // VS Code pages by 50: the 60 servers take a second page, reached through nextCursor.
      expect(gallery.requests.some((u) => u.includes('cursor='))).toBe(true);
      for (const name of names) {
        const found = await gallery.getByName(name);
        expect(found?.name, name).toBe(name);
        expect(found?.version).toBe(listed.find((s) => s.name === name)!.version);
      }
      expect(await gallery.getByName('io.github.nobody/none')).toBeUndefined();
    } finally {
      gallery.close();
      await host.stop();
    }
  });
});
