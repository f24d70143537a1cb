// nginx configuration derived from the route table (routes.ts): one location per route, the same files tried in
// the same order, the same headers, problem+json for every miss, and list queries answered by njs running the
// shared query code. Generated, never edited by hand: `npm run nginx -- --print`.

import { LIST_QUERY_PATTERN } from '../query/list-query.ts';
import { CORS_HEADERS, IMMUTABLE_PATH_PATTERN, PREFLIGHT_MAX_AGE, ROUTES, SITE_ROOT, SITE_TYPES, type RouteSpec } from './routes.ts';
import { answerHeaders, badPath, methodNotAllowed, problemAnswer, siteHeaders, type ProblemAnswer } from './router.ts';
import { NJS_BUNDLE_FILE, NJS_IDENTITY_FILE } from './njs-bundle.ts';
import { DELETED_ROOT } from '../query/layout.ts';
import { existsSync } from 'node:fs';
import { MIN_COMPRESS_BYTES } from '../build/compress.ts';
import { VARY_ENCODING } from './encoding.ts';

export const NJS_MODULE_PATH = '/usr/lib/nginx/modules/ngx_http_js_module.so';
/** Debian's libnginx-mod-http-brotli-static; without it nginx serves the `.gz` variants only. */
export const BROTLI_STATIC_MODULE_PATH = '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so';

export function brotliStaticAvailable(): boolean {
  return existsSync(BROTLI_STATIC_MODULE_PATH);
}

export interface NginxConfigOptions {
  /** Absolute path of the built directory. */
  dir: string;
  port: number;
  host?: string;
  /** Folder for nginx's pid, logs and temp files (standalone config only). */
  prefix: string;
  /** Worker user when started as root; nginx's default, nobody, cannot read a private build folder. */
  user?: string;
  /** Serve the `.br` variants (needs the brotli_static module); default: whether Debian's module file exists here. */
  brotli?: boolean;
}

// Go's strconv.ParseBool, case-sensitive (nginx compares plain map strings without case). A regex map clobbers
// $1…$9 when evaluated, which is why routes use named groups.
const TRUE_PATTERN = '~^(1|t|T|TRUE|true|True)$';
const BOOL_PATTERN = '~^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$';

const CONTROL_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * nginx strings: double-quoted with `"` and `\` escaped, and newline, CR and tab written as `\n`, `\r`, `\t` (which
 * nginx's parser reads back), so a body's trailing newline never becomes a line break in the file, where the
 * indentation added around an included server block would end up inside the string. `$` is left alone: every
 * string quoted here is either a regex (where nginx does not expand variables) or a fixed text of ours without `$`.
 */
function quote(text: string): string {
  return `"${text.replace(/[\\"\n\r\t]/g, (c) => CONTROL_ESCAPES[c] ?? `\\${c}`)}"`;
}

/** Modification times are content hashes (write-output.ts): the ETag is meaningful, the date is not. */
const HIDE_LAST_MODIFIED = { 'Last-Modified': '' };

function headerLines(headers: Record<string, string>, indent: string): string {
  return Object.entries({ ...headers, ...HIDE_LAST_MODIFIED }).map(([name, value]) => `${indent}add_header ${name} ${quote(value)} always;`).join('\n');
}

/** An `if` block replaces the location's add_header list, so the preflight answer carries its own. */
function preflight(indent: string): string {
  const headers = headerLines({ ...CORS_HEADERS, 'Access-Control-Max-Age': PREFLIGHT_MAX_AGE }, `${indent}  `);
  return `${indent}if ($request_method = OPTIONS) {\n${headers}\n${indent}  return 204;\n${indent}}`;
}

function problemLocation(name: string, answer: ProblemAnswer, indent: string, internal = false): string {
  const { 'Content-Type': contentType, ...headers } = answer.headers;
  const status = answer.status;
  return [
    `${indent}location ${name} {`,
    ...(internal ? [`${indent}  internal;`] : []),
    `${indent}  default_type ${contentType};`,
    headerLines(headers, `${indent}  `),
    `${indent}  return ${status} ${quote(answer.body)};`,
    `${indent}}`,
  ].join('\n');
}

/** error_page is inherited only by locations that set none, so every location lists these. */
// 400 is raised while the request line is parsed, before a URI exists, so it needs a URI rather than a named location.
const ERROR_PAGES = ['error_page 400 /_registry/bad-request;', 'error_page 405 = @method_not_allowed;'];

