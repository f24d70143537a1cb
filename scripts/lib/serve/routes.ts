// The route table: which built file answers which API path. The Node router matches it directly and the nginx
// configuration is generated from it, so both hosts answer every path the same way.
//
// Patterns run against the percent-decoded path (as nginx's `location` sees it), so `%2F`, `%2f` and a raw `/`
// in a name all reach the same two segments, `%2B` and `+` the same version, and a double-encoded `%252F` stays
// one segment that matches nothing. They use only syntax that JavaScript and PCRE read alike.

import { API_ROOT, DELETED_ROOT } from '../query/layout.ts';

export type CacheClass = 'list' | 'detail' | 'probe' | 'error' | 'page' | 'immutable';

export interface RouteSpec {
  id: string;
  pattern: string;
  /** Built file, with `$ns`, `$server`, `$version` standing for the pattern's named groups. */
  file: string;
  /** The canonical URL path of that file under /v0.1, for hosts that look files up by path (static-host.ts). */
  path: string;
  /** Tried first when `include_deleted` is true. */
  deletedFile?: string;
  /** Query parameters select a computed answer (see LIST_QUERY_PATTERN). */
  listQuery?: boolean;
  cache: CacheClass;
  /** Problem detail when no file exists for a matched path. */
  notFound: string;
}

const API = '^/v0(?:\\.1)?';
// Named groups: nginx keeps them as variables ($ns, $server, $version), which later regex `map`s cannot clobber
// the way they clobber $1…$9.
const NAME = '(?<ns>[^/]+)/(?<server>[^/]+)';

export const ROUTES: RouteSpec[] = [
  { id: 'server-list', pattern: `${API}/servers/?$`, file: `${API_ROOT}/servers.json`, path: '/v0.1/servers', listQuery: true, cache: 'list', notFound: 'Server not found' },
  {
    id: 'server-versions', pattern: `${API}/servers/${NAME}/versions/?$`, cache: 'list', notFound: 'Server not found',
    path: '/v0.1/servers/$ns/$server/versions', file: `${API_ROOT}/servers/$ns/$server/versions.json`, deletedFile: `${DELETED_ROOT}/servers/$ns/$server/versions.json`,
  },
  {
    id: 'server-version', pattern: `${API}/servers/${NAME}/versions/(?<version>[^/]+)$`, cache: 'detail', notFound: 'Server not found',
    path: '/v0.1/servers/$ns/$server/versions/$version', file: `${API_ROOT}/servers/$ns/$server/versions/$version.json`, deletedFile: `${DELETED_ROOT}/servers/$ns/$server/versions/$version.json`,
  },
  // VS Code's built-in gallery falls back to this path, with the name unencoded, when a detail lookup fails.
  {
    id: 'server-by-name', pattern: `${API}/servers/by-name/${NAME}$`, cache: 'detail', notFound: 'Server not found',
    path: '/v0.1/servers/by-name/$ns/$server', file: `${API_ROOT}/servers/$ns/$server/versions/latest.json`, deletedFile: `${DELETED_ROOT}/servers/$ns/$server/versions/latest.json`,
  },
  { id: 'ping', pattern: `${API}/ping$`, file: `${API_ROOT}/ping.json`, path: '/v0.1/ping', cache: 'probe', notFound: 'Endpoint not found' },
  { id: 'health', pattern: `${API}/health$`, file: `${API_ROOT}/health.json`, path: '/v0.1/health', cache: 'probe', notFound: 'Endpoint not found' },
];

/** Deliberate freshness per kind of answer: lists move with every merge, details rarely, probes never cache. */
export const CACHE_CONTROL: Record<CacheClass, string> = {
  list: 'public, max-age=60, stale-while-revalidate=600',
  detail: 'public, max-age=300, stale-while-revalidate=3600',
  probe: 'no-cache',
  error: 'public, max-age=60',
  page: 'public, max-age=60, stale-while-revalidate=600',
  // Files whose names carry their content hash (the search index, the site's scripts and styles) never change.
  immutable: 'public, max-age=31536000, immutable',
};

/**
 * The web site: every path outside /v0 and /v0.1 is a file under `site/` in the build (a folder answers with its
 * index.html, without a redirect), typed by its extension.
 */
export const SITE_ROOT = 'site';
export const SITE_PATH_PATTERN = '^/(?!v0/|v0\\.1/|v0$|v0\\.1$)';
/** Content-hashed names: `<name>-<8+ hex>.<ext>` under /assets/ or /search/. */
export const IMMUTABLE_PATH_PATTERN = '^/(assets|search)/[^/]+-[0-9a-f]{8,}\\.[a-z]+$';
export const SITE_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  json: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  txt: 'text/plain; charset=utf-8',
  webmanifest: 'application/manifest+json',
};

export function siteContentType(file: string): string {
  const ext = /\.([a-z0-9]+)$/.exec(file)?.[1] ?? '';
  return SITE_TYPES[ext] ?? 'application/octet-stream';
}

/** Sent with every answer, errors included (GitHub's requirements for a Copilot registry). */
export const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type',
  'Access-Control-Expose-Headers': 'Content-Type, Content-Length, ETag',
};

export const PREFLIGHT_MAX_AGE = '86400';

/**
 * The web site's Content-Security-Policy, without the directives a `<meta http-equiv>` cannot carry: its scripts are
 * the hashed bundles under /assets/ (no inline script, no eval), the search worker is one of them and fetches the
 * index from the same origin, styles come from one stylesheet, and nothing else loads. A description that slipped
 * markup past escaping could then still run nothing.
 */
export const SITE_CSP_META = [
  "default-src 'none'", "script-src 'self'", "worker-src 'self'", "connect-src 'self'", "style-src 'self'",
  "img-src 'self'", "manifest-src 'self'", "base-uri 'none'", "form-action 'self'",
].join('; ');

/** The same policy as a header, which can also forbid framing (a meta tag cannot carry frame-ancestors). */
export const SITE_CSP = `${SITE_CSP_META}; frame-ancestors 'none'`;

/** Sent with every site page and asset: the policy, no content sniffing, no framing (older browsers too). */
export const SITE_SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': SITE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

/** Sent with every API answer: a JSON body is never to be sniffed into a page. */
export const API_SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
};

export function fillTemplate(template: string, groups: Record<string, string>): string {
  return template.replace(/\$(\w+)/g, (_, name: string) => groups[name] ?? '');
}
