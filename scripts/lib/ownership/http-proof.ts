// HTTP ownership proof: the MCPv1 record served at https://<domain>/.well-known/mcp-registry-auth, fetched as the
// official registry does (GET, Accept: text/plain, 10 s, no redirects, at most 4096 bytes, status 200, TrimSpace),
// checked against the signature committed in proof.json.
//
// The fetch runs inside CI on a pull request, with a URL a stranger chose: it must never reach the runner's own
// network. The name is resolved here, every address is checked (private, loopback, link-local, CGNAT, unique-local,
// 6to4, NAT64, …), and the connection goes to those checked addresses through a pinned `lookup`, so a second DNS
// answer (rebinding) cannot swap in another address between the check and the connect.

import { promises as dnsPromises } from 'node:dns';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { problem, type Problem } from '../problems.ts';
import {
  checkSignatureAgainstRecords,
  parseProofRecord,
  proofInputProblem,
  recordCheckProblem,
  type ProofResult,
  type RecordCheckCodes,
  type DomainProofInput,
} from './domain-proof.ts';

export const WELL_KNOWN_PATH = '/.well-known/mcp-registry-auth';
export const HTTP_PROOF_MAX_BYTES = 4096;
export const HTTP_PROOF_TIMEOUT_MS = 10_000;
const USER_AGENT = 'mcp-static-registry/1.0 (ownership proof check)';

export type HttpProofInput = DomainProofInput;

export type { ProofResult };

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface HttpProofVerifierOptions {
  /**
   * Test-only: let loopback addresses (127.0.0.0/8, ::1) through the address check, so that tests can serve the
   * well-known file from 127.0.0.1. Only test code passes it. It is deliberately a parameter of this factory and
   * nothing else: it is never read from the environment, a file, proof.json or any other input, because a pull request
   * controls files (and, through a workflow change, could control environment variables) but not which arguments the
   * validator's own code passes here. Private, link-local and all other ranges stay refused even then.
   */
  allowLoopbackForTests?: boolean;
  /** Extra trusted CA certificates (PEM), replacing the system ones: tests use a throwaway CA. */
  ca?: string | Buffer;
  /** How names are resolved; defaults to the system resolver (getaddrinfo, every address). */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** Port of the https URL; 443 unless a test serves elsewhere. */
  port?: number;
  timeoutMs?: number;
}

export interface HttpProofVerifier {
  verify(input: HttpProofInput): Promise<ProofResult>;
}

const CODES: RecordCheckCodes = {
  keyTypeMismatch: { code: 'ownership-http-key-type-mismatch' },
  keyInvalid: { code: 'ownership-http-key-invalid' },
  otherContent: { code: 'ownership-http-signature-other-content' },
  signatureInvalid: { code: 'ownership-http-signature-invalid' },
};

