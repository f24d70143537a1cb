// Every rule the official registry enforces on a server.json beyond its JSON schema (official-registry.md §2.4,
// §3.1–§3.4): name and namespace, versions, repository, websiteUrl, title, icons, packages, arguments, transports,
// remotes and publisher `_meta`. Pure functions: a document in, Problem values out, never a throw and never a network
// call (the package checks that ask npm, PyPI, … are a later stage). A field of the wrong type is the schema check's
// business; these rules skip it. Codes all start with `rule-` and are documented in docs/errors.md.

import { escapePointerSegment, problem, type Problem, type Severity } from '../../problems.ts';
import type { DocumentCheck, ServerDocument } from '../types.ts';
import { checkVersionString, RESERVED_VERSION } from '../../versions/version-string.ts';
import { clientVariablePaths, DEFAULT_RUNNER, runtimeHintProblem } from '../../clients/launch-safety.ts';

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------------
// Constants the official registry uses

/** `^namespace$` and `^name$` of the official semantic name check (stricter than the schema's pattern). */
export const NAMESPACE_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9.-]*[a-zA-Z0-9]$/;
export const NAME_PART_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$/;

/** The four range syntaxes the official registry rejects in a version (after trimming). */
export const VERSION_RANGE_PATTERNS = {
  comparator: /^\s*(?:\^|~|>=|<=|>|<|=)\s*v?\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.-]+)?\s*$/,
  hyphen: /^\s*v?\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.-]+)?\s-\s*v?\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.-]+)?\s*$/,
  or: /^\s*(?:v?\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.-]+)?\s*)(?:\|\|\s*v?\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.-]+)?\s*)+$/,
  /** Only a range when the version also contains `x`, `X` or `*`. */
  wildcard: /^\s*(?:v?\d+|x|X|\*)(?:\.(?:\d+|x|X|\*)){1,2}(?:-[0-9A-Za-z.-]+)?\s*$/,
} as const;

/** Every code the per-document rules report (docs/errors.md has a section for each). */
export const SERVER_RULE_CODES = [
  'rule-name-no-slash', 'rule-name-multiple-slashes', 'rule-name-namespace-invalid', 'rule-name-server-invalid',
  'rule-version-latest', 'rule-version-range', 'rule-version-too-long', 'rule-server-version-count',
  'rule-version-web-extension', 'rule-version-hidden-character',
  'rule-repository-source-unsupported', 'rule-repository-url-invalid', 'rule-repository-subfolder-invalid',
  'rule-website-url-invalid-characters', 'rule-website-url-not-https', 'rule-title-blank', 'rule-icon-src-not-https',
  'rule-package-identifier-spaces', 'rule-package-registry-type-unsupported', 'rule-package-registry-base-url',
  'rule-package-version-required', 'rule-package-field-not-allowed', 'rule-package-file-sha256-required',
  'rule-package-oci-identifier-invalid', 'rule-package-oci-registry-not-allowed', 'rule-package-mcpb-url-invalid',
  'rule-package-mcpb-url-missing-mcp', 'rule-package-runtime-hint', 'rule-client-variable',
  'rule-argument-name-missing', 'rule-argument-name-invalid', 'rule-argument-value-starts-with-name',
  'rule-transport-type-unsupported', 'rule-transport-stdio-url', 'rule-transport-url-required', 'rule-transport-url-invalid',
  'rule-transport-url-undefined-variable',
  'rule-remote-type-unsupported', 'rule-remote-url-required', 'rule-remote-url-invalid', 'rule-remote-url-not-https',
  'rule-remote-url-local', 'rule-remote-url-undefined-variable',
  'rule-meta-key-dropped', 'rule-meta-too-large',
] as const;

export const MAX_VERSION_LENGTH = 255;
export const MAX_VERSIONS_PER_SERVER = 10_000;
export const PUBLISHER_META_KEY = 'io.modelcontextprotocol.registry/publisher-provided';
export const PUBLISHER_META_MAX_BYTES = 4096;

/** Exact `registryBaseUrl` strings the official registry accepts (an empty or absent base URL means this one). */
export const REGISTRY_BASE_URLS = {
  npm: 'https://registry.npmjs.org',
  pypi: 'https://pypi.org',
  nuget: 'https://api.nuget.org/v3/index.json',
  cargo: 'https://crates.io',
} as const;
export const REGISTRY_TYPES = ['npm', 'pypi', 'nuget', 'cargo', 'oci', 'mcpb'] as const;
export type RegistryType = (typeof REGISTRY_TYPES)[number];

/** OCI registries the official registry pulls from; `*.pkg.dev` and `*.azurecr.io` match any subdomain. */
export const OCI_REGISTRIES = ['docker.io', 'registry-1.docker.io', 'index.docker.io', 'ghcr.io', 'quay.io', 'mcr.microsoft.com'] as const;
export const OCI_REGISTRY_SUFFIXES = ['.pkg.dev', '.azurecr.io'] as const;

const MCPB_HOSTS = ['github.com', 'www.github.com', 'gitlab.com', 'www.gitlab.com'];
const GITHUB_RELEASE_PATH = /^\/([a-zA-Z0-9]([a-zA-Z0-9-]{0,37}[a-zA-Z0-9])?)\/([a-zA-Z0-9._-]+)\/releases\/download\/([^/]+)\/([^/]+)$/;
const GITLAB_RELEASE_PATH = /^\/([a-zA-Z0-9._-]+(?:\/[a-zA-Z0-9._-]+)*)\/-\/releases\/([^/]+)\/downloads\/([^/]+)$/;
const GITLAB_PACKAGE_FILE_PATH = /^\/([a-zA-Z0-9._-]+(?:\/[a-zA-Z0-9._-]+)*)\/-\/package_files\/([0-9]+)\/download$/;

const REPOSITORY_URL = {
  github: /^https?:\/\/(www\.)?github\.com\/[\w.-]+\/[\w.-]+\/?$/,
  gitlab: /^https?:\/\/(www\.)?gitlab\.com\/[\w.-]+\/[\w.-]+\/?$/,
} as const;

const TRANSPORT_TYPES = ['stdio', 'streamable-http', 'sse'];
const REMOTE_TYPES = ['streamable-http', 'sse'];
const WEBSITE_URL_FORBIDDEN = ['"', "'", '<', '>', ' ', '\t', '\n', '\r'];

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Json, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);
const str = (o: Json, key: string): string | undefined => {
  const v = own(o, key);
  return typeof v === 'string' ? v : undefined;
};
const list = (o: Json, key: string): unknown[] => {
  const v = own(o, key);
  return Array.isArray(v) ? v : [];
};
/** A string field that is present and not empty: the official registry treats `""` as absent. */
const present = (o: Json, key: string): string | undefined => {
  const v = str(o, key);
  return v === undefined || v === '' ? undefined : v;
};

/** JSON pointer from path segments, escaping `~` and `/`. */
export function jsonPointer(...segments: Array<string | number>): string {
  return segments.map((s) => `/${escapePointerSegment(String(s))}`).join('');
}

const q = (s: string): string => JSON.stringify(s);

interface Found {
  code: string;
  jsonPath: string;
  message: string;
  hint: string;
  severity?: Severity;
}

