// Reads server versions from an MCP Registry API (the official one, or a registry built by this project):
// `GET /v0.1/servers?limit=100` along `nextCursor`, incrementally with `updated_since`, retrying 429, 5xx and
// connection failures with backoff (Retry-After honoured). An upstream is untrusted, so every read is bounded: the
// bytes of one answer, the pages of one run, a cursor followed twice; and a host that ignores the query string (a
// plain static file host, which would silently give only its latest versions) is refused.

import { OFFICIAL_META_KEY, STATUSES, type ServerJson, type Status } from '../model.ts';
import { escapePointerSegment, problem, ProblemsError, type Problem } from '../problems.ts';
import { parseInstant } from '../query/compare.ts';
import type { UpstreamState, UpstreamVersion } from './types.ts';

export const PAGE_LIMIT = 100;

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 500, maxDelayMs: 60_000 };
const REQUEST_TIMEOUT_MS = 30_000;

/** What one run may read from one source, whatever the source answers. */
export interface ReadLimits {
  /** Bytes of one answer's body; a longer body is cut off unread. */
  maxResponseBytes: number;
  /** Pages of one run; the read resumes from its checkpoint at the next run. */
  maxPages: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = {
  // A page holds at most PAGE_LIMIT (100) items, and an item the sync can store has a server.json of at most
  // MAX_SERVER_JSON_BYTES (256 KiB): 25 MiB of documents. 32 MiB leaves room for the _meta objects and JSON
  // escaping, so no page of storable items is cut off. Pages of the official registry weigh a few hundred KB.
  maxResponseBytes: 32 * 1024 * 1024,
  // 500,000 versions at 100 a page: over twenty times the official registry (about 21,000 versions in April 2026).
  maxPages: 5_000,
};

/** Pages with a new cursor but no version not already read, in a row, before the read stops. */
const MAX_BARREN_PAGES = 3;
/** After this many pages of a run, the pages must have brought MIN_ROWS_PER_PAGE new versions each on average. */
const FREE_PAGES = 20;
const MIN_ROWS_PER_PAGE = 2;

/** No version of any registry is updated after this, so a host that reads `updated_since` answers no row to it. */
const PROBE_SINCE = '9999-12-31T23:59:59.999999Z';

/** Bytes of an error answer kept for the problem message. */
const ERROR_BODY_BYTES = 64 * 1024;

export interface ApiPage {
  versions: UpstreamVersion[];
  /** Items that could not be used (reported, skipped). */
  problems: Problem[];
  /** The cursor to continue from; absent on the last page. */
  nextCursor?: string;
}

export interface ApiReadOptions {
  baseUrl: string;
  /** Read only rows updated after this instant (deleted ones included). Absent: a full read, deleted included. */
  updatedSince?: string;
  /** Continue after the pages an interrupted read already stored. */
  cursor?: string;
  /** Cursors already followed by that interrupted read (for the loop guard). */
  seenCursors?: readonly string[];
  retry?: RetryPolicy;
  /** Sent as `Authorization: Bearer <token>` (an upstream behind the organisation's authentication). */
  token?: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Called after every HTTP request, retries included. */
  onRequest?: () => void;
  /** Called before waiting to retry a failed request. */
  onRetry?: (retry: RetryNotice) => void;
  limits?: ReadLimits;
  /** Called with each page, in order, before the next is requested; awaited (the checkpoint is written here). */
  onPage: (page: ApiPage) => Promise<void> | void;
}

export interface RetryNotice {
  url: string;
  /** The attempt that failed (1 for the first). */
  attempt: number;
  attempts: number;
  waitMs: number;
  /** What went wrong: `HTTP 503`, `ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:9)`, `timed out after 30 s`… */
  reason: string;
}

/** The URL of one list page. */
export function listPageUrl(baseUrl: string, cursor: string | undefined, updatedSince: string | undefined): string {
  const params = [`limit=${PAGE_LIMIT}`];
  if (cursor !== undefined) params.push(`cursor=${encodeURIComponent(cursor)}`);
  if (updatedSince !== undefined) params.push(`updated_since=${encodeURIComponent(updatedSince)}`);
  else params.push('include_deleted=true');
  return `${baseUrl}/v0.1/servers?${params.join('&')}`;
}

function sourceProblem(code: string, baseUrl: string, message: string, hint: string): ProblemsError {
  return new ProblemsError([problem({ code, file: baseUrl, message, hint })]);
}

const STATIC_HINT = 'Serve the upstream registry with query support (npm run serve, or nginx with the configuration from npm run nginx -- --print). '
  + 'A plain static host (GitHub Pages, the output of npm run static-host) lists only the latest version of each server: the sync cannot read older, deprecated or deleted versions from it.';

/** Reads every page; throws a ProblemsError when the source cannot be read to the end. */
export async function readApiSource(options: ApiReadOptions): Promise<void> {
  const limits = options.limits ?? DEFAULT_READ_LIMITS;
  let cursor = options.cursor;
  const seen = new Set(options.seenCursors ?? []);
  if (cursor !== undefined) seen.add(cursor);
  // Versions read in this run, to notice a source that hands out new cursors without new rows.
  const versionsRead = new Set<string>();
  let pages = 0;
  let barren = 0;
  for (;;) {
    const url = listPageUrl(options.baseUrl, cursor, options.updatedSince);
    const body = await getJson(url, options);
    const page = parseListPage(body, url);
    const rows = page.versions.length + page.problems.length;
    if (rows > PAGE_LIMIT) {
      // A host that ignores the query string (a plain static file host) answers its one complete page of latest
      // versions to every request: no older versions, no deletions, no updated_since. Mirroring it would silently lose them.
      throw sourceProblem('sync-source-static', options.baseUrl, `the source answered ${rows} servers to limit=${PAGE_LIMIT}: it ignores query parameters`, STATIC_HINT);
    }
    if (cursor === undefined && page.nextCursor === undefined && rows > 0) await refuseStaticHost(options);
    await options.onPage(page);
    if (page.nextCursor === undefined) return;
    // `seen` holds every cursor followed, the current one included.
    if (seen.has(page.nextCursor)) {
      throw sourceProblem('sync-cursor-loop', options.baseUrl, `the source returned the cursor ${JSON.stringify(page.nextCursor)} a second time; following it would never end`,
        'The upstream registry paginates wrongly. Report it to its operators; a full sync (--full) may avoid the spot.');
    }
    pages++;
    let fresh = 0;
    for (const { server } of page.versions) {
      const key = `${server.name}\u0000${server.version}`;
      if (!versionsRead.has(key)) fresh++;
      versionsRead.add(key);
    }
    barren = fresh === 0 ? barren + 1 : 0;
    const endless = (message: string, hint: string): ProblemsError => sourceProblem('sync-source-endless', options.baseUrl, message, hint);
    if (barren >= MAX_BARREN_PAGES) {
      throw endless(`the last ${barren} pages each carried a new cursor but no server version not already read in this run; following them might never end`,
        'The upstream registry paginates wrongly (a cursor that does not move past the rows it answered). Report it to its operators.');
    }
    if (pages > FREE_PAGES && versionsRead.size < MIN_ROWS_PER_PAGE * pages) {
      throw endless(`${pages} pages with a next cursor brought only ${versionsRead.size} different server versions; a run stops when pages bring fewer than ${MIN_ROWS_PER_PAGE} new versions each on average`,
        `The upstream registry hands out cursors without the rows that go with them (limit=${PAGE_LIMIT} was asked). Report it to its operators.`);
    }
    if (pages >= limits.maxPages) {
      throw endless(`read ${pages} pages (${versionsRead.size} server versions) in this run and the source still gives a next cursor; a run reads at most ${limits.maxPages} pages`,
        'If the upstream really holds that many versions, run the sync again: it resumes after the pages already read. Otherwise the upstream pages without end: report it to its operators.');
    }
    seen.add(page.nextCursor);
    cursor = page.nextCursor;
  }
}

/**
 * A first page that holds every row (no next cursor) may come from a host that ignores the query string and serves
 * the same file to every request. One small request tells: rows updated after the year 9999 (limit=1) are none on a
 * host that reads `updated_since`, which the sync needs anyway, while a file host answers its whole page again.
 */
async function refuseStaticHost(options: ApiReadOptions): Promise<void> {
  const url = `${options.baseUrl}/v0.1/servers?limit=1&updated_since=${encodeURIComponent(PROBE_SINCE)}`;
  let rows: number;
  try {
    const page = parseListPage(await getJson(url, options), url);
    rows = page.versions.length + page.problems.length;
  } catch (error) {
    // An answer that differs in kind from the first page (an error status, something that is not a list) shows
    // that the host reads the query string: a file host answers the same bytes whatever it is asked.
    if (error instanceof ProblemsError && error.problems.every((p) => p.code === 'sync-source-http' || p.code === 'sync-source-response')) return;
    throw error;
  }
  if (rows === 0) return;
  throw sourceProblem('sync-source-static', options.baseUrl,
    `the source answered ${rows} server version${rows === 1 ? '' : 's'} to a request for those updated after ${PROBE_SINCE} (${url}): it ignores the query string, as a plain static file host does`,
    STATIC_HINT);
}

const RETRY_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

/** One GET with retries; the parsed JSON body of a 2xx answer. */
async function getJson(url: string, options: ApiReadOptions): Promise<unknown> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const limits = options.limits ?? DEFAULT_READ_LIMITS;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let last = '';
  let failure: FetchFailure | undefined;
  for (let attempt = 1; ; attempt++) {
    let wait: number | undefined;
    let answered = false;
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const response = await doFetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      answered = true;
      options.onRequest?.();
      if (response.ok) {
        const body = await readCapped(response, limits.maxResponseBytes);
        if (body.truncated) {
          throw sourceProblem('sync-source-too-large', url, `the answer is larger than ${formatMiB(limits.maxResponseBytes)}; the sync stopped reading it`,
            `A page of at most ${PAGE_LIMIT} servers is far smaller. Check that the source URL is a registry API; if it is, report the page to its operators.`);
        }
        try {
          return JSON.parse(body.text) as unknown;
        } catch {
          throw sourceProblem('sync-source-response', url, `the answer is not JSON (${response.headers.get('content-type') ?? 'no content type'})`,
            'Check that the source URL is the registry base URL (without /v0.1) of an MCP Registry API.');
        }
      }
      last = `HTTP ${response.status}`;
      failure = undefined;
      if (!RETRY_STATUSES.has(response.status)) {
        throw sourceProblem('sync-source-http', url, `the source answered HTTP ${response.status}: ${(await readCapped(response, ERROR_BODY_BYTES)).text.slice(0, 200)}`,
          response.status === 404 ? 'Check the source URL: it must be the registry base URL, answering /v0.1/servers.' : 'Check the source URL and the upstream registry\'s status.');
      }
      wait = retryAfterMs(response.headers.get('retry-after'));
      await response.body?.cancel();
    } catch (error) {
      if (error instanceof ProblemsError) throw error;
      if (!answered) options.onRequest?.(); // a body cut off midway was counted with its answer
      failure = describeFetchError(error);
      last = failure.text;
      if (!failure.retryable) throw unreachable(url, failure, attempt);
    }
    if (attempt >= retry.attempts) {
      if (failure) throw unreachable(url, failure, attempt);
      throw sourceProblem('sync-source-unavailable', url, `the source failed ${attempt} times (last: ${last})`,
        'The upstream registry is down or rate-limiting; run the sync again later (it resumes where it stopped).');
    }
    const backoff = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
    // Half fixed, half random: clients that failed together do not retry together.
    const waitMs = Math.round(Math.min(retry.maxDelayMs, Math.max(wait ?? 0, backoff / 2 + Math.random() * (backoff / 2))));
    options.onRetry?.({ url, attempt, attempts: retry.attempts, waitMs, reason: last });
    await sleep(waitMs);
  }
}

