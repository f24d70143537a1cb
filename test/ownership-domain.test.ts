// DNS and HTTP ownership proofs against real servers on 127.0.0.1: dnsmasq answering TXT records (with a SERVFAIL
// responder and a silent upstream behind it), and an HTTPS server with a throwaway CA made by openssl. Every failure a
// publisher can meet gets its own code; the happy paths run for ed25519 and ecdsap384 with both methods.
// Without dnsmasq or openssl the network parts skip visibly, except in strict mode (.ci/run), where they fail.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promises as dnsPromises } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildProofMessage,
  checkSignatureAgainstRecords,
  domainForNamespace,
  generateProofKeyPair,
  namespaceGrantedBy,
  namespaceIsGranted,
  parseProofJson,
  parseProofMessage,
  parseProofRecord,
  proofGrantProblem,
  proofRecordForKey,
  publicKeyFromRecord,
  reverseDomain,
  sha256Hex,
  signProofMessage,
  signatureFormatProblem,
  verifyProofSignature,
  type ProofAlgorithm,
  type ProofResult,
} from '../scripts/lib/ownership/domain-proof.ts';
import { verifyDnsProof } from '../scripts/lib/ownership/dns-proof.ts';
import { createHttpProofVerifier, unsafeAddressReason, verifyHttpProof, type ResolvedAddress } from '../scripts/lib/ownership/http-proof.ts';
import { proofVerifier } from '../scripts/lib/ownership/verifiers.ts';
import { freeUdpPort } from './support/dnsmasq.ts';
import { STRICT_PREREQUISITES } from './support/strict.ts';

