// A copy of the build for hosts that only look files up by path (GitHub Pages, S3 website hosting, any plain file
// server): each route's files are placed at the URL paths the route answers, derived from the route table.
// Such hosts ignore query strings, cannot alias /v0 to /v0.1, and redirect a path that is also a folder to
// `<path>/` + index.html; docs/hosting.md lists what clients can and cannot do there.

import fg from 'fast-glob';
import { copyFile, link, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROUTES, SITE_ROOT, fillTemplate } from '../serve/routes.ts';
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

export async function writeStaticHostLayout(distDir: string, outDir: string): Promise<{ files: number }> {
  const layout = staticHostLayout(await fg('**/*', { cwd: distDir, onlyFiles: true, dot: true }));
  await rm(outDir, { recursive: true, force: true });
  // The web site goes at the root, as it is: a plain file host already serves folders' index.html.
  for (const file of await fg(`${SITE_ROOT}/**/*`, { cwd: distDir, onlyFiles: true, dot: true })) layout.set(file.slice(SITE_ROOT.length), file);
  for (const [hostPath, file] of layout) {
    const target = path.join(outDir, hostPath);
    await mkdir(path.dirname(target), { recursive: true });
    // Hard links cost no space; fall back to copies across filesystems.
    await link(path.join(distDir, file), target).catch(() => copyFile(path.join(distDir, file), target));
  }
  // GitHub Pages serves 404.html (with status 404) for every miss; clients get a JSON body rather than HTML.
  await writeFile(path.join(outDir, '404.html'), problemAnswer(404, 'Server not found').body);
  // Stop GitHub Pages from running Jekyll, which would drop folders starting with `_`.
  await writeFile(path.join(outDir, '.nojekyll'), '');
  return { files: layout.size + 2 };
}