const formatMiB = (bytes: number): string => `${+(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The body as text, reading at most `max` bytes: a longer body is cancelled (the connection closes) and flagged. */
async function readCapped(response: Response, max: number): Promise<{ text: string; truncated: boolean }> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > max) {
    await response.body?.cancel();
    return { text: '', truncated: true };
  }
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > max) {
      chunks.push(value.subarray(0, max - size));
      await reader.cancel();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    size += value.byteLength;
    chunks.push(value);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

/** Why a request got no HTTP answer, from the chain of causes `fetch` wraps the system error in. */
export interface FetchFailure {
  /** The system or TLS error code (ENOTFOUND, ECONNREFUSED, CERT_HAS_EXPIRED…), `timeout`, or undefined. */
  code?: string;
  /** For the message: the code and the lowest-level description, e.g. `ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:9)`. */
  text: string;
  kind: 'dns' | 'refused' | 'timeout' | 'tls' | 'port' | 'other';
  /** A failure that waiting cannot fix (an unknown host name, a bad certificate) is not retried. */
  retryable: boolean;
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export function describeFetchError(error: unknown): FetchFailure {
  // fetch throws TypeError('fetch failed') whose `cause` is the socket's error, itself sometimes an AggregateError
  // of one error per address tried: the deepest error with a code says what happened.
  let deepest: { code?: string; message: string } | undefined;
  let timedOut = false;
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current && typeof current === 'object'; depth++) {
    const e = current as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    if (e.name === 'TimeoutError') timedOut = true;
    if (typeof e.code === 'string' || !deepest?.code) deepest = { ...(typeof e.code === 'string' ? { code: e.code } : {}), message: String(e.message ?? '') };
    current = e.cause ?? (Array.isArray(e.errors) ? e.errors[0] : undefined);
  }
  const code = deepest?.code;
  if (timedOut || (code && TIMEOUT_CODES.has(code))) {
    return { code: code ?? 'timeout', text: timedOut ? `timed out after ${REQUEST_TIMEOUT_MS / 1000} s` : `${code} (${deepest!.message})`, kind: 'timeout', retryable: true };
  }
  const text = code ? (deepest!.message && deepest!.message !== code ? `${code} (${deepest!.message})` : code) : deepest?.message || String(error);
  // fetch refuses the ports browsers block (the Fetch standard's "bad port" list: 9, 25, 6000…) without a code.
  if (!code && text === 'bad port') return { text, kind: 'port', retryable: false };
  if (code === 'ENOTFOUND') return { code, text, kind: 'dns', retryable: false };
  if (code === 'EAI_AGAIN') return { code, text, kind: 'dns', retryable: true };
  if (code === 'ECONNREFUSED') return { code, text, kind: 'refused', retryable: true };
  if (code && (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(code))) return { code, text, kind: 'tls', retryable: false };
  return { ...(code ? { code } : {}), text, kind: 'other', retryable: true };
}

const UNREACHABLE_HINTS: Record<FetchFailure['kind'], string> = {
  dns: 'The host name of the source URL does not resolve from here: check `url` in registry.yaml for a typo, and that this machine reaches the DNS that knows it (a private registry may need the VPN or the internal DNS).',
  refused: 'Nothing accepts connections at that address and port: check the port in `url`, and that the registry is running there.',
  timeout: 'The source did not answer in time: check that its host is reachable from here (firewall, proxy, VPN), then run the sync again; it resumes where it stopped.',
  tls: 'The TLS connection was refused: the server\'s certificate is expired, self-signed or for another name. Fix it on the server; for a private certificate authority, point NODE_EXTRA_CA_CERTS at its certificate.',
  port: 'Node\'s fetch never connects to this port, one that browsers block as unsafe (such as 9, 25 or 6000): serve the registry on another port.',
  other: 'The connection broke before an answer came: run the sync again later; it resumes where it stopped.',
};

function unreachable(url: string, failure: FetchFailure, attempts: number): ProblemsError {
  return sourceProblem('sync-source-unreachable', url, `cannot reach ${url}: ${failure.text}${attempts > 1 ? ` (${attempts} attempts)` : ''}`, UNREACHABLE_HINTS[failure.kind]);
}

/** Retry-After as seconds or an HTTP date, in milliseconds. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A list body as UpstreamVersions; items that are not server versions become problems. */
export function parseListPage(body: unknown, url: string): ApiPage {
  const list = body as { servers?: unknown; metadata?: { nextCursor?: unknown } } | null;
  if (!list || typeof list !== 'object' || !Array.isArray(list.servers) || typeof list.metadata !== 'object' || list.metadata === null) {
    throw sourceProblem('sync-source-response', url, 'the answer is not a server list ({"servers": [...], "metadata": {...}})',
      'Check that the source URL is the registry base URL (without /v0.1) of an MCP Registry API.');
  }
  const versions: UpstreamVersion[] = [];
  const problems: Problem[] = [];
  list.servers.forEach((item, i) => {
    const parsed = parseListItem(item);
    if (typeof parsed === 'string') {
      problems.push(problem({ code: 'sync-item-invalid', file: url, jsonPath: `/servers/${i}${parsed}`, message: 'the source sent a list item that is not a server version', hint: 'Nothing to do here: the item is skipped. Tell the upstream registry\'s operators.' }));
    } else versions.push(parsed);
  });
  const next = list.metadata.nextCursor;
  return { versions, problems, ...(typeof next === 'string' && next !== '' ? { nextCursor: next } : {}) };
}

/** A `{server, _meta}` list item, or the JSON path of what is wrong with it. */
export function parseListItem(item: unknown): UpstreamVersion | string {
  const entry = item as { server?: unknown; _meta?: Record<string, unknown> } | null;
  if (!entry || typeof entry !== 'object') return '';
  const server = entry.server as ServerJson | undefined;
  if (!server || typeof server !== 'object' || Array.isArray(server)) return '/server';
  for (const key of ['name', 'version', 'description'] as const) if (typeof server[key] !== 'string') return `/server/${key}`;
  const official = entry._meta?.[OFFICIAL_META_KEY];
  if (official === undefined) return { server };
  const state = parseUpstreamState(official);
  return typeof state === 'string' ? `/_meta/${escapePointerSegment(OFFICIAL_META_KEY)}${state}` : { server, state };
}

/** The official `_meta` object as an UpstreamState, or the JSON path of the bad field. */
export function parseUpstreamState(value: unknown): UpstreamState | string {
  const o = value as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') return '';
  if (!(STATUSES as readonly unknown[]).includes(o.status)) return '/status';
  for (const key of ['publishedAt', 'updatedAt', 'statusChangedAt'] as const) if (typeof o[key] !== 'string' || parseInstant(o[key]) === null) return `/${key}`;
  if (o.statusMessage !== undefined && typeof o.statusMessage !== 'string') return '/statusMessage';
  const state: UpstreamState = {
    status: o.status as Status,
    statusChangedAt: o.statusChangedAt as string,
    ...(typeof o.statusMessage === 'string' && o.status !== 'active' ? { statusMessage: o.statusMessage } : {}),
    publishedAt: o.publishedAt as string,
    updatedAt: o.updatedAt as string,
  };
  return state;
}