const DNSMASQ = ['/usr/sbin/dnsmasq', 'dnsmasq'].find((bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0);
const OPENSSL = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0 ? 'openssl' : undefined;
const dnsMissing = DNSMASQ ? null : 'dnsmasq is not installed (Debian: apt-get install dnsmasq-base)';
const httpMissing = OPENSSL ? null : 'openssl is not installed';
if (dnsMissing && !STRICT_PREREQUISITES) console.warn(`DNS ownership proof tests skipped: ${dnsMissing}`);
if (httpMissing && !STRICT_PREREQUISITES) console.warn(`HTTP ownership proof tests skipped: ${httpMissing}`);

// ---------------------------------------------------------------------------------------------------------------
// Fixtures

const NAME = 'com.example/weather';
const VERSION = '1.2.0';
const SERVER_JSON = Buffer.from(`{\n  "name": "${NAME}",\n  "version": "${VERSION}",\n  "description": "Weather"\n}\n`);
const MESSAGE = buildProofMessage({ name: NAME, version: VERSION, serverJson: SERVER_JSON });

const keyA = generateProofKeyPair('ed25519');
const keyB = generateProofKeyPair('ed25519');
const keyD = generateProofKeyPair('ed25519');
const keyC = generateProofKeyPair('ecdsap384');
const recordA = proofRecordForKey(keyA.publicKey);
const recordB = proofRecordForKey(keyB.publicKey);
const recordC = proofRecordForKey(keyC.publicKey);
const recordD = proofRecordForKey(keyD.publicKey);
const fp = (record: string) => parseProofRecord(record)!.fingerprint;
const sigA = signProofMessage(keyA.privateKey, 'ed25519', MESSAGE);
const sigC = signProofMessage(keyC.privateKey, 'ecdsap384', MESSAGE);
const CRLF_SIG = signProofMessage(keyA.privateKey, 'ed25519', buildProofMessage({ name: NAME, version: VERSION, serverJson: SERVER_JSON.toString().replace(/\n/g, '\r\n') }));

function proof(domain: string, algorithm: ProofAlgorithm = 'ed25519', signature = algorithm === 'ed25519' ? sigA : sigC) {
  return { domain, message: MESSAGE, signature, algorithm, serverJson: SERVER_JSON, file: 'entries/com.example/weather/1.2.0/proof.json' };
}

function failure(result: ProofResult) {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(result.problem.severity).toBe('error');
  expect(result.problem.hint.length).toBeGreaterThan(10);
  expect(result.problem.file).toBe('entries/com.example/weather/1.2.0/proof.json');
  return result.problem;
}

// ---------------------------------------------------------------------------------------------------------------
// Pure parts

describe('proof message, records and signatures', () => {
  it('builds the v1 message byte for byte', () => {
    const sha = sha256Hex(SERVER_JSON);
    expect(MESSAGE).toBe(`mcp-static-registry publish v1\nname=com.example/weather\nversion=1.2.0\nsha256=${sha}\n`);
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(buildProofMessage({ name: NAME, version: VERSION, sha256: sha })).toBe(MESSAGE);
    expect(parseProofMessage(MESSAGE)).toEqual({ name: NAME, version: VERSION, sha256: sha });
    expect(() => buildProofMessage({ name: 'a/b\nversion=2', version: '1', sha256: sha })).toThrow();
    expect(() => buildProofMessage({ name: NAME, version: VERSION, sha256: sha.toUpperCase() })).toThrow();
  });

  it('parses records with the official regex and fingerprints', () => {
    const r = parseProofRecord('v=MCPv1; k=ed25519; p=OHjrTGdvR2dFk1g5uTVNJ4/RxpDLYjVJTtTQlcwW0Jg=')!;
    expect(r).toMatchObject({ algorithm: 'ed25519', publicKey: 'OHjrTGdvR2dFk1g5uTVNJ4/RxpDLYjVJTtTQlcwW0Jg=', fingerprint: 'ed25519:OHjrTGdv' });
    expect(parseProofRecord('v=MCPv1;k=ed25519;p=AAAA')?.publicKey).toBe('AAAA');
    expect(parseProofRecord('v=spf1 -all')).toBeUndefined();
    expect(typeof publicKeyFromRecord(r)).not.toBe('string');
    expect(publicKeyFromRecord({ algorithm: 'ed25519', publicKey: 'AAAA' })).toMatch(/32 bytes/);
    expect(publicKeyFromRecord({ algorithm: 'rsa', publicKey: 'AAAA' })).toMatch(/not a supported algorithm/);
  });

  it('makes and reads both key types in the official encoding', () => {
    expect(recordA).toMatch(/^v=MCPv1; k=ed25519; p=[A-Za-z0-9+/]{43}=$/);
    const c = parseProofRecord(recordC)!;
    const raw = Buffer.from(c.publicKey, 'base64');
    expect(raw.length).toBe(49);
    expect([2, 3]).toContain(raw[0]);
    const key = publicKeyFromRecord(c);
    if (typeof key === 'string') throw new Error(key);
    expect(verifyProofSignature(key, 'ecdsap384', MESSAGE, sigC)).toBe(true);
    expect(Buffer.from(sigC, 'hex').length).toBe(96);
    expect(Buffer.from(sigA, 'hex').length).toBe(64);
    const uncompressed = Buffer.concat([Buffer.from([4]), raw.subarray(1), raw.subarray(1)]).toString('base64');
    expect(publicKeyFromRecord({ algorithm: 'ecdsap384', publicKey: uncompressed })).toMatch(/49-byte compressed point/);
    expect(signatureFormatProblem('ed25519', 'zz')).toMatch(/not hex/);
    expect(signatureFormatProblem('ecdsap384', sigA)).toMatch(/64 bytes/);
  });

  it('tells a signature over near-miss content from one by another key', () => {
    expect(checkSignatureAgainstRecords([recordA], { message: MESSAGE, signature: CRLF_SIG, algorithm: 'ed25519', serverJson: SERVER_JSON })).toMatchObject({
      kind: 'other-content',
      difference: expect.stringMatching(/CRLF/),
    });
    const fileSigned = signProofMessage(keyA.privateKey, 'ed25519', SERVER_JSON);
    expect(checkSignatureAgainstRecords([recordA], { message: MESSAGE, signature: fileSigned, algorithm: 'ed25519', serverJson: SERVER_JSON })).toMatchObject({
      kind: 'other-content',
      difference: expect.stringMatching(/server.json file itself/),
    });
    expect(checkSignatureAgainstRecords([recordB], { message: MESSAGE, signature: sigA, algorithm: 'ed25519' })).toEqual({ kind: 'signature-invalid', tried: [fp(recordB)], skipped: [] });
  });

  it('maps namespaces to domains and grants subdomains for DNS only', () => {
    expect(reverseDomain('example.com')).toBe('com.example');
    expect(domainForNamespace('com.example.api')).toEqual({ ok: true, domain: 'api.example.com' });
    expect(domainForNamespace('4.3.2.1')).toMatchObject({ ok: false, reason: expect.stringMatching(/IP address/) });
    expect(domainForNamespace('localhost')).toMatchObject({ ok: false, reason: expect.stringMatching(/no dot/) });
    expect(domainForNamespace('com.exa_mple')).toMatchObject({ ok: false });
    expect(domainForNamespace(`com.${'a'.repeat(250)}`)).toMatchObject({ ok: false, reason: expect.stringMatching(/253/) });
    expect(namespaceGrantedBy('dns', 'example.com')).toEqual(['com.example', 'com.example.*']);
    expect(namespaceGrantedBy('http', 'example.com')).toEqual(['com.example']);
    expect(namespaceIsGranted('dns', 'example.com', 'com.example')).toBe(true);
    expect(namespaceIsGranted('dns', 'example.com', 'com.example.api')).toBe(true);
    expect(namespaceIsGranted('dns', 'example.com', 'com.exampleevil')).toBe(false);
    expect(namespaceIsGranted('dns', 'example.com', 'com.example.')).toBe(false);
    expect(namespaceIsGranted('http', 'example.com', 'com.example')).toBe(true);
    expect(namespaceIsGranted('http', 'example.com', 'com.example.api')).toBe(false);
    expect(namespaceIsGranted('dns', 'api.example.com', 'com.example')).toBe(false);
    expect(proofGrantProblem({ method: 'http', domain: 'example.com' }, 'com.example.api/x')).toMatchObject({
      code: 'ownership-proof-namespace-not-granted',
      message: expect.stringMatching(/does not cover subdomains/),
    });
    expect(proofGrantProblem({ method: 'dns', domain: 'example.com' }, 'com.example.api/x')).toBeUndefined();
  });

  it('never grants a GitHub namespace: a Pages site on <org>.github.io is not the organisation', async () => {
    for (const method of ['dns', 'http'] as const) {
      expect(namespaceIsGranted(method, 'acme.github.io', 'io.github.acme')).toBe(false);
      expect(namespaceIsGranted(method, 'github.io', 'io.github.acme')).toBe(false);
      expect(namespaceIsGranted(method, 'ACME.github.io', 'IO.GitHub.acme')).toBe(false);
      expect(proofGrantProblem({ method, domain: 'acme.github.io' }, 'io.github.acme/tool', 'p.json')).toMatchObject({
        code: 'ownership-proof-github-namespace', file: 'p.json',
        message: expect.stringContaining('cannot grant the GitHub namespace io.github.acme'),
        hint: expect.stringMatching(/Owner of that organisation.*GitHub OIDC/),
      });
    }
    // Refused before any network: the HTTP verifier must not be asked.
    const verify = proofVerifier({ registryUrl: 'https://github.com/acme/registry', http: { verify: async () => { throw new Error('the well-known file was fetched'); } } });
    const bytes = Buffer.from('{"name":"io.github.acme/tool","version":"1.0.0"}');
    const outcome = await verify({ method: 'http', domain: 'acme.github.io', algorithm: 'ed25519', signature: sigA }, { file: 'entries/io.github.acme/tool/1.0.0/server.json', name: 'io.github.acme/tool', version: '1.0.0', bytes });
    expect(outcome).toMatchObject({ ok: false, problem: { code: 'ownership-proof-github-namespace', file: 'entries/io.github.acme/tool/1.0.0/proof.json' } });
  });

  it('parses proof.json strictly', () => {
    const good = { method: 'dns', domain: 'example.com', algorithm: 'ed25519', signature: sigA };
    expect(parseProofJson(JSON.stringify(good))).toEqual({ ok: true, proof: good });
    for (const [bad, pointer] of [
      [{ ...good, method: 'txt' }, '/method'],
      [{ ...good, domain: '127.0.0.1' }, '/domain'],
      [{ ...good, algorithm: 'rsa' }, '/algorithm'],
      [{ ...good, signature: sigC }, '/signature'],
      [{ ...good, extra: 1 }, '/extra'],
    ] as const) {
      expect(parseProofJson(JSON.stringify(bad), 'p.json')).toMatchObject({ ok: false, problem: { code: 'ownership-proof-invalid', jsonPath: pointer, file: 'p.json' } });
    }
    expect(parseProofJson('{')).toMatchObject({ ok: false, problem: { code: 'ownership-proof-invalid' } });
  });

  it('refuses every non-public address range', () => {
    for (const [address, reason] of [
      ['127.0.0.1', 'loopback'], ['10.1.2.3', 'private'], ['172.31.0.1', 'private'], ['192.168.1.1', 'private'],
      ['169.254.169.254', 'link-local'], ['100.64.0.1', 'carrier-grade NAT'], ['0.0.0.0', 'unspecified'],
      ['224.0.0.1', 'multicast'], ['255.255.255.255', 'broadcast'], ['192.88.99.1', '6to4'],
      ['::1', 'loopback'], ['::', 'unspecified'], ['fd00::1', 'unique-local'], ['fe80::1', 'link-local'],
      ['ff02::1', 'multicast'], ['2002:c0a8:101::1', '6to4'], ['64:ff9b::a00:1', 'NAT64'], ['64:ff9b:1::1', 'NAT64'],
      ['::ffff:127.0.0.1', 'loopback'], ['::ffff:a9fe:a9fe', 'link-local'], ['2001:db8::1', 'documentation'],
    ] as const) {
      expect(unsafeAddressReason(address), address).toContain(reason);
    }
    for (const address of ['93.184.215.14', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '172.32.0.1']) {
      expect(unsafeAddressReason(address), address).toBeUndefined();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// DNS against dnsmasq

/** A DNS server that answers every query with SERVFAIL (what a broken or DNSSEC-bogus zone yields). */
async function startServfailResponder(): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.on('message', (query, from) => {
    if (query.length < 12) return;
    let end = 12;
    while (end < query.length && query[end] !== 0) end += query[end]! + 1;
    const question = query.subarray(12, end + 5);
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2);
    header[2] = 0x80 | (query[2]! & 0x79);
    header[3] = 0x80 | 2;
    header.writeUInt16BE(1, 4);
    socket.send(Buffer.concat([header, question]), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

describe.skipIf(dnsMissing !== null && !STRICT_PREREQUISITES)('DNS proof against dnsmasq', () => {
  let dnsmasq: ChildProcess | undefined;
  let servfail: Socket | undefined;
  let silent: Socket | undefined;
  let work: string;
  let servers: string[];
  const resolver = () => ({ resolver: { servers, timeoutMs: 1500 } });

  beforeAll(async () => {
    if (dnsMissing) throw new Error(`${dnsMissing}; the DNS proof tests cannot be skipped in strict mode`);
    work = mkdtempSync(path.join(os.tmpdir(), 'dns-proof-'));
    servfail = await startServfailResponder();
    silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent!.bind(0, '127.0.0.1', resolve));
    const port = await freeUdpPort();
    const txt = (name: string, value: string) => `--txt-record=${name},${value}`;
    const args = [
      '--no-daemon', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts',
      '--conf-file=/dev/null', `--pid-file=${path.join(work, 'dnsmasq.pid')}`, '--local=/test/',
      `--server=/servfail.test/127.0.0.1#${servfail.address().port}`, `--server=/timeout.test/127.0.0.1#${silent.address().port}`,
      txt('ed.test', 'google-site-verification=abc123'), txt('ed.test', recordA),
      txt('ec.test', recordC),
      txt('multi.test', recordB), txt('multi.test', recordD), txt('multi.test', 'v=spf1 -all'),
      txt('multiok.test', recordB), txt('multiok.test', recordA),
      '--host-record=underscore.test,192.0.2.10', txt('_mcp.underscore.test', recordA),
      txt('registry.test', 'v=spf1 -all'), txt('_mcp-registry.registry.test', recordA),
      '--host-record=nodata.test,192.0.2.11',
      txt('other.test', 'v=spf1 -all'), txt('other.test', 'MS=ms12345'),
      txt('keytype.test', recordC),
      txt('badkey.test', 'v=MCPv1; k=ed25519; p=AAAA'),
      txt('content.test', recordA),
      txt('example.test', recordA), txt('api.example.test', recordA),
    ];
    dnsmasq = spawn(DNSMASQ!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    dnsmasq.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    servers = [`127.0.0.1:${port}`];
    const probe = new dnsPromises.Resolver({ timeout: 200, tries: 1 });
    probe.setServers(servers);
    for (let i = 0; ; i++) {
      try {
        await probe.resolveTxt('ed.test');
        break;
      } catch {
        if (i > 50 || dnsmasq.exitCode !== null) throw new Error(`dnsmasq did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });

  afterAll(() => {
    dnsmasq?.kill('SIGTERM');
    servfail?.close();
    silent?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('verifies an ed25519 record among other TXT records', async () => {
    expect(await verifyDnsProof(proof('ed.test'), resolver())).toEqual({ ok: true, fingerprint: fp(recordA) });
  });

  it('verifies an ecdsap384 record', async () => {
    expect(await verifyDnsProof(proof('ec.test', 'ecdsap384'), resolver())).toEqual({ ok: true, fingerprint: fp(recordC) });
  });

  it('accepts any verifying record among several', async () => {
    expect(await verifyDnsProof(proof('multiok.test'), resolver())).toEqual({ ok: true, fingerprint: fp(recordA) });
  });

  it('grants the domain and its subdomains: a record on example.test covers test.example.api', async () => {
    expect((await verifyDnsProof(proof('example.test'), resolver())).ok).toBe(true);
    expect(namespaceIsGranted('dns', 'example.test', 'test.example.api')).toBe(true);
    expect(namespaceIsGranted('http', 'example.test', 'test.example.api')).toBe(false);
  });

  it('names the fingerprints tried when several records verify nothing', async () => {
    const p = failure(await verifyDnsProof(proof('multi.test'), resolver()));
    expect(p.code).toBe('ownership-dns-signature-invalid');
    expect(p.message).toContain(fp(recordB));
    expect(p.message).toContain(fp(recordD));
    expect(p.message).toContain('none of the 2 ed25519 keys');
    expect(p.message).toContain(`sha256=${sha256Hex(SERVER_JSON)}`);
  });

  it('says to move a record on _mcp.<domain> to the apex', async () => {
    const p = failure(await verifyDnsProof(proof('underscore.test'), resolver()));
    expect(p.code).toBe('ownership-dns-record-not-at-apex');
    expect(p.message).toContain('_mcp.underscore.test');
    expect(p.hint).toMatch(/Move it to the apex/);
  });

  it('says to move a record on _mcp-registry.<domain> to the apex, even beside other TXT records', async () => {
    const p = failure(await verifyDnsProof(proof('registry.test'), resolver()));
    expect(p.code).toBe('ownership-dns-record-not-at-apex');
    expect(p.message).toContain('_mcp-registry.registry.test');
  });

  it('reports a domain without TXT records', async () => {
    expect(failure(await verifyDnsProof(proof('nodata.test'), resolver())).code).toBe('ownership-dns-no-txt-record');
  });

  it('reports TXT records none of which is MCPv1', async () => {
    const p = failure(await verifyDnsProof(proof('other.test'), resolver()));
    expect(p.code).toBe('ownership-dns-no-mcp-record');
    expect(p.message).toContain('v=spf1 -all');
  });

  it('reports NXDOMAIN', async () => {
    const p = failure(await verifyDnsProof(proof('missing.test'), resolver()));
    expect(p.code).toBe('ownership-dns-nxdomain');
    expect(p.message).toContain('NXDOMAIN');
  });

  it('reports SERVFAIL', async () => {
    const p = failure(await verifyDnsProof(proof('zone.servfail.test'), resolver()));
    expect(p.code).toBe('ownership-dns-servfail');
  });

  it('reports a timeout within the budget', async () => {
    const started = Date.now();
    const p = failure(await verifyDnsProof(proof('zone.timeout.test'), { resolver: { servers, timeoutMs: 700 } }));
    expect(p.code).toBe('ownership-dns-timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a record of another key type', async () => {
    const p = failure(await verifyDnsProof(proof('keytype.test'), resolver()));
    expect(p.code).toBe('ownership-dns-key-type-mismatch');
    expect(p.message).toContain('k=ecdsap384');
  });

  it('reports an unusable key', async () => {
    expect(failure(await verifyDnsProof(proof('badkey.test'), resolver())).code).toBe('ownership-dns-key-invalid');
  });

  it('reports a signature made for other content', async () => {
    const p = failure(await verifyDnsProof(proof('content.test', 'ed25519', CRLF_SIG), resolver()));
    expect(p.code).toBe('ownership-dns-signature-other-content');
    expect(p.message).toContain('CRLF');
    expect(p.message).toContain(`name=${NAME}, version=${VERSION}, sha256=${sha256Hex(SERVER_JSON)}`);
    const otherVersion = signProofMessage(keyA.privateKey, 'ed25519', buildProofMessage({ name: NAME, version: '1.1.0', serverJson: SERVER_JSON }));
    const q = failure(await verifyDnsProof(proof('content.test', 'ed25519', otherVersion), resolver()));
    expect(q.code).toBe('ownership-dns-signature-invalid');
    expect(q.hint).toMatch(/other content/);
  });

  it('refuses a malformed proof before any lookup', async () => {
    expect(failure(await verifyDnsProof(proof('1.2.3.4'), resolver())).code).toBe('ownership-proof-invalid');
    expect(failure(await verifyDnsProof(proof('ed.test', 'ed25519', 'xyz'), resolver())).code).toBe('ownership-proof-invalid');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// HTTP against an HTTPS server with a test CA

function makeCertificates(dir: string): { ca: string; key: string; cert: string } {
  const run = (args: string[]) => {
    const r = spawnSync(OPENSSL!, args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  writeFileSync(path.join(dir, 'leaf.ext'), 'subjectAltName=DNS:proof.test,DNS:*.proof.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=ownership test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=proof.test']);
  run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '2', '-extfile', 'leaf.ext']);
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  return { ca: read('ca.pem'), key: read('leaf.key'), cert: read('leaf.pem') };
}

const WELL_KNOWN = '/.well-known/mcp-registry-auth';

describe.skipIf(httpMissing !== null && !STRICT_PREREQUISITES)('HTTP proof against an HTTPS server', () => {
  let server: https.Server | undefined;
  let work: string;
  let ca: string;
  let port: number;
  const requests: { host: string; path: string; accept?: string; userAgent?: string }[] = [];
  let resolveCalls = 0;

  const loopback = async (host: string): Promise<ResolvedAddress[]> => {
    resolveCalls++;
    if (host.endsWith('.proof.test')) return [{ address: '127.0.0.1', family: 4 }];
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  };
  const testVerifier = (extra: Parameters<typeof createHttpProofVerifier>[0] = {}) =>
    createHttpProofVerifier({ allowLoopbackForTests: true, ca, port, resolve: loopback, ...extra });

  beforeAll(async () => {
    if (httpMissing) throw new Error(`${httpMissing}; the HTTP proof tests cannot be skipped in strict mode`);
    work = mkdtempSync(path.join(os.tmpdir(), 'http-proof-'));
    const certs = makeCertificates(work);
    ca = certs.ca;
    server = https.createServer({ key: certs.key, cert: certs.cert }, (req, res) => {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      requests.push({ host, path: req.url ?? '', accept: req.headers.accept, userAgent: req.headers['user-agent'] });
      if (req.url !== WELL_KNOWN) return res.writeHead(404).end();
      const text = (status: number, body: string, type = 'text/plain') => res.writeHead(status, { 'Content-Type': type }).end(body);
      switch (host.replace(/\.proof\.test$/, '')) {
        case 'ed': return text(200, `\n  ${recordA}\r\n\n`);
        case 'ec': return text(200, recordC);
        case 'wwwredir': return res.writeHead(301, { Location: `https://www.wwwredir.proof.test${WELL_KNOWN}` }).end();
        case 'redirect': return res.writeHead(302, { Location: 'https://cdn.example.net/auth.txt' }).end();
        case 'waf': return text(403, '<html><body>Attention Required! | Cloudflare</body></html>', 'text/html');
        case 'error': return text(500, 'oops');
        case 'html': return text(200, '<!DOCTYPE html><html><head><title>My app</title></head><body><div id="root"></div></body></html>', 'text/html; charset=utf-8');
        case 'large': {
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.write(recordA + ' '.repeat(3000));
          res.write(' '.repeat(3000));
          return res.end(' '.repeat(100_000));
        }
        case 'declared': return res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 10_000 }).end(' '.repeat(10_000));
        case 'garbage': return text(200, 'hello world');
        case 'keytype': return text(200, recordC);
        case 'content': return text(200, recordA);
        case 'wrongkey': return text(200, recordB);
        case 'slow': return; // never answers
        default: return res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('verifies an ed25519 record (whitespace trimmed) and sends the official request', async () => {
    requests.length = 0;
    expect(await testVerifier().verify(proof('ed.proof.test'))).toEqual({ ok: true, fingerprint: fp(recordA) });
    expect(requests).toEqual([{ host: 'ed.proof.test', path: WELL_KNOWN, accept: 'text/plain', userAgent: expect.stringMatching(/mcp-static-registry/) }]);
  });

  it('verifies an ecdsap384 record', async () => {
    expect(await testVerifier().verify(proof('ec.proof.test', 'ecdsap384'))).toEqual({ ok: true, fingerprint: fp(recordC) });
  });

  it('connects to the checked address: the name is resolved once, so a rebinding answer is never used', async () => {
    let calls = 0;
    const rebinding = async (): Promise<ResolvedAddress[]> => (calls++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.0.0.1', family: 4 }]);
    expect((await testVerifier({ resolve: rebinding }).verify(proof('ed.proof.test'))).ok).toBe(true);
    expect(calls).toBe(1);
  });

  it('grants the domain only, not its subdomains', () => {
    expect(namespaceIsGranted('http', 'ed.proof.test', 'test.proof.ed')).toBe(true);
    expect(namespaceIsGranted('http', 'ed.proof.test', 'test.proof.ed.api')).toBe(false);
  });

  it('names the target of a www redirect', async () => {
    const p = failure(await testVerifier().verify(proof('wwwredir.proof.test')));
    expect(p.code).toBe('ownership-http-redirect-www');
    expect(p.message).toContain(`https://www.wwwredir.proof.test${WELL_KNOWN}`);
  });

  it('does not follow other redirects and names the Location', async () => {
    requests.length = 0;
    const p = failure(await testVerifier().verify(proof('redirect.proof.test')));
    expect(p.code).toBe('ownership-http-redirect');
    expect(p.message).toContain('https://cdn.example.net/auth.txt');
    expect(requests).toHaveLength(1);
  });

  it('explains a 403 as a firewall or WAF', async () => {
    const p = failure(await testVerifier().verify(proof('waf.proof.test')));
    expect(p.code).toBe('ownership-http-forbidden');
    expect(p.message).toMatch(/firewall\/WAF/);
  });

  it('reports 404 and other statuses', async () => {
    expect(failure(await testVerifier().verify(proof('nothing.proof.test'))).code).toBe('ownership-http-not-found');
    const p = failure(await testVerifier().verify(proof('error.proof.test')));
    expect(p.code).toBe('ownership-http-status');
    expect(p.message).toContain('500');
  });

  it('recognises an HTML page served with 200', async () => {
    expect(failure(await testVerifier().verify(proof('html.proof.test'))).code).toBe('ownership-http-html');
  });

  it('stops reading a body over 4096 bytes', async () => {
    const p = failure(await testVerifier().verify(proof('large.proof.test')));
    expect(p.code).toBe('ownership-http-too-large');
    expect(p.message).toMatch(/reading stopped after \d+/);
    expect(Number(/after (\d+)/.exec(p.message)![1])).toBeLessThan(20_000);
    expect(failure(await testVerifier().verify(proof('declared.proof.test'))).message).toContain('Content-Length 10000');
  });

  it('reports a file without a record', async () => {
    expect(failure(await testVerifier().verify(proof('garbage.proof.test'))).code).toBe('ownership-http-no-record');
  });

  it('reports the wrong key type, another key and other content', async () => {
    expect(failure(await testVerifier().verify(proof('keytype.proof.test'))).code).toBe('ownership-http-key-type-mismatch');
    const wrong = failure(await testVerifier().verify(proof('wrongkey.proof.test')));
    expect(wrong.code).toBe('ownership-http-signature-invalid');
    expect(wrong.message).toContain(fp(recordB));
    const other = failure(await testVerifier().verify(proof('content.proof.test', 'ed25519', CRLF_SIG)));
    expect(other.code).toBe('ownership-http-signature-other-content');
  });

  it('times out', async () => {
    const started = Date.now();
    expect(failure(await testVerifier({ timeoutMs: 500 }).verify(proof('slow.proof.test'))).code).toBe('ownership-http-timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports TLS failures (a certificate from an unknown CA)', async () => {
    const p = failure(await createHttpProofVerifier({ allowLoopbackForTests: true, port, resolve: loopback }).verify(proof('ed.proof.test')));
    expect(p.code).toBe('ownership-http-tls');
  });

  it('reports a name that does not resolve', async () => {
    expect(failure(await testVerifier().verify(proof('nowhere.invalid'))).code).toBe('ownership-http-dns-failed');
  });

  it('refuses private, link-local and mixed answers even with the test switch, without connecting', async () => {
    for (const address of ['10.0.0.1', '169.254.169.254', 'fd00::1', '100.64.1.1']) {
      requests.length = 0;
      const family = address.includes(':') ? 6 : 4;
      const p = failure(await testVerifier({ resolve: async () => [{ address, family }] }).verify(proof('ed.proof.test')));
      expect(p.code).toBe('ownership-http-address-not-public');
      expect(p.message).toContain(address);
      expect(requests).toHaveLength(0);
    }
    const mixed = failure(await testVerifier({ resolve: async () => [{ address: '127.0.0.1', family: 4 }, { address: '192.168.0.5', family: 4 }] }).verify(proof('ed.proof.test')));
    expect(mixed.code).toBe('ownership-http-address-not-public');
  });

  it('refuses 127.0.0.1 without the factory parameter, whatever the environment or the input says', async () => {
    requests.length = 0;
    const saved = { ...process.env };
    try {
      for (const name of ['ALLOW_LOOPBACK', 'ALLOW_LOOPBACK_FOR_TESTS', 'MCP_ALLOW_LOOPBACK', 'OWNERSHIP_ALLOW_LOOPBACK', 'NODE_ENV', 'VITEST']) process.env[name] = name === 'NODE_ENV' ? 'test' : 'true';
      const defaults = createHttpProofVerifier({ ca, port, resolve: loopback });
      const p = failure(await defaults.verify({ ...proof('ed.proof.test'), allowLoopbackForTests: true } as Parameters<typeof defaults.verify>[0]));
      expect(p.code).toBe('ownership-http-address-not-public');
      expect(p.message).toContain('127.0.0.1 (a loopback address)');
      expect(requests).toHaveLength(0);
    } finally {
      process.env = saved;
    }
    // The module reads no environment and no files: the switch exists only as the factory parameter.
    const source = readFileSync(path.join(import.meta.dirname, '../scripts/lib/ownership/http-proof.ts'), 'utf8');
    expect(source).not.toMatch(/process\.env|readFile|node:fs/);
    expect(source.match(/[.\w]+\.allowLoopbackForTests\b.*/g)).toEqual(['options.allowLoopbackForTests === true;']);
    // The production entry point has no parameter to pass it through.
    expect(verifyHttpProof.length).toBe(1);
  });
});