function reporter(doc: ServerDocument): { problems: Problem[]; add(p: Found): void } {
  const problems: Problem[] = [];
  // A bound function, not a closure: this runs for every rule of every version, and a closure costs a name each time
  // under tsx (esbuild's keepNames).
  return { problems, add: addProblem.bind(undefined, problems, doc.file) };
}

function addProblem(problems: Problem[], file: string, p: Found): void {
  problems.push(problem({ ...p, file }));
}

/** Code points, as JSON Schema and the official registry count string length. */
const length = (s: string): number => [...s].length;

/** Parses an absolute URL, or undefined. */
function parseUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

/** Hostname without IPv6 brackets and trailing root dot, lower case. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

// ---------------------------------------------------------------------------------------------------------------
// Name

/** Why a namespace or server-name part fails its pattern, and a cleaned-up suggestion when one exists. */
function explainNamePart(part: string, kind: 'namespace' | 'server name'): { reason: string; suggestion?: string } {
  const allowed = kind === 'namespace' ? /[a-zA-Z0-9.-]/ : /[a-zA-Z0-9._-]/;
  const allowedText = kind === 'namespace' ? 'letters, digits, "." and "-"' : 'letters, digits, ".", "_" and "-"';
  const cleaned = [...part].map((c) => (allowed.test(c) ? c : '-')).join('').replace(/^[^a-zA-Z0-9]+|[^a-zA-Z0-9]+$/g, '');
  const suggestion = (kind === 'namespace' ? NAMESPACE_PATTERN : NAME_PART_PATTERN).test(cleaned) ? cleaned : undefined;
  if (part === '') return { reason: `the ${kind} is empty` };
  const bad = [...new Set([...part].filter((c) => !allowed.test(c)))];
  if (bad.length) return { reason: `the ${kind} ${q(part)} contains ${bad.map(q).join(', ')}; only ${allowedText} are allowed`, suggestion };
  if (length(part) < 2) return { reason: `the ${kind} ${q(part)} is one character; it needs at least two` };
  if (!/^[a-zA-Z0-9]/.test(part)) return { reason: `the ${kind} ${q(part)} starts with ${q(part[0]!)}; it must start with a letter or digit`, suggestion };
  return { reason: `the ${kind} ${q(part)} ends with ${q(part.at(-1)!)}; it must end with a letter or digit`, suggestion };
}

/** The official semantic name check: `<namespace>/<server>`, each part matching its pattern. */
export function isValidServerName(name: string): boolean {
  const parts = name.split('/');
  return parts.length === 2 && NAMESPACE_PATTERN.test(parts[0]!) && NAME_PART_PATTERN.test(parts[1]!);
}

const checkName: DocumentCheck = (doc) => {
  const { problems, add } = reporter(doc);
  const name = doc.server && str(doc.server, 'name');
  if (!name) return problems; // absent, empty or not a string: the schema reports it
  const jsonPath = '/name';
  const pathName = isValidServerName(doc.pathName) ? doc.pathName : undefined;
  const slashes = name.split('/').length - 1;
  if (slashes === 0) {
    add({
      code: 'rule-name-no-slash', jsonPath,
      message: `server name ${q(name)} has no "/": a server name is "<namespace>/<server>", e.g. "io.github.alice/weather"`,
      hint: pathName
        ? `Set "name" to ${q(pathName)}, the folder this file is in.`
        : `Put your namespace (reverse DNS you own: io.github.<your-login> or com.example) before a "/", e.g. ${q(`io.github.your-login/${name}`)}.`,
    });
    return problems;
  }
  if (slashes > 1) {
    const [namespace, ...rest] = name.split('/');
    const joined = `${namespace}/${rest.join('-')}`;
    add({
      code: 'rule-name-multiple-slashes', jsonPath,
      message: `server name ${q(name)} has ${slashes} slashes; a server name cannot contain multiple slashes: exactly one "/" separates namespace and server name`,
      hint: `Keep one "/" and join the rest with "-" or ".", e.g. ${q(pathName ?? joined)}; subdomains go into the namespace with dots (com.example.api/server).`,
    });
    return problems;
  }
  const [namespace, part] = name.split('/') as [string, string];
  if (!NAMESPACE_PATTERN.test(namespace)) {
    const { reason, suggestion } = explainNamePart(namespace, 'namespace');
    add({
      code: 'rule-name-namespace-invalid', jsonPath,
      message: `server name ${q(name)}: ${reason}. A namespace starts and ends with a letter or digit and may contain "." and "-" in between`,
      hint: suggestion
        ? `Use ${q(`${suggestion}/${part}`)}, or another reverse-DNS namespace you own (io.github.<login>, com.example).`
        : `Use a reverse-DNS namespace you own, e.g. ${q(`io.github.your-login/${part || 'server'}`)} or ${q(`com.example/${part || 'server'}`)}.`,
    });
  }
  if (!NAME_PART_PATTERN.test(part)) {
    const { reason, suggestion } = explainNamePart(part, 'server name');
    add({
      code: 'rule-name-server-invalid', jsonPath,
      message: `server name ${q(name)}: ${reason}. The part after "/" starts and ends with a letter or digit and may contain ".", "_" and "-" in between`,
      hint: suggestion
        ? `Use ${q(`${namespace}/${suggestion}`)}.`
        : `Name the server after the "/" with at least two letters or digits, e.g. ${q(`${namespace || 'io.github.your-login'}/weather`)}.`,
    });
  }
  return problems;
};

// ---------------------------------------------------------------------------------------------------------------
// Versions

/** Which of the official range syntaxes `version` matches, if any. */
export function versionRangeKind(version: string): keyof typeof VERSION_RANGE_PATTERNS | undefined {
  const trimmed = version.trim();
  if (trimmed === '') return undefined;
  if (VERSION_RANGE_PATTERNS.comparator.test(trimmed)) return 'comparator';
  if (VERSION_RANGE_PATTERNS.hyphen.test(trimmed)) return 'hyphen';
  if (VERSION_RANGE_PATTERNS.or.test(trimmed)) return 'or';
  if (VERSION_RANGE_PATTERNS.wildcard.test(trimmed) && /[xX*]/.test(trimmed)) return 'wildcard';
  return undefined;
}

/** True for what the official registry rejects as a version range (`^1.2.3`, `1 - 2`, `1.2 || 1.3`, `1.x`). */
export const looksLikeVersionRange = (version: string): boolean => versionRangeKind(version) !== undefined;

/** One exact version a range stands for, to suggest in the hint. */
function exactFromRange(version: string, kind: keyof typeof VERSION_RANGE_PATTERNS): string {
  const trimmed = version.trim();
  switch (kind) {
    case 'comparator':
      return trimmed.replace(/^(?:\^|~|>=|<=|>|<|=)\s*/, '');
    case 'hyphen':
      return trimmed.split(/\s-\s*/).at(-1)!.trim();
    case 'or':
      return trimmed.split('||').at(-1)!.trim();
    case 'wildcard': {
      const [core, ...pre] = trimmed.split('-');
      const parts = core!.split('.').map((p) => (/^[xX*]$/.test(p) ? '0' : p));
      while (parts.length < 3) parts.push('0');
      return [parts.join('.'), ...pre].join('-');
    }
  }
}

