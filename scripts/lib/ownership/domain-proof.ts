// Domain ownership proofs (DNS and HTTP), the parts that need no network: the signed message, the proof record
// format, signature verification and the namespaces a verified domain grants.
//
// The record format is byte-for-byte the official registry's (official-registry.md §4.4), so a publisher's existing
// `v=MCPv1; k=…; p=…` record works unchanged. What is signed differs: the official registry signs a timestamp at
// login time; a pull request is checked later and again on every run, so the publisher signs a message bound to the
// content instead (PROOF_MESSAGE_VERSION 1, see buildProofMessage) and commits the signature in proof.json.

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { escapePointerSegment, problem, type Problem } from '../problems.ts';

export type ProofMethod = 'dns' | 'http';
export type ProofAlgorithm = 'ed25519' | 'ecdsap384';
export const PROOF_ALGORITHMS: readonly ProofAlgorithm[] = ['ed25519', 'ecdsap384'];
export const PROOF_MESSAGE_VERSION = 1;
export { PROOF_FILE_NAME } from './proof-file.ts';

/** The contents of `entries/<ns>/<server>/<version>/proof.json`. */
export interface DomainProof {
  method: ProofMethod;
  domain: string;
  algorithm: ProofAlgorithm;
  /** Hex of the signature over the v1 message. */
  signature: string;
}

// ---------------------------------------------------------------------------------------------------------------
// The signed message

const MESSAGE_HEADER = 'mcp-static-registry publish v1\n';

/** Lowercase hex SHA-256 of the exact server.json bytes. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface ProofMessageInput {
  /** The server name, e.g. `com.example/weather`. */
  name: string;
  version: string;
  /** The exact server.json bytes (a string is taken as UTF-8); or give `sha256`. */
  serverJson?: Uint8Array | string;
  /** Lowercase hex SHA-256 of the server.json bytes, when the bytes are not at hand. */
  sha256?: string;
}

/**
 * The v1 message, exact bytes:
 * `mcp-static-registry publish v1\nname=<name>\nversion=<version>\nsha256=<lowercase hex SHA-256 of server.json>\n`.
 * Ed25519 signs these bytes; ECDSA P-384 signs their SHA-384.
 */
export function buildProofMessage(input: ProofMessageInput): string {
  const sha = input.sha256 ?? (input.serverJson !== undefined ? sha256Hex(input.serverJson) : undefined);
  if (sha === undefined) throw new Error('buildProofMessage needs serverJson or sha256');
  if (!/^[0-9a-f]{64}$/.test(sha)) throw new Error('sha256 must be 64 lowercase hex digits');
  for (const [field, value] of [['name', input.name], ['version', input.version]] as const) {
    if (value === '' || /[\r\n]/.test(value)) throw new Error(`${field} must be non-empty and on one line`);
  }
  return `${MESSAGE_HEADER}name=${input.name}\nversion=${input.version}\nsha256=${sha}\n`;
}

/** The fields of a v1 message, or undefined when the text is not exactly one. */
export function parseProofMessage(message: string): { name: string; version: string; sha256: string } | undefined {
  const m = /^mcp-static-registry publish v1\nname=([^\r\n]+)\nversion=([^\r\n]+)\nsha256=([0-9a-f]{64})\n$/.exec(message);
  return m ? { name: m[1]!, version: m[2]!, sha256: m[3]! } : undefined;
}

// The authorization statement, version 1. A publish message proves one server.json and nothing else; changes to
// the owners ledger, to a server's status and deletions are made by a person, so the domain owner signs who may
// make them, in which registry, until when:
// `mcp-static-registry authorize v1\nregistry=<url>\nauthor=<GitHub login>\nnamespace=<namespace>\nexpires=<UTC>\n`.
// Its own first line keeps a publish signature from ever verifying as a statement, and the other way round.

const STATEMENT_HEADER = 'mcp-static-registry authorize v1\n';
/** `expires=` is an RFC 3339 UTC time to the second, e.g. 2026-07-01T00:00:00Z. */
export const STATEMENT_EXPIRES_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export interface StatementMessageInput {
  /** The registry's URL, without a trailing slash (as the checking workflow is configured). */
  registry: string;
  /** The GitHub login of the pull request's author, as GitHub spells it. */
  author: string;
  namespace: string;
  /** RFC 3339 UTC to the second (`2026-07-01T00:00:00Z`). */
  expires: string;
}

