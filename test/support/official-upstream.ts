// A stand-in for the official MCP Registry's read API (registry.modelcontextprotocol.io) on 127.0.0.1, to test the
// project's sync against. It is written from ../shared/reference/official-registry.md §1.3–§1.9, §3.5 and §5 and
// deliberately shares no code with scripts/lib/query: an independent implementation catches misreadings that a
// shared one would repeat on both sides.
//
// Request pipeline, in order: record → NUL check → rate limit → injected failure (failNext) → CORS preflight →
// trailing-slash redirect → route → (list only) hold. Rate limiting comes first because on the real service it is
// the ingress in front of the application; failNext models the application failing.

import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '../../scripts/lib/seeded-random.ts';

export const OFFICIAL_META = 'io.modelcontextprotocol.registry/official';
export const SERVER_SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

export type UpstreamStatus = 'active' | 'deprecated' | 'deleted';

export interface UpstreamRow {
  server: { name: string; version: string; description: string; [k: string]: unknown };
  official: {
    status: UpstreamStatus;
    statusChangedAt: string;
    statusMessage?: string;
    publishedAt: string;
    updatedAt: string;
    isLatest: boolean;
  };
}

export interface UpstreamRequest {
  method: string;
  /** Raw path, without the query string. */
  path: string;
  /** Decoded query parameters (the first value of a repeated one, which is the one the official server reads). */
  query: Record<string, string>;
  /** Status answered; 0 while a held request is unanswered (or when its client left before release()). */
  status: number;
  /** Bytes of body written to the socket (padded list answers only): less than the padding when the client hung up. */
  sent?: number;
}

export interface OfficialUpstream {
  url: string;
  rows: UpstreamRow[];
  requests: UpstreamRequest[];
  publish(server: UpstreamRow['server'], at?: string): UpstreamRow;
  setStatus(name: string, version: string, status: UpstreamStatus, statusMessage?: string, at?: string): void;
  /**
   * Sliding window over the requests that were let through: a request is answered 429 when `requests` requests
   * were already let through in the last `windowMs` ms. Rejected requests do not count, so a client that waits
   * Retry-After (≥ windowMs) gets through again however often it retried meanwhile. Every route counts.
   */
  rateLimit: { requests: number; windowMs: number; retryAfterSeconds: number } | undefined;
  failNext(n: number, status: number): void;
  /**
   * Misbehaviour: successful list answers are `bytes` long, the JSON followed by whitespace (still valid JSON),
   * streamed without a Content-Length, so that only a client that counts what it reads stops early. Undefined: normal.
   */
  padList(bytes: number | undefined): void;
  /**
   * Misbehaviour: every list request, whatever its cursor, gets a new nextCursor. With `newRowsPerPage` 0 the
   * page repeats the first real rows; otherwise it holds that many rows never answered before. Undefined: normal.
   */
  endlessCursors(mode: { newRowsPerPage: number } | undefined): void;
  holdAfter(n: number): void;
  release(): void;
  close(): Promise<void>;
}

// ---- time: RFC 3339 instants at PostgreSQL's microsecond precision ----

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Microseconds since the epoch of an RFC 3339 time (what Go's time.Parse(time.RFC3339) accepts), or null. A JS Date
 * only keeps milliseconds while the registry's TIMESTAMPTZ keeps microseconds, so the fraction is read separately;
 * digits beyond the sixth are truncated, as pgx does when it sends a Go time to PostgreSQL.
 */
export function toMicros(text: string): bigint | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const back = new Date(ms);
  // Date.UTC rolls 2025-02-30 over into March; time.Parse rejects it.
  if (back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(4, 6));
    if (hours > 23 || minutes > 59) return null;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  }
  return BigInt(ms - offsetMinutes * 60_000) * 1000n + BigInt(frac.padEnd(6, '0').slice(0, 6));
}