const RANGE_KIND_TEXT = {
  comparator: 'a comparator range',
  hyphen: 'a hyphen range',
  or: 'an OR range',
  wildcard: 'a wildcard range',
} as const;

function checkVersionValue(add: (p: Found) => void, version: string, jsonPath: string, subject: string, example: string): void {
  if (version === RESERVED_VERSION) {
    add({
      code: 'rule-version-latest', jsonPath,
      message: `${subject} "latest" is reserved and cannot be used: a registry entry describes one exact release`,
      hint: `Set it to the exact version you release, e.g. ${q(example)}.`,
    });
    return;
  }
  const kind = versionRangeKind(version);
  const [core, ...pre] = version.trim().split('-');
  if (kind === 'wildcard' && !/[xX*]/.test(core!)) {
    // The official check looks for x, X or * anywhere, so `1.0.0-next.1` counts as a wildcard.
    add({
      code: 'rule-version-range', jsonPath,
      message: `${subject} ${q(version)} is read as a wildcard range by the official registry: it rejects a dotted version with "x", "X" or "*" anywhere, including in the prerelease label ${q(pre.join('-'))}`,
      hint: `Use a prerelease label without "x", "X" or "*", e.g. ${q(`${core}-rc.1`)} or ${q(`${core}-beta.1`)}.`,
    });
  } else if (kind) {
    const exact = exactFromRange(version, kind);
    add({
      code: 'rule-version-range', jsonPath,
      message: `${subject} ${q(version)} looks like ${RANGE_KIND_TEXT[kind]}, not one specific version`,
      hint: `Use one exact version, e.g. ${q(exact)}.`,
    });
  }
  if (length(version) > MAX_VERSION_LENGTH) {
    add({
      code: 'rule-version-too-long', jsonPath,
      message: `${subject} is ${length(version)} characters long; the limit is ${MAX_VERSION_LENGTH}`,
      hint: `Shorten it to ${MAX_VERSION_LENGTH} characters or fewer, e.g. drop build metadata after "+" or a long commit hash.`,
    });
  }
}

const checkServerVersion: DocumentCheck = (doc) => {
  const { problems, add } = reporter(doc);
  const version = doc.server && str(doc.server, 'version');
  if (version === undefined || version === '') return problems;
  const example = doc.pathVersion && doc.pathVersion !== 'latest' && !looksLikeVersionRange(doc.pathVersion) ? doc.pathVersion : '1.0.0';
  // The rules the build applies too (a version is a URL segment and a file name): versions/version-string.ts.
  for (const finding of checkVersionString(version)) {
    add({ ...finding, jsonPath: '/version', ...(finding.code === 'rule-version-latest' ? { hint: `Set it to the exact version you release, e.g. ${q(example)}.` } : {}) });
  }
  if (version !== RESERVED_VERSION) checkVersionValue(add, version, '/version', 'server version', example);
  return problems;
};

/** The finding when the version count of one server is over the official limit of 10,000; the orchestrator counts. */
export function checkVersionCount(name: string, count: number, file?: string): Problem[] {
  if (count <= MAX_VERSIONS_PER_SERVER) return [];
  return [problem({
    code: 'rule-server-version-count',
    ...(file ? { file } : {}),
    message: `${name} has ${count.toLocaleString('en-US')} versions; the official registry accepts at most ${MAX_VERSIONS_PER_SERVER.toLocaleString('en-US')} versions per server`,
    hint: `Published versions are never removed, so ${name} can take no more: publish further releases under a new server name (e.g. ${q(`${name}-v2`)}), or ask a maintainer.`,
  })];
}

// ---------------------------------------------------------------------------------------------------------------
// Repository, websiteUrl, title, icons

/** `owner/repo` from a GitHub or GitLab URL in a common wrong shape (ssh, .git, /tree/…), if one can be read. */
function repositorySuggestion(url: string, source: 'github' | 'gitlab'): { url: string; subfolder?: string } | undefined {
  const m = new RegExp(`${source}\\.com[/:]([\\w.-]+)/([\\w.-]+?)(?:\\.git)?(?:/(?:-/)?(?:tree|blob)/[^/]+/(.+?))?/?$`).exec(url.trim());
  if (!m) return undefined;
  return { url: `https://${source}.com/${m[1]}/${m[2]}`, ...(m[3] ? { subfolder: m[3].replace(/\/+$/, '') } : {}) };
}

function subfolderProblem(subfolder: string): { reason: string; suggestion?: string } | undefined {
  const segments = subfolder.split('/');
  const cleaned = segments.filter((s) => s !== '' && s !== '.').join('/');
  const suggest = /^[a-zA-Z0-9\-_./]+$/.test(cleaned) && !cleaned.split('/').includes('..') ? cleaned : undefined;
  if (subfolder.startsWith('/')) return { reason: 'starts with "/"; it must be relative to the repository root', suggestion: suggest };
  if (subfolder.endsWith('/')) return { reason: 'ends with "/"', suggestion: suggest };
  const bad = [...new Set([...subfolder].filter((c) => !/[a-zA-Z0-9\-_./]/.test(c)))];
  if (bad.length) return { reason: `contains ${bad.map(q).join(', ')}; only letters, digits, "-", "_", "." and "/" are allowed` };
  if (segments.includes('..')) return { reason: 'contains a ".." segment; it must stay inside the repository' };
  if (segments.includes('.')) return { reason: 'contains a "." segment', suggestion: suggest };
  if (segments.includes('')) return { reason: 'contains an empty segment ("//")', suggestion: suggest };
  return undefined;
}

const checkRepository: DocumentCheck = (doc) => {
  const { problems, add } = reporter(doc);
  const repository = doc.server && own(doc.server, 'repository');
  if (!isObject(repository)) return problems;
  const urlValue = own(repository, 'url');
  const sourceValue = own(repository, 'source');
  const url = typeof urlValue === 'string' ? urlValue : '';
  const source = typeof sourceValue === 'string' ? sourceValue : '';
  if (url === '' && source === '') return problems; // an empty repository is skipped, as the official registry does
  if (urlValue !== undefined && typeof urlValue !== 'string') return problems;
  if (sourceValue !== undefined && typeof sourceValue !== 'string') return problems;

  if (source !== 'github' && source !== 'gitlab') {
    const lower = source.toLowerCase();
    const guess = lower === 'github' || lower === 'gitlab' ? lower : /github\.com/i.test(url) ? 'github' : /gitlab\.com/i.test(url) ? 'gitlab' : undefined;
    add({
      code: 'rule-repository-source-unsupported', jsonPath: '/repository/source',
      message: source === ''
        ? 'repository has a "url" but no "source"; the official registry accepts "github" or "gitlab"'
        : `repository source ${q(source)} is not supported; the official registry accepts "github" or "gitlab"`,
      hint: guess
        ? `Set "source" to ${q(guess)}.`
        : 'Use a public GitHub or GitLab repository ("source": "github" with "url": "https://github.com/<owner>/<repo>"), or remove "repository".',
    });
  } else if (!REPOSITORY_URL[source].test(url)) {
    const suggestion = repositorySuggestion(url, source);
    add({
      code: 'rule-repository-url-invalid', jsonPath: '/repository/url',
      message: `repository url ${q(url)} is not a ${source === 'github' ? 'GitHub' : 'GitLab'} repository URL of the form https://${source}.com/<owner>/<repo>`,
      hint: suggestion
        ? `Set "url" to ${q(suggestion.url)}${suggestion.subfolder ? ` and "subfolder" to ${q(suggestion.subfolder)}` : ''}.`
        : `Set "url" to the repository's home page, https://${source}.com/<owner>/<repo>, without paths, query or fragment; a folder inside it goes in "subfolder".`,
    });
  }

  const subfolder = present(repository, 'subfolder');
  const bad = subfolder === undefined ? undefined : subfolderProblem(subfolder);
  if (subfolder !== undefined && bad) {
    add({
      code: 'rule-repository-subfolder-invalid', jsonPath: '/repository/subfolder',
      message: `repository subfolder ${q(subfolder)} ${bad.reason}`,
      hint: bad.suggestion
        ? `Set "subfolder" to ${q(bad.suggestion)}: a relative path like "src/server", no leading or trailing "/".`
        : 'Write the folder as a relative path inside the repository, like "src/server": no leading or trailing "/", no "." or ".." segments.',
    });
  }
  return problems;
};