// ---------------------------------------------------------------------------------------------------------------
// Address check

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function ipv6ToBigInt(ip: string): bigint {
  let text = ip.replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = ipv4ToNumber(dotted[1]!);
    text = text.slice(0, dotted.index) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

const V4_RANGES: [string, number, string][] = [
  ['0.0.0.0', 8, 'an unspecified ("this network") address'],
  ['10.0.0.0', 8, 'a private network address'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address'],
  ['172.16.0.0', 12, 'a private network address'],
  ['192.0.0.0', 24, 'an IETF special-purpose address'],
  ['192.0.2.0', 24, 'a documentation address'],
  ['192.88.99.0', 24, 'a 6to4 relay address'],
  ['192.168.0.0', 16, 'a private network address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['198.51.100.0', 24, 'a documentation address'],
  ['203.0.113.0', 24, 'a documentation address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved or broadcast address'],
];

const V6_RANGES: [string, number, string][] = [
  ['::', 128, 'an unspecified address'],
  ['::1', 128, 'a loopback address'],
  ['::', 96, 'an IPv4-compatible (deprecated) address'],
  ['64:ff9b::', 96, 'a NAT64 address'],
  ['64:ff9b:1::', 48, 'a NAT64 address'],
  ['100::', 64, 'a discard-only address'],
  ['2001::', 32, 'a Teredo address'],
  ['2001:db8::', 32, 'a documentation address'],
  ['2002::', 16, 'a 6to4 address'],
  ['fc00::', 7, 'a unique-local (private) address'],
  ['fe80::', 10, 'a link-local address'],
  ['fec0::', 10, 'a site-local address'],
  ['ff00::', 8, 'a multicast address'],
];

function inV4(ip: number, base: string, bits: number): boolean {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((ip & mask) >>> 0) === ((ipv4ToNumber(base) & mask) >>> 0);
}

function inV6(ip: bigint, base: string, bits: number): boolean {
  const shift = BigInt(128 - bits);
  return ip >> shift === ipv6ToBigInt(base) >> shift;
}

/**
 * Why an IP address is not a public unicast address a proof may be fetched from, or undefined when it is one.
 * IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are judged by their IPv4 address.
 */
export function unsafeAddressReason(address: string): string | undefined {
  const family = isIP(address.replace(/%.*$/, ''));
  if (family === 4) {
    const n = ipv4ToNumber(address);
    return V4_RANGES.find(([base, bits]) => inV4(n, base, bits))?.[2];
  }
  if (family === 6) {
    const n = ipv6ToBigInt(address);
    if (n >> 32n === 0xffffn) {
      const v4 = Number(n & 0xffffffffn);
      return unsafeAddressReason(`${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.${v4 & 255}`);
    }
    return V6_RANGES.find(([base, bits]) => inV6(n, base, bits))?.[2];
  }
  return 'not an IP address';
}

function isLoopback(address: string): boolean {
  return unsafeAddressReason(address) === 'a loopback address';
}

async function systemResolve(hostname: string): Promise<ResolvedAddress[]> {
  const all = await dnsPromises.lookup(hostname, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

// ---------------------------------------------------------------------------------------------------------------
// Fetch

type FetchOutcome =
  | { kind: 'response'; status: number; location?: string; contentType?: string; body: Buffer }
  | { kind: 'too-large'; bytes: number; declared: boolean }
  | { kind: 'timeout' }
  | { kind: 'error'; code: string; message: string };

const TLS_ERROR = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME|ALTNAME/;

function fetchWellKnown(domain: string, addresses: ResolvedAddress[], options: HttpProofVerifierOptions, deadline: number): Promise<FetchOutcome> {
  // Every connection attempt goes to the addresses checked above, whatever the name resolves to by now.
  const pinned: LookupFunction = (hostname, lookupOptions, callback) => {
    if (hostname !== domain) {
      callback(Object.assign(new Error(`unexpected lookup of ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
      return;
    }
    if (lookupOptions.all) (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  };
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: FetchOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(outcome);
    };
    const req = https.request({
      host: domain,
      servername: domain,
      port: options.port ?? 443,
      path: WELL_KNOWN_PATH,
      method: 'GET',
      headers: { Accept: 'text/plain', 'User-Agent': USER_AGENT },
      agent: false,
      lookup: pinned,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    });
    const timer = setTimeout(() => done({ kind: 'timeout' }), Math.max(0, deadline - Date.now()));
    req.on('error', (e: NodeJS.ErrnoException) => done({ kind: 'error', code: e.code ?? 'EUNKNOWN', message: e.message }));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      const contentType = res.headers['content-type'];
      const meta = { ...(location !== undefined ? { location } : {}), ...(contentType !== undefined ? { contentType } : {}) };
      if (status !== 200) {
        // Only the status and headers matter; the body is not read (and so not bounded by anything but the socket).
        done({ kind: 'response', status, ...meta, body: Buffer.alloc(0) });
        return;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > HTTP_PROOF_MAX_BYTES) {
        done({ kind: 'too-large', bytes: declared, declared: true });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > HTTP_PROOF_MAX_BYTES) done({ kind: 'too-large', bytes: size, declared: false });
        else chunks.push(chunk);
      });
      res.on('end', () => done({ kind: 'response', status, ...meta, body: Buffer.concat(chunks) }));
      res.on('error', (e: NodeJS.ErrnoException) => done({ kind: 'error', code: e.code ?? 'EUNKNOWN', message: e.message }));
    });
    req.end();
  });
}

function looksLikeHtml(body: string, contentType: string | undefined): boolean {
  return /^\s*text\/html|application\/xhtml/i.test(contentType ?? '') || /^(<!doctype\s+html|<html|<head|<body|<!--|<\?xml)/i.test(body);
}

// ---------------------------------------------------------------------------------------------------------------
// Verifier

/**
 * An HTTP proof verifier. Production code uses `verifyHttpProof` (no options); tests call this with a CA, a resolver,
 * a port and `allowLoopbackForTests`.
 */
export function createHttpProofVerifier(options: HttpProofVerifierOptions = {}): HttpProofVerifier {
  const allowLoopback = options.allowLoopbackForTests === true;
  const resolveName = options.resolve ?? systemResolve;
  const timeoutMs = options.timeoutMs ?? HTTP_PROOF_TIMEOUT_MS;

  async function verify(input: HttpProofInput): Promise<ProofResult> {
    const invalid = proofInputProblem(input, 'http');
    if (invalid) return { ok: false, problem: invalid };
    const { domain } = input;
    const url = `https://${domain}${WELL_KNOWN_PATH}`;
    const file = input.file !== undefined ? { file: input.file } : {};
    const fail = (p: Omit<Problem, 'severity' | 'file'>): ProofResult => ({ ok: false, problem: problem({ ...file, ...p }) });
    const deadline = Date.now() + timeoutMs;
    const timeoutProblem = () =>
      fail({
        code: 'ownership-http-timeout',
        message: `${url} did not answer within ${timeoutMs / 1000} s.`,
        hint: `Check that the server answers quickly from outside your network (\`curl -v ${url}\`), then run the check again.`,
      });

    let addresses: ResolvedAddress[];
    try {
      let timer: NodeJS.Timeout | undefined;
      const lookup = await Promise.race([
        resolveName(domain),
        new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
      ]).finally(() => clearTimeout(timer));
      if (lookup === 'timeout') return timeoutProblem();
      addresses = lookup;
    } catch (e) {
      addresses = [];
      if ((e as NodeJS.ErrnoException).code !== 'ENOTFOUND' && (e as NodeJS.ErrnoException).code !== 'ENODATA') {
        return fail({
          code: 'ownership-http-dns-failed',
          message: `${domain} could not be resolved (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`,
          hint: `Check \`dig A ${domain}\` and \`dig AAAA ${domain}\`, then run the check again.`,
        });
      }
    }
    if (addresses.length === 0) {
      return fail({
        code: 'ownership-http-dns-failed',
        message: `${domain} has no address (no A or AAAA record), so ${url} cannot be fetched.`,
        hint: `Check the spelling of "domain" in proof.json; the file must be served at the domain itself, not only at www.${domain}.`,
      });
    }
    const refused = addresses
      .map((a) => ({ address: a.address, reason: allowLoopback && isLoopback(a.address) ? undefined : unsafeAddressReason(a.address) }))
      .filter((a) => a.reason !== undefined);
    if (refused.length > 0) {
      return fail({
        code: 'ownership-http-address-not-public',
        message: `${domain} resolves to ${refused.map((a) => `${a.address} (${a.reason})`).join(', ')}; the registry fetches proofs only from public addresses.`,
        hint: `Serve ${url} from a public address, and remove the non-public A/AAAA records of ${domain}; or use a DNS proof.`,
      });
    }

    const outcome = await fetchWellKnown(domain, addresses, options, deadline);
    if (outcome.kind === 'timeout') return timeoutProblem();
    if (outcome.kind === 'too-large') {
      return fail({
        code: 'ownership-http-too-large',
        message: `${url} is larger than ${HTTP_PROOF_MAX_BYTES} bytes (${outcome.declared ? `Content-Length ${outcome.bytes}` : `reading stopped after ${outcome.bytes}`}).`,
        hint: 'Serve only the record, one line: v=MCPv1; k=<algorithm>; p=<base64 public key>.',
      });
    }
    if (outcome.kind === 'error') {
      if (TLS_ERROR.test(outcome.code)) {
        return fail({
          code: 'ownership-http-tls',
          message: `The TLS connection to ${domain} failed: ${outcome.code} (${outcome.message}).`,
          hint: `Serve ${domain} over HTTPS with a certificate for ${domain} from a public CA, with the full chain (check with \`curl -v ${url}\`).`,
        });
      }
      return fail({
        code: 'ownership-http-connection-failed',
        message: `Could not fetch ${url}: ${outcome.code} (${outcome.message}).`,
        hint: `Check that ${domain} accepts HTTPS connections on port 443 from anywhere (\`curl -v ${url}\`).`,
      });
    }

    const { status, location } = outcome;
    if (status >= 300 && status < 400) {
      let target: URL | undefined;
      try {
        target = location !== undefined ? new URL(location, url) : undefined;
      } catch {
        target = undefined;
      }
      if (target && target.hostname.toLowerCase() === `www.${domain.toLowerCase()}`) {
        return fail({
          code: 'ownership-http-redirect-www',
          message: `${url} redirects (${status}) to ${location}, the www host; the registry does not follow redirects.`,
          hint: `Serve the file at ${url} itself: exempt /.well-known/ from the apex-to-www redirect, or use a DNS proof. (A proof for www.${domain} would grant ${domain.split('.').reverse().join('.')}.www, a different namespace.)`,
        });
      }
      return fail({
        code: 'ownership-http-redirect',
        message: `${url} redirects (${status}) to ${location ?? '(no Location header)'}; the registry does not follow redirects.`,
        hint: `Serve the file at exactly ${url} with status 200 (no redirect to another host, to http://, or to a path with a trailing slash).`,
      });
    }
    if (status === 403) {
      return fail({
        code: 'ownership-http-forbidden',
        message: `${url} answered 403 Forbidden: the request was most likely blocked by a firewall/WAF or bot protection (it comes from a CI runner, with User-Agent "${USER_AGENT}").`,
        hint: 'Allow GET requests to /.well-known/mcp-registry-auth from anywhere, without a browser challenge (Cloudflare, AWS WAF, …), or use a DNS proof.',
      });
    }
    if (status === 404) {
      return fail({
        code: 'ownership-http-not-found',
        message: `${url} answered 404 Not Found.`,
        hint: `Publish the file: the path is /.well-known/mcp-registry-auth with no extension (some static hosts skip dot-folders such as .well-known; GitHub Pages needs a .nojekyll file).`,
      });
    }
    if (status !== 200) {
      return fail({
        code: 'ownership-http-status',
        message: `${url} answered status ${status}; the registry needs 200.`,
        hint: `Serve the file with status 200 (check with \`curl -v ${url}\`).`,
      });
    }

    const body = outcome.body.toString('utf8').trim();
    if (parseProofRecord(body) === undefined) {
      if (looksLikeHtml(body, outcome.contentType)) {
        return fail({
          code: 'ownership-http-html',
          message: `${url} answered 200 with an HTML page${outcome.contentType ? ` (${outcome.contentType})` : ''}, not the MCPv1 record: the site most likely serves its index page for unknown paths.`,
          hint: 'Put a plain-text file at /.well-known/mcp-registry-auth containing only v=MCPv1; k=<algorithm>; p=<base64 public key>, and make sure the single-page-app fallback does not cover /.well-known/.',
        });
      }
      return fail({
        code: 'ownership-http-no-record',
        message: body === '' ? `${url} is empty.` : `${url} holds no MCPv1 record (it begins ${JSON.stringify(body.slice(0, 60))}).`,
        hint: `Its content must be exactly v=MCPv1; k=${input.algorithm}; p=<base64 public key>, as \`npm run publisher -- keygen\` prints it.`,
      });
    }
    const check = checkSignatureAgainstRecords([body], input);
    if (check.kind === 'verified') return { ok: true, fingerprint: check.fingerprint };
    if (check.kind === 'no-record') throw new Error('unreachable: the record was parsed above');
    return { ok: false, problem: recordCheckProblem(check, { where: url, algorithm: input.algorithm, message: input.message, codes: CODES, republish: 'serve', ...file }) };
  }

  return { verify };
}

const defaultVerifier = createHttpProofVerifier();

/** Verifies an HTTP proof with the production settings: system DNS and CAs, port 443, public addresses only. */
export function verifyHttpProof(input: HttpProofInput): Promise<ProofResult> {
  return defaultVerifier.verify(input);
}
