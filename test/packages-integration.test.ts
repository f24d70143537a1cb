// The packages stage inside the validator: a pull request adding a version whose npm package lives on a local
// server that speaks npm's registry protocol.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBoundedFetch } from '../scripts/lib/packages/fetch.ts';
import { createPackageVerifier } from '../scripts/lib/packages/verify.ts';
import { validateRegistry } from '../scripts/lib/validate/validate.ts';
import { Repo } from './support/git-fixture.ts';

const published: Record<string, Record<string, unknown>> = {
  '@acme/weather': { name: '@acme/weather', 'dist-tags': { latest: '1.1.0' }, versions: { '1.1.0': { name: '@acme/weather', version: '1.1.0', mcpName: 'io.github.acme/weather' } } },
  '@acme/other': { name: '@acme/other', 'dist-tags': { latest: '2.0.0' }, versions: { '2.0.0': { name: '@acme/other', version: '2.0.0', mcpName: 'io.github.acme/not-weather' } } },
};

let npm: Server;
let base: string;
let hang = false;
const repos: Repo[] = [];

beforeAll(async () => {
  npm = createServer((req, res) => {
    if (hang) return; // never answers
    const path = decodeURIComponent(req.url!.slice(1));
    const [scope, name, version] = path.split('/');
    const packument = published[`${scope}/${name}`];
    const doc = version ? (packument?.versions as Record<string, unknown> | undefined)?.[version] : packument;
    res.writeHead(doc ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc ?? { error: 'Not found' }));
  });
  await new Promise<void>((resolve) => npm.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(npm.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => { npm.closeAllConnections(); npm.close(() => resolve()); }));
afterEach(() => {
  while (repos.length) repos.pop()!.cleanup();
});

function pullRequestAdding(identifier: string, version: string): Repo {
  const repo = Repo.init('packages', 'entries');
  repos.push(repo);
  repo.server('io.github.acme/weather', '1.0.0').commit('2026-01-01T00:00:00Z');
  repo.git(['checkout', '--quiet', '-b', 'pr']);
  repo.server('io.github.acme/weather', '1.1.0', { packages: [{ registryType: 'npm', identifier, version, transport: { type: 'stdio' } }] });
  return repo;
}

const verifier = (deadlineMs?: number) => createPackageVerifier({
  baseUrls: { npm: base }, deadlineMs,
  // The local registry is plain http on loopback: only tests can open that door, through the factory.
  fetch: { registries: createBoundedFetch({ allowLoopbackForTests: true, timeoutMs: 5000 }) },
});

describe('the packages check of a pull request', () => {
  it('passes when the published version names the server back', async () => {
    const report = await validateRegistry({ root: pullRequestAdding('@acme/weather', '1.1.0').root, entriesDir: 'entries', base: 'main', packages: verifier() });
    expect(report.problems).toEqual([]);
    expect(report.checks.find((c) => c.id === 'packages')).toEqual({ id: 'packages', ran: true, passed: true });
  });

  it('fails, at the package, when it names another server or does not exist', async () => {
    const other = await validateRegistry({ root: pullRequestAdding('@acme/other', '2.0.0').root, entriesDir: 'entries', base: 'main', packages: verifier() });
    expect(other.problems.map((p) => [p.code, p.jsonPath])).toEqual([['package-npm-mcpname-mismatch', '/packages/0']]);
    expect(other.problems[0]!.line).toBeGreaterThan(0);
    expect(other.checks.find((c) => c.id === 'packages')?.passed).toBe(false);
    const missing = await validateRegistry({ root: pullRequestAdding('@acme/missing', '1.0.0').root, entriesDir: 'entries', base: 'main', packages: verifier() });
    expect(missing.problems.map((p) => p.code)).toEqual(['package-not-found']);
  });

  it('reports a registry that never answers within the deadline instead of hanging', async () => {
    hang = true;
    try {
      const started = Date.now();
      const report = await validateRegistry({ root: pullRequestAdding('@acme/weather', '1.1.0').root, entriesDir: 'entries', base: 'main', packages: verifier(500) });
      expect(Date.now() - started).toBeLessThan(4000);
      expect(report.problems.map((p) => p.code)).toEqual(['package-verification-timeout']);
    } finally {
      hang = false;
      npm.closeAllConnections();
    }
  });
});