const CHAR_NAMES: Record<string, string> = { ' ': 'a space', '\t': 'a tab', '\n': 'a line feed', '\r': 'a carriage return' };

const checkWebsiteUrl: DocumentCheck = (doc) => {
  const { problems, add } = reporter(doc);
  const websiteUrl = doc.server && present(doc.server, 'websiteUrl');
  if (websiteUrl === undefined) return problems;
  const jsonPath = '/websiteUrl';
  const bad = WEBSITE_URL_FORBIDDEN.filter((c) => websiteUrl.includes(c));
  if (bad.length) {
    const trimmed = websiteUrl.trim();
    add({
      code: 'rule-website-url-invalid-characters', jsonPath,
      message: `websiteUrl contains ${bad.map((c) => CHAR_NAMES[c] ?? q(c)).join(', ')}; the official registry rejects " ' < > and whitespace in it`,
      hint: trimmed !== websiteUrl && !WEBSITE_URL_FORBIDDEN.some((c) => trimmed.includes(c))
        ? `Remove the surrounding whitespace: ${q(trimmed)}.`
        : 'Percent-encode those characters (space %20, " %22, \' %27, < %3C, > %3E) or remove them.',
    });
  }
  const url = parseUrl(websiteUrl.trim());
  if (!url || url.protocol !== 'https:') {
    const rest = /^http:\/\//i.test(websiteUrl) ? websiteUrl.replace(/^http:\/\//i, '') : url ? undefined : websiteUrl.replace(/^\/+/, '');
    add({
      code: 'rule-website-url-not-https', jsonPath,
      message: url
        ? `websiteUrl ${q(websiteUrl)} uses ${url.protocol.replace(/:$/, '')}; only absolute https URLs are accepted`
        : `websiteUrl ${q(websiteUrl)} is not an absolute URL (include the scheme); only absolute https URLs are accepted`,
      hint: rest !== undefined && rest !== '' ? `Use ${q(`https://${rest.trim()}`)}.` : 'Link to the server\'s web page with an https:// URL.',
    });
  }
  return problems;
};

/** Go's unicode.IsSpace, which the official registry trims with (JavaScript's trim differs on U+0085 and U+FEFF). */
const GO_SPACE_ONLY = /^[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$/;

const checkTitle: DocumentCheck = (doc) => {
  const { problems, add } = reporter(doc);
  const title = doc.server && str(doc.server, 'title');
  if (!title || !GO_SPACE_ONLY.test(title)) return problems;
  const name = doc.server && str(doc.server, 'name');
  const suggestion = name?.split('/')[1]?.replace(/[-_.]+/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
  add({
    code: 'rule-title-blank', jsonPath: '/title',
    message: 'title is only whitespace',
    hint: suggestion ? `Set a display name, e.g. ${q(suggestion)}, or remove "title".` : 'Set a short display name, or remove "title".',
  });
  return problems;
};

const checkIcons: DocumentCheck = (doc) => {
  const { problems, add } = reporter(doc);
  if (!doc.server) return problems;
  list(doc.server, 'icons').forEach((icon, i) => {
    if (!isObject(icon)) return;
    const src = str(icon, 'src');
    if (src === undefined) return;
    const url = parseUrl(src);
    if (url?.protocol === 'https:') return;
    const jsonPath = jsonPointer('icons', i, 'src');
    add({
      code: 'rule-icon-src-not-https', jsonPath,
      message: url
        ? `icon src ${q(src.length > 80 ? `${src.slice(0, 80)}…` : src)} uses ${url.protocol.replace(/:$/, '')}; icons must be absolute https URLs`
        : `icon src ${q(src)} is not an absolute URL; icons must be absolute https URLs`,
      hint: url?.protocol === 'http:'
        ? `Use ${q(src.replace(/^http:/i, 'https:'))} if the host serves it over https.`
        : url?.protocol === 'data:'
          ? 'Host the image on an https server (for example your repository\'s raw files or GitHub Pages) and link it; data: URIs are not accepted.'
          : 'Use the full https:// URL of the image, e.g. "https://example.com/icon.png".',
    });
  });
  return problems;
};

// ---------------------------------------------------------------------------------------------------------------
// URLs with {template} variables (package transports and remotes)

/** `{name}` variables in a URL, in order, without duplicates. */
export function templateVariables(url: string): string[] {
  return [...new Set([...url.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!))];
}

/** The URL with template variables replaced by placeholders, as the official registry does before parsing it. */
function withPlaceholders(url: string): string {
  let out = url;
  for (const [name, value] of [['{host}', 'example.com'], ['{port}', '8080'], ['{path}', 'api'], ['{protocol}', 'http'], ['{scheme}', 'http']]) {
    out = out.replaceAll(name!, value!);
  }
  return out.replace(/:(\{[^}]+\})(\/|$)/g, ':8080$2').replace(/\{[^}]+\}/g, 'placeholder');
}

/** Why a transport URL is not a usable http(s) URL, or undefined when it is one. */
function httpUrlProblem(raw: string): string | undefined {
  const url = parseUrl(withPlaceholders(raw));
  if (!url) return 'is not a valid absolute URL';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `uses ${url.protocol.replace(/:$/, '')}; it must be an http or https URL`;
  if (url.hostname === '') return 'has no host';
  return undefined;
}

// IPv4 and IPv6 ranges a public remote cannot live at: loopback, unspecified, private, link-local, multicast,
// broadcast and carrier-grade NAT (the official registry's current check; it began with localhost and 127.0.0.1).
function ipv4Local(host: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (!m) return undefined;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if (a === 127) return 'a loopback address';
  if (a === 0) return 'an unspecified address';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private network address';
  if (a === 169 && b === 254) return 'a link-local address';
  if (a === 100 && b >= 64 && b <= 127) return 'a carrier-grade NAT address';
  if (a >= 224 && a <= 239) return 'a multicast address';
  if (host === '255.255.255.255') return 'the broadcast address';
  return undefined;
}

