// A copy of the build for hosts that only look files up by path (GitHub Pages, S3 website hosting, any plain file
// server): each route's files are placed at the URL paths the route answers, derived from the route table.
// Such hosts ignore query strings, cannot alias /v0 to /v0.1, and redirect a path that is also a folder to
// `<path>/` + index.html; docs/hosting.md lists what clients can and cannot do there.

import fg from 'fast-glob';
import { copyFile, link, mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { contentMtime } from '../build/write-output.ts';
import { htmlSafeJson } from '../query/json.ts';
import { HEADERS_FILE, renderHeadersFile } from './headers-file.ts';
import { API_SECURITY_HEADERS, CORS_HEADERS, ROUTES, SITE_ROOT, SITE_SECURITY_HEADERS, fillTemplate } from '../serve/routes.ts';
import { problemAnswer } from '../serve/router.ts';

/** Matches a built file against a route's file template and returns the named groups. */
function templateRegex(template: string): RegExp {
  const escaped = template.replace(/[.*+?^{}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\$(\w+)/g, (_, name: string) => `(?<${name}>[^/]+)`)}$`);
}

/** URL path (under /v0.1) → built file, for every built file some route answers by default. */
export function staticHostPaths(builtFiles: readonly string[]): Map<string, string> {
  const paths = new Map<string, string>();
  for (const route of ROUTES) {
    const regex = templateRegex(route.file);
    for (const file of builtFiles) {
      const match = regex.exec(file);
      if (match) paths.set(fillTemplate(route.path, match.groups ?? {}), file);
    }
  }
  return paths;
}

/** Every proper prefix of a URL path is a folder on a file host. */
function folderPaths(urlPaths: Iterable<string>): Set<string> {
  const folders = new Set<string>();
  for (const urlPath of urlPaths) {
    for (let i = urlPath.indexOf('/', 1); i > 0; i = urlPath.indexOf('/', i + 1)) folders.add(urlPath.slice(0, i));
  }
  return folders;
}

/** Where a file host must find a URL path: a path that is also a folder is served as its index.html. */
export function staticHostLayout(builtFiles: readonly string[]): Map<string, string> {
  const paths = staticHostPaths(builtFiles);
  const folders = folderPaths(paths.keys());
  const layout = new Map<string, string>();
  for (const [urlPath, file] of paths) {
    const hostPath = folders.has(urlPath) ? `${urlPath}/index.html` : urlPath;
    // The same bytes under /v0, which such hosts cannot alias.
    for (const prefix of ['/v0.1', '/v0']) layout.set(prefix + hostPath.slice('/v0.1'.length), file);
  }
  return layout;
}

/**
 * `_headers` for hosts that read one (Netlify, Cloudflare Pages; GitHub Pages and stock file servers ignore it): the
 * site's policy and framing headers on every path, and on the API paths the JSON type (their `index.html` files
 * would otherwise be typed as pages), CORS and nosniff.
 */
export function renderStaticHostHeaders(): string {
  const api = { set: { 'Content-Type': 'application/json', ...CORS_HEADERS, ...API_SECURITY_HEADERS } };
  return renderHeadersFile('npm run static-host (scripts/lib/deploy/static-host.ts)', {
    '/*': { set: SITE_SECURITY_HEADERS },
    '/v0.1/*': api,
    '/v0/*': api,
  });
}

/**
 * Copies one built file to the host path. JSON is written with `<`, `>` and `&` escaped, because such hosts serve
 * the folder-index files (`/v0.1/servers/index.html`, a version named like a page) as HTML, where unescaped
 * publisher text would be markup on the registry's origin. The escaped bytes parse to the same value. Their
 * modification time is derived from them as the build does (write-output.ts), so a host that makes its ETag from
 * the time and size (nginx, the Node server) still changes it exactly when the content changes.
 */
async function placeFile(source: string, target: string): Promise<void> {
  if (source.endsWith('.json')) {
    const text = await readFile(source, 'utf8');
    const safe = htmlSafeJson(text);
    if (safe !== text) {
      await writeFile(target, safe);
      const mtime = contentMtime(Buffer.from(safe, 'utf8'));
      await utimes(target, mtime, mtime);
      return;
    }
  }
  // Hard links cost no space; fall back to copies across filesystems.
  await link(source, target).catch(() => copyFile(source, target));
}

export async function writeStaticHostLayout(distDir: string, outDir: string): Promise<{ files: number }> {
  const layout = staticHostLayout(await fg('**/*', { cwd: distDir, onlyFiles: true, dot: true }));
  await rm(outDir, { recursive: true, force: true });
  // The web site goes at the root, as it is: a plain file host already serves folders' index.html. Without the
  // build's .br/.gz variants: GitHub Pages would serve them as downloads and never negotiates, and Netlify and
  // Cloudflare Pages compress on their own, so they would only make the upload twice as large.
  for (const file of await fg(`${SITE_ROOT}/**/*`, { cwd: distDir, onlyFiles: true, dot: true, ignore: ['**/*.br', '**/*.gz'] })) layout.set(file.slice(SITE_ROOT.length), file);
  for (const [hostPath, file] of layout) {
    const target = path.join(outDir, hostPath);
    await mkdir(path.dirname(target), { recursive: true });
    await placeFile(path.join(distDir, file), target);
  }
  // GitHub Pages serves 404.html (with status 404) for every miss; clients get a JSON body rather than HTML.
  await writeFile(path.join(outDir, '404.html'), htmlSafeJson(problemAnswer(404, 'Server not found').body));
  // Stop GitHub Pages from running Jekyll, which would drop folders starting with `_`.
  await writeFile(path.join(outDir, '.nojekyll'), '');
  await writeFile(path.join(outDir, HEADERS_FILE), renderStaticHostHeaders());
  return { files: layout.size + 3 };
}