/** The instant as Go marshals a UTC time.Time: RFC 3339 with the fraction's trailing zeros trimmed. */
export function formatMicros(micros: bigint): string {
  const seconds = new Date(Number(micros / 1000n)).toISOString().slice(0, 19);
  const fraction = (micros % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${seconds}${fraction ? `.${fraction}` : ''}Z`;
}

function micros(text: string): bigint {
  const value = toMicros(text);
  if (value === null) throw new Error(`not an RFC 3339 time: ${text}`);
  return value;
}

// ---- isLatest (official-registry.md §3.5) ----

const NUM = '(0|[1-9]\\d*)';
const PRE_ID = '(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)';
/** golang.org/x/mod/semver validity after the registry's "add a v if missing", restricted to major.minor.patch. */
const SEMVER = new RegExp(`^v?${NUM}\\.${NUM}\\.${NUM}(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`);

const sign = (n: number): number => (n > 0 ? 1 : n < 0 ? -1 : 0);
/** Numbers of any size, as Go's semver compares them: by length, then digit by digit. */
const compareDigits = (a: string, b: string): number => sign(a.length - b.length) || (a < b ? -1 : a > b ? 1 : 0);

function comparePrerelease(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1; // a release beats its prereleases
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!;
    const q = y[i]!;
    const pNum = /^\d+$/.test(p);
    const qNum = /^\d+$/.test(q);
    const c = pNum && qNum ? compareDigits(p, q) : pNum ? -1 : qNum ? 1 : p < q ? -1 : p > q ? 1 : 0;
    if (c) return c;
  }
  return sign(x.length - y.length);
}

/**
 * The official CompareVersions: both semver → semver order (build metadata ignored); neither → publish time;
 * mixed → the semver one is higher.
 */
export function compareVersions(a: string, aPublishedAt: string, b: string, bPublishedAt: string): number {
  const x = SEMVER.exec(a);
  const y = SEMVER.exec(b);
  if (x && y) {
    for (let i = 1; i <= 3; i++) {
      const c = compareDigits(x[i]!, y[i]!);
      if (c) return c;
    }
    return comparePrerelease(x[4], y[4]);
  }
  if (!x && !y) {
    const p = micros(aPublishedAt);
    const q = micros(bPublishedAt);
    return p > q ? 1 : p < q ? -1 : 0;
  }
  return x ? 1 : -1;
}

const byPublishedDesc = (a: UpstreamRow, b: UpstreamRow): number => {
  const p = micros(a.official.publishedAt);
  const q = micros(b.official.publishedAt);
  return p > q ? -1 : p < q ? 1 : 0;
};

/**
 * On publish the official service only compares the new version with the current latest row (whatever its status)
 * and moves the flag iff the new one is strictly higher; it does not recalculate over all versions.
 */
function publishInto(siblings: UpstreamRow[], server: UpstreamRow['server'], at: string): UpstreamRow {
  if (siblings.some((r) => r.server.version === server.version)) {
    throw new Error(`invalid version: cannot publish duplicate version (${server.name} ${server.version})`);
  }
  const current = siblings.find((r) => r.official.isLatest);
  const isLatest = !current || compareVersions(server.version, at, current.server.version, current.official.publishedAt) > 0;
  if (isLatest && current) current.official.isLatest = false;
  return {
    server: goOrder(server),
    official: { status: 'active', statusChangedAt: at, publishedAt: at, updatedAt: at, isLatest },
  };
}

/**
 * After a status change the official recalculateLatest walks the versions newest-published first and keeps the
 * first strictly highest non-deleted one; when every version is deleted, the highest deleted one keeps the flag.
 */
function recalculateLatest(siblings: UpstreamRow[]): void {
  const ordered = [...siblings].sort(byPublishedDesc);
  const highest = (pool: UpstreamRow[]): UpstreamRow | undefined =>
    pool.reduce<UpstreamRow | undefined>(
      (win, r) => (!win || compareVersions(r.server.version, r.official.publishedAt, win.server.version, win.official.publishedAt) > 0 ? r : win),
      undefined,
    );
  const winner = highest(ordered.filter((r) => r.official.status !== 'deleted')) ?? highest(ordered);
  for (const r of siblings) r.official.isLatest = r === winner;
}

/** The official PATCH …/versions/{v}/status, including its two 400s (thrown here). */
function changeStatus(siblings: UpstreamRow[], row: UpstreamRow, status: UpstreamStatus, message: string | undefined, at: string): void {
  const o = row.official;
  if (status === 'active' && message !== undefined) throw new Error('statusMessage cannot be provided when setting status to active');
  if (o.status === status && o.statusMessage === message) {
    throw new Error('No changes to apply: status and message are already set to the provided values');
  }
  row.official = {
    status,
    statusChangedAt: o.status === status ? o.statusChangedAt : at,
    ...(message !== undefined ? { statusMessage: message } : {}),
    publishedAt: o.publishedAt,
    updatedAt: at,
    isLatest: o.isLatest,
  };
  recalculateLatest(siblings);
}

const GO_FIELD_ORDER = ['$schema', 'name', 'description', 'title', 'repository', 'version', 'websiteUrl', 'icons', 'packages', 'remotes', '_meta'];

/** Top-level keys in the Go struct's order (the official stores json.Marshal(ServerJSON)); other keys kept after. */
function goOrder(server: UpstreamRow['server']): UpstreamRow['server'] {
  const copy = structuredClone(server);
  const out: Record<string, unknown> = {};
  for (const key of GO_FIELD_ORDER) if (key in copy) out[key] = copy[key];
  for (const key of Object.keys(copy)) if (!(key in out)) out[key] = copy[key];
  return out as UpstreamRow['server'];
}

// ---- HTTP answers ----

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Go's json.Encoder with SetEscapeHTML(false): compact, trailing newline, U+2028/U+2029 still escaped. */
const goJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`) + '\n';

const json = (status: number, value: unknown): Answer => ({ status, headers: { 'Content-Type': 'application/json' }, body: goJson(value) });

/** huma's ErrorModel (RFC 9457), fields in its order: title, status, detail, errors (omitted when empty). */
function problem(status: number, detail: string, errors?: Array<Record<string, unknown>>): Answer {
  const body = { title: STATUS_CODES[status] ?? 'Error', status, detail, ...(errors?.length ? { errors } : {}) };
  return { status, headers: { 'Content-Type': 'application/problem+json' }, body: goJson(body) };
}

/** The mux fallback: a json.Marshal'd map (keys alphabetical, no trailing newline). */
function endpointNotFound(decodedPath: string): Answer {
  const detail =
    decodedPath.startsWith('/v0/') || decodedPath.startsWith('/v0.1/')
      ? 'Endpoint not found. See /docs for the API documentation.'
      : `Endpoint not found. Did you mean '/v0.1${decodedPath}' or '/v0${decodedPath}'? See /docs for the API documentation.`;
  return {
    status: 404,
    headers: { 'Content-Type': 'application/problem+json', 'X-Content-Type-Options': 'nosniff' },
    body: JSON.stringify({ detail, status: 404, title: 'Not Found' }),
  };
}

function toResponse(row: UpstreamRow): unknown {
  const o = row.official;
  const official = {
    status: o.status,
    statusChangedAt: o.statusChangedAt,
    ...(o.statusMessage !== undefined ? { statusMessage: o.statusMessage } : {}),
    publishedAt: o.publishedAt,
    updatedAt: o.updatedAt,
    isLatest: o.isLatest,
  };
  return { server: row.server, _meta: { [OFFICIAL_META]: official } };
}

/** strconv.ParseBool, which huma uses for boolean query parameters. */
function parseBool(text: string): boolean | null {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return null;
}

/** huma parses and validates every parameter before the handler runs, and reports all failures in one 422. */
function parseParams(query: Record<string, string>, withLimit: boolean): { limit: number; includeDeleted?: boolean } | Answer {
  const errors: Array<Record<string, unknown>> = [];
  let limit = 30;
  const rawLimit = query.limit;
  if (withLimit && rawLimit) {
    if (!/^[+-]?\d+$/.test(rawLimit)) errors.push({ message: 'invalid integer', location: 'query.limit', value: rawLimit });
    else if (Number(rawLimit) < 1) errors.push({ message: 'expected number >= 1', location: 'query.limit', value: Number(rawLimit) });
    else if (Number(rawLimit) > 100) errors.push({ message: 'expected number <= 100', location: 'query.limit', value: Number(rawLimit) });
    else limit = Number(rawLimit);
  }
  let includeDeleted: boolean | undefined;
  if (query.include_deleted) {
    const parsed = parseBool(query.include_deleted);
    if (parsed === null) errors.push({ message: 'invalid boolean', location: 'query.include_deleted', value: query.include_deleted });
    else includeDeleted = parsed;
  }
  if (errors.length) return problem(422, 'validation failed', errors);
  return { limit, includeDeleted };
}

const isAnswer = (v: object): v is Answer => 'body' in v;

/** PostgreSQL text order under the C collation: UTF-8 bytes. The NUL separator makes (name, version) one key. */
const rowKey = (r: UpstreamRow): Buffer => Buffer.from(`${r.server.name}\0${r.server.version}`, 'utf8');

function listServers(rows: UpstreamRow[], query: Record<string, string>): Answer {
  const params = parseParams(query, true);
  if (isAnswer(params)) return params;
  let since: bigint | undefined;
  if (query.updated_since) {
    const parsed = toMicros(query.updated_since);
    if (parsed === null) return problem(400, 'Invalid updated_since format: expected RFC3339 timestamp (e.g., 2025-08-07T13:15:04.280Z)');
    since = parsed;
  }
  if (since !== undefined && params.includeDeleted === false) {
    return problem(400, 'Cannot set include_deleted=false when using updated_since (incremental sync requires deleted servers)');
  }
  const includeDeleted = since !== undefined || params.includeDeleted === true;
  const search = query.search?.toLowerCase();
  const version = query.version;

  // The cursor is "<name>:<version>" split on the first ':' (names cannot hold one); without ':' it is a bare name.
  let after: (key: Buffer, row: UpstreamRow) => boolean = () => true;
  if (query.cursor) {
    const colon = query.cursor.indexOf(':');
    if (colon < 0) {
      const name = Buffer.from(query.cursor, 'utf8');
      after = (_key, row) => Buffer.compare(Buffer.from(row.server.name, 'utf8'), name) > 0;
    } else {
      const bound = Buffer.from(`${query.cursor.slice(0, colon)}\0${query.cursor.slice(colon + 1)}`, 'utf8');
      after = (key) => Buffer.compare(key, bound) > 0;
    }
  }

  const page = rows
    .filter((r) => includeDeleted || r.official.status !== 'deleted')
    .filter((r) => since === undefined || micros(r.official.updatedAt) > since)
    .filter((r) => !search || r.server.name.toLowerCase().includes(search) || r.server.description.toLowerCase().includes(search))
    .filter((r) => !version || (version === 'latest' ? r.official.isLatest : r.server.version === version))
    .map((row) => ({ row, key: rowKey(row) }))
    .filter(({ row, key }) => after(key, row))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .slice(0, params.limit)
    .map(({ row }) => row);

  const last = page.at(-1);
  const metadata = {
    ...(last && page.length >= params.limit ? { nextCursor: `${last.server.name}:${last.server.version}` } : {}),
    count: page.length,
  };
  return json(200, { servers: page.map(toResponse), metadata });
}

function listVersions(rows: UpstreamRow[], name: string, query: Record<string, string>): Answer {
  const params = parseParams(query, false);
  if (isAnswer(params)) return params;
  const found = rows
    .filter((r) => r.server.name === name && (params.includeDeleted || r.official.status !== 'deleted'))
    .sort(byPublishedDesc);
  if (!found.length) return problem(404, 'Server not found');
  return json(200, { servers: found.map(toResponse), metadata: { count: found.length } });
}

function getVersion(rows: UpstreamRow[], name: string, version: string, query: Record<string, string>): Answer {
  const params = parseParams(query, false);
  if (isAnswer(params)) return params;
  const visible = rows.filter((r) => r.server.name === name && (params.includeDeleted || r.official.status !== 'deleted'));
  const row = version === 'latest' ? visible.filter((r) => r.official.isLatest).sort(byPublishedDesc)[0] : visible.find((r) => r.server.version === version);
  return row ? json(200, toResponse(row)) : problem(404, 'Server not found');
}

/** url.PathUnescape: like decodeURIComponent ('+' stays '+'), with Go's error text. */
function pathUnescape(segment: string, what: string): string | Answer {
  try {
    return decodeURIComponent(segment);
  } catch {
    const bad = /%(?![0-9A-Fa-f]{2})[^]{0,2}/.exec(segment)?.[0] ?? segment;
    return problem(400, `Invalid ${what} encoding`, [{ message: `invalid URL escape "${bad}"` }]);
  }
}

// ---- the server ----

export async function startOfficialUpstream(rows: UpstreamRow[] = []): Promise<OfficialUpstream> {
  const accepted: number[] = []; // arrival times of requests let through, for the rate limit's sliding window
  let failures = { left: 0, status: 500 };
  let holdBudget: number | undefined; // successful list answers still allowed before holding; undefined = no hold
  let held: Array<() => void> = [];
  let closing: Promise<void> | undefined;
  let lastDefault = 0n; // default times never repeat, so two publishes in one millisecond still order
  let padding: number | undefined;
  let endless: { newRowsPerPage: number } | undefined;
  let endlessCount = 0;

  const now = (at?: string): string => {
    if (at !== undefined) return formatMicros(micros(at));
    const wall = BigInt(Date.now()) * 1000n;
    lastDefault = wall > lastDefault ? wall : lastDefault + 1n;
    return formatMicros(lastDefault);
  };

  function route(method: string, rawPath: string, query: Record<string, string>): Answer | { list: true } {
    const m = /^\/v0(?:\.1)?(\/.*)$/.exec(rawPath);
    const rest = m?.[1] ?? '';
    const isGet = method === 'GET' || method === 'HEAD';
    const notAllowed: Answer = {
      status: 405,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', Allow: 'GET, HEAD' },
      body: 'Method Not Allowed\n',
    };
    if (m && rest === '/servers') return isGet ? { list: true } : notAllowed;
    if (m && rest === '/ping') return isGet ? json(200, { pong: true }) : notAllowed;
    if (m && rest === '/health') return isGet ? json(200, { status: 'ok' }) : notAllowed;
    if (m && rest === '/version') return isGet ? json(200, { version: 'test', git_commit: 'test', build_time: '2025-09-01T00:00:00Z' }) : notAllowed;
    // Go's ServeMux matches the escaped path segment by segment: %2F stays inside {serverName}.
    const detail = /^\/servers\/([^/]+)\/versions(?:\/([^/]+))?$/.exec(rest);
    if (m && detail) {
      if (!isGet) return notAllowed;
      const name = pathUnescape(detail[1]!, 'server name');
      if (typeof name !== 'string') return name;
      if (detail[2] === undefined) return listVersions(upstream.rows, name, query);
      const version = pathUnescape(detail[2], 'version');
      if (typeof version !== 'string') return version;
      return getVersion(upstream.rows, name, version, query);
    }
    let decoded = rawPath;
    try {
      decoded = decodeURIComponent(rawPath);
    } catch {
      // keep the raw path in the message
    }
    return endpointNotFound(decoded);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const search = q < 0 ? '' : raw.slice(q);
    const query: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(search)) if (!(k in query)) query[k] = v;
    const entry: UpstreamRequest = { method, path, query, status: 0 };
    upstream.requests.push(entry);

    const send = (a: Answer): void => {
      if (res.destroyed || res.writableEnded) return; // a held request whose client went away stays at status 0
      entry.status = a.status;
      const body = Buffer.from(a.body, 'utf8');
      // rs/cors (AllowedOrigins "*"): the allow-origin header only answers requests that carry an Origin.
      const cors: Record<string, string> = req.headers.origin ? { 'Access-Control-Allow-Origin': '*', Vary: 'Origin' } : { Vary: 'Origin' };
      res.writeHead(a.status, { ...a.headers, ...cors, 'Content-Length': String(body.length) });
      res.end(method === 'HEAD' ? undefined : body);
    };

    const endlessPage = (q: Record<string, string>): Answer => {
      endlessCount++;
      const n = endless!.newRowsPerPage;
      const page = n === 0
        ? (JSON.parse(listServers(upstream.rows, { ...q, cursor: '' }).body) as { servers: unknown[] }).servers
        : Array.from({ length: n }, (_, i) => toResponse(publishInto([], { name: `io.github.endless/page-${endlessCount}-${i}`, version: '1.0.0', description: 'One of ever more.' }, now())));
      return json(200, { servers: page, metadata: { nextCursor: `endless:${endlessCount}`, count: page.length } });
    };

    const streamPadded = (a: Answer, bytes: number): void => {
      entry.status = a.status;
      res.writeHead(a.status, { ...a.headers, Vary: 'Origin' }); // no Content-Length: chunked
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (!res.destroyed) {
          if (sent >= bytes) {
            entry.sent = sent;
            res.end();
            return;
          }
          const part = sent === 0 ? Buffer.from(a.body, 'utf8') : chunk.subarray(0, Math.min(chunk.length, bytes - sent));
          sent += part.length;
          entry.sent = sent;
          if (!res.write(part)) return void res.once('drain', pump);
        }
      };
      res.once('close', () => res.removeAllListeners('drain'));
      pump();
    };

    if (raw.includes('\0') || /%00/.test(raw)) {
      send({ status: 400, headers: { 'Content-Type': 'application/json' }, body: goJson({ title: 'Bad Request', status: 400, detail: 'Invalid request: URL path contains null bytes' }) });
      return;
    }

    const limit = upstream.rateLimit;
    if (limit) {
      const t = Date.now();
      while (accepted.length && accepted[0]! <= t - limit.windowMs) accepted.shift();
      if (accepted.length >= limit.requests) {
        const a = problem(429, 'Rate limit exceeded');
        send({ ...a, headers: { ...a.headers, 'Retry-After': String(limit.retryAfterSeconds) } });
        return;
      }
      accepted.push(t);
    }

    if (failures.left > 0) {
      failures.left--;
      const a = problem(failures.status, failures.status === 500 ? 'Failed to get registry list' : 'Injected failure');
      const retry: Record<string, string> = failures.status === 429 ? { 'Retry-After': String(upstream.rateLimit?.retryAfterSeconds ?? 1) } : {};
      send({ ...a, headers: { ...a.headers, ...retry } });
      return;
    }

    if (method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS', 'Access-Control-Max-Age': '86400', Vary: 'Origin' });
      entry.status = 204;
      res.end();
      return;
    }

    if (path !== '/' && path.endsWith('/')) {
      const cleaned = path.replace(/\/+$/, '') || '/';
      send({ status: 308, headers: { Location: cleaned + search, 'Content-Type': 'text/html; charset=utf-8' }, body: '' });
      return;
    }

    const answer = route(method, path, query);
    if (isAnswer(answer)) {
      send(answer);
      return;
    }
    const answerList = (): void => {
      const a = endless ? endlessPage(query) : listServers(upstream.rows, query);
      if (padding !== undefined && a.status === 200) streamPadded(a, padding);
      else send(a);
      if (a.status === 200 && holdBudget !== undefined && holdBudget > 0) holdBudget--;
    };
    if (holdBudget === 0) held.push(answerList);
    else answerList();
  }

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const upstream: OfficialUpstream = {
    url: `http://127.0.0.1:${port}`,
    rows,
    requests: [],
    rateLimit: undefined,
    publish(doc, at) {
      const row = publishInto(
        upstream.rows.filter((r) => r.server.name === doc.name),
        doc,
        now(at),
      );
      upstream.rows.push(row);
      return row;
    },
    setStatus(name, version, status, statusMessage, at) {
      const siblings = upstream.rows.filter((r) => r.server.name === name);
      const row = siblings.find((r) => r.server.version === version);
      if (!row) throw new Error(`Server version not found: ${name} ${version}`);
      changeStatus(siblings, row, status, statusMessage, now(at));
    },
    failNext(n, status) {
      failures = { left: n, status };
    },
    padList(bytes) {
      padding = bytes;
    },
    endlessCursors(mode) {
      endless = mode;
    },
    holdAfter(n) {
      holdBudget = n;
    },
    release() {
      holdBudget = undefined;
      const waiting = held;
      held = [];
      for (const answer of waiting) answer();
    },
    close() {
      // Idempotent, so a test may close early and still leave the afterEach cleanup in place.
      closing ??= new Promise<void>((resolve, reject) => {
        held = [];
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections(); // held and keep-alive connections would otherwise keep close() waiting
      });
      return closing;
    },
  };
  return upstream;
}