function ipv6Local(host: string): string | undefined {
  if (!host.includes(':')) return undefined;
  if (host === '::1') return 'a loopback address';
  if (host === '::') return 'an unspecified address';
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16), lo = parseInt(mapped[2]!, 16);
    return ipv4Local(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  const first = parseInt(host.split(':')[0] || '0', 16);
  if ((first & 0xfe00) === 0xfc00) return 'a private network address';
  if ((first & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((first & 0xff00) === 0xff00) return 'a multicast address';
  return undefined;
}

/** What makes a remote's host unreachable for other people (localhost, loopback, private ranges), if anything. */
export function localHostReason(url: URL): string | undefined {
  const host = bareHost(url);
  if (host === 'localhost' || host.endsWith('.localhost')) return 'localhost';
  return ipv4Local(host) ?? ipv6Local(host);
}

/** The fix for a `{var}` that nothing declares. */
function undefinedVariableHint(missing: string[], where: 'package' | 'remote'): string {
  const first = missing[0]!;
  return where === 'remote'
    ? `Declare it in this remote: "variables": {${q(first)}: {"description": "…", "isRequired": true}}, or replace {${first}} in the URL with its value.`
    : `Declare it in this package, e.g. "environmentVariables": [{"name": ${q(first)}, "description": "…"}] or an argument named ${q(first)} (or with "valueHint": ${q(first)}), or replace {${first}} in the URL with its value.`;
}

// ---------------------------------------------------------------------------------------------------------------
// Packages

const REGISTRY_TYPE_GUESSES: Record<string, RegistryType> = {
  docker: 'oci', 'docker-hub': 'oci', dockerhub: 'oci', ghcr: 'oci', container: 'oci', image: 'oci',
  pip: 'pypi', python: 'pypi', uv: 'pypi', uvx: 'pypi',
  crates: 'cargo', 'crates.io': 'cargo', rust: 'cargo',
  dotnet: 'nuget', dnx: 'nuget',
  node: 'npm', npx: 'npm', javascript: 'npm', yarn: 'npm', pnpm: 'npm',
  github: 'mcpb', gitlab: 'mcpb', url: 'mcpb', dxt: 'mcpb', file: 'mcpb',
};

function guessRegistryType(type: string): RegistryType | undefined {
  const lower = type.toLowerCase().trim();
  if ((REGISTRY_TYPES as readonly string[]).includes(lower)) return lower as RegistryType;
  return REGISTRY_TYPE_GUESSES[lower];
}

/** The package name inside an identifier like `npx -y @scope/pkg`, if one stands out. */
function identifierSuggestion(identifier: string): string | undefined {
  const commands = new Set(['npx', 'npm', 'uvx', 'uv', 'pip', 'pipx', 'docker', 'dnx', 'dotnet', 'cargo', 'install', 'run', 'add', 'tool', 'exec', 'i']);
  return identifier.split(/\s+/).filter((t) => t !== '' && !t.startsWith('-') && !commands.has(t.toLowerCase()))[0];
}

interface OciReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Parses `[registry/]namespace/image[:tag][@digest]` as container tools do; a string explains what is wrong. */
export function parseOciReference(identifier: string): OciReference | string {
  if (identifier === '') return 'is empty';
  if (/\s/.test(identifier)) return 'contains whitespace';
  let rest = identifier;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[a-f0-9]{64}$/.test(digest)) return `has digest ${q(digest)}; a digest is "sha256:" and 64 lowercase hex digits`;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && !rest.slice(colon).includes('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) return `has tag ${q(tag)}; a tag is up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"`;
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  let repository = hasRegistry ? rest.slice(slash + 1) : rest;
  if (hasRegistry && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(registry)) return `has registry ${q(registry)}, which is not a host name`;
  if (!hasRegistry && !repository.includes('/')) repository = `library/${repository}`;
  if (repository === '' || repository.split('/').some((c) => c === '')) return 'has an empty path component';
  if (!/^[a-z0-9._/-]+$/.test(repository)) {
    return /[A-Z]/.test(repository)
      ? `has upper-case letters in the repository ${q(repository)}; image repositories are lower case`
      : `has characters other than lower-case letters, digits, ".", "_", "-" and "/" in the repository ${q(repository)}`;
  }
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

export function isAllowedOciRegistry(registry: string): boolean {
  return (OCI_REGISTRIES as readonly string[]).includes(registry) || OCI_REGISTRY_SUFFIXES.some((s) => registry.endsWith(s) && registry.length > s.length);
}

/** Why an MCPB identifier is not a GitHub or GitLab release download URL, or undefined. */
export function mcpbUrlProblem(identifier: string): string | undefined {
  const url = parseUrl(identifier);
  if (!url) return 'is not an absolute URL';
  if (url.protocol !== 'https:') return `uses ${url.protocol.replace(/:$/, '')}; it must be an https URL`;
  const host = url.host.toLowerCase();
  if (!MCPB_HOSTS.includes(host)) return `is hosted on ${q(host)}; MCPB files must be GitHub or GitLab release assets`;
  if (host.endsWith('github.com')) {
    return GITHUB_RELEASE_PATH.test(url.pathname) ? undefined
      : 'is not a GitHub release asset URL of the form https://github.com/<owner>/<repo>/releases/download/<tag>/<file>';
  }
  return GITLAB_RELEASE_PATH.test(url.pathname) || GITLAB_PACKAGE_FILE_PATH.test(url.pathname) ? undefined
    : 'is not a GitLab release asset URL of the form https://gitlab.com/<group>/<project>/-/releases/<tag>/downloads/<file> or …/-/package_files/<id>/download';
}

function checkRegistryType(add: (p: Found) => void, pkg: Json, base: string, serverVersion: string | undefined): void {
  const type = str(pkg, 'registryType');
  if (type === undefined || type === '') return; // the schema requires it
  const identifier = str(pkg, 'identifier') ?? '';
  if (!(REGISTRY_TYPES as readonly string[]).includes(type)) {
    const guess = guessRegistryType(type);
    add({
      code: 'rule-package-registry-type-unsupported', jsonPath: `${base}/registryType`,
      message: `unsupported registry type ${q(type)}; the official registry accepts ${REGISTRY_TYPES.map(q).join(', ')}`,
      hint: guess
        ? `Set "registryType" to ${q(guess)}.`
        : 'Publish the package on npm, PyPI, NuGet, crates.io or an allowed OCI registry, or attach an .mcpb file to a GitHub or GitLab release ("registryType": "mcpb"). Private registries and mirrors are not accepted.',
    });
    return;
  }
  const registryType = type as RegistryType;
  const baseUrl = present(pkg, 'registryBaseUrl');
  const version = present(pkg, 'version');
  const fileSha256 = present(pkg, 'fileSha256');
  const notAllowed = (field: string, message: string, hint: string): void =>
    add({ code: 'rule-package-field-not-allowed', jsonPath: `${base}/${field}`, message, hint });

  if (registryType === 'npm' || registryType === 'pypi' || registryType === 'nuget' || registryType === 'cargo') {
    const expected = REGISTRY_BASE_URLS[registryType];
    if (baseUrl !== undefined && baseUrl !== expected) {
      add({
        code: 'rule-package-registry-base-url', jsonPath: `${base}/registryBaseUrl`,
        message: `registryBaseUrl ${q(baseUrl)} is not allowed for ${registryType}; the only accepted value is ${q(expected)}`,
        hint: `Set "registryBaseUrl" to ${q(expected)} (exactly, without a trailing "/"), or remove it: it defaults to that. Private registries and mirrors are not accepted.`,
      });
    }
    if (version === undefined) {
      add({
        code: 'rule-package-version-required', jsonPath: `${base}/version`,
        message: `${registryType} package ${q(identifier)} has no "version"; ${registryType} packages must name the exact version`,
        hint: `Add "version": the ${registryType} version this release ships${serverVersion ? `, e.g. ${q(serverVersion)}` : ''}.`,
      });
    }
    if (fileSha256 !== undefined) {
      notAllowed('fileSha256', `${registryType} packages must not have "fileSha256"; it is only for MCPB files`,
        `Remove "fileSha256": ${registryType === 'npm' ? 'npm' : registryType === 'pypi' ? 'PyPI' : registryType === 'nuget' ? 'NuGet' : 'crates.io'} checks package integrity itself.`);
    }
    return;
  }

  if (registryType === 'oci') {
    const ref = parseOciReference(identifier);
    if (baseUrl !== undefined) {
      const host = parseUrl(baseUrl)?.host;
      notAllowed('registryBaseUrl', 'OCI packages must not have "registryBaseUrl"; the registry is part of the image reference in "identifier"',
        typeof ref !== 'string' && host && !identifier.startsWith(`${host}/`) && ref.registry === 'docker.io' && !identifier.startsWith('docker.io/')
          ? `Remove "registryBaseUrl" and write the image with its registry: ${q(`${host}/${identifier}`)}.`
          : 'Remove "registryBaseUrl"; put the registry host at the start of "identifier", e.g. "ghcr.io/owner/image:1.0.0".');
    }
    if (version !== undefined) {
      notAllowed('version', 'OCI packages must not have "version"; the tag or digest in "identifier" names the version',
        typeof ref !== 'string' && ref.tag === undefined && ref.digest === undefined
          ? `Remove "version" and put it in the image reference: ${q(`${identifier}:${version}`)}.`
          : 'Remove "version"; the tag in "identifier" (e.g. "ghcr.io/owner/image:1.0.0") is the version.');
    }
    if (fileSha256 !== undefined) {
      notAllowed('fileSha256', 'OCI packages must not have "fileSha256"; it is only for MCPB files',
        'Remove "fileSha256"; to pin the image, add its digest to "identifier" ("…/image:1.0.0@sha256:<64 hex digits>").');
    }
    if (typeof ref === 'string') {
      add({
        code: 'rule-package-oci-identifier-invalid', jsonPath: `${base}/identifier`,
        message: `OCI identifier ${q(identifier)} ${ref}`,
        hint: 'Write the image as [registry/]namespace/image:tag, e.g. "ghcr.io/owner/image:1.0.0" or "docker.io/owner/image:1.0.0".',
      });
    } else if (!isAllowedOciRegistry(ref.registry)) {
      add({
        code: 'rule-package-oci-registry-not-allowed', jsonPath: `${base}/identifier`,
        message: `OCI image ${q(identifier)} is on registry ${q(ref.registry)}, which the official registry does not accept`,
        hint: `Push the image to one of ${[...OCI_REGISTRIES, ...OCI_REGISTRY_SUFFIXES.map((s) => `*${s}`)].join(', ')} and use that reference, e.g. ${q(`ghcr.io/${ref.repository.replace(/^library\//, 'owner/')}:${ref.tag ?? '1.0.0'}`)}.`,
      });
    }
    return;
  }

  // mcpb
  if (baseUrl !== undefined) {
    notAllowed('registryBaseUrl', 'MCPB packages must not have "registryBaseUrl"; "identifier" is the full download URL',
      'Remove "registryBaseUrl" and put the full release asset URL in "identifier".');
  }
  if (fileSha256 === undefined) {
    add({
      code: 'rule-package-file-sha256-required', jsonPath: `${base}/fileSha256`,
      message: `MCPB package ${q(identifier)} has no "fileSha256"; MCPB packages must carry the SHA-256 of the file`,
      hint: 'Add "fileSha256": the SHA-256 of the .mcpb file as 64 lower-case hex digits (`sha256sum server.mcpb` or `shasum -a 256 server.mcpb`).',
    });
  }
  if (identifier === '') return;
  const urlProblem = mcpbUrlProblem(identifier);
  if (urlProblem) {
    add({
      code: 'rule-package-mcpb-url-invalid', jsonPath: `${base}/identifier`,
      message: `MCPB identifier ${q(identifier)} ${urlProblem}`,
      hint: 'Attach the .mcpb file to a release and use its download URL: https://github.com/<owner>/<repo>/releases/download/<tag>/<file>.mcpb (or the GitLab release asset URL).',
    });
  }
  if (!identifier.toLowerCase().includes('mcp')) {
    add({
      code: 'rule-package-mcpb-url-missing-mcp', jsonPath: `${base}/identifier`,
      message: `MCPB identifier ${q(identifier)} does not contain "mcp"; the official registry requires it in MCPB URLs`,
      hint: 'Name the release asset (or the repository) so the URL contains "mcp", e.g. ".../releases/download/v1.0.0/weather-mcp.mcpb" or a ".mcpb" file extension.',
    });
  }
}

function checkArguments(add: (p: Found) => void, pkg: Json, base: string): void {
  for (const field of ['runtimeArguments', 'packageArguments']) {
    list(pkg, field).forEach((arg, j) => {
      if (!isObject(arg) || str(arg, 'type') !== 'named') return;
      const path = `${base}/${field}/${j}`;
      const nameValue = own(arg, 'name');
      if (nameValue !== undefined && typeof nameValue !== 'string') return; // the schema reports the type
      const name = nameValue ?? '';
      const value = str(arg, 'value');
      if (name === '') {
        const flag = value && /^(--?[A-Za-z0-9][\w.-]*)/.exec(value)?.[1];
        add({
          code: 'rule-argument-name-missing', jsonPath: `${path}/name`,
          message: `named argument ${field}[${j}] has no "name"`,
          hint: flag
            ? `Add "name": ${q(flag)} and keep only the value in "value".`
            : 'Add "name": the flag as typed on the command line, e.g. "--port"; or make it {"type": "positional"} if it has no flag.',
        });
        return;
      }
      const bad = ['<', '>', ' ', '$'].filter((c) => name.includes(c));
      if (bad.length) {
        const flag = /^[^\s<>$=]+/.exec(name)?.[0];
        const rest = flag ? name.slice(flag.length).replace(/^[\s=]+/, '') : '';
        add({
          code: 'rule-argument-name-invalid', jsonPath: `${path}/name`,
          message: `named argument name ${q(name)} contains ${bad.map((c) => (c === ' ' ? 'a space' : q(c))).join(', ')}; the name is only the flag, without a value or placeholder`,
          hint: flag
            ? `Set "name" to ${q(flag)}${rest ? ` and describe ${q(rest)} with "value" (fixed), or "default"/"isRequired"/"description" (the user supplies it); variables go in "variables" with {name} in "value"` : ''}.`
            : 'Set "name" to the flag alone, e.g. "--port"; a value goes in "value" or "default".',
        });
      }
      for (const key of ['value', 'default'] as const) {
        const v = str(arg, key);
        if (v === undefined || v === '' || !v.startsWith(name)) continue;
        const stripped = v.slice(name.length).replace(/^[\s=]+/, '');
        add({
          code: 'rule-argument-value-starts-with-name', jsonPath: `${path}/${key}`,
          message: `named argument ${q(name)} has a ${key} that starts with the name itself (${q(v)}); clients put the name before the ${key}, so it would be repeated`,
          hint: stripped ? `Set "${key}" to ${q(stripped)}.` : `Remove "${key}", or set it to the value that follows ${q(name)}.`,
        });
      }
    });
  }
}

function packageVariables(pkg: Json): string[] {
  const names: string[] = [];
  for (const env of list(pkg, 'environmentVariables')) if (isObject(env)) names.push(str(env, 'name') ?? '');
  for (const field of ['runtimeArguments', 'packageArguments']) {
    for (const arg of list(pkg, field)) {
      if (!isObject(arg)) continue;
      names.push(str(arg, 'name') ?? '', str(arg, 'valueHint') ?? '');
    }
  }
  return [...new Set(names.filter((n) => n !== ''))];
}

function checkPackageTransport(add: (p: Found) => void, pkg: Json, base: string): void {
  const transport = own(pkg, 'transport');
  if (!isObject(transport)) return;
  const type = str(transport, 'type');
  const path = `${base}/transport`;
  const urlValue = own(transport, 'url');
  if (urlValue !== undefined && typeof urlValue !== 'string') return;
  const url = urlValue ?? '';
  if (type === undefined) return;
  if (!TRANSPORT_TYPES.includes(type)) {
    const lower = type.toLowerCase();
    const guess = lower === 'http' || lower === 'streamable_http' || lower === 'streamablehttp' ? 'streamable-http' : TRANSPORT_TYPES.find((t) => t === lower);
    add({
      code: 'rule-transport-type-unsupported', jsonPath: `${path}/type`,
      message: `unsupported transport type ${q(type)}; a package transport is "stdio", "streamable-http" or "sse"`,
      hint: guess ? `Set "type" to ${q(guess)}.` : 'Use "stdio" for a server the client starts and talks to over stdin/stdout, or "streamable-http" with a "url".',
    });
    return;
  }
  if (type === 'stdio') {
    if (url !== '') {
      add({
        code: 'rule-transport-stdio-url', jsonPath: `${path}/url`,
        message: `a stdio transport has no URL, but this one has ${q(url)}`,
        hint: 'Remove "url": the client starts a stdio server itself. If the package serves HTTP once started, set "type" to "streamable-http" and keep the URL.',
      });
    }
    return;
  }
  if (url === '') {
    add({
      code: 'rule-transport-url-required', jsonPath: `${path}/url`,
      message: `a ${type} transport needs a "url"`,
      hint: 'Add the URL the package listens on once started, e.g. "url": "http://localhost:{port}/mcp" with "port" declared as an argument or environment variable.',
    });
    return;
  }
  const urlProblem = httpUrlProblem(url);
  if (urlProblem) {
    add({
      code: 'rule-transport-url-invalid', jsonPath: `${path}/url`,
      message: `${type} transport url ${q(url)} ${urlProblem}`,
      hint: 'Write an absolute http(s) URL with a host, e.g. "http://localhost:{port}/mcp"; {name} placeholders are allowed.',
    });
    return;
  }
  const available = packageVariables(pkg);
  const missing = templateVariables(url).filter((v) => !available.includes(v));
  if (missing.length) {
    add({
      code: 'rule-transport-url-undefined-variable', jsonPath: `${path}/url`,
      message: `transport url ${q(url)} uses ${missing.map((v) => `{${v}}`).join(', ')}, which this package does not define (defined: ${available.length ? available.join(', ') : 'none'})`,
      hint: undefinedVariableHint(missing, 'package'),
    });
  }
}

const checkPackages: DocumentCheck = (doc) => {
  const { problems, add } = reporter(doc);
  if (!doc.server) return problems;
  const serverVersion = str(doc.server, 'version');
  const exampleVersion = serverVersion && serverVersion !== 'latest' && !looksLikeVersionRange(serverVersion) ? serverVersion : undefined;
  list(doc.server, 'packages').forEach((pkg, i) => {
    if (!isObject(pkg)) return;
    const base = `/packages/${i}`;
    const identifier = str(pkg, 'identifier');
    if (identifier !== undefined && identifier.includes(' ')) {
      const suggestion = identifierSuggestion(identifier);
      add({
        code: 'rule-package-identifier-spaces', jsonPath: `${base}/identifier`,
        message: `package identifier ${q(identifier)} contains spaces; it is only the package name (or image, or URL)`,
        hint: suggestion
          ? `Set "identifier" to ${q(suggestion)}; the command goes in "runtimeHint" (npx, uvx, docker, dnx) and arguments in "packageArguments".`
          : 'Put only the package name in "identifier"; the command goes in "runtimeHint" and arguments in "packageArguments".',
      });
    }
    const version = str(pkg, 'version');
    if (version !== undefined && version !== '') {
      checkVersionValue(add, version, `${base}/version`, 'package version', exampleVersion ?? '1.0.0');
    }
    checkRegistryType(add, pkg, base, exampleVersion);
    checkRuntimeHint(add, pkg, base);
    checkArguments(add, pkg, base);
    checkPackageTransport(add, pkg, base);
  });
  return problems;
};

/**
 * A hint that is not a runner of the package's type. An error, not a warning: clients that honour the hint (unlike
 * VS Code, which starts the type's runner) would run another program than the package this listing names, with the
 * publisher's arguments — `sh -c "curl … | sh"` for an npm package.
 */
function checkRuntimeHint(add: (p: Found) => void, pkg: Json, base: string): void {
  const type = str(pkg, 'registryType'), hint = str(pkg, 'runtimeHint');
  if (type === undefined || hint === undefined) return;
  const reason = runtimeHintProblem(type, hint);
  if (!reason) return;
  const runner = DEFAULT_RUNNER[type];
  add({
    code: 'rule-package-runtime-hint', jsonPath: `${base}/runtimeHint`,
    message: `package runtimeHint ${q(hint)}: ${reason}`,
    hint: runner
      ? `Set "runtimeHint" to ${q(runner)} or remove it; the command's own flags go in "runtimeArguments".`
      : 'Remove "runtimeHint".',
  });
}

/**
 * Variable syntax in what the install snippets carry (launch-safety.ts): VS Code and Cursor would expand it against
 * the user's environment, secrets included, and send it wherever the publisher's argument, header or URL points.
 */
const checkClientVariables: DocumentCheck = (doc) => {
  const { problems, add } = reporter(doc);
  if (!doc.server) return problems;
  for (const field of ['packages', 'remotes'] as const) {
    list(doc.server, field).forEach((item, i) => {
      const seen = new Set<string>();
      for (const segments of clientVariablePaths(item, [field, i])) {
        const jsonPath = jsonPointer(...segments);
        if (seen.has(jsonPath)) continue;
        seen.add(jsonPath);
        add({
          code: 'rule-client-variable', jsonPath,
          message: `${jsonPath.slice(1)} holds "\${", variable syntax that VS Code and Cursor expand in their configuration (\${env:…} reads the user's environment, \${command:…} runs a command), so clients would fill it with the user's values`,
          hint: 'Remove the "${…}": for a value the user must supply, leave "value" out and mark the input "isRequired" (clients then prompt for it), or use a {name} variable with "variables".',
        });
      }
    });
  }
  return problems;
};

// ---------------------------------------------------------------------------------------------------------------
// Remotes

const checkRemotes: DocumentCheck = (doc) => {
  const { problems, add } = reporter(doc);
  if (!doc.server) return problems;
  list(doc.server, 'remotes').forEach((remote, i) => {
    if (!isObject(remote)) return;
    const base = `/remotes/${i}`;
    const type = str(remote, 'type');
    if (type === undefined) return;
    if (!REMOTE_TYPES.includes(type)) {
      const lower = type.toLowerCase();
      const guess = lower === 'http' || lower === 'streamable_http' || lower === 'streamablehttp' || lower === 'streamable-http' ? 'streamable-http' : lower === 'sse' ? 'sse' : undefined;
      add({
        code: 'rule-remote-type-unsupported', jsonPath: `${base}/type`,
        message: `unsupported transport type for remotes: ${q(type)} (only "streamable-http" and "sse" are supported)`,
        hint: guess
          ? `Set "type" to ${q(guess)}.`
          : type === 'stdio'
            ? 'A remote is reached over HTTP; a server the client starts over stdio belongs in "packages".'
            : 'Set "type" to "streamable-http" (or "sse" for the older protocol).',
      });
      return;
    }
    const urlValue = own(remote, 'url');
    if (urlValue !== undefined && typeof urlValue !== 'string') return;
    const url = urlValue ?? '';
    const path = `${base}/url`;
    if (url === '') {
      add({
        code: 'rule-remote-url-required', jsonPath: path,
        message: `a ${type} remote needs a "url"`,
        hint: 'Add the public https URL of the endpoint, e.g. "url": "https://mcp.example.com/mcp".',
      });
      return;
    }
    const urlProblem = httpUrlProblem(url);
    if (urlProblem) {
      add({
        code: 'rule-remote-url-invalid', jsonPath: path,
        message: `remote url ${q(url)} ${urlProblem}`,
        hint: 'Write the absolute https URL of the endpoint, e.g. "https://mcp.example.com/mcp"; {name} placeholders are allowed when declared in "variables".',
      });
    } else {
      const parsed = new URL(withPlaceholders(url));
      if (parsed.protocol !== 'https:') {
        add({
          code: 'rule-remote-url-not-https', jsonPath: path,
          message: `remote url ${q(url)} is not https; remotes must use https`,
          hint: /^http:\/\//i.test(url) ? `Use ${q(url.replace(/^http:/i, 'https:'))} and serve the endpoint over TLS.` : 'Start the URL with "https://"; the scheme cannot be a variable.',
        });
      }
      const local = localHostReason(parsed);
      if (local) {
        add({
          code: 'rule-remote-url-local', jsonPath: path,
          message: `remote url ${q(url)} points at ${local}, which other people cannot reach`,
          hint: 'List only publicly reachable endpoints as remotes. A server meant to run on the user\'s machine belongs in "packages" (its transport may use http://localhost).',
        });
      }
    }
    const variables = own(remote, 'variables');
    const available = isObject(variables) ? Object.keys(variables).filter((k) => k !== '') : [];
    const missing = templateVariables(url).filter((v) => !available.includes(v));
    if (missing.length) {
      add({
        code: 'rule-remote-url-undefined-variable', jsonPath: path,
        message: `remote url ${q(url)} uses ${missing.map((v) => `{${v}}`).join(', ')}, which this remote's "variables" does not define (defined: ${available.length ? available.join(', ') : 'none'})`,
        hint: undefinedVariableHint(missing, 'remote'),
      });
    }
  });
  return problems;
};

// ---------------------------------------------------------------------------------------------------------------
// _meta

/** Bytes of Go's json.Marshal output for a value parsed from JSON (HTML-safe escapes, U+FFFD for lone surrogates). */
export function goJsonSize(value: unknown): number {
  if (value === null || value === undefined) return 4;
  if (typeof value === 'boolean') return value ? 4 : 5;
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value).length : 4;
  if (typeof value === 'string') {
    let size = 2;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c === 0x22 || c === 0x5c || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x08 || c === 0x0c) size += 2;
      else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) size += 6;
      else if (c < 0x80) size += 1;
      else if (c < 0x800) size += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        size += 4;
        i++;
      } else size += 3; // BMP character, or a lone surrogate that Go writes as U+FFFD
    }
    return size;
  }
  if (Array.isArray(value)) return 2 + Math.max(0, value.length - 1) + value.reduce((n: number, v) => n + goJsonSize(v), 0);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Json);
    return 2 + Math.max(0, entries.length - 1) + entries.reduce((n, [k, v]) => n + goJsonSize(k) + 1 + goJsonSize(v), 0);
  }
  return 4;
}

