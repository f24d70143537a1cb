// A chain of registries: registry A, built by this project from a git history and served by real nginx, is the
// upstream of fork B. B's built API serves A's servers with A's timestamps and statuses, plus B's own entries and
// B's annotations under B's own _meta key; a later change in A reaches B incrementally.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { OFFICIAL_META_KEY } from '../scripts/lib/model.ts';
import { nginxMissing, startNginx, type RunningNginx } from '../scripts/lib/serve/run-nginx.ts';
import { startRegistryServer } from '../scripts/lib/serve/node-server.ts';
import { syncRegistry } from '../scripts/lib/sync/sync.ts';
import { createFixtureRegistry, type FixtureRegistry } from './support/fixture-registry.ts';
import { git, tempDir } from './support/git-fixture.ts';
import { STRICT_PREREQUISITES } from './support/strict.ts';

const missing = nginxMissing();
if (missing && !STRICT_PREREQUISITES) console.warn(`registry chain skipped: ${missing}`);

interface Item {
  server: { name: string; version: string };
  _meta: Record<string, Record<string, unknown>>;
}

/** Every row of a registry's API, deleted ones included, along the cursor chain. */
async function allRows(base: string): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const url = `${base}/v0.1/servers?limit=7&include_deleted=true${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await fetch(url);
    expect(response.status, url).toBe(200);
    const page = (await response.json()) as { servers: Item[]; metadata: { nextCursor?: string } };
    items.push(...page.servers);
    cursor = page.metadata.nextCursor;
  } while (cursor);
  return items;
}

const B_KEY = 'com.example.fork/annotations';

describe.skipIf(missing !== null && !STRICT_PREREQUISITES)('registry A (nginx) → fork B', () => {
  let a: FixtureRegistry;
  let aDist: string;
  let nginx: RunningNginx;
  let b: string;
  let annotated = '';

  beforeAll(async () => {
    a = createFixtureRegistry();
    aDist = path.join(a.root, 'dist');
    await buildRegistry({ entriesDir: a.entriesDir, outDir: aDist, env: {} });
    nginx = await startNginx({ dir: aDist });
    b = tempDir('fork-b');
    git(b, ['init', '-q', '-b', 'main']);
    writeFileSync(path.join(b, 'registry.yaml'), `metaKey: ${B_KEY}\nsources:\n  - id: team-a\n    url: ${nginx.url}\n`);
    mkdirSync(path.join(b, 'entries/com.example.fork/internal-tool/1.0.0'), { recursive: true });
    writeFileSync(path.join(b, 'entries/com.example.fork/internal-tool/1.0.0/server.json'), `${JSON.stringify({
      $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json', name: 'com.example.fork/internal-tool', description: 'Only in B.', version: '1.0.0',
    }, null, 2)}\n`);
    git(b, ['add', '-A']);
    git(b, ['commit', '-q', '-m', 'B starts'], '2026-02-01T00:00:00Z');
  });
  afterAll(async () => {
    await nginx?.stop();
    a?.remove();
    if (b) rmSync(b, { recursive: true, force: true });
  });

  it('serves A\'s servers with A\'s timestamps, plus its own entries and annotations', async () => {
    const summary = await syncRegistry({ root: b });
    let aRows = await allRows(nginx.url);
    // A's fixture holds two names that differ only in case (its build serves both); B keeps the first, since a
    // checkout on macOS or Windows cannot hold both folders, and reports the other.
    const clash = 'io.github.zed/editor-mcp';
    expect(summary.sources[0]!.problems).toEqual([]);
    expect(summary.sources[0]!.conflicts).toEqual([{ name: clash, reason: 'differs only in letter case from io.github.Zed/editor-mcp, already in entries/' }]);
    aRows = aRows.filter((r) => r.server.name !== clash);
    expect(summary.sources[0]!.added).toHaveLength(aRows.length);
    git(b, ['add', '-A']);
    git(b, ['commit', '-q', '-m', 'sync team-a'], '2026-02-02T00:00:00Z');
    // B annotates one of A's servers in its own server.md, a week later.
    annotated = aRows.find((r) => r._meta[OFFICIAL_META_KEY]!.status === 'active')!.server.name;
    writeFileSync(path.join(b, 'entries', annotated, 'server.md'), '---\nannotations:\n  approval: approved\n  reviewedBy: security-team\n---\n');
    git(b, ['add', '-A']);
    git(b, ['commit', '-q', '-m', 'approve'], '2026-02-09T00:00:00Z');

    const bDist = path.join(b, 'dist');
    await buildRegistry({ entriesDir: path.join(b, 'entries'), outDir: bDist, env: {} });
    const server = await startRegistryServer({ dir: bDist, port: 0 });
    try {
      const bRows = await allRows(server.url);
      const own = bRows.filter((r) => r.server.name === 'com.example.fork/internal-tool');
      expect(own).toHaveLength(1);
      expect(own[0]!._meta[OFFICIAL_META_KEY]!.publishedAt).toBe('2026-02-01T00:00:00Z');
      const fromA = bRows.filter((r) => r.server.name !== 'com.example.fork/internal-tool');
      expect(fromA.map((r) => `${r.server.name}@${r.server.version}`)).toEqual(aRows.map((r) => `${r.server.name}@${r.server.version}`));
      for (const [i, row] of aRows.entries()) {
        const mirrored = fromA[i]!;
        if (row.server.name !== annotated) {
          expect(mirrored, row.server.name).toEqual(row);
          continue;
        }
        // The annotation is B's data under B's key, and it dates B's copy by B's commit; the rest is A's.
        expect(mirrored._meta[B_KEY]).toEqual({ approval: 'approved', reviewedBy: 'security-team' });
        expect(Object.keys(mirrored._meta)).toEqual([OFFICIAL_META_KEY, B_KEY]);
        expect(mirrored._meta[OFFICIAL_META_KEY]).toEqual({ ...row._meta[OFFICIAL_META_KEY], updatedAt: '2026-02-09T00:00:00Z' });
        expect(mirrored.server).toEqual(row.server);
      }
      // A detail lookup, as clients make it, answers the same bytes from both registries.
      const other = aRows.find((r) => r.server.name !== annotated && r._meta[OFFICIAL_META_KEY]!.isLatest)!;
      const detail = `/v0.1/servers/${encodeURIComponent(other.server.name)}/versions/latest`;
      expect(await (await fetch(server.url + detail)).text()).toBe(await (await fetch(nginx.url + detail)).text());
    } finally {
      await server.close();
    }
  });

  it('takes a later change in A incrementally, with A\'s new timestamps', async () => {
    const name = a.expected.filter((r) => r.name !== 'io.github.zed/editor-mcp' && r.name !== annotated).at(-1)!.name;
    mkdirSync(path.join(a.entriesDir, name, '9.0.0'), { recursive: true });
    writeFileSync(path.join(a.entriesDir, name, '9.0.0/server.json'), `${JSON.stringify({ ...a.published.get(`${name}@${a.expected.find((r) => r.name === name)!.version}`), version: '9.0.0' }, null, 2)}\n`);
    git(a.root, ['add', '-A']);
    git(a.root, ['commit', '-q', '-m', 'A publishes 9.0.0'], '2026-03-01T12:00:00Z');
    await buildRegistry({ entriesDir: a.entriesDir, outDir: aDist, env: {} });

    const s = (await syncRegistry({ root: b })).sources[0]!;
    expect(s.mode).toBe('incremental');
    // The page of changes, then the check that the host reads the query string (it answers no row updated after 9999).
    expect(s.requests).toBe(2);
    expect(s.added).toEqual([{ name, version: '9.0.0' }]);
    const upstream = JSON.parse(await (await fetch(`${nginx.url}/v0.1/servers/${encodeURIComponent(name)}/versions/9.0.0`)).text()) as Item;
    expect(upstream._meta[OFFICIAL_META_KEY]!.publishedAt).toBe('2026-03-01T12:00:00Z');
    await buildRegistry({ entriesDir: path.join(b, 'entries'), outDir: path.join(b, 'dist'), env: {} });
    const server = await startRegistryServer({ dir: path.join(b, 'dist'), port: 0 });
    try {
      const mirrored = (await (await fetch(`${server.url}/v0.1/servers/${encodeURIComponent(name)}/versions/9.0.0`)).json()) as Item;
      expect(mirrored).toEqual(upstream);
    } finally {
      await server.close();
    }
  });
});