// ---- generated data ----

const USERS = ['alice', 'bob-builder', 'JohnDoe', 'octo-dev', 'mcp-community', 'zhang-wei', 'k8s-fan', 'DataWizard', 'n0tes', 'r-lang'];
const COMPANIES = ['acme', 'contoso', 'globex', 'initech', 'hooli', 'umbrella', 'stark-industries', 'wayne', 'piedpiper', 'example'];
const TLDS = ['com', 'io', 'ai', 'dev', 'net'];
const TOPICS = ['weather', 'filesystem', 'github', 'postgres', 'slack', 'calendar', 'notes', 'search', 'browser', 'jira', 'stripe', 'maps', 'translate', 'docs', 'k8s', 'redis', 's3', 'email', 'crm', 'analytics'];
const SUFFIXES = ['', '-mcp', '-server', '_tools', '.v2', 'MCP', '-mcp-server'];
const PHRASES = ['Read and search', 'Query and update', 'Manage', 'Browse', 'Automate', 'Inspect', '100% local access to', 'Fast_path access to'];

/**
 * Deterministic rows as the official registry would hold them after `versions` publishes of `servers` servers and
 * a few status changes, with every timestamp (publishes, then status changes) strictly increasing.
 */
export function generateUpstreamRows(options: { servers: number; versions: number; seed?: number; start?: string }): UpstreamRow[] {
  const { servers, versions, seed = 1 } = options;
  if (servers < 1 || versions < servers) throw new Error('need servers >= 1 and versions >= servers');
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  let clock = micros(options.start ?? '2025-09-01T00:00:00Z');
  // About 180 days in all whatever the size, so generated data stays in the past of a test's "now".
  const step = (180n * 86_400_000_000n) / BigInt(versions + Math.ceil(versions / 10) + 1);
  const tick = (): string => {
    const at = formatMicros(clock);
    clock += 1n + BigInt(Math.floor(random() * Number(step) * 2));
    return at;
  };

  // Every server one version, the rest piled on a few (cubing skews towards low indices: some servers get dozens).
  const counts = new Array<number>(servers).fill(1);
  for (let i = servers; i < versions; i++) counts[Math.floor(random() ** 3 * servers)]!++;

  const taken = new Set<string>();
  const templates = counts.map((count, i) => serverTemplate(i, count));

  function serverTemplate(index: number, count: number) {
    const personal = random() < 0.5;
    const owner = personal ? pick(USERS) : pick(COMPANIES);
    const namespace = personal ? `io.github.${owner}` : `${pick(TLDS)}.${owner}${random() < 0.15 ? '.mcp' : ''}`;
    const topic = pick(TOPICS);
    let part = `${topic}${pick(SUFFIXES)}`;
    if (taken.has(`${namespace}/${part}`)) part = `${part}-${index}`;
    taken.add(`${namespace}/${part}`);
    const host = namespace.split('.').reverse().join('.').toLowerCase();
    const kind = pick(['npm', 'npm', 'pypi', 'oci', 'remote', 'npm+remote'] as const);
    const scheme = pick(['semver', 'semver', 'semver', 'semver', 'semver', 'vsemver', 'date', 'two-part', 'mixed'] as const);
    return {
      name: `${namespace}/${part}`,
      owner: owner.toLowerCase(),
      slug: part.toLowerCase().replace(/[^a-z0-9-]/g, '-'),
      host,
      part,
      description: `${pick(PHRASES)} ${topic} for ${personal ? owner : owner.replace(/-/g, ' ')} (server ${index}).`.slice(0, 100),
      title: random() < 0.4 ? `${topic[0]!.toUpperCase()}${topic.slice(1)} by ${owner}` : undefined,
      website: random() < 0.3,
      kind,
      remoteTypes: random() < 0.3 ? (['streamable-http', 'sse'] as const) : ([pick(['streamable-http', 'streamable-http', 'sse'] as const)] as const),
      envVar: random() < 0.4 ? `${topic.toUpperCase()}_API_KEY` : undefined,
      versions: versionList(scheme, count),
    };
  }

  function versionList(scheme: string, count: number): string[] {
    const out: string[] = [];
    let [major, minor, patch] = [Math.floor(random() * 2), Math.floor(random() * 5), 0];
    const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * 300) * 86_400_000);
    for (let i = 0; i < count; i++) {
      const semverScheme = scheme === 'semver' || scheme === 'vsemver' || (scheme === 'mixed' && i < count / 2);
      if (semverScheme) {
        const r = random();
        if (i > 0 && r < 0.1) {
          out.push(`${major}.${minor + 1}.0-beta.${i}`); // a prerelease, then (usually) its release later
          continue;
        }
        if (r < 0.15) [major, minor, patch] = [major + 1, 0, 0];
        else if (r < 0.4) [minor, patch] = [minor + 1, 0];
        else if (i > 0) patch++;
        const build = random() < 0.03 ? `+build.${i}` : '';
        out.push(`${scheme === 'vsemver' ? 'v' : ''}${major}.${minor}.${patch}${build}`);
      } else if (scheme === 'two-part') {
        out.push(`${1 + Math.floor(i / 10)}.${i % 10}`);
      } else {
        day.setUTCDate(day.getUTCDate() + 1 + Math.floor(random() * 20));
        out.push(day.toISOString().slice(0, 10));
      }
    }
    // Now and then a backport: a lower version published right after a higher one.
    for (let i = 1; i < out.length; i++) if (random() < 0.08) [out[i - 1], out[i]] = [out[i]!, out[i - 1]!];
    return out;
  }

  function document(t: (typeof templates)[number], version: string): UpstreamRow['server'] {
    const packageVersion = version.replace(/^v/, '');
    const env = t.envVar ? { environmentVariables: [{ description: `API key for ${t.part}`, isRequired: true, isSecret: true, name: t.envVar }] } : {};
    const packages =
      t.kind === 'npm' || t.kind === 'npm+remote'
        ? [{ registryType: 'npm', ...(t.kind === 'npm' ? { registryBaseUrl: 'https://registry.npmjs.org' } : {}), identifier: `@${t.owner}/${t.slug}`, version: packageVersion, runtimeHint: 'npx', transport: { type: 'stdio' }, ...env }]
        : t.kind === 'pypi'
          ? [{ registryType: 'pypi', identifier: `mcp-${t.slug}`, version: packageVersion, runtimeHint: 'uvx', transport: { type: 'stdio' }, ...env }]
          : t.kind === 'oci'
            ? [{ registryType: 'oci', identifier: `ghcr.io/${t.owner}/${t.slug}:${packageVersion.replace(/\+/g, '-')}`, runtimeHint: 'docker', transport: { type: 'stdio' }, ...env }]
            : undefined;
    const remotes =
      t.kind === 'remote' || t.kind === 'npm+remote'
        ? t.remoteTypes.map((type) => ({ type, url: `https://${t.host}/${t.part}/${type === 'sse' ? 'sse' : 'mcp'}` }))
        : undefined;
    // Key order is the Go struct's (official-registry.md §1.7); absent optional fields are left out, as omitempty does.
    return {
      $schema: SERVER_SCHEMA,
      name: t.name,
      description: t.description,
      ...(t.title ? { title: t.title } : {}),
      repository: { url: `https://github.com/${t.owner}/${t.slug}`, source: 'github' },
      version,
      ...(t.website ? { websiteUrl: `https://${t.host}/` } : {}),
      ...(packages ? { packages } : {}),
      ...(remotes ? { remotes } : {}),
    };
  }

  // Interleave the servers' publishes at random; each server's own versions keep their order.
  const tickets = templates.flatMap((t, i) => t.versions.map(() => i));
  for (let i = tickets.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [tickets[i], tickets[j]] = [tickets[j]!, tickets[i]!];
  }
  const byName = new Map<string, UpstreamRow[]>();
  const next = new Array<number>(servers).fill(0);
  const rows: UpstreamRow[] = [];
  for (const index of tickets) {
    const t = templates[index]!;
    const siblings = byName.get(t.name) ?? [];
    const row = publishInto(siblings, document(t, t.versions[next[index]!++]!), tick());
    siblings.push(row);
    byName.set(t.name, siblings);
    rows.push(row);
  }

  // Then some status changes: a few deprecated (some with a reason), a few deleted, and one server deleted whole.
  for (const row of rows) {
    const r = random();
    const siblings = byName.get(row.server.name)!;
    if (r < 0.04) changeStatus(siblings, row, 'deprecated', random() < 0.5 ? 'Superseded by a newer release' : undefined, tick());
    else if (r < 0.06) changeStatus(siblings, row, 'deleted', random() < 0.5 ? 'Removed by moderators' : undefined, tick());
  }
  const whole = [...byName.values()].find((s) => s.length >= 2 && s.every((r) => r.official.status === 'active'));
  if (whole) for (const row of whole) changeStatus(whole, row, 'deleted', 'Withdrawn by the publisher', tick());
  return rows;
}