export function buildStatementMessage(input: StatementMessageInput): string {
  for (const [field, value] of Object.entries(input)) {
    if (value === '' || /[\s]/.test(value)) throw new Error(`${field} must be non-empty, without spaces or line breaks`);
  }
  if (!STATEMENT_EXPIRES_PATTERN.test(input.expires)) throw new Error('expires must be a UTC time such as 2026-07-01T00:00:00Z');
  return `${STATEMENT_HEADER}registry=${input.registry}\nauthor=${input.author}\nnamespace=${input.namespace}\nexpires=${input.expires}\n`;
}

export function parseStatementMessage(message: string): StatementMessageInput | undefined {
  const m = /^mcp-static-registry authorize v1\nregistry=(\S+)\nauthor=(\S+)\nnamespace=(\S+)\nexpires=(\S+)\n$/.exec(message);
  return m ? { registry: m[1]!, author: m[2]!, namespace: m[3]!, expires: m[4]! } : undefined;
}

/** Contents a publisher plausibly signed by mistake instead of `message`, each with what differs. */
export interface SignedContentVariant {
  bytes: Buffer;
  difference: string;
}

/**
 * Plausible wrong contents for a signature, so that "signed other content" can be told apart from "signed with
 * another key": the message with CRLF or without its final newline, an upper-case digest, the server.json bytes
 * themselves or its digest alone, and the message for the server.json with other line endings, a byte-order mark or
 * another final newline (an editor or git autocrlf changed the file after signing).
 */
