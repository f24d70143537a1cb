// A bounded HTTP GET for package verification: every request a pull request can steer (package registries, OCI
// registries, MCPB downloads, remotes) goes through here. Bounds: one deadline for the whole call (every redirect hop
// and the body included), a byte cap on the body (reading stops and the request is aborted beyond it), a number of
// redirects followed by hand (each hop re-checked), https only, and no host whose name resolves to a private,
// loopback, link-local or otherwise non-public address (scripts/lib/ownership/http-proof.ts `unsafeAddressReason`).
//
// 4xx and 5xx answers are results, not failures: callers decide what a status means.
//
// Limit: the addresses are checked here and then Node's fetch resolves the name again to connect, so a DNS answer
// that changes between the two (rebinding) is not caught the way http-proof.ts's pinned lookup catches it. The
// registries we talk to are fixed by allow-lists; only redirect targets and remotes are stranger-chosen.

import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';
import { unsafeAddressReason } from '../ownership/http-proof.ts';

export const PACKAGE_FETCH_TIMEOUT_MS = 10_000;
export const PACKAGE_FETCH_MAX_BYTES = 5 * 1024 * 1024;
export const PACKAGE_FETCH_MAX_REDIRECTS = 3;
/**
 * Hosts of the official package registries behind REGISTRY_BASE_URLS (and crates.io's README host). They are fixed by
 * this code, never taken from input, so their addresses are not checked: a network may well reach them through a
 * mirror or proxy on a non-public address (this project's own CI reaches registry.npmjs.org at 203.0.113.80). The
 * https requirement still holds for them.
 */
export const OFFICIAL_REGISTRY_HOSTS: readonly string[] = ['registry.npmjs.org', 'pypi.org', 'api.nuget.org', 'crates.io', 'static.crates.io'];

export const PACKAGE_FETCH_USER_AGENT = 'mcp-static-registry/1.0 (package verification)';

export interface BoundedFetchOptions {
  /** One deadline for the whole call: all redirect hops and the body. */
  timeoutMs?: number;
  /** Largest body accepted, in bytes. */
  maxBytes?: number;
  /** Redirects followed at most; one more is `too-many-redirects`. */
  maxRedirects?: number;
  /**
   * Test-only: allow `http:` and loopback addresses (127.0.0.0/8, ::1) so tests can serve from 127.0.0.1. Only test
   * code passes it; it is a parameter of this factory and nothing else, never read from the environment, a file or
   * any other input a pull request controls. Private, link-local and all other ranges stay refused even then.
   */
  allowLoopbackForTests?: boolean;
  /**
   * Hostnames (exact, case-insensitive) whose resolved addresses are not checked; default OFFICIAL_REGISTRY_HOSTS.
   * Only code passes them, never input. Pass `[]` to check every host.
   */
  trustedHosts?: readonly string[];
  /** How names are resolved; defaults to the system resolver (every address). Tests may replace it. */
  resolve?: (hostname: string) => Promise<string[]>;
}

export interface BoundedFetchRequest {
  headers?: Record<string, string>;
  /** GET unless told; HEAD for liveness checks. */
  method?: 'GET' | 'HEAD';
  /** Shorthand for the Accept header. */
  accept?: string;
}

export type BoundedFetchFailureReason = 'timeout' | 'too-large' | 'too-many-redirects' | 'network' | 'address-not-public';

export type BoundedFetchResult =
  | { ok: true; status: number; headers: Headers; /** The final URL, after redirects. */ url: string; body: Buffer }
  | { ok: false; reason: BoundedFetchFailureReason; detail: string };

export type BoundedFetch = (url: string, request?: BoundedFetchRequest) => Promise<BoundedFetchResult>;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

async function systemResolve(hostname: string): Promise<string[]> {
  const all = await dnsPromises.lookup(hostname, { all: true, verbatim: true });
  return all.map((a) => a.address);
}

class Failure extends Error {
  constructor(
    readonly reason: BoundedFetchFailureReason,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? `${(cause as Error & { code?: string }).code ?? ''} ${cause.message}`.trim() : '';
    return causeText ? `${error.message}: ${causeText}` : error.message;
  }
  return String(error);
}