function routeLocation(route: RouteSpec, indent: string): string {
  const inner = `${indent}  `;
  const lines = [`${indent}location ~ ${quote(route.pattern)} {`];
  // The Content-Type comes from default_type; the other headers are the router's.
  const headers = answerHeaders(route.cache);
  delete headers['Content-Type'];
  lines.push(headerLines(headers, inner));
  lines.push(preflight(inner));
  lines.push(`${inner}error_page 404 = @not_found_${route.id.replace(/-/g, '_')};`);
  lines.push(ERROR_PAGES.map((e) => `${inner}${e}`).join('\n'));
  if (route.listQuery) lines.push(`${inner}if ($registry_list_query) { rewrite ^ /_registry/list-query last; }`);
  const files = ['/' + route.file];
  if (route.deletedFile) {
    lines.push(`${inner}if ($registry_include_deleted_invalid) { rewrite ^ /_registry/invalid-include-deleted last; }`);
    // $registry_deleted_root is the deleted-rows folder when include_deleted is true, else a folder that never exists.
    files.unshift('$registry_deleted_root' + route.deletedFile.slice(DELETED_ROOT.length));
  }
  // A version's file is a few KB: read into a buffer, it goes out with the headers in one writev, where sendfile
  // with tcp_nopush costs four system calls (cork, headers, file, uncork); measured, a quarter of nginx's CPU per
  // answer. Lists keep sendfile: servers.json is megabytes.
  if (route.cache === 'detail') lines.push(`${inner}sendfile off;`);
  lines.push(`${inner}try_files ${files.join(' ')} =404;`);
  lines.push(`${indent}}`);
  return lines.join('\n');
}

function brotli(options: NginxConfigOptions): boolean {
  return options.brotli ?? brotliStaticAvailable();
}

/**
 * Imported by the locations that run it, not for the whole `http {}`: njs 0.7 sets up every module a location
 * imports (top-level code included) for each request that runs any njs there, `$registry_build` on every list
 * request among them.
 */
function listQueryImport(options: NginxConfigOptions): string {
  return `js_import registry_list from ${quote(`${options.dir}/${NJS_BUNDLE_FILE}`)};`;
}

/** The list-query server's socket and the cache of its answers, in nginx's working folder. */
function listQuerySocket(options: NginxConfigOptions): string {
  return `unix:${options.prefix}/list-query.sock`;
}

/**
 * A page computed per request costs milliseconds of njs and gzip (the row index is read and parsed, 30 detail
 * files read, the page compressed), a built file microseconds. The build never changes once served (it swaps in a
 * new folder), so each page is computed once: the `server` location proxies to a second server on a unix socket
 * that runs the njs code and gzip as before, and nginx's proxy cache keeps its answers, compressed, keyed by the
 * build's identity (njs-build-identity.ts), the Accept-Encoding the page was compressed for and the query.
 * Only 200s are kept; problems are cheap and pass through. The cache ignores the answers' Cache-Control and Vary:
 * those are for clients, and the key holds what the answer varies with.
 */
function listQueryCacheHttp(options: NginxConfigOptions): string {
  return `js_import registry_build from ${quote(`${options.dir}/${NJS_IDENTITY_FILE}`)};
js_set $registry_build registry_build.buildIdentity;
# gzip compresses for HTTP/1.1 and later only (gzip_http_version): an HTTP/1.0 client's page is asked for plain.
map $server_protocol $registry_list_accept_encoding {
  HTTP/1.0 "";
  default $http_accept_encoding;
}
proxy_cache_path ${quote(`${options.prefix}/list-cache`)} levels=1:2 keys_zone=registry_list:16m max_size=1g inactive=1h use_temp_path=off;
upstream registry_list_query {
  server ${listQuerySocket(options)};
  keepalive 8;
}`;
}

function listQueryCache(options: NginxConfigOptions, indent: string): string {
  return [
    'proxy_pass http://registry_list_query;',
    'proxy_http_version 1.1;',
    'proxy_set_header Connection "";',
    'proxy_set_header Accept-Encoding $registry_list_accept_encoding;',
    'proxy_cache registry_list;',
    'proxy_cache_key "$registry_build|$registry_list_accept_encoding|$args";',
    'proxy_cache_valid 200 1d;',
    // Requests for a page being computed wait for it rather than compute it again (measured: less CPU, lower p99).
    'proxy_cache_lock on;',
    'proxy_ignore_headers Cache-Control Expires Vary Set-Cookie X-Accel-Expires;',
  ].map((line) => indent + line).join('\n');
}

/** The server the cache asks, on a unix socket in nginx's working folder (not the network): njs and gzip. */
function listQueryServer(options: NginxConfigOptions): string {
  return `server {
    listen ${listQuerySocket(options)};
    root ${quote(options.dir)};
    default_type application/json;
    charset off;
    location = /_registry/list-query {
${headerLines(CORS_HEADERS, '      ')}
      # Pages are compressed when computed, as the Node server does; gzip only, which needs no extra module (the
      # Node server may pick br). Vary without always: problems are not compressed and do not vary.
      add_header Vary ${VARY_ENCODING};
      gzip on;
      gzip_proxied any;
      gzip_types application/json;
      gzip_min_length ${MIN_COMPRESS_BYTES + 1};
      gzip_comp_level 6;
      ${listQueryImport(options)}
      js_content registry_list.answer;
    }
    location / {
      return 404;
    }
}`;
}

