// The real VS Code gallery client (its compiled code, driven in Node) against every host of a built registry.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { createMatrixRegistry, MATRIX_SERVERS } from './support/hosting-matrix.ts';
import { describeEachHost } from './support/servers.ts';
import { createVsCodeGallery } from './support/vscode-gallery.ts';

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

describeEachHost('VS Code gallery', (host) => {
  it('lists every server through "load more" and resolves each by name', async () => {
    const running = await host.start(dist);
    const gallery = await createVsCodeGallery(running.url, { maxPages: 10 });
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
      await running.stop();
    }
  });
});