const checkMeta: DocumentCheck = (doc) => {
  const { problems, add } = reporter(doc);
  const meta = doc.server && own(doc.server, '_meta');
  if (!isObject(meta)) return problems;
  for (const key of Object.keys(meta)) {
    if (key === PUBLISHER_META_KEY) continue;
    const official = key === 'io.modelcontextprotocol.registry/official';
    add({
      code: 'rule-meta-key-dropped', severity: 'warning', jsonPath: jsonPointer('_meta', key),
      message: official
        ? `_meta key ${q(key)} is written by the registry into API responses, not by publishers; the official registry drops it from server.json`
        : `_meta key ${q(key)} is dropped by the official registry, which keeps only ${q(PUBLISHER_META_KEY)}; this registry serves it as published, but clients and registries that mirror the official one will not see it`,
      hint: official
        ? 'Remove it: status is set in the server\'s server.md, and publication dates come from the Git history.'
        : `Move it inside the publisher object: "_meta": {${q(PUBLISHER_META_KEY)}: {${q(key)}: …}}.`,
    });
  }
  const publisher = own(meta, PUBLISHER_META_KEY);
  if (publisher === undefined || publisher === null) return problems;
  const size = goJsonSize(publisher);
  if (size > PUBLISHER_META_MAX_BYTES) {
    add({
      code: 'rule-meta-too-large', jsonPath: jsonPointer('_meta', PUBLISHER_META_KEY),
      message: `_meta.${PUBLISHER_META_KEY} is ${size} bytes as compact JSON; the limit is ${PUBLISHER_META_MAX_BYTES} bytes (4 KB)`,
      hint: `Remove at least ${size - PUBLISHER_META_MAX_BYTES} bytes: keep small facts there and link to larger documents by URL.`,
    });
  }
  return problems;
};

// ---------------------------------------------------------------------------------------------------------------

/** Every per-document rule, in the order they report. */
export const serverJsonRules: DocumentCheck[] = [
  checkName,
  checkServerVersion,
  checkRepository,
  checkWebsiteUrl,
  checkTitle,
  checkIcons,
  checkPackages,
  checkRemotes,
  checkClientVariables,
  checkMeta,
];

/** All rules of official-registry.md §2.4 and §3.1–§3.4 on one document. */
export function checkServerRules(doc: ServerDocument): Problem[] {
  if (!doc.server) return [];
  return serverJsonRules.flatMap((rule) => rule(doc));
}
