// GitHub Actions OIDC ownership proof: a local issuer on 127.0.0.1 serves a JWKS of test RSA keys; tokens are signed
// with jose. Also the publishing side: the token request against a fake ACTIONS_ID_TOKEN_REQUEST_URL endpoint, the
// proof.json it writes, and the PR it opens against a fake GitHub API that records requests.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateAction } from '@action-validator/core';
import { createRemoteJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createOctokit } from '../scripts/lib/github/pr-bot.ts';
import {
  buildProofJson,
  entryDirFor,
  idTokenRequestUrl,
  openPublishPr,
  parseIdTokenResponse,
  prepareOidcPublication,
  publishBranchName,
  requestIdToken,
} from '../scripts/lib/ownership/oidc-action.ts';
import {
  acceptRecordedProof,
  GITHUB_OIDC_ISSUER,
  GITHUB_OIDC_JWKS_URL,
  githubOidcVerifier,
  namespaceOfServerJson,
  oidcAudienceFor,
  parseOidcProofFile,
  registryUrlForRepository,
  sha256Hex,
  verifyOidcProof,
  type OidcVerifier,
} from '../scripts/lib/ownership/oidc-proof.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const REGISTRY_URL = 'https://github.com/example/mcp-registry';
const NOW = new Date('2026-07-01T12:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);

const serverJson = (name: string, version = '1.0.0') =>
  new TextEncoder().encode(
    `${JSON.stringify({ $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json', name, description: 'Weather', version }, null, 2)}\n`,
  );
const BYTES = serverJson('io.github.octo-org/weather');

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

let issuerServer: Server;
let issuer: string;
let verifier: OidcVerifier;
let jwksRequests = 0;
let k1: CryptoKey; // published as kid k1
let k2: CryptoKey; // published nowhere, signs as kid k2
let impostor: CryptoKey; // not published, signs claiming kid k1

beforeAll(async () => {
  const pair1 = await generateKeyPair('RS256', { extractable: true });
  k1 = pair1.privateKey;
  ({ privateKey: k2 } = await generateKeyPair('RS256'));
  ({ privateKey: impostor } = await generateKeyPair('RS256'));
  const { publicKey: other } = await generateKeyPair('RS256', { extractable: true });
  const jwks = {
    keys: [
      { ...(await exportJWK(pair1.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(other)), kid: 'k0', alg: 'RS256', use: 'sig' },
    ],
  };
  ({ server: issuerServer, url: issuer } = await listen((req, res) => {
    if (req.url === '/.well-known/jwks') {
      jwksRequests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    } else res.writeHead(404).end();
  }));
  verifier = { jwks: createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks`)), issuer };
});
afterAll(async () => {
  await close(issuerServer);
});

interface SignOptions {
  key?: CryptoKey;
  kid?: string | null;
  alg?: string;
  iss?: string;
  aud?: string | string[];
  exp?: number | null;
  bytes?: Uint8Array;
}

/** A token shaped like GitHub's, valid at NOW unless told otherwise. */
async function token(claims: JWTPayload = {}, o: SignOptions = {}): Promise<string> {
  const header: { alg: string; kid?: string; typ: string } = { alg: o.alg ?? 'RS256', typ: 'JWT' };
  if (o.kid !== null) header.kid = o.kid ?? 'k1';
  const jwt = new SignJWT({
    sub: 'repo:octo-org/weather:ref:refs/tags/v1.0.0',
    repository: 'octo-org/weather',
    repository_owner: 'octo-org',
    repository_owner_id: '123',
    ref: 'refs/tags/v1.0.0',
    ...claims,
  })
    .setProtectedHeader(header)
    .setIssuer(o.iss ?? issuer)
    .setAudience(o.aud ?? oidcAudienceFor(REGISTRY_URL, o.bytes ?? BYTES))
    .setIssuedAt(NOW_S - 60)
    .setNotBefore(NOW_S - 60);
  if (o.exp !== null) jwt.setExpirationTime(o.exp ?? NOW_S + 240);
  return jwt.sign(o.key ?? k1);
}

const verify = (t: string, extra: { bytes?: Uint8Array; now?: Date; registryUrl?: string; namespace?: string } = {}) =>
  verifyOidcProof(
    {
      token: t,
      serverJsonBytes: extra.bytes ?? BYTES,
      registryUrl: extra.registryUrl ?? REGISTRY_URL,
      now: extra.now ?? NOW,
      proofFile: 'entries/io.github.octo-org/weather/1.0.0/proof.json',
      ...(extra.namespace !== undefined ? { namespace: extra.namespace } : {}),
    },
    verifier,
  );

async function problemOf(t: string, extra?: Parameters<typeof verify>[1]) {
  const result = await verify(t, extra);
  if (result.ok) throw new Error('expected a problem');
  return result.problem;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('oidcAudienceFor', () => {
  it('binds the registry URL to the SHA-256 of the exact bytes', () => {
    const sha = sha256Hex(BYTES);
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(oidcAudienceFor(REGISTRY_URL, BYTES)).toBe(`${REGISTRY_URL}#sha256=${sha}`);
    expect(oidcAudienceFor(`${REGISTRY_URL}/`, BYTES)).toBe(`${REGISTRY_URL}#sha256=${sha}`);
    expect(oidcAudienceFor(REGISTRY_URL, new TextEncoder().encode('{}'))).toBe(
      `${REGISTRY_URL}#sha256=44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a`,
    );
    expect(registryUrlForRepository('example/mcp-registry')).toBe(REGISTRY_URL);
  });

  it('production issuer and JWKS are fixed in code', () => {
    expect(GITHUB_OIDC_ISSUER).toBe('https://token.actions.githubusercontent.com');
    expect(GITHUB_OIDC_JWKS_URL).toBe('https://token.actions.githubusercontent.com/.well-known/jwks');
    expect(githubOidcVerifier().issuer).toBe(GITHUB_OIDC_ISSUER);
  });

  it('reads the namespace from the server.json', () => {
    expect(namespaceOfServerJson(BYTES)).toBe('io.github.octo-org');
    expect(namespaceOfServerJson(new TextEncoder().encode('{"name":"noslash"}'))).toBeUndefined();
    expect(namespaceOfServerJson(new TextEncoder().encode('{'))).toBeUndefined();
  });
});

describe('verifyOidcProof', () => {
  it('accepts a token from the issuer bound to these bytes, and returns the record and the namespace it grants', async () => {
    const result = await verify(await token());
    expect(result).toEqual({
      ok: true,
      grants: 'io.github.octo-org',
      record: {
        method: 'github-oidc',
        owner: 'octo-org',
        subject: 'repo:octo-org/weather:ref:refs/tags/v1.0.0',
        repository: 'octo-org/weather',
        audience: oidcAudienceFor(REGISTRY_URL, BYTES),
        verifiedAt: NOW.toISOString(),
        tokenExpiresAt: new Date((NOW_S + 240) * 1000).toISOString(),
        serverJsonSha256: sha256Hex(BYTES),
      },
    });
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it('tolerates a little clock difference, no more', async () => {
    expect((await verify(await token({}, { exp: NOW_S - 10 }))).ok).toBe(true);
    expect((await problemOf(await token({}, { exp: NOW_S - 120 }))).code).toBe('ownership-oidc-token-expired');
  });

  it('expired token: says tokens live minutes and what to do', async () => {
    const p = await problemOf(await token(), { now: new Date(NOW.getTime() + 3_600_000) });
    expect(p).toMatchObject({ code: 'ownership-oidc-token-expired', severity: 'error', file: 'entries/io.github.octo-org/weather/1.0.0/proof.json' });
    expect(p.message).toContain('live minutes');
    expect(p.message).toContain(new Date((NOW_S + 240) * 1000).toISOString());
    expect(p.hint).toMatch(/re-run the publishing workflow/i);
    expect(p.hint).toContain('recorded proof');
  });

  it('wrong audience: content changed after signing, with the expected audience', async () => {
    const changed = serverJson('io.github.octo-org/weather').slice(0, -1); // newline dropped by an editor
    const p = await problemOf(await token(), { bytes: changed });
    expect(p.code).toBe('ownership-oidc-audience-mismatch');
    expect(p.message).toContain('changed after the token was requested');
    expect(p.message).toContain(sha256Hex(BYTES));
    expect(p.message).toContain(oidcAudienceFor(REGISTRY_URL, changed));
  });

  it('wrong audience: another registry, the official audience, or extra audiences', async () => {
    for (const aud of ['https://registry.modelcontextprotocol.io', oidcAudienceFor('https://github.com/other/registry', BYTES)]) {
      const p = await problemOf(await token({}, { aud }));
      expect(p.code).toBe('ownership-oidc-audience-mismatch');
      expect(p.message).toContain('not bound to this registry');
      expect(p.message).toContain(`Expected audience: ${oidcAudienceFor(REGISTRY_URL, BYTES)}`);
    }
    const both = await problemOf(await token({}, { aud: [oidcAudienceFor(REGISTRY_URL, BYTES), 'https://elsewhere.example'] }));
    expect(both.code).toBe('ownership-oidc-audience-mismatch');
    expect((await verify(await token({}, { aud: [oidcAudienceFor(REGISTRY_URL, BYTES)] }))).ok).toBe(true);
  });

  it('wrong issuer', async () => {
    const p = await problemOf(await token({}, { iss: 'https://token.actions.example.com' }));
    expect(p.code).toBe('ownership-oidc-issuer-mismatch');
    expect(p.message).toContain('"https://token.actions.example.com"');
    expect(p.message).toContain(issuer);
  });

  it('forged signature: a key that is not the published one, claiming its kid', async () => {
    const p = await problemOf(await token({}, { key: impostor }));
    expect(p.code).toBe('ownership-oidc-signature-invalid');
    expect(p.message).toContain('forged');
  });

  it('altered payload: the signature no longer verifies', async () => {
    const [h, , s] = (await token()).split('.');
    const payload = b64url({ iss: issuer, aud: oidcAudienceFor(REGISTRY_URL, BYTES), exp: NOW_S + 240, repository_owner: 'octo-org' });
    expect((await problemOf(`${h}.${payload}.${s}`)).code).toBe('ownership-oidc-signature-invalid');
  });

  it('a key not in the JWKS (unknown kid), and a token without kid', async () => {
    const p = await problemOf(await token({}, { key: k2, kid: 'k2' }));
    expect(p.code).toBe('ownership-oidc-key-unknown');
    expect(p.message).toContain('"k2"');
    expect((await problemOf(await token({}, { kid: null }))).code).toBe('ownership-oidc-key-unknown');
  });

  it('HS256 (even with the public JWK as secret) and alg none are rejected', async () => {
    const hs = await new SignJWT({ repository_owner: 'octo-org' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(oidcAudienceFor(REGISTRY_URL, BYTES))
      .setExpirationTime(NOW_S + 240)
      .sign(new TextEncoder().encode('0123456789abcdef0123456789abcdef'));
    const p = await problemOf(hs);
    expect(p.code).toBe('ownership-oidc-algorithm-not-allowed');
    expect(p.message).toContain('"HS256"');

    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: issuer, aud: oidcAudienceFor(REGISTRY_URL, BYTES), exp: NOW_S + 240, repository_owner: 'octo-org' })}.`;
    const q = await problemOf(none);
    expect(q.code).toBe('ownership-oidc-algorithm-not-allowed');
    expect(q.message).toContain('"none"');

    const rs384 = await token({}, { alg: 'RS384', key: (await generateKeyPair('RS384')).privateKey });
    expect((await problemOf(rs384)).code).toBe('ownership-oidc-algorithm-not-allowed');
  });

  it('missing or malformed repository_owner', async () => {
    const missing = await problemOf(await token({ repository_owner: undefined }));
    expect(missing.code).toBe('ownership-oidc-owner-claim-invalid');
    expect(missing.message).toContain('no "repository_owner" claim');
    for (const owner of ['octo_org', '', 'octo/org', 42]) {
      const p = await problemOf(await token({ repository_owner: owner }));
      expect(p.code, String(owner)).toBe('ownership-oidc-owner-claim-invalid');
    }
  });

  it('a token from another owner than the namespace', async () => {
    const p = await problemOf(await token({ repository_owner: 'someone-else', repository: 'someone-else/fork' }));
    expect(p.code).toBe('ownership-oidc-owner-mismatch');
    expect(p.message).toContain('"io.github.someone-else"');
    expect(p.message).toContain('"io.github.octo-org"');
    expect(p.hint).toContain('owned by "octo-org"');

    const dns = serverJson('com.example/weather');
    const q = await problemOf(await token({}, { bytes: dns }), { bytes: dns });
    expect(q.code).toBe('ownership-oidc-owner-mismatch');
    expect(q.hint).toContain('DNS or HTTP proof');
  });

  it('casing mismatch: its own message with the exact name to use', async () => {
    const cased = serverJson('io.github.Octo-Org/weather');
    const p = await problemOf(await token({}, { bytes: cased }), { bytes: cased });
    expect(p.code).toBe('ownership-oidc-owner-case-mismatch');
    expect(p.message).toContain('"io.github.octo-org"');
    expect(p.hint).toContain('"io.github.octo-org/<server>"');
    // and the claim's casing is what counts
    const upper = serverJson('io.github.Octo-Org/weather');
    expect((await verify(await token({ repository_owner: 'Octo-Org' }, { bytes: upper }), { bytes: upper })).ok).toBe(true);
  });

  it('a namespace that cannot be read from the server.json', async () => {
    const bad = new TextEncoder().encode('{"name": 5}');
    expect((await problemOf(await token({}, { bytes: bad }), { bytes: bad })).code).toBe('ownership-oidc-namespace-unknown');
    expect((await verify(await token({}, { bytes: bad }), { bytes: bad, namespace: 'io.github.octo-org' })).ok).toBe(true);
  });

  it('malformed JWTs', async () => {
    const good = await token();
    for (const bad of ['', 'abc', 'a.b', ` ${good}`, `${good}\n`, `"${good}"`, 'e30.e30.', '!!!.e30.sig', `${'a'.repeat(20_000)}.b.c`, 'eyJhbGciOi.eyJ.x']) {
      const p = await problemOf(bad);
      expect(p.code, JSON.stringify(bad.slice(0, 30))).toBe('ownership-oidc-token-malformed');
    }
    const noExp = await problemOf(await token({}, { exp: null }));
    expect(noExp.code).toBe('ownership-oidc-token-malformed');
    expect(noExp.message).toContain('"exp"');
  });

  it('a token that is not valid yet', async () => {
    const early = await new SignJWT({ repository_owner: 'octo-org' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(oidcAudienceFor(REGISTRY_URL, BYTES))
      .setNotBefore(NOW_S + 600)
      .setExpirationTime(NOW_S + 900)
      .sign(k1);
    expect((await problemOf(early)).code).toBe('ownership-oidc-claim-invalid');
  });

  it('an unreachable JWKS is reported as such, not as a bad entry', async () => {
    const { server, url } = await listen((_req, res) => res.writeHead(500).end());
    await close(server);
    const result = await verifyOidcProof(
      { token: await token({}, { iss: url }), serverJsonBytes: BYTES, registryUrl: REGISTRY_URL, now: NOW },
      { jwks: createRemoteJWKSet(new URL(`${url}/.well-known/jwks`), { timeoutDuration: 2000 }), issuer: url },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.code).toBe('ownership-oidc-jwks-unavailable');
  });
});

describe('acceptRecordedProof', () => {
  it('accepts the record for the same bytes after the token expired, and rejects it for other bytes', async () => {
    const valid = await token();
    const result = await verify(valid);
    if (!result.ok) throw new Error(result.problem.message);
    const stored: unknown = JSON.parse(JSON.stringify(result.record));
    // Hours later, the token is long expired ...
    const later = await verify(valid, { now: new Date(NOW.getTime() + 6 * 3_600_000) });
    if (later.ok || !later.expired) throw new Error('expected an expired token with its verified claims');
    expect(later.problem.code).toBe('ownership-oidc-token-expired');
    const claims = later.expired;
    expect(claims).toEqual({ owner: 'octo-org', subject: 'repo:octo-org/weather:ref:refs/tags/v1.0.0', tokenExpiresAt: result.record.tokenExpiresAt, audience: result.record.audience });
    // ... but the record of the same content and the same token still stands.
    expect(acceptRecordedProof(stored, BYTES, { token: claims })).toEqual({ ok: true, record: result.record, grants: 'io.github.octo-org' });
    expect(acceptRecordedProof(stored, BYTES, { registryUrl: REGISTRY_URL, namespace: 'io.github.octo-org', token: claims }).ok).toBe(true);

    const other = serverJson('io.github.octo-org/weather', '1.0.1');
    const rejected = acceptRecordedProof(stored, other, { token: claims });
    expect(rejected.ok).toBe(false);
    if (!rejected.ok) expect(rejected.reason).toContain(sha256Hex(other));
    expect(acceptRecordedProof(stored, BYTES, { registryUrl: 'https://github.com/other/registry', token: claims }).ok).toBe(false);
    expect(acceptRecordedProof(stored, BYTES, { namespace: 'io.github.someone-else', token: claims }).ok).toBe(false);
  });

  it('accepts a record only for the token it records: owner, subject and expiry must be the expired token\'s verified claims', async () => {
    const attacker = await token({ repository_owner: 'mallory', repository: 'mallory/weather', sub: 'repo:mallory/weather:ref:refs/heads/main' });
    const expired = await verify(attacker, { now: new Date(NOW.getTime() + 3_600_000), namespace: 'io.github.octo-org' });
    if (expired.ok || !expired.expired) throw new Error('expected an expired token with its verified claims');
    const forged = {
      method: 'github-oidc', owner: 'octo-org', subject: 'repo:octo-org/weather:ref:refs/tags/v1.0.0', repository: 'octo-org/weather',
      audience: oidcAudienceFor(REGISTRY_URL, BYTES), verifiedAt: NOW.toISOString(), tokenExpiresAt: new Date((NOW_S + 240) * 1000).toISOString(), serverJsonSha256: sha256Hex(BYTES),
    };
    const claims = expired.expired;
    expect(acceptRecordedProof(forged, BYTES, { namespace: 'io.github.octo-org', token: claims })).toMatchObject({ ok: false, reason: expect.stringContaining('the token for mallory') });
    // Right owner, another subject or another expiry: another token.
    const own = { ...claims, owner: 'octo-org' };
    expect(acceptRecordedProof({ ...forged, subject: 'repo:octo-org/other:ref:refs/heads/main' }, BYTES, { token: { ...own, subject: forged.subject } }).ok).toBe(false);
    expect(acceptRecordedProof(forged, BYTES, { token: { ...own, subject: forged.subject, tokenExpiresAt: new Date((NOW_S + 600) * 1000).toISOString() } }).ok).toBe(false);
    expect(acceptRecordedProof(forged, BYTES, { token: { ...own, subject: forged.subject } }).ok).toBe(true);
    // Recorded after the token had expired: not a record of a verification.
    expect(acceptRecordedProof({ ...forged, verifiedAt: new Date((NOW_S + 3600) * 1000).toISOString() }, BYTES, { token: { ...own, subject: forged.subject } }).ok).toBe(false);
  });

  it('rejects anything that is not a record', () => {
    const record = {
      method: 'github-oidc',
      owner: 'octo-org',
      subject: 's',
      repository: 'octo-org/weather',
      audience: oidcAudienceFor(REGISTRY_URL, BYTES),
      verifiedAt: NOW.toISOString(),
      tokenExpiresAt: NOW.toISOString(),
      serverJsonSha256: sha256Hex(BYTES),
    };
    const claims = { owner: 'octo-org', subject: 's', tokenExpiresAt: NOW.toISOString(), audience: record.audience };
    expect(acceptRecordedProof(record, BYTES, { token: claims }).ok).toBe(true);
    for (const bad of [null, 'x', [], { ...record, method: 'dns' }, { ...record, owner: 'a_b' }, { ...record, verifiedAt: 'yesterday' }, { ...record, serverJsonSha256: 'ABC' }, { ...record, audience: `${REGISTRY_URL}#sha256=${'0'.repeat(64)}` }]) {
      expect(acceptRecordedProof(bad, BYTES, { token: claims }).ok, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('the publish action', () => {
  it('builds the token request URL with the audience', () => {
    expect(idTokenRequestUrl('https://runtime.example/token?api-version=2.0', 'https://x#sha256=ab')).toBe(
      'https://runtime.example/token?api-version=2.0&audience=https%3A%2F%2Fx%23sha256%3Dab',
    );
    expect(idTokenRequestUrl('https://runtime.example/token', 'a')).toBe('https://runtime.example/token?audience=a');
    expect(() => idTokenRequestUrl('', 'a')).toThrow(/id-token: write/);
  });

  it('parses the runtime answer', () => {
    expect(parseIdTokenResponse(200, '{"count":1,"value":"a.b.c"}')).toBe('a.b.c');
    expect(() => parseIdTokenResponse(403, 'no')).toThrow(/id-token: write/);
    expect(() => parseIdTokenResponse(200, 'nope')).toThrow(/not JSON/);
    expect(() => parseIdTokenResponse(200, '{"value":""}')).toThrow(/no JWT/);
  });

  it('finds the entry folder from the server.json, refusing path tricks', () => {
    expect(entryDirFor(BYTES)).toEqual({ name: 'io.github.octo-org/weather', version: '1.0.0', dir: 'entries/io.github.octo-org/weather/1.0.0' });
    expect(() => entryDirFor(serverJson('io.github.octo-org/..'))).toThrow(/name/);
    expect(() => entryDirFor(serverJson('io.github.octo-org/w', '../1'))).toThrow(/version/);
    expect(() => entryDirFor(serverJson('io.github.octo-org/w', '..'))).toThrow(/version/);
    expect(publishBranchName('io.github.octo-org/weather', '1.0.0+build')).toBe('publish/io.github.octo-org/weather/1.0.0-build');
  });

  it('requests the token from ACTIONS_ID_TOKEN_REQUEST_URL with the audience and bearer token, and writes proof.json', async () => {
    const seen: { url: string; auth?: string; accept?: string }[] = [];
    const { server, url } = await listen((req, res) => {
      seen.push({ url: req.url!, auth: req.headers.authorization, accept: req.headers.accept });
      if (req.headers.authorization !== 'Bearer runtime-secret') return void res.writeHead(401).end('bad token');
      const aud = new URL(req.url!, 'http://x').searchParams.get('audience')!;
      // The fake runtime answers like GitHub's: a token for the requested audience, signed by the test issuer.
      void token({}, { aud }).then((value) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: 1, value })));
    });
    try {
      const publication = await prepareOidcPublication({
        serverJsonBytes: BYTES,
        registryUrl: REGISTRY_URL,
        requestUrl: `${url}/token?api-version=2.0`,
        requestToken: 'runtime-secret',
      });
      expect(seen).toHaveLength(1);
      const requested = new URL(seen[0]!.url, 'http://x');
      expect(requested.pathname).toBe('/token');
      expect(requested.searchParams.get('api-version')).toBe('2.0');
      expect(requested.searchParams.get('audience')).toBe(oidcAudienceFor(REGISTRY_URL, BYTES));
      expect(seen[0]!.auth).toBe('Bearer runtime-secret');
      expect(publication.audience).toBe(oidcAudienceFor(REGISTRY_URL, BYTES));

      expect(publication.files.map((f) => f.path)).toEqual([
        'entries/io.github.octo-org/weather/1.0.0/server.json',
        'entries/io.github.octo-org/weather/1.0.0/proof.json',
      ]);
      expect(Buffer.from(publication.files[0]!.content).equals(Buffer.from(BYTES))).toBe(true);
      const proofText = new TextDecoder().decode(publication.files[1]!.content);
      const proof = parseOidcProofFile(proofText)!;
      expect(JSON.parse(proofText)).toEqual({ method: 'github-oidc', token: proof.token });
      expect(proofText).toBe(buildProofJson(proof.token));

      // What the action wrote is what the check accepts.
      const result = await verify(proof.token);
      expect(result.ok).toBe(true);

      await expect(
        prepareOidcPublication({ serverJsonBytes: BYTES, registryUrl: REGISTRY_URL, requestUrl: `${url}/token?api-version=2.0`, requestToken: 'wrong' }),
      ).rejects.toThrow(/HTTP 401.*id-token: write/);
      await expect(requestIdToken({ requestUrl: `${url}/token`, requestToken: '', audience: 'a' })).rejects.toThrow(/ACTIONS_ID_TOKEN_REQUEST_TOKEN/);
    } finally {
      await close(server);
    }
  });

  it('parses proof.json', () => {
    expect(parseOidcProofFile('{"method":"github-oidc","token":"a.b.c"}')).toEqual({ method: 'github-oidc', token: 'a.b.c' });
    expect(parseOidcProofFile('{"method":"dns","signature":"x"}')).toBeUndefined();
    expect(parseOidcProofFile('nope')).toBeUndefined();
  });

  it('opens the PR from a fork with the exact bytes, through a GitHub API that records requests', async () => {
    const requests: { method: string; path: string; body: any }[] = [];
    const { server, url } = await listen((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c));
      req.on('end', () => {
        const body = text ? JSON.parse(text) : undefined;
        const p = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
        requests.push({ method: req.method!, path: p, body });
        const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        const route = `${req.method} ${p}`;
        if (route === 'GET /repos/example/mcp-registry') return json(200, { default_branch: 'main' });
        if (route === 'GET /repos/example/mcp-registry/git/ref/heads/main') return json(200, { object: { sha: 'base-sha' } });
        if (route === 'GET /repos/example/mcp-registry/git/commits/base-sha') return json(200, { sha: 'base-sha', tree: { sha: 'base-tree' } });
        if (route === 'POST /repos/example/mcp-registry/forks') return json(202, { name: 'mcp-registry', owner: { login: 'octo-bot' } });
        if (route === 'GET /repos/octo-bot/mcp-registry') return json(200, { default_branch: 'main' });
        if (route === 'POST /repos/octo-bot/mcp-registry/merge-upstream') return json(200, {});
        if (route === 'POST /repos/octo-bot/mcp-registry/git/blobs') return json(201, { sha: `blob-${requests.length}` });
        if (route === 'POST /repos/octo-bot/mcp-registry/git/trees') return json(201, { sha: 'new-tree' });
        if (route === 'POST /repos/octo-bot/mcp-registry/git/commits') return json(201, { sha: 'new-commit' });
        if (route === 'POST /repos/octo-bot/mcp-registry/git/refs') return json(201, {});
        if (route === 'GET /repos/example/mcp-registry/pulls') return json(200, []);
        if (route === 'POST /repos/example/mcp-registry/pulls') return json(201, { number: 7, html_url: 'https://github.com/example/mcp-registry/pull/7' });
        json(404, { message: 'Not Found' });
      });
    });
    try {
      const proof = buildProofJson('a.b.c');
      const pr = await openPublishPr({
        octokit: createOctokit({ token: 'publisher-pat', baseUrl: url }),
        repository: 'example/mcp-registry',
        files: [
          { path: 'entries/io.github.octo-org/weather/1.0.0/server.json', content: BYTES },
          { path: 'entries/io.github.octo-org/weather/1.0.0/proof.json', content: new TextEncoder().encode(proof) },
        ],
        branch: 'publish/io.github.octo-org/weather/1.0.0',
        title: 'Publish io.github.octo-org/weather 1.0.0',
        body: 'body',
      });
      expect(pr).toEqual({ url: 'https://github.com/example/mcp-registry/pull/7', number: 7 });
      expect(requests.filter((r) => r.body === undefined || r.method !== 'GET').length).toBeGreaterThan(0);
      const blobs = requests.filter((r) => r.path.endsWith('/git/blobs'));
      expect(blobs.map((b) => b.body.encoding)).toEqual(['base64', 'base64']);
      expect(Buffer.from(blobs[0]!.body.content, 'base64').equals(Buffer.from(BYTES))).toBe(true);
      expect(Buffer.from(blobs[1]!.body.content, 'base64').toString()).toBe(proof);
      const tree = requests.find((r) => r.path.endsWith('/git/trees'))!.body;
      expect(tree.base_tree).toBe('base-tree');
      expect(tree.tree.map((t: { path: string }) => t.path)).toEqual([
        'entries/io.github.octo-org/weather/1.0.0/server.json',
        'entries/io.github.octo-org/weather/1.0.0/proof.json',
      ]);
      expect(requests.find((r) => r.path.endsWith('/git/commits') && r.method === 'POST')!.body.parents).toEqual(['base-sha']);
      expect(requests.find((r) => r.path.endsWith('/git/refs'))!.body).toEqual({ ref: 'refs/heads/publish/io.github.octo-org/weather/1.0.0', sha: 'new-commit' });
      const create = requests.find((r) => r.method === 'POST' && r.path === '/repos/example/mcp-registry/pulls')!.body;
      expect(create).toMatchObject({ head: 'octo-bot:publish/io.github.octo-org/weather/1.0.0', base: 'main', title: 'Publish io.github.octo-org/weather 1.0.0' });
    } finally {
      await close(server);
    }
  });

  it('action.yml is a valid composite action that passes inputs through the environment only', () => {
    const text = readFileSync(path.join(ROOT, '.github/actions/publish/action.yml'), 'utf8');
    expect(validateAction(text).errors).toEqual([]);
    const action = parse(text) as { inputs: Record<string, unknown>; runs: { using: string; steps: { run?: string }[] } };
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['server-json', 'registry-repository', 'registry-url', 'github-token']));
    for (const step of action.runs.steps) expect(step.run ?? '').not.toContain('${{');
    expect(text).toContain('scripts/publish-action.ts');
  });
});