export function signedContentVariants(message: string, serverJson?: Uint8Array): SignedContentVariant[] {
  const out: SignedContentVariant[] = [];
  const add = (bytes: Buffer | string, difference: string) => {
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
    if (!b.equals(Buffer.from(message, 'utf8')) && !out.some((v) => v.bytes.equals(b))) out.push({ bytes: b, difference });
  };
  add(message.replace(/\n/g, '\r\n'), 'the message with CRLF line endings (it must use LF, "\\n")');
  add(message.replace(/\n$/, ''), 'the message without its final newline');
  add(message + '\n', 'the message with an extra final newline');
  const fields = parseProofMessage(message);
  if (!fields) return out;
  add(message.replace(`sha256=${fields.sha256}`, `sha256=${fields.sha256.toUpperCase()}`), 'the message with an upper-case sha256 (it must be lower case)');
  add(fields.sha256, 'the bare sha256 hex string instead of the whole v1 message');
  if (serverJson === undefined) return out;
  const bytes = Buffer.from(serverJson);
  add(bytes, 'the server.json file itself instead of the v1 message');
  add(createHash('sha256').update(bytes).digest(), 'the raw SHA-256 digest of server.json instead of the v1 message');
  const text = bytes.toString('utf8');
  const forBytes = (other: string | Buffer, what: string) => {
    const sha = sha256Hex(other);
    if (sha !== fields.sha256) add(buildProofMessage({ name: fields.name, version: fields.version, sha256: sha }), `the message for ${what}`);
  };
  forBytes(text.replace(/\r\n/g, '\n'), 'server.json with LF line endings (the committed file has CRLF)');
  forBytes(text.replace(/\r?\n/g, '\r\n'), 'server.json with CRLF line endings (the committed file has LF; check git autocrlf)');
  forBytes(text.endsWith('\n') ? text.replace(/\r?\n$/, '') : text + '\n', text.endsWith('\n') ? 'server.json without its final newline' : 'server.json with a final newline');
  forBytes(text.startsWith('\uFEFF') ? text.slice(1) : '\uFEFF' + text, text.startsWith('\uFEFF') ? 'server.json without its byte-order mark' : 'server.json with a byte-order mark');
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Records

/** The official regex (internal/api/handlers/v0/auth/dns.go), unanchored as there. */
export const PROOF_RECORD_PATTERN = /v=MCPv1;\s*k=([^;]+);\s*p=([A-Za-z0-9+/=]+)/;

export interface ProofRecord {
  /** The record's `k=` value as written (may be an algorithm this registry does not know). */
  algorithm: string;
  /** The record's `p=` value, base64. */
  publicKey: string;
  /** `<alg>:<first 8 base64 chars>`, as the official registry prints it. */
  fingerprint: string;
  /** The record text it came from. */
  record: string;
}

export function keyFingerprint(algorithm: string, publicKeyBase64: string): string {
  return `${algorithm}:${publicKeyBase64.slice(0, 8)}`;
}

/** The MCPv1 record in one text (a TXT record's joined strings, or the well-known file), or undefined. */
export function parseProofRecord(text: string): ProofRecord | undefined {
  const m = PROOF_RECORD_PATTERN.exec(text);
  if (!m) return undefined;
  const algorithm = m[1]!.trim();
  return { algorithm, publicKey: m[2]!, fingerprint: keyFingerprint(algorithm, m[2]!), record: text };
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
// SubjectPublicKeyInfo for id-ecPublicKey / secp384r1 with a 49-byte compressed point; OpenSSL decompresses it and
// refuses a point that is not on the curve.
const P384_COMPRESSED_SPKI_PREFIX = Buffer.from('3046301006072a8648ce3d020106052b81040022033200', 'hex');

/** The public key of a record, or why it is unusable. */
export function publicKeyFromRecord(record: Pick<ProofRecord, 'algorithm' | 'publicKey'>): KeyObject | string {
  const raw = Buffer.from(record.publicKey, 'base64');
  if (raw.toString('base64') !== record.publicKey) return 'p= is not standard padded base64';
  try {
    if (record.algorithm === 'ed25519') {
      if (raw.length !== 32) return `an ed25519 key is 32 bytes, p= holds ${raw.length}`;
      return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    }
    if (record.algorithm === 'ecdsap384') {
      if (raw.length !== 49 || (raw[0] !== 2 && raw[0] !== 3)) {
        return `an ecdsap384 key is a 49-byte compressed point starting with 0x02 or 0x03, p= holds ${raw.length} bytes${raw.length > 0 ? ` starting with 0x${raw[0]!.toString(16).padStart(2, '0')}` : ''}`;
      }
      return createPublicKey({ key: Buffer.concat([P384_COMPRESSED_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    }
  } catch {
    return 'p= is not a point on the curve';
  }
  return `k=${record.algorithm} is not a supported algorithm (ed25519 or ecdsap384)`;
}

/** Whether `signatureHex` is a valid signature of `message` by `key` with `algorithm`. */
export function verifyProofSignature(key: KeyObject, algorithm: ProofAlgorithm, message: Uint8Array | string, signatureHex: string): boolean {
  const signature = Buffer.from(signatureHex, 'hex');
  const data = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  try {
    if (algorithm === 'ed25519') return signature.length === 64 && verify(null, data, key, signature);
    return signature.length === 96 && verify('sha384', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** Why a signature string is malformed for the algorithm, or undefined. */
export function signatureFormatProblem(algorithm: ProofAlgorithm, signatureHex: string): string | undefined {
  const bytes = algorithm === 'ed25519' ? 64 : 96;
  if (!/^[0-9a-fA-F]*$/.test(signatureHex) || signatureHex.length % 2 !== 0) return 'is not hex-encoded';
  if (signatureHex.length !== bytes * 2) return `has ${signatureHex.length / 2} bytes; an ${algorithm} signature has ${bytes} (${bytes * 2} hex digits)`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Signing and keys (publisher CLI, tests)

/** Hex signature of `message` as the verifier expects it (Ed25519 over the bytes; ECDSA P-384 over SHA-384, R||S). */
export function signProofMessage(privateKey: KeyObject | string, algorithm: ProofAlgorithm, message: Uint8Array | string): string {
  const data = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  if (algorithm === 'ed25519') return sign(null, data, privateKey).toString('hex');
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return sign('sha384', data, { key, dsaEncoding: 'ieee-p1363' }).toString('hex');
}

/** The `p=` value for a public (or private) key: raw Ed25519 key or compressed P-384 point, base64. */
export function publicKeyBase64(key: KeyObject): { algorithm: ProofAlgorithm; publicKey: string } {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  if (pub.asymmetricKeyType === 'ed25519') return { algorithm: 'ed25519', publicKey: Buffer.from(jwk.x!, 'base64url').toString('base64') };
  if (pub.asymmetricKeyType === 'ec' && jwk.crv === 'P-384') {
    const x = Buffer.from(jwk.x!, 'base64url');
    const y = Buffer.from(jwk.y!, 'base64url');
    return { algorithm: 'ecdsap384', publicKey: Buffer.concat([Buffer.from([2 + (y[y.length - 1]! & 1)]), x]).toString('base64') };
  }
  throw new Error('only Ed25519 and ECDSA P-384 keys make proof records');
}

/** `v=MCPv1; k=<alg>; p=<base64>`: the DNS TXT record value and the well-known file's content. */
export function proofRecordForKey(key: KeyObject): string {
  const { algorithm, publicKey } = publicKeyBase64(key);
  return `v=MCPv1; k=${algorithm}; p=${publicKey}`;
}

export function generateProofKeyPair(algorithm: ProofAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  return algorithm === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-384' });
}

// ---------------------------------------------------------------------------------------------------------------
// Verifying a signature against the records found (shared by DNS and HTTP)

/** What a DNS or HTTP verification returns: the fingerprint of the key that verified, or one problem. */
/** What a DNS or HTTP proof check needs: the domain, the signed message and the signature from proof.json. */
export interface DomainProofInput {
  domain: string;
  /** The v1 message (buildProofMessage). */
  message: string;
  /** Hex signature from proof.json. */
  signature: string;
  algorithm: ProofAlgorithm;
  /** The server.json bytes, so that a signature over a near miss (CRLF, BOM, …) is named precisely. */
  serverJson?: Uint8Array;
  /** Put on the problems (the proof.json path). */
  file?: string;
}

export type ProofResult = { ok: true; fingerprint: string } | { ok: false; problem: Problem };

export type RecordCheck =
  | { kind: 'verified'; fingerprint: string }
  | { kind: 'no-record' }
  | { kind: 'key-type-mismatch'; found: ProofRecord[] }
  | { kind: 'key-invalid'; found: { record: ProofRecord; reason: string }[] }
  | { kind: 'other-content'; fingerprint: string; difference: string }
  | { kind: 'signature-invalid'; tried: string[]; skipped: ProofRecord[] };

/** Checks a signature against every MCPv1 record among `texts`; any verifying record wins. */
export function checkSignatureAgainstRecords(
  texts: readonly string[],
  proof: { message: string; signature: string; algorithm: ProofAlgorithm; serverJson?: Uint8Array },
): RecordCheck {
  const records = texts.map(parseProofRecord).filter((r): r is ProofRecord => r !== undefined);
  if (records.length === 0) return { kind: 'no-record' };
  const sameType = records.filter((r) => r.algorithm === proof.algorithm);
  if (sameType.length === 0) return { kind: 'key-type-mismatch', found: records };
  const keys: { record: ProofRecord; key: KeyObject }[] = [];
  const invalid: { record: ProofRecord; reason: string }[] = [];
  for (const record of sameType) {
    const key = publicKeyFromRecord(record);
    if (typeof key === 'string') invalid.push({ record, reason: key });
    else keys.push({ record, key });
  }
  if (keys.length === 0) return { kind: 'key-invalid', found: invalid };
  for (const { record, key } of keys) {
    if (verifyProofSignature(key, proof.algorithm, proof.message, proof.signature)) return { kind: 'verified', fingerprint: record.fingerprint };
  }
  const variants = signedContentVariants(proof.message, proof.serverJson);
  for (const { record, key } of keys) {
    const hit = variants.find((v) => verifyProofSignature(key, proof.algorithm, v.bytes, proof.signature));
    if (hit) return { kind: 'other-content', fingerprint: record.fingerprint, difference: hit.difference };
  }
  return { kind: 'signature-invalid', tried: keys.map((k) => k.record.fingerprint), skipped: records.filter((r) => r.algorithm !== proof.algorithm) };
}

// ---------------------------------------------------------------------------------------------------------------
// Domains and namespaces

/** The official domain regex (§4.4). */
export const DOMAIN_PATTERN = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;

/** Why a domain cannot carry a proof (official rules: ≤253 characters, not an IP literal, a dot, the regex), or undefined. */
export function domainProblem(domain: string): string | undefined {
  if (domain === '') return 'is empty';
  if (domain.length > 253) return `is ${domain.length} characters long; a domain has at most 253`;
  if (isIP(domain) !== 0 || isIP(domain.replace(/^\[|\]$/g, '')) !== 0) return 'is an IP address; a proof needs a domain name';
  if (!domain.includes('.')) return 'has no dot; a proof needs a registered domain such as example.com';
  if (!DOMAIN_PATTERN.test(domain)) return 'is not a domain name (letters, digits and "-" in dot-separated labels, no trailing dot, no scheme or path)';
  return undefined;
}

/** `example.com` ⇄ `com.example`. */
export function reverseDomain(domainOrNamespace: string): string {
  return domainOrNamespace.split('.').reverse().join('.');
}

/** The domain a reverse-DNS namespace stands for (`com.example.api` → `api.example.com`), or why it has none. */
export function domainForNamespace(namespace: string): { ok: true; domain: string } | { ok: false; reason: string } {
  const domain = reverseDomain(namespace);
  const reason = domainProblem(domain);
  return reason === undefined ? { ok: true, domain } : { ok: false, reason: `namespace ${JSON.stringify(namespace)} reversed to ${JSON.stringify(domain)}, which ${reason}` };
}

/**
 * The namespaces a verified proof for `domain` grants, as official permission patterns (without the `/*`):
 * DNS on `example.com` → `com.example` and every `com.example.*` (subdomains); HTTP → `com.example` only.
 */
export function namespaceGrantedBy(method: ProofMethod, domain: string): string[] {
  const base = reverseDomain(domain.toLowerCase());
  return method === 'dns' ? [base, `${base}.*`] : [base];
}

/**
 * GitHub namespaces (`io.github`, `io.github.<login>`) are never granted by a domain: controlling `<org>.github.io`
 * (write access to a Pages repository) or a record there is not the organisation Owner role the rules require.
 */
export function isGithubNamespace(namespace: string): boolean {
  const ns = namespace.toLowerCase();
  return ns === 'io.github' || ns.startsWith('io.github.');
}

/** Whether a proof for `domain` by `method` lets its owner publish under `namespace` (DNS names compare case-insensitively). */
export function namespaceIsGranted(method: ProofMethod, domain: string, namespace: string): boolean {
  if (isGithubNamespace(namespace)) return false;
  const ns = namespace.toLowerCase();
  return namespaceGrantedBy(method, domain).some((pattern) => (pattern.endsWith('*') ? ns.startsWith(pattern.slice(0, -1)) && ns.length > pattern.length - 1 : ns === pattern));
}

// ---------------------------------------------------------------------------------------------------------------
// proof.json

/**
 * A JSON object with only the given keys (proof.json, authorization.json): the object, or what is wrong with the
 * text and where, for the caller to word as its own problem.
 */
export function readClosedObject(text: string, keys: readonly string[]): { object: Record<string, unknown> } | { message: string; jsonPath?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { message: `is not valid JSON (${(e as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { message: 'is not a JSON object' };
  const extra = Object.keys(value).filter((k) => !keys.includes(k));
  if (extra.length > 0) return { message: `has unknown properties ${extra.map((k) => JSON.stringify(k)).join(', ')}`, jsonPath: `/${escapePointerSegment(extra[0]!)}` };
  return { object: value as Record<string, unknown> };
}

/** Parses proof.json bytes; every way it can be wrong is one `ownership-proof-invalid` problem. */
export function parseProofJson(text: string, file?: string): { ok: true; proof: DomainProof } | { ok: false; problem: Problem } {
  const fail = (message: string, jsonPath?: string) => ({
    ok: false as const,
    problem: problem({
      code: 'ownership-proof-invalid',
      ...(file !== undefined ? { file } : {}),
      ...(jsonPath !== undefined ? { jsonPath } : {}),
      message: `proof.json ${message}.`,
      hint: 'Write {"method":"dns"|"http","domain":"example.com","algorithm":"ed25519"|"ecdsap384","signature":"<hex>"}; `npm run publisher -- sign` writes it for you.',
    }),
  });
  const read = readClosedObject(text, ['method', 'domain', 'algorithm', 'signature']);
  if ('message' in read) return fail(read.message, read.jsonPath);
  const o = read.object;
  if (o.method !== 'dns' && o.method !== 'http') return fail('has no "method" "dns" or "http"', '/method');
  if (typeof o.domain !== 'string') return fail('has no "domain" string', '/domain');
  const reason = domainProblem(o.domain);
  if (reason) return fail(`"domain" ${JSON.stringify(o.domain)} ${reason}`, '/domain');
  if (o.algorithm !== 'ed25519' && o.algorithm !== 'ecdsap384') return fail('has no "algorithm" "ed25519" or "ecdsap384"', '/algorithm');
  if (typeof o.signature !== 'string') return fail('has no "signature" string', '/signature');
  const sig = signatureFormatProblem(o.algorithm, o.signature);
  if (sig) return fail(`"signature" ${sig}`, '/signature');
  return { ok: true, proof: { method: o.method, domain: o.domain, algorithm: o.algorithm, signature: o.signature } };
}

/** A problem when the proof's domain and method do not cover the namespace of `serverName`, else undefined. */
export function proofGrantProblem(proof: Pick<DomainProof, 'method' | 'domain'>, serverName: string, file?: string): Problem | undefined {
  const namespace = serverName.split('/')[0] ?? '';
  if (isGithubNamespace(namespace)) {
    return problem({
      code: 'ownership-proof-github-namespace',
      ...(file !== undefined ? { file } : {}),
      jsonPath: '/method',
      message: `A ${proof.method.toUpperCase()} proof cannot grant the GitHub namespace ${namespace}: control of ${proof.domain} (a GitHub Pages site or its records) is not the GitHub account or the organisation Owner role that ${namespace} requires.`,
      hint: `Open the pull request as the GitHub user ${namespace.slice('io.github.'.length) || '<login>'} (or an Owner of that organisation), or publish from its GitHub Actions with the registry's publish action (GitHub OIDC); then remove proof.json. To publish with a domain proof, use a namespace of a domain you own (com.example/…).`,
    });
  }
  if (namespaceIsGranted(proof.method, proof.domain, namespace)) return undefined;
  const wanted = domainForNamespace(namespace);
  const subdomain = proof.method === 'http' && namespaceIsGranted('dns', proof.domain, namespace);
  return problem({
    code: 'ownership-proof-namespace-not-granted',
    ...(file !== undefined ? { file } : {}),
    jsonPath: '/domain',
    message: `A ${proof.method.toUpperCase()} proof for ${proof.domain} grants ${namespaceGrantedBy(proof.method, proof.domain).join(' and ')}, not the namespace ${namespace}${subdomain ? ' (an HTTP proof does not cover subdomains)' : ''}.`,
    hint: subdomain
      ? `Serve the record at https://${wanted.ok ? wanted.domain : '<domain>'}/.well-known/mcp-registry-auth and set "domain" to it, or use a DNS proof on ${proof.domain}, which covers its subdomains.`
      : wanted.ok
        ? `Set "domain" to ${wanted.domain} (namespace ${namespace} reversed) and publish the record there.`
        : `The namespace cannot be proven with a domain: ${wanted.reason}.`,
  });
}

/** The codes one proof method uses for the outcomes of checkSignatureAgainstRecords. */
export interface RecordCheckCodes {
  keyTypeMismatch: { code: string };
  keyInvalid: { code: string };
  otherContent: { code: string };
  signatureInvalid: { code: string };
}

/**
 * The problem for a failed RecordCheck (other than no-record, which each method explains its own way).
 * `where` names the place the record was read, e.g. `the TXT records of example.com`.
 */
export function recordCheckProblem(
  check: Exclude<RecordCheck, { kind: 'verified' } | { kind: 'no-record' }>,
  ctx: { where: string; algorithm: ProofAlgorithm; message: string; file?: string; codes: RecordCheckCodes; republish: string },
): Problem {
  const file = ctx.file !== undefined ? { file: ctx.file } : {};
  const fields = parseProofMessage(ctx.message);
  const statement = parseStatementMessage(ctx.message);
  const v1 = fields
    ? `the v1 message for name=${fields.name}, version=${fields.version}, sha256=${fields.sha256} (the SHA-256 of the exact server.json bytes committed)`
    : statement
      ? `the authorize v1 statement for registry=${statement.registry}, author=${statement.author}, namespace=${statement.namespace}, expires=${statement.expires}`
      : 'the v1 message for this name, version and server.json';
  // The same checks serve proof.json (a publication) and authorization.json (a statement).
  const where = statement ? 'authorization.json' : 'proof.json';
  const resign = statement ? '`npm run publisher -- authorize`' : '`npm run publisher -- sign`';
  switch (check.kind) {
    case 'key-type-mismatch':
      return problem({
        ...file,
        code: ctx.codes.keyTypeMismatch.code,
        message: `${where} says "algorithm": "${ctx.algorithm}", but ${ctx.where} hold${check.found.length === 1 ? 's' : ''} only ${check.found.map((r) => `k=${r.algorithm} (${r.fingerprint})`).join(', ')}.`,
        hint: `Sign with the private key of the published record and set "algorithm" to its k= value, or ${ctx.republish} a ${ctx.algorithm} record for the key you signed with.`,
      });
    case 'key-invalid':
      return problem({
        ...file,
        code: ctx.codes.keyInvalid.code,
        message: `${ctx.where} hold${check.found.length === 1 ? 's' : ''} no usable ${ctx.algorithm} key: ${check.found.map((f) => `${f.record.fingerprint}: ${f.reason}`).join('; ')}.`,
        hint: `${ctx.republish[0]!.toUpperCase()}${ctx.republish.slice(1)} the record exactly as \`npm run publisher -- keygen\` prints it: p= is the base64 of the raw 32-byte Ed25519 key, or of the 49-byte compressed P-384 point.`,
      });
    case 'other-content':
      return problem({
        ...file,
        code: ctx.codes.otherContent.code,
        message: `The signature in ${where} was made with the key ${check.fingerprint} from ${ctx.where}, but over other content: ${check.difference}. It must be over ${v1}.`,
        hint: statement
          ? `Sign the statement again with ${resign}, and commit authorization.json as it writes it.`
          : 'Sign again after the last change to server.json, with `npm run publisher -- sign`, and commit server.json exactly as signed (LF line endings, no byte-order mark).',
      });
    case 'signature-invalid':
      return problem({
        ...file,
        code: ctx.codes.signatureInvalid.code,
        message: `The signature in ${where} verifies with none of the ${check.tried.length} ${ctx.algorithm} key${check.tried.length === 1 ? '' : 's'} in ${ctx.where} (tried ${check.tried.join(', ')}${check.skipped.length > 0 ? `; skipped ${check.skipped.map((r) => r.fingerprint).join(', ')}, another algorithm` : ''}). It must be ${v1}, signed with the private key of one of them.`,
        hint: `Either the signature was made with another key (the fingerprint is \`<alg>:\` and the first 8 characters of the p= value of the record; compare it with your public key), or over other content (${statement ? 'another registry, author, namespace or expiry' : 'a different name, version or server.json'}): sign again with ${resign}${statement ? '' : ' after the last change'}.`,
      });
  }
}

/** An `ownership-proof-invalid` problem when the domain or the signature cannot be checked at all, before any network. */
export function proofInputProblem(input: { domain: string; algorithm: ProofAlgorithm; signature: string; file?: string }, method: ProofMethod): Problem | undefined {
  const domain = domainProblem(input.domain);
  const signature = PROOF_ALGORITHMS.includes(input.algorithm) ? signatureFormatProblem(input.algorithm, input.signature) : undefined;
  const algorithm = PROOF_ALGORITHMS.includes(input.algorithm) ? undefined : `"algorithm" ${JSON.stringify(input.algorithm)} is neither ed25519 nor ecdsap384`;
  const what = domain ? `"domain" ${JSON.stringify(input.domain)} ${domain}` : (algorithm ?? (signature ? `"signature" ${signature}` : undefined));
  if (what === undefined) return undefined;
  return problem({
    code: 'ownership-proof-invalid',
    ...(input.file !== undefined ? { file: input.file } : {}),
    jsonPath: domain ? '/domain' : algorithm ? '/algorithm' : '/signature',
    message: `proof.json ${what}.`,
    hint: `Write {"method":"${method}","domain":"example.com","algorithm":"ed25519"|"ecdsap384","signature":"<hex>"}; \`npm run publisher -- sign\` writes it for you.`,
  });
}
