// The official example server.json files and the official seed, published as entries, built, served by each host
// and read back: the `server` of every detail and list answer is the document that was published.

import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { createGitEntries } from './support/fixture-registry.ts';
import { describeWithReference } from './support/reference.ts';
import { describeEachHost, http, type RunningHost } from './support/servers.ts';

interface Published {
  source: string;
  server: { name: string; version: string; [key: string]: unknown };
}

const key = (s: { name: string; version: string }): string => `${s.name}@${s.version}`;
const detailPath = (s: { name: string; version: string }): string =>
  `/v0.1/servers/${encodeURIComponent(s.name)}/versions/${encodeURIComponent(s.version)}`;

describeWithReference('round trip of the official examples and seed', (reference) => {
  let inputs: Published[] = [];
  let outDir: string;
  let cleanup: () => void = () => {};

  beforeAll(async () => {
    const validDir = path.join(reference, 'examples', 'valid');
    const examples: Published[] = readdirSync(validDir).filter((f) => f.endsWith('.json')).sort()
      .map((f) => ({ source: `examples/valid/${f}`, server: JSON.parse(readFileSync(path.join(validDir, f), 'utf8')) }));
    const seed: Published[] = (JSON.parse(readFileSync(path.join(reference, 'seed.json'), 'utf8')) as Published['server'][])
      .map((server, i) => ({ source: `seed.json[${i}]`, server }));
    inputs = [...examples, ...seed];
    expect(examples.length).toBeGreaterThan(0);
    expect(seed.length).toBeGreaterThan(0);
    expect(new Set(inputs.map((i) => key(i.server))).size, 'every input is a distinct name@version').toBe(inputs.length);
    // Published as written (bytes of the original files for the examples), over two commits.
    const toFile = (p: Published) => ({
      path: `${p.server.name}/${p.server.version}/server.json`,
      content: p.source.startsWith('examples/') ? readFileSync(path.join(reference, p.source), 'utf8') : JSON.stringify(p.server, null, 2) + '\n',
    });
    const repo = createGitEntries([
      { date: '2025-10-01T12:00:00Z', message: 'Official examples', files: examples.map(toFile) },
      { date: '2025-10-02T12:00:00Z', message: 'Official seed', files: seed.map(toFile) },
    ]);
    const outParent = mkdtempSync(path.join(os.tmpdir(), 'mcp-registry-roundtrip-'));
    cleanup = () => {
      rmSync(outParent, { recursive: true, force: true });
      repo.remove();
    };
    outDir = path.join(outParent, 'dist');
    const result = await buildRegistry({ entriesDir: repo.entriesDir, outDir, env: {} });
    expect(result.records).toHaveLength(inputs.length);
  });
  afterAll(() => cleanup());

  describeEachHost('served', (host) => {
    let server: RunningHost;
    beforeAll(async () => {
      server = await host.start(outDir);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('gives back every published server.json from its detail path', async () => {
      for (const input of inputs) {
        for (const target of [detailPath(input.server), detailPath(input.server).replace('/v0.1/', '/v0/')]) {
          const answer = await http(server.url, target);
          expect(answer.status, `${input.source}: ${target}`).toBe(200);
          expect(answer.json().server, input.source).toEqual(input.server);
        }
      }
    });

    it('gives back every published server.json in the list', async () => {
      const answer = await http(server.url, '/v0.1/servers?limit=100');
      expect(answer.status).toBe(200);
      const body = answer.json();
      expect(body.metadata).toEqual({ count: inputs.length });
      const byKey = new Map<string, unknown>(body.servers.map((s: any) => [key(s.server), s.server]));
      for (const input of inputs) expect(byKey.get(key(input.server)), input.source).toEqual(input.server);
    });

    it('gives back the latest version of each server in the unparameterised list and versions/latest', async () => {
      const body = (await http(server.url, '/v0.1/servers')).json();
      const byKey = new Map(inputs.map((i) => [key(i.server), i]));
      const names = new Set(inputs.map((i) => i.server.name));
      expect(body.servers).toHaveLength(names.size);
      for (const item of body.servers) {
        const input = byKey.get(key(item.server));
        expect(input, key(item.server)).toBeDefined();
        expect(item.server, input!.source).toEqual(input!.server);
        const latest = await http(server.url, `/v0.1/servers/${encodeURIComponent(item.server.name)}/versions/latest`);
        expect(latest.json().server, input!.source).toEqual(input!.server);
      }
    });
  });
});
