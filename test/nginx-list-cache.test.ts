// nginx keeps computed list pages in its proxy cache (nginx-config.ts): a page from the cache must be the page the
// list-query code computes, per Accept-Encoding, and a new build swapped into the served folder must be answered at
// once, without a reload, since the cache key holds the build's identity.

import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { answerListQuery, readListParams } from '../scripts/lib/query/list-query.ts';
import { nginxMissing, startNginx, type RunningNginx } from '../scripts/lib/serve/run-nginx.ts';
import { Repo } from './support/git-fixture.ts';
import { decodedBody, http } from './support/servers.ts';
import { STRICT_PREREQUISITES } from './support/strict.ts';

const missing = nginxMissing();
if (missing && !STRICT_PREREQUISITES) console.warn(`nginx list cache tests skipped: ${missing}`);

const T = (n: number): string => `2025-06-${String(n).padStart(2, '0')}T10:00:00Z`;
const QUERY = 'limit=30&version=latest';

let repo: Repo;
let dist: string;
let nginx: RunningNginx;

function computed(query: string): string {
  return answerListQuery(readListParams(query), {
    readText: (file) => readFileSync(path.join(dist, file), 'utf8'),
    readJson: (file) => JSON.parse(readFileSync(path.join(dist, file), 'utf8')),
  }).body;
}

/** Files in nginx's list cache (its folder is named in the generated configuration). */
function cachedPages(): number {
  const folder = /proxy_cache_path "([^"]+)"/.exec(nginx.config)?.[1];
  if (!folder) throw new Error('no proxy_cache_path in the configuration');
  const count = (dir: string): number =>
    readdirSync(dir).reduce((n, name) => n + (statSync(path.join(dir, name)).isDirectory() ? count(path.join(dir, name)) : 1), 0);
  return count(folder);
}

async function build(): Promise<void> {
  await buildRegistry({ entriesDir: repo.entries, outDir: dist, env: {} });
}

describe.skipIf(missing !== null && !STRICT_PREREQUISITES)('nginx list-page cache', () => {
  beforeAll(async () => {
    if (missing) throw new Error(missing);
    repo = Repo.init('nginx-cache');
    // Long descriptions, so a page of 30 is well above the size nginx compresses.
    for (let i = 0; i < 40; i++) repo.server(`io.github.acme/tool-${String(i).padStart(2, '0')}`, '1.0.0', { description: `Tool ${i} ${'does things '.repeat(8)}` });
    repo.commit(T(1));
    dist = path.join(repo.root, '..', `${path.basename(repo.root)}-dist`);
    await build();
    nginx = await startNginx({ dir: dist });
  });

  afterAll(async () => {
    await nginx?.stop();
    repo?.cleanup();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  it('answers from the cache with the computed page, in each encoding, and keeps no problems', async () => {
    const expected = computed(QUERY);
    for (let round = 0; round < 2; round++) {
      for (const accept of [undefined, 'gzip', 'gzip, br', 'identity']) {
        const answer = await http(nginx.url, `/v0.1/servers?${QUERY}`, { headers: accept ? { 'Accept-Encoding': accept } : {} });
        expect(answer.status, `${accept}, round ${round}`).toBe(200);
        expect(answer.headers['content-encoding'], `${accept}, round ${round}`).toBe(accept?.includes('gzip') ? 'gzip' : undefined);
        expect(answer.headers.vary).toBe('Accept-Encoding');
        expect(decodedBody(answer).toString('utf8'), `${accept}, round ${round}`).toBe(expected);
      }
    }
    // One page per Accept-Encoding value sent: none, gzip, `gzip, br`, identity.
    expect(cachedPages()).toBe(4);
    const problem = await http(nginx.url, '/v0.1/servers?limit=0', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(problem.status).toBe(422);
    expect(cachedPages()).toBe(4);
  });

  it('answers a new build swapped into the folder at once', async () => {
    const before = (await http(nginx.url, `/v0.1/servers?${QUERY}`, { headers: { 'Accept-Encoding': 'gzip' } }));
    expect(JSON.parse(decodedBody(before).toString('utf8')).servers[0].server.version).toBe('1.0.0');
    repo.server('io.github.acme/tool-00', '2.0.0');
    repo.commit(T(2));
    await build();
    const expected = computed(QUERY);
    expect(JSON.parse(expected).servers[0].server.version).toBe('2.0.0');
    for (const accept of [undefined, 'gzip']) {
      const answer = await http(nginx.url, `/v0.1/servers?${QUERY}`, { headers: accept ? { 'Accept-Encoding': accept } : {} });
      expect(decodedBody(answer).toString('utf8'), String(accept)).toBe(expected);
    }
  });
});