export function createBoundedFetch(options: BoundedFetchOptions = {}): BoundedFetch {
  const timeoutMs = options.timeoutMs ?? PACKAGE_FETCH_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? PACKAGE_FETCH_MAX_BYTES;
  const maxRedirects = options.maxRedirects ?? PACKAGE_FETCH_MAX_REDIRECTS;
  const allowLoopback = options.allowLoopbackForTests === true;
  const resolve = options.resolve ?? systemResolve;
  const trusted = new Set((options.trustedHosts ?? OFFICIAL_REGISTRY_HOSTS).map((h) => h.toLowerCase()));

  async function checkUrl(url: URL): Promise<void> {
    const loopbackHttp = allowLoopback && url.protocol === 'http:';
    if (url.protocol !== 'https:' && !loopbackHttp) {
      throw new Failure('address-not-public', `${url.href} is not an https URL; only https is fetched`);
    }
    if (url.username || url.password) throw new Failure('address-not-public', `${url.origin} carries credentials in the URL; refused`);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!loopbackHttp && !isIP(host) && trusted.has(host.toLowerCase())) return;
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else {
      try {
        addresses = await resolve(host);
      } catch (error) {
        throw new Failure('network', `cannot resolve ${host}: ${errorText(error)}`);
      }
      if (addresses.length === 0) throw new Failure('network', `${host} resolves to no address`);
    }
    for (const address of addresses) {
      const reason = unsafeAddressReason(address);
      if (reason === undefined) {
        if (loopbackHttp) throw new Failure('address-not-public', `${url.href}: plain http is allowed only to a loopback address in tests`);
        continue;
      }
      if (allowLoopback && reason === 'a loopback address') continue;
      throw new Failure('address-not-public', `${host} resolves to ${address}, ${reason}; only public addresses are fetched`);
    }
  }

  return async function fetchBounded(url: string, request: BoundedFetchRequest = {}): Promise<BoundedFetchResult> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const headers: Record<string, string> = { 'User-Agent': PACKAGE_FETCH_USER_AGENT, ...(request.headers ?? {}) };
    if (request.accept) headers.Accept = request.accept;
    const method = request.method ?? 'GET';
    let current: URL;
    try {
      current = new URL(url);
    } catch {
      clearTimeout(timer);
      return { ok: false, reason: 'network', detail: `not a valid URL: ${url}` };
    }
    try {
      for (let hop = 0; ; hop++) {
        await checkUrl(current);
        if (timedOut) throw new Failure('timeout', `no answer from ${current.origin} within ${timeoutMs} ms`);
        let response: Response;
        try {
          response = await fetch(current, { method, headers, redirect: 'manual', signal: controller.signal });
        } catch (error) {
          if (timedOut) throw new Failure('timeout', `no answer from ${current.origin} within ${timeoutMs} ms`);
          throw new Failure('network', `${current.origin}: ${errorText(error)}`);
        }
        const location = response.headers.get('location');
        if (REDIRECT_STATUSES.has(response.status) && location) {
          await response.body?.cancel().catch(() => undefined);
          if (hop >= maxRedirects) {
            throw new Failure('too-many-redirects', `${url} redirects more than ${maxRedirects} times (last to ${location})`);
          }
          let next: URL;
          try {
            next = new URL(location, current);
          } catch {
            throw new Failure('network', `${current.href} redirects to an invalid URL: ${location}`);
          }
          // Credentials are for the origin they were given to: registries redirect blobs to CDNs and object stores,
          // which must not see (and may refuse) the registry's token, as browsers and undici also drop it.
          if (next.origin !== current.origin) {
            for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
          }
          current = next;
          continue;
        }
        const declared = Number(response.headers.get('content-length'));
        if (Number.isFinite(declared) && declared > maxBytes) {
          await response.body?.cancel().catch(() => undefined);
          throw new Failure('too-large', `${current.href} declares ${declared} bytes, more than the ${maxBytes} allowed`);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        if (response.body) {
          const reader = response.body.getReader();
          try {
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              size += value.byteLength;
              if (size > maxBytes) {
                await reader.cancel().catch(() => undefined);
                controller.abort();
                throw new Failure('too-large', `${current.href} sent more than the ${maxBytes} bytes allowed`);
              }
              chunks.push(Buffer.from(value));
            }
          } catch (error) {
            if (error instanceof Failure) throw error;
            if (timedOut) throw new Failure('timeout', `${current.origin} did not finish sending within ${timeoutMs} ms`);
            throw new Failure('network', `${current.origin}: ${errorText(error)}`);
          }
        }
        return { ok: true, status: response.status, headers: response.headers, url: current.href, body: Buffer.concat(chunks) };
      }
    } catch (error) {
      if (error instanceof Failure) return { ok: false, reason: error.reason, detail: error.detail };
      return { ok: false, reason: 'network', detail: errorText(error) };
    } finally {
      clearTimeout(timer);
    }
  };
}
