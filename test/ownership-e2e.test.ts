// A publisher's whole path with a DNS proof: key, TXT record on a real DNS server, signed proof.json beside the
// new version, and the validator's ownership check on the branch, with the production proof verifier.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateProofKeyPair, proofRecordForKey } from '../scripts/lib/ownership/domain-proof.ts';
import { proofVerifier } from '../scripts/lib/ownership/verifiers.ts';
import { validateRegistry } from '../scripts/lib/validate/validate.ts';
import { dnsmasqMissing, startDnsmasq } from './support/dnsmasq.ts';
import { Repo } from './support/git-fixture.ts';
import { STRICT_PREREQUISITES } from './support/strict.ts';

const PROJECT = path.resolve(import.meta.dirname, '..');
const skip = dnsmasqMissing !== null && !STRICT_PREREQUISITES;
if (skip) console.warn(`ownership end-to-end skipped: ${dnsmasqMissing}`);

describe.skipIf(skip)('publishing under a domain with a DNS proof', () => {
  const key = generateProofKeyPair('ed25519');
  const other = generateProofKeyPair('ed25519');
  let dns: Awaited<ReturnType<typeof startDnsmasq>>;
  const repos: Repo[] = [];

  beforeAll(async () => {
    dns = await startDnsmasq([['weather.test', proofRecordForKey(key.publicKey)]]);
  });
  afterAll(() => dns?.stop());
  afterEach(() => {
    while (repos.length) repos.pop()!.cleanup();
  });

  function branchWithNewVersion(): { repo: Repo; file: string } {
    const repo = Repo.init('e2e', 'entries');
    repos.push(repo);
    repo.server('test.weather/forecast', '1.0.0').commit('2026-01-01T00:00:00Z');
    repo.git(['checkout', '--quiet', '-b', 'pr']);
    repo.server('test.weather/forecast', '1.1.0');
    return { repo, file: path.join(repo.entries, 'test.weather/forecast/1.1.0/server.json') };
  }

  /** The publisher CLI's `sign`, run as a publisher runs it. */
  function sign(privateKeyPem: string, serverJson: string): void {
    const keyFile = path.join(path.dirname(path.dirname(serverJson)), '..', '..', '..', 'key.pem');
    writeFileSync(keyFile, privateKeyPem, { mode: 0o600 });
    const run = spawnSync(path.join(PROJECT, 'node_modules/.bin/tsx'), [path.join(PROJECT, 'scripts/publisher.ts'), 'sign', '--key', keyFile, '--domain', 'weather.test', '--method', 'dns', serverJson], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
  }

  async function ownershipCodes(repo: Repo): Promise<string[]> {
    const report = await validateRegistry({
      root: repo.root, entriesDir: 'entries', base: 'main',
      ownership: { author: 'someone', verifyProof: proofVerifier({ registryUrl: 'https://github.com/acme/registry', dnsServers: dns.servers }) },
    });
    return report.problems.map((p) => p.code).filter((c) => c.startsWith('ownership-')).sort();
  }

  it('a signature by the key in the domain\'s TXT record proves the namespace', async () => {
    const { repo, file } = branchWithNewVersion();
    sign(key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), file);
    expect(JSON.parse(readFileSync(path.join(path.dirname(file), 'proof.json'), 'utf8'))).toMatchObject({ method: 'dns', domain: 'weather.test', algorithm: 'ed25519' });
    expect(await ownershipCodes(repo)).toEqual([]);
  });

  it('a signature by another key, or over other content, does not', async () => {
    const { repo, file } = branchWithNewVersion();
    sign(other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), file);
    expect(await ownershipCodes(repo)).toEqual(['ownership-dns-signature-invalid', 'ownership-unproven']);
    sign(key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), file);
    // Edited after signing: the signature no longer covers these bytes.
    writeFileSync(file, readFileSync(file, 'utf8').replace('Test server', 'Changed server'));
    expect(await ownershipCodes(repo)).toEqual(['ownership-dns-signature-invalid', 'ownership-unproven']);
    // Signed, then saved with Windows line endings: named as a near miss, so the publisher knows what happened.
    writeFileSync(file, readFileSync(file, 'utf8').replace('Changed server', 'Test server'));
    sign(key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), file);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));
    expect(await ownershipCodes(repo)).toEqual(['ownership-dns-signature-other-content', 'ownership-unproven']);
  });

  it('without a proof, a domain namespace is unproven', async () => {
    const { repo } = branchWithNewVersion();
    expect(await ownershipCodes(repo)).toEqual(['ownership-unproven']);
  });
});
