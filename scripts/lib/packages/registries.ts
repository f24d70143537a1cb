// Package ownership verification for npm, PyPI, NuGet and crates.io, as the official registry does it
// (official-registry.md §3.4): the exact published version must name the server back — npm through the `mcpName`
// field of that version's metadata, the others through a `mcp-name: <server name>` marker in that version's README,
// matched exactly (§3.3: the character after the name must not be a name character).
//
// Every failure is an error (fail closed), including rate limits and timeouts: a package we could not check is not a
// checked package. Base URLs default to the official ones; `baseUrls` replaces them for tests against local servers.
// A `registryBaseUrl` that is neither is reported by the rule `rule-package-registry-base-url`; such a package is not
// fetched here at all.

import { problem, type Problem } from '../problems.ts';
import { REGISTRY_BASE_URLS } from '../validate/rules/server-json.ts';
import type { BoundedFetch, BoundedFetchResult } from './fetch.ts';

export type VerifiedRegistryType = keyof typeof REGISTRY_BASE_URLS;

export interface PackageToVerify {
  identifier: string;
  version?: string;
  registryBaseUrl?: string;
}

export interface PackageVerifyContext {
  /** The server name the package must name back. */
  serverName: string;
  /** The server.json, relative to the repository. */
  file: string;
  /** JSON pointer of the package in the file, e.g. `/packages/0`. */
  jsonPath: string;
  fetch: BoundedFetch;
  /** Replace the official base URLs (tests). */
  baseUrls?: Partial<Record<VerifiedRegistryType, string>>;
}

export type PackageVerifier = (pkg: PackageToVerify, ctx: PackageVerifyContext) => Promise<Problem[]>;

export const PACKAGE_PROBLEM_CODES = [
  'package-not-found',
  'package-version-not-found',
  'package-readme-missing',
  'package-marker-missing',
  'package-marker-other-name',
  'package-marker-in-comment',
  'package-npm-mcpname-missing',
  'package-npm-mcpname-other-version',
  'package-npm-mcpname-mismatch',
  'package-rate-limited',
  'package-fetch-timeout',
  'package-fetch-too-large',
  'package-fetch-redirects',
  'package-fetch-refused',
  'package-fetch-network',
  'package-registry-error',
  'package-registry-response-invalid',
] as const;
export type PackageProblemCode = (typeof PACKAGE_PROBLEM_CODES)[number];

const LABEL: Record<VerifiedRegistryType, string> = { npm: 'npm', pypi: 'PyPI', nuget: 'NuGet', cargo: 'crates.io' };
const q = (s: string): string => JSON.stringify(s);

// ---------------------------------------------------------------------------------------------------------------
// The marker

/**
 * `mcp-name:` and the name after it: the longest run of name characters (letters, digits, `.`, `_`, `-`, `/`), so a
 * marker matches a name only when the character after it is not a name character (§3.3).
 */
const MARKER = /mcp-name:[ \t]*([A-Za-z0-9._/-]+)/g;

/** Every server name a text's `mcp-name:` markers name, in order, without duplicates. */
export function findMcpNameMarkers(text: string): string[] {
  return [...new Set([...text.matchAll(MARKER)].map((m) => m[1]!))];
}

/** Whether the text has `mcp-name: <name>` exactly (the next character is not a name character, or the text ends). */
export function hasMcpNameMarker(text: string, name: string): boolean {
  return findMcpNameMarkers(text).includes(name);
}

const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;

// ---------------------------------------------------------------------------------------------------------------
// Shared helpers

type Where = 'package' | 'identifier' | 'version';

interface Checker {
  registry: VerifiedRegistryType;
  pkg: PackageToVerify;
  ctx: PackageVerifyContext;
  base: string;
  problem(code: PackageProblemCode, where: Where, message: string, hint: string): Problem[];
  /** A fetch that turns every failure into problems; the response when it got one. */
  get(url: string, what: string, accept?: string): Promise<{ ok: true; res: Extract<BoundedFetchResult, { ok: true }> } | { ok: false; problems: Problem[] }>;
  /** Problems for a status that is neither the expected one nor a known "missing". */
  unexpected(res: { status: number; url: string }, what: string): Problem[];
}

