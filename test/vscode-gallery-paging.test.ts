// Paging with the real VS Code gallery client, which sends the cursor unencoded and drops `search` on "load more"
// (mcpGalleryService.js: `&cursor=${query.cursor}`, `withPage(cursor).withSearchText(undefined)`): the registry's
// cursors carry the query and survive the raw URL, on every host that runs the query code.

import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { Repo } from './support/git-fixture.ts';
import { describeEachHost } from './support/servers.ts';
import { createVsCodeGallery } from './support/vscode-gallery.ts';

/** 80 servers; 60 (more than VS Code's page of 50) say "weather" in their description, the others sit between them. */
const SERVERS = 80;
const matches = (i: number): boolean => i % 4 !== 3;
const serverName = (i: number): string => `io.github.page${String(i).padStart(2, '0')}/tool`;

let work: string;
let dist: string;
let latest: string[];

beforeAll(async () => {
  const repo = Repo.init('vscode-paging');
  work = repo.root;
  const describe = (i: number): { description: string } => ({ description: matches(i) ? `Weather forecasts, part ${i}.` : `Calendar part ${i}.` });
  for (let i = 0; i < SERVERS; i++) repo.server(serverName(i), '1.0.0', describe(i));
  // Build metadata in the latest versions: `+` read back from an unencoded URL is a space.
  repo.server(serverName(1), '1.1.0+build.7', describe(1)).server(serverName(2), '2.0.0+sha.abc-x', describe(2));
  repo.commit('2026-01-01T00:00:00Z');
  dist = path.join(work, '..', `${path.basename(work)}-dist`);
  await buildRegistry({ entriesDir: repo.entries, outDir: dist, env: {} });
  latest = Array.from({ length: SERVERS }, (_, i) => `${serverName(i)}@${i === 1 ? '1.1.0+build.7' : i === 2 ? '2.0.0+sha.abc-x' : '1.0.0'}`);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  if (dist) rmSync(dist, { recursive: true, force: true });
});

describeEachHost('VS Code paging', (host) => {
  it('shows only the matches of a search longer than one page, each once', async () => {
    const running = await host.start(dist);
    const gallery = await createVsCodeGallery(running.url, { maxPages: 5 });
    try {
      const listed = (await gallery.listAll('Weather')).map((s) => s.name);
      const expected = Array.from({ length: SERVERS }, (_, i) => i).filter(matches).map(serverName);
      expect(expected.length).toBeGreaterThan(50);
      expect(listed).toEqual(expected);
      // The second page came from a request without `search`: the cursor carried it.
      const pages = gallery.requests.filter((u) => u.includes('/servers?'));
      expect(pages.filter((u) => u.includes('cursor='))).toHaveLength(1);
      expect(pages.find((u) => u.includes('cursor='))).not.toContain('search=');
    } finally {
      gallery.close();
      await running.stop();
    }
  });

  it('pages to the end at limit=1 over versions with "+" without repeating a row', async () => {
    const running = await host.start(dist);
    // One more page than rows would be a repeat: the harness fails past it instead of looping.
    const gallery = await createVsCodeGallery(running.url, { pageSize: 1, maxPages: SERVERS + 1 });
    try {
      const listed = await gallery.listAll();
      expect(listed.map((s) => `${s.name}@${s.version}`)).toEqual(latest);
      // Each cursor went out raw, as VS Code builds the URL, and none needed encoding.
      const cursors = gallery.requests.filter((u) => u.includes('cursor=')).map((u) => new URL(u).searchParams.get('cursor')!);
      expect(cursors).toHaveLength(SERVERS);
      for (const cursor of cursors) expect(encodeURIComponent(cursor)).toBe(cursor);
    } finally {
      gallery.close();
      await running.stop();
    }
  });
});
