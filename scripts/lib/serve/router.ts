// The one router: for a request (method, path, query) it decides which built file answers, or which computed
// answer, with which status and headers. The Node server executes its decisions; nginx.conf is derived from the
// same route table (routes.ts).

import { parseGoBool, LIST_QUERY_PATTERN, readListParams, type ListParams } from '../query/list-query.ts';
import { renderProblem, renderUnknownEndpoint } from '../query/json.ts';
import { VARY_ENCODING } from './encoding.ts';
import { API_SECURITY_HEADERS, CACHE_CONTROL, CORS_HEADERS, fillTemplate, IMMUTABLE_PATH_PATTERN, PREFLIGHT_MAX_AGE, ROUTES, SITE_PATH_PATTERN, SITE_ROOT, SITE_SECURITY_HEADERS, type CacheClass, type RouteSpec } from './routes.ts';

export type Headers = Record<string, string>;

export type RouteDecision =
  /**
   * The first of `files` that exists answers 200; if none does, `notFound` answers. With `typeByExtension`, the
   * Content-Type follows the found file's extension (site pages and assets).
   */
  | { type: 'file'; route?: RouteSpec; files: string[]; headers: Headers; notFound: ProblemAnswer; typeByExtension?: boolean }
  /** Computed from the row index (query/list-query.ts). */
  | { type: 'list-query'; route: RouteSpec; params: ListParams; headers: Headers }
  | ProblemAnswer
  | { type: 'empty'; status: number; headers: Headers };

export interface ProblemAnswer {
  type: 'problem';
  status: number;
  headers: Headers;
  body: string;
}

const TITLES: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 422: 'Unprocessable Entity', 500: 'Internal Server Error' };

/** Methods every route accepts; anything else answers 405 with this list. */
export const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';

/** Headers of every problem answer, whoever renders its body. */
export function problemHeaders(): Headers {
  return { ...CORS_HEADERS, 'Content-Type': 'application/problem+json', 'Cache-Control': CACHE_CONTROL.error, 'X-Content-Type-Options': 'nosniff' };
}

export function problemAnswer(status: number, detail: string, errors?: unknown[]): ProblemAnswer {
  return { type: 'problem', status, body: renderProblem(status, TITLES[status] ?? 'Error', detail, errors), headers: problemHeaders() };
}

export function methodNotAllowed(): ProblemAnswer {
  const answer = problemAnswer(405, 'Method not allowed');
  answer.headers.Allow = ALLOWED_METHODS;
  return answer;
}

export function badPath(): ProblemAnswer {
  return problemAnswer(400, 'Invalid request: bad path encoding');
}

// Answers that are files or computed pages may come compressed (encoding.ts), so caches must key them on
// Accept-Encoding; problem answers are never compressed and carry no Vary.
export function answerHeaders(cache: CacheClass): Headers {
  return { ...CORS_HEADERS, 'Content-Type': 'application/json', 'Cache-Control': CACHE_CONTROL[cache], ...API_SECURITY_HEADERS, Vary: VARY_ENCODING };
}

/** Headers of a site page or asset (the Content-Type follows the file's extension). */
export function siteHeaders(cache: 'page' | 'immutable'): Headers {
  return { ...CORS_HEADERS, 'Cache-Control': CACHE_CONTROL[cache], ...SITE_SECURITY_HEADERS, Vary: VARY_ENCODING };
}

const COMPILED = ROUTES.map((route) => ({ route, regex: new RegExp(route.pattern) }));
const LIST_QUERY = new RegExp(LIST_QUERY_PATTERN);
const SITE_PATH = new RegExp(SITE_PATH_PATTERN);
const IMMUTABLE_PATH = new RegExp(IMMUTABLE_PATH_PATTERN);

function endpointNotFound(path: string): ProblemAnswer {
  return { type: 'problem', status: 404, body: renderUnknownEndpoint(path), headers: problemHeaders() };
}

/** Decodes %XX once, as nginx does before matching; null for malformed escapes or `.`/`..` segments. */
export function decodePath(rawPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  path = path.replace(/\/{2,}/g, '/');
  return path.split('/').some((s) => s === '.' || s === '..') ? null : path;
}

/** Decides the answer to one request. `target` is the request target as sent: path plus optional `?query`. */
export function routeRequest(method: string, target: string): RouteDecision {
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q + 1);
  if (/%00|\0/.test(target)) return problemAnswer(400, 'Invalid request: URL path contains null bytes');
  if (method === 'OPTIONS') {
    return { type: 'empty', status: 204, headers: { ...CORS_HEADERS, 'Access-Control-Max-Age': PREFLIGHT_MAX_AGE } };
  }
  const path = decodePath(rawPath);
  if (path === null) return badPath();
  for (const { route, regex } of COMPILED) {
    const match = regex.exec(path);
    if (!match) continue;
    if (method !== 'GET' && method !== 'HEAD') {
      return methodNotAllowed();
    }
    const params = readListParams(query);
    if (route.listQuery && LIST_QUERY.test(query)) {
      return { type: 'list-query', route, params, headers: answerHeaders('list') };
    }
    let includeDeleted = false;
    if (params.include_deleted) {
      const parsed = parseGoBool(params.include_deleted);
      if (parsed === null) return problemAnswer(422, 'validation failed', [{ message: 'invalid boolean', location: 'query.include_deleted', value: params.include_deleted }]);
      includeDeleted = parsed;
    }
    const groups = match.groups ?? {};
    const files = [fillTemplate(route.file, groups)];
    if (includeDeleted && route.deletedFile) files.unshift(fillTemplate(route.deletedFile, groups));
    return { type: 'file', route, files, headers: answerHeaders(route.cache), notFound: problemAnswer(404, route.notFound) };
  }
  if (SITE_PATH.test(path)) {
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed();
    const base = `${SITE_ROOT}${path}`;
    const files = path.endsWith('/') ? [`${base}index.html`] : [base, `${base}/index.html`];
    const cache = IMMUTABLE_PATH.test(path) ? 'immutable' : 'page';
    return { type: 'file', files, headers: siteHeaders(cache), notFound: endpointNotFound(path), typeByExtension: true };
  }
  return endpointNotFound(path);
}