function checker(registry: VerifiedRegistryType, pkg: PackageToVerify, ctx: PackageVerifyContext): Checker | undefined {
  if (!pkg.identifier || !pkg.version) return undefined; // reported by the rules (identifier/version required)
  const official = REGISTRY_BASE_URLS[registry];
  const base = ctx.baseUrls?.[registry] ?? official;
  const declared = pkg.registryBaseUrl || undefined;
  if (declared !== undefined && declared !== official && declared !== base) return undefined; // rule-package-registry-base-url
  const label = LABEL[registry];
  const c: Checker = {
    registry,
    pkg,
    ctx,
    base: base.replace(/\/+$/, ''),
    problem: (code, where, message, hint) => [
      problem({
        code,
        file: ctx.file,
        jsonPath: where === 'package' ? ctx.jsonPath : `${ctx.jsonPath}/${where}`,
        message,
        hint,
      }),
    ],
    async get(url, what, accept = 'application/json') {
      const res = await ctx.fetch(url, { accept });
      if (!res.ok) {
        const tail = `while fetching ${what} of ${label} package ${q(pkg.identifier)} ${pkg.version} (${url}): ${res.detail}`;
        const retry = 'Run the check again; a package that cannot be checked is not accepted.';
        switch (res.reason) {
          case 'timeout':
            return { ok: false, problems: c.problem('package-fetch-timeout', 'package', `${label} did not answer in time ${tail}`, `${label} may be slow or down. ${retry}`) };
          case 'too-large':
            return { ok: false, problems: c.problem('package-fetch-too-large', 'package', `the answer was too large ${tail}`, `Keep the README (or package metadata) under the size limit; if it is large, shorten it. ${retry}`) };
          case 'too-many-redirects':
            return { ok: false, problems: c.problem('package-fetch-redirects', 'package', `too many redirects ${tail}`, `${label} or a mirror in between redirected in a loop. ${retry}`) };
          case 'address-not-public':
            return { ok: false, problems: c.problem('package-fetch-refused', 'package', `refused to connect ${tail}`, 'Only https URLs on public addresses are fetched; a redirect to a private or loopback address is refused.') };
          default:
            return { ok: false, problems: c.problem('package-fetch-network', 'package', `network error ${tail}`, `Check that ${label} is reachable. ${retry}`) };
        }
      }
      if (res.status === 429) {
        const after = res.headers.get('retry-after');
        return {
          ok: false,
          problems: c.problem(
            'package-rate-limited',
            'package',
            `${label} rate-limited the check (HTTP 429${after ? `, Retry-After ${after}` : ''}) while fetching ${what} of ${q(pkg.identifier)} ${pkg.version}; the package could not be verified, so it is not accepted`,
            `Wait${after ? ` ${after} seconds` : ' a few minutes'} and run the check again (re-run the PR check, or \`npm run publisher -- validate\`). Nothing is wrong with the entry itself as far as we know.`,
          ),
        };
      }
      return { ok: true, res };
    },
    unexpected: (res, what) =>
      c.problem(
        'package-registry-error',
        'package',
        `${label} answered HTTP ${res.status} for ${what} of ${q(pkg.identifier)} ${pkg.version} (${res.url}); the package could not be verified`,
        res.status >= 500 ? `${label} had a server error; run the check again later.` : `Check the identifier and version; if they are right, run the check again later.`,
      ),
  };
  return c;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalid(c: Checker, what: string, url: string): Problem[] {
  return c.problem(
    'package-registry-response-invalid',
    'package',
    `${LABEL[c.registry]} sent something other than the expected JSON for ${what} of ${q(c.pkg.identifier)} ${c.pkg.version} (${url})`,
    'Run the check again later; if it persists, the registry API may have changed — report it to the registry maintainers.',
  );
}

function notFound(c: Checker, url: string): Problem[] {
  const label = LABEL[c.registry];
  return c.problem(
    'package-not-found',
    'identifier',
    `${label} has no package ${q(c.pkg.identifier)} (${url} answered 404)`,
    `Check the spelling of "identifier"${c.registry === 'npm' ? ' (scoped packages include the scope, e.g. "@scope/name")' : ''}, and publish the package to ${label} before opening the PR.`,
  );
}

function versionNotFound(c: Checker, known: string[], latest?: string): Problem[] {
  const label = LABEL[c.registry];
  const shown = known.slice(-5);
  return c.problem(
    'package-version-not-found',
    'version',
    `${label} package ${q(c.pkg.identifier)} has no version ${q(c.pkg.version!)}` +
      (latest ? `; the latest is ${q(latest)}` : shown.length ? `; recent versions: ${shown.join(', ')}` : ''),
    `Publish version ${c.pkg.version} to ${label} first, or set "version" to a version that is published (exactly, without a range or "v" prefix).`,
  );
}

function markerProblems(c: Checker, text: string, source: string, opts: { visibleOnly?: boolean } = {}): Problem[] {
  const name = c.ctx.serverName;
  const label = LABEL[c.registry];
  const marker = `mcp-name: ${name}`;
  const visible = opts.visibleOnly ? text.replace(HTML_COMMENT, '') : text;
  if (hasMcpNameMarker(visible, name)) return [];
  if (opts.visibleOnly && hasMcpNameMarker(text, name)) {
    return c.problem(
      'package-marker-in-comment',
      'package',
      `the README of ${label} package ${q(c.pkg.identifier)} ${c.pkg.version} has ${q(marker)} only inside an HTML comment (<!-- -->); crates.io removes HTML comments when it renders the README, so the marker is not there`,
      `Put the marker in visible text of the crate's README, e.g. a last line "${marker}", and publish a new crate version; then use that version here.`,
    );
  }
  const others = findMcpNameMarkers(visible).filter((n) => n !== name);
  if (others.length > 0) {
    return c.problem(
      'package-marker-other-name',
      'package',
      `the README of ${label} package ${q(c.pkg.identifier)} ${c.pkg.version} names another server: ${others.map((n) => q(`mcp-name: ${n}`)).join(', ')}; this entry is ${q(name)} (the name must match exactly, nothing may follow it but a non-name character)`,
      `Make the README say exactly "${marker}" (no suffix, no trailing "." or "/") and publish a new version, or correct the server name if the README is right.`,
    );
  }
  return c.problem(
    'package-marker-missing',
    'package',
    `the README of ${label} package ${q(c.pkg.identifier)} ${c.pkg.version} (${source}) does not contain ${q(marker)}`,
    `Add the line "${marker}" to the package's README${c.registry === 'cargo' ? ' as visible text (crates.io strips HTML comments)' : ' (an HTML comment <!-- ' + marker + ' --> is fine)'}, publish a new version, and use that version here. The README of the exact version is checked.`,
  );
}

/** Go's url.PathEscape for one segment: like encodeURIComponent but keeps `@`, `:`, `$`, `&`, `+`, `=` and `,`... */
function pathEscape(segment: string): string {
  return encodeURIComponent(segment).replace(/%(40|3A|24|26|2B|3D)/gi, (m) => decodeURIComponent(m));
}

// ---------------------------------------------------------------------------------------------------------------
// npm

export const verifyNpmPackage: PackageVerifier = async (pkg, ctx) => {
  const c = checker('npm', pkg, ctx);
  if (!c) return [];
  const name = ctx.serverName;
  const id = pkg.identifier;
  const version = pkg.version!;
  const versionUrl = `${c.base}/${pathEscape(id)}/${pathEscape(version)}`;
  const packumentUrl = `${c.base}/${pathEscape(id)}`;

  const got = await c.get(versionUrl, 'the version metadata');
  if (!got.ok) return got.problems;
  const { res } = got;

  if (res.status === 404) {
    const pack = await c.get(packumentUrl, 'the package metadata');
    if (!pack.ok) return pack.problems;
    if (pack.res.status === 404) return notFound(c, packumentUrl);
    if (pack.res.status !== 200) return c.unexpected(pack.res, 'the package metadata');
    const doc = parseJson(pack.res.body);
    if (!isObject(doc)) return invalid(c, 'the package metadata', packumentUrl);
    const latest = isObject(doc['dist-tags']) && typeof doc['dist-tags'].latest === 'string' ? doc['dist-tags'].latest : undefined;
    return versionNotFound(c, isObject(doc.versions) ? Object.keys(doc.versions) : [], latest);
  }
  if (res.status !== 200) return c.unexpected(res, 'the version metadata');
  const doc = parseJson(res.body);
  if (!isObject(doc)) return invalid(c, 'the version metadata', versionUrl);
  const mcpName = doc.mcpName;
  if (mcpName === name) return [];
  if (typeof mcpName === 'string') {
    return c.problem(
      'package-npm-mcpname-mismatch',
      'package',
      `npm package ${q(id)} ${version} has "mcpName": ${q(mcpName)}, but this entry is ${q(name)}`,
      `Either the package belongs to the server ${q(mcpName)} (then publish under that name), or set "mcpName": ${q(name)} in package.json and publish a new version of the package.`,
    );
  }

  // No mcpName in this version: tell "added later / only in the repository" apart from "never there".
  const pack = await c.get(packumentUrl, 'the package metadata');
  let withName: string[] = [];
  let latest: string | undefined;
  let latestName: unknown;
  if (pack.ok && pack.res.status === 200) {
    const p = parseJson(pack.res.body);
    if (isObject(p)) {
      latest = isObject(p['dist-tags']) && typeof p['dist-tags'].latest === 'string' ? p['dist-tags'].latest : undefined;
      if (isObject(p.versions)) {
        for (const [v, meta] of Object.entries(p.versions)) if (isObject(meta) && meta.mcpName === name) withName.push(v);
        if (latest && isObject(p.versions[latest])) latestName = (p.versions[latest] as Record<string, unknown>).mcpName;
      }
    }
  }
  withName = withName.filter((v) => v !== version);
  if (withName.length > 0 || latestName === name) {
    const shown = latestName === name && latest ? [latest, ...withName.filter((v) => v !== latest)] : withName;
    return c.problem(
      'package-npm-mcpname-other-version',
      'version',
      `npm package ${q(id)} ${version} has no "mcpName"; other published versions have "mcpName": ${q(name)} (${shown.slice(0, 5).join(', ')}${latestName === name ? `; the latest, ${latest}, has it` : ''}) — only the published metadata of the version named here counts`,
      `Set "version" to a published version that has "mcpName" (e.g. ${q(shown[0]!)}), or publish a new version with "mcpName": ${q(name)} in package.json.`,
    );
  }
  return c.problem(
    'package-npm-mcpname-missing',
    'package',
    `npm package ${q(id)} ${version} has no "mcpName" in its published metadata (${versionUrl})` +
      (typeof latestName === 'string' ? `; the latest version ${latest} has "mcpName": ${q(latestName)}` : '') +
      '; if package.json in your repository has it, it was added after this version was published',
    `Add "mcpName": ${q(name)} to package.json, publish a new version to npm (npm publish), and set "version" to it. npm serves the package.json fields of each version as published; a change in the repository does not reach versions already published.`,
  );
};

// ---------------------------------------------------------------------------------------------------------------
// PyPI

export const verifyPypiPackage: PackageVerifier = async (pkg, ctx) => {
  const c = checker('pypi', pkg, ctx);
  if (!c) return [];
  const url = `${c.base}/pypi/${pathEscape(pkg.identifier)}/${pathEscape(pkg.version!)}/json`;
  const got = await c.get(url, 'the release metadata');
  if (!got.ok) return got.problems;
  if (got.res.status === 404) {
    const projectUrl = `${c.base}/pypi/${pathEscape(pkg.identifier)}/json`;
    const project = await c.get(projectUrl, 'the project metadata');
    if (!project.ok) return project.problems;
    if (project.res.status === 404) return notFound(c, projectUrl);
    if (project.res.status !== 200) return c.unexpected(project.res, 'the project metadata');
    const doc = parseJson(project.res.body);
    const latest = isObject(doc) && isObject(doc.info) && typeof doc.info.version === 'string' ? doc.info.version : undefined;
    const known = isObject(doc) && isObject(doc.releases) ? Object.keys(doc.releases) : [];
    return versionNotFound(c, known, latest);
  }
  if (got.res.status !== 200) return c.unexpected(got.res, 'the release metadata');
  const doc = parseJson(got.res.body);
  if (!isObject(doc) || !isObject(doc.info)) return invalid(c, 'the release metadata', url);
  const description = doc.info.description;
  if (typeof description !== 'string' || description.trim() === '') {
    return c.problem(
      'package-readme-missing',
      'package',
      `PyPI release ${q(pkg.identifier)} ${pkg.version} has no long description (README) to carry "mcp-name: ${ctx.serverName}"`,
      'Set the project\'s README as its long description (pyproject.toml: readme = "README.md"), add the marker line to it, publish a new release and use that version.',
    );
  }
  return markerProblems(c, description, url);
};

// ---------------------------------------------------------------------------------------------------------------
// NuGet

/** NuGet's normalized form for URLs: lower-cased, build metadata (`+…`) stripped. */
export function nugetLowerVersion(version: string): string {
  return version.replace(/\+.*$/, '').toLowerCase();
}

function nugetResource(index: unknown, type: string): string | undefined {
  if (!isObject(index) || !Array.isArray(index.resources)) return undefined;
  for (const r of index.resources) {
    if (isObject(r) && r['@type'] === type && typeof r['@id'] === 'string') return r['@id'];
  }
  return undefined;
}

export const verifyNugetPackage: PackageVerifier = async (pkg, ctx) => {
  const c = checker('nuget', pkg, ctx);
  if (!c) return [];
  const lowerId = pkg.identifier.toLowerCase();
  const lowerVersion = nugetLowerVersion(pkg.version!);
  const indexUrl = c.base;
  const got = await c.get(indexUrl, 'the service index');
  if (!got.ok) return got.problems;
  if (got.res.status !== 200) return c.unexpected(got.res, 'the service index');
  const index = parseJson(got.res.body);
  const template = nugetResource(index, 'ReadmeUriTemplate/6.13.0');
  if (!template) return invalid(c, 'the service index (no ReadmeUriTemplate/6.13.0 resource)', indexUrl);
  const readmeUrl = template.replace(/\{lower_id\}/g, encodeURIComponent(lowerId)).replace(/\{lower_version\}/g, encodeURIComponent(lowerVersion));
  const readme = await c.get(readmeUrl, 'the README', 'text/plain, text/markdown, */*');
  if (!readme.ok) return readme.problems;
  if (readme.res.status === 200) return markerProblems(c, readme.res.body.toString('utf8'), readmeUrl);
  if (readme.res.status !== 404) return c.unexpected(readme.res, 'the README');

  // 404: no package, no such version, or a version without README.
  const baseAddress = nugetResource(index, 'PackageBaseAddress/3.0.0');
  if (baseAddress) {
    const versionsUrl = `${baseAddress.replace(/\/?$/, '/')}${encodeURIComponent(lowerId)}/index.json`;
    const vs = await c.get(versionsUrl, 'the version list');
    if (!vs.ok) return vs.problems;
    if (vs.res.status === 404) return notFound(c, versionsUrl);
    if (vs.res.status !== 200) return c.unexpected(vs.res, 'the version list');
    const doc = parseJson(vs.res.body);
    if (!isObject(doc) || !Array.isArray(doc.versions)) return invalid(c, 'the version list', versionsUrl);
    const versions = doc.versions.filter((v): v is string => typeof v === 'string');
    if (!versions.map(nugetLowerVersion).includes(lowerVersion)) return versionNotFound(c, versions);
  }
  return c.problem(
    'package-readme-missing',
    'package',
    `NuGet package ${q(pkg.identifier)} ${pkg.version} has no README (${readmeUrl} answered 404)`,
    `Add a README to the package (<PackageReadmeFile>README.md</PackageReadmeFile> in the .csproj and the file packed), with the line "mcp-name: ${ctx.serverName}", publish a new version and use it here.`,
  );
};

// ---------------------------------------------------------------------------------------------------------------
// crates.io

export const verifyCargoPackage: PackageVerifier = async (pkg, ctx) => {
  const c = checker('cargo', pkg, ctx);
  if (!c) return [];
  const id = pathEscape(pkg.identifier);
  const version = pathEscape(pkg.version!);
  const readmeApi = `${c.base}/api/v1/crates/${id}/${version}/readme`;

  const missing = async (detail: string): Promise<Problem[]> => {
    const crateUrl = `${c.base}/api/v1/crates/${id}`;
    const crate = await c.get(crateUrl, 'the crate metadata');
    if (!crate.ok) return crate.problems;
    if (crate.res.status === 404) return notFound(c, crateUrl);
    if (crate.res.status === 200) {
      const doc = parseJson(crate.res.body);
      if (isObject(doc) && Array.isArray(doc.versions)) {
        const nums = doc.versions.flatMap((v) => (isObject(v) && typeof v.num === 'string' ? [v.num] : []));
        const newest = isObject(doc.crate) && typeof doc.crate.max_version === 'string' ? doc.crate.max_version : undefined;
        if (!nums.includes(pkg.version!)) return versionNotFound(c, nums.reverse(), newest);
      }
    }
    return c.problem(
      'package-readme-missing',
      'package',
      `crate ${q(pkg.identifier)} ${pkg.version} has no README on crates.io (${detail})`,
      `Add a README (Cargo.toml: readme = "README.md") with the visible line "mcp-name: ${ctx.serverName}", publish a new crate version (cargo publish) and use it here.`,
    );
  };

  const got = await c.get(readmeApi, 'the README location');
  if (!got.ok) return got.problems;
  let readmeUrl = got.res.url;
  let body: Buffer;
  if (got.res.status === 404 || got.res.status === 403) return missing(`${readmeApi} answered ${got.res.status}`);
  if (got.res.status !== 200) return c.unexpected(got.res, 'the README location');
  const contentType = got.res.headers.get('content-type') ?? '';
  const doc = contentType.includes('json') ? parseJson(got.res.body) : undefined;
  if (isObject(doc) && typeof doc.url === 'string') {
    try {
      readmeUrl = new URL(doc.url, got.res.url).href;
    } catch {
      return invalid(c, 'the README location', readmeApi);
    }
    const readme = await c.get(readmeUrl, 'the README', 'text/html, text/plain, */*');
    if (!readme.ok) return readme.problems;
    if (readme.res.status === 404 || readme.res.status === 403) return missing(`${readmeUrl} answered ${readme.res.status}`);
    if (readme.res.status !== 200) return c.unexpected(readme.res, 'the README');
    body = readme.res.body;
  } else if (contentType.includes('json')) {
    return invalid(c, 'the README location', readmeApi);
  } else {
    body = got.res.body; // the README itself (HTML or plain text), e.g. after a redirect
  }
  const text = body.toString('utf8');
  if (text.trim() === '') return missing(`${readmeUrl} is empty`);
  return markerProblems(c, text, readmeUrl, { visibleOnly: true });
};

export const REGISTRY_VERIFIERS: Record<VerifiedRegistryType, PackageVerifier> = {
  npm: verifyNpmPackage,
  pypi: verifyPypiPackage,
  nuget: verifyNugetPackage,
  cargo: verifyCargoPackage,
};