/** The `map`s and `server` block, for an `http {}` block (self-hosters can include this part alone). */
export function renderNginxServer(options: NginxConfigOptions): string {
  const routes = ROUTES.map((route) => routeLocation(route, '    ')).join('\n\n');
  const notFound = [...new Set(ROUTES.map((r) => r.id))]
    .map((id) => problemLocation(`@not_found_${id.replace(/-/g, '_')}`, problemAnswer(404, ROUTES.find((r) => r.id === id)!.notFound), '    '))
    .concat(problemLocation('= /_registry/bad-request', badPath(), '    ', true), problemLocation('@method_not_allowed', methodNotAllowed(), '    '))
    .join('\n');
  return `# Generated by mcp-static-registry (npm run nginx -- --print). Do not edit: regenerate.

map $arg_include_deleted $registry_deleted_root {
  ${quote(TRUE_PATTERN)} /${DELETED_ROOT};
  default /_include_deleted_not_requested;
}
map $arg_include_deleted $registry_include_deleted_invalid {
  "" 0;
  ${quote(BOOL_PATTERN)} 0;
  default 1;
}
map $args $registry_list_query {
  ${quote(`~${LIST_QUERY_PATTERN}`)} 1;
  default 0;
}
${listQueryCacheHttp(options)}

server {
    listen ${options.host ?? '127.0.0.1'}:${options.port};
    root ${quote(options.dir)};
    types {}
    default_type application/json;
    charset off;
    etag on;
    # Open descriptors of the many small files are kept; each is checked against its name again after a second
    # (default: a minute), so a build swapped in is served within a second, not from the old folder's files.
    open_file_cache max=20000 inactive=60s;
    open_file_cache_valid 1s;
    open_file_cache_errors on;
    # The build's precompressed variants (build/compress.ts): the file's ETag is the variant's own (its time and size),
    # so it differs per encoding. Vary comes from the locations' headers (the router's), so gzip_vary stays off
    # rather than send it twice; a CDN in front (with Via) gets the variants too, as the answers vary.
    gzip_static on;
    gzip_proxied any;
${brotli(options) ? '    brotli_static on;\n' : ''}
${ERROR_PAGES.map((e) => `    ${e}`).join('\n')}

    # The web site: a file under site/, or a folder's index.html (no redirect); anything else is the official
    # "endpoint not found" problem, which names the path. API paths have their own locations below.
    location / {
      types {
${Object.entries(SITE_TYPES).map(([ext, type]) => `        ${type.split(';')[0]} ${ext};`).join('\n')}
      }
      charset utf-8;
      charset_types text/html text/css text/javascript text/plain;
${headerLines(siteHeaders('page'), '      ')}
${preflight('      ')}
      error_page 404 = @unknown_endpoint;
      try_files /${SITE_ROOT}$uri /${SITE_ROOT}$uri/index.html =404;
    }
    location ~ ${quote(IMMUTABLE_PATH_PATTERN)} {
      types {
${Object.entries(SITE_TYPES).map(([ext, type]) => `        ${type.split(';')[0]} ${ext};`).join('\n')}
      }
${headerLines(siteHeaders('immutable'), '      ')}
      error_page 404 = @unknown_endpoint;
      try_files /${SITE_ROOT}$uri =404;
    }
    location @unknown_endpoint {
${headerLines(CORS_HEADERS, '      ')}
      ${listQueryImport(options)}
      js_content registry_list.unknownEndpoint;
    }

${routes}

    # Computed list pages: answered by the cache in front of the list-query server below, which stores each page
    # once per build, query and Accept-Encoding, already compressed. See listQueryCache().
    location = /_registry/list-query {
      internal;
${listQueryCache(options, '      ')}
    }
    location = /_registry/invalid-include-deleted {
      internal;
${headerLines(CORS_HEADERS, '      ')}
      ${listQueryImport(options)}
      js_content registry_list.rejectIncludeDeleted;
    }
${notFound}
}

${listQueryServer(options)}
`;
}

/** A complete configuration for `nginx -p <prefix> -c <file>` that runs in the foreground. */
export function renderNginxConfig(options: NginxConfigOptions): string {
  return `# Generated by mcp-static-registry. Run: nginx -p ${options.prefix} -c <this file>
load_module ${NJS_MODULE_PATH};
${brotli(options) ? `load_module ${BROTLI_STATIC_MODULE_PATH};\n` : ''}${options.user ? `user ${options.user};\n` : ''}worker_processes auto;
daemon off;
pid ${options.prefix}/nginx.pid;
error_log stderr warn;

events {
  worker_connections 4096;
}

http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path ${options.prefix}/client_body;
  proxy_temp_path ${options.prefix}/proxy;
  fastcgi_temp_path ${options.prefix}/fastcgi;
  uwsgi_temp_path ${options.prefix}/uwsgi;
  scgi_temp_path ${options.prefix}/scgi;

${renderNginxServer(options).replace(/^/gm, '  ').replace(/^\s+$/gm, '')}
}
`;
}
