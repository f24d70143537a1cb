// Reads server versions from an MCP Registry API (the official one, or a registry built by this project):
// `GET /v0.1/servers?limit=100` along `nextCursor`, incrementally with `updated_since`, retrying 429 and 5xx with
// backoff (Retry-After honoured), and refusing a cursor it has already followed (a server that loops).

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
  /** Called with each page, in order, before the next is requested; awaited (the checkpoint is written here). */
  onPage: (page: ApiPage) => Promise<void> | void;
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

/** Reads every page; throws a ProblemsError when the source cannot be read to the end. */
export async function readApiSource(options: ApiReadOptions): Promise<void> {
  let cursor = options.cursor;
  const seen = new Set(options.seenCursors ?? []);
  if (cursor !== undefined) seen.add(cursor);
  for (;;) {
    const url = listPageUrl(options.baseUrl, cursor, options.updatedSince);
    const body = await getJson(url, options);
    const page = parseListPage(body, url);
    if (page.versions.length + page.problems.length > PAGE_LIMIT) {
      // A host that ignores the query string (a plain static file host) answers its one complete page of latest
      // versions to every request: no older versions, no deletions, no updated_since. Mirroring it would silently lose them.
      throw sourceProblem('sync-source-static', options.baseUrl, `the source answered ${page.versions.length + page.problems.length} servers to limit=${PAGE_LIMIT}: it ignores query parameters`,
        'Serve the upstream registry with query support (npm run serve, or nginx with the config from npm run nginx -- --print); a plain static host gives only its latest versions, and no deletions.');
    }
    await options.onPage(page);
    if (page.nextCursor === undefined) return;
    // `seen` holds every cursor followed, the current one included.
    if (seen.has(page.nextCursor)) {
      throw sourceProblem('sync-cursor-loop', options.baseUrl, `the source returned the cursor ${JSON.stringify(page.nextCursor)} a second time; following it would never end`,
        'The upstream registry paginates wrongly. Report it to its operators; a full sync (--full) may avoid the spot.');
    }
    seen.add(page.nextCursor);
    cursor = page.nextCursor;
  }
}

const RETRY_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

/** One GET with retries; the parsed JSON body of a 2xx answer. */
async function getJson(url: string, options: ApiReadOptions): Promise<unknown> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let last = '';
  for (let attempt = 1; ; attempt++) {
    let wait: number | undefined;
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const response = await doFetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      options.onRequest?.();
      if (response.ok) {
        const text = await response.text();
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw sourceProblem('sync-source-response', url, `the answer is not JSON (${response.headers.get('content-type') ?? 'no content type'})`,
            'Check that the source URL is the registry base URL (without /v0.1) of an MCP Registry API.');
        }
      }
      last = `HTTP ${response.status}`;
      if (!RETRY_STATUSES.has(response.status)) {
        throw sourceProblem('sync-source-http', url, `the source answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`,
          response.status === 404 ? 'Check the source URL: it must be the registry base URL, answering /v0.1/servers.' : 'Check the source URL and the upstream registry\'s status.');
      }
      wait = retryAfterMs(response.headers.get('retry-after'));
      await response.body?.cancel();
    } catch (error) {
      if (error instanceof ProblemsError) throw error;
      options.onRequest?.();
      last = (error as Error).message;
    }
    if (attempt >= retry.attempts) {
      throw sourceProblem('sync-source-unavailable', url, `the source failed ${attempt} times (last: ${last})`,
        'The upstream registry is down or rate-limiting; run the sync again later (it resumes where it stopped).');
    }
    const backoff = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
    // Half fixed, half random: clients that failed together do not retry together.
    await sleep(Math.min(retry.maxDelayMs, Math.max(wait ?? 0, backoff / 2 + Math.random() * (backoff / 2))));
  }
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
