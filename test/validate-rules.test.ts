// The rules the official registry enforces beyond the schema (official-registry.md §2.4, §3.1–§3.4), one table per
// code: documents that pass, and documents that fail with that code at the exact JSON path and a hint that names the
// fix. Then the official examples, the seed data, the registry-wide rules and docs/errors.md coverage.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../scripts/lib/problems.ts';
import {
  checkNameCaseCollisions, checkRegistry, checkRemoteUrlsTaken, REGISTRY_RULE_CODES, type RegistryDocument,
} from '../scripts/lib/validate/rules/registry.ts';
import {
  checkServerRules, checkVersionCount, goJsonSize, looksLikeVersionRange, parseOciReference, SERVER_RULE_CODES, serverJsonRules,
} from '../scripts/lib/validate/rules/server-json.ts';
import type { ServerDocument } from '../scripts/lib/validate/types.ts';
import { describeWithReference, PROJECT_ROOT } from './support/reference.ts';

type Json = Record<string, unknown>;

const FILE = 'entries/io.github.user/weather/1.0.0/server.json';

function doc(server: unknown, at: { file?: string; pathName?: string; pathVersion?: string } = {}): ServerDocument {
  // A JSON round trip drops keys set to undefined, so a case can remove a field of the base document.
  const value: unknown = server === undefined ? undefined : JSON.parse(JSON.stringify(server));
  const object = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  return {
    file: at.file ?? FILE,
    pathName: at.pathName ?? 'io.github.user/weather',
    pathVersion: at.pathVersion ?? '1.0.0',
    json: { value, locate: () => undefined },
    server: object,
  };
}

const run = (server: unknown, at?: Parameters<typeof doc>[1]): Problem[] => checkServerRules(doc(server, at));

const BASE: Json = {
  $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
  name: 'io.github.user/weather',
  description: 'Weather forecasts.',
  version: '1.0.0',
};
const server = (patch: Json): Json => ({ ...BASE, ...patch });
const NPM: Json = { registryType: 'npm', identifier: '@acme/weather', version: '1.0.0', transport: { type: 'stdio' } };
const pkg = (patch: Json): Json => server({ packages: [{ ...NPM, ...patch }] });
const REMOTE: Json = { type: 'streamable-http', url: 'https://mcp.example.com/mcp' };
const remote = (patch: Json): Json => server({ remotes: [{ ...REMOTE, ...patch }] });
const SHA = 'a'.repeat(64);
const MCPB_URL = 'https://github.com/acme/weather-mcp/releases/download/v1.0.0/weather.mcpb';
const mcpb = (patch: Json): Json => pkg({ registryType: 'mcpb', identifier: MCPB_URL, version: undefined, fileSha256: SHA, ...patch });
const oci = (patch: Json): Json => pkg({ registryType: 'oci', identifier: 'ghcr.io/acme/weather:1.0.0', version: undefined, ...patch });
const arg = (a: Json, field = 'packageArguments'): Json => pkg({ [field]: [a] });

/** [title, document, JSON path of the problem, text the hint must contain, text the message must contain]. */
type Fail = [title: string, document: Json, jsonPath: string, hint: string, message?: string];

interface Table {
  pass: Array<[title: string, document: Json]>;
  fail: Fail[];
  severity?: 'error' | 'warning';
}

const tables: Record<(typeof SERVER_RULE_CODES)[number], Table> = {
  // ---- names (§3.1)
  'rule-name-no-slash': {
    pass: [['reverse-DNS namespace', BASE], ['domain namespace with subdomain', server({ name: 'com.example.api/server' })]],
    fail: [
      ['no slash: the hint offers the folder name', server({ name: 'weather' }), '/name', '"io.github.user/weather"', 'has no "/"'],
    ],
  },
  'rule-name-multiple-slashes': {
    pass: [['dots, underscores and dashes in the server part', server({ name: 'io.github.User-Name/my.server_v2' })]],
    fail: [
      ['two slashes', server({ name: 'io.github.user/weather/extra' }), '/name', '"io.github.user/weather"', 'cannot contain multiple slashes'],
    ],
  },
  'rule-name-namespace-invalid': {
    pass: [['two-character namespace', server({ name: 'ab/cd' })]],
    fail: [
      ['empty namespace', server({ name: '/weather' }), '/name', '"io.github.your-login/weather"', 'namespace is empty'],
      ['underscore in the namespace', server({ name: 'io.github.user_x/weather' }), '/name', '"io.github.user-x/weather"', 'contains "_"'],
      ['namespace starts with a dash', server({ name: '-io.github.user/weather' }), '/name', '"io.github.user/weather"', 'starts with "-"'],
      ['namespace ends with a dot', server({ name: 'io.github.user./weather' }), '/name', '"io.github.user/weather"', 'ends with "."'],
      ['one-character namespace', server({ name: 'a/weather' }), '/name', 'com.example/weather', 'one character'],
    ],
  },
  'rule-name-server-invalid': {
    pass: [['digits only', server({ name: 'io.github.user/42' })]],
    fail: [
      ['empty server part', server({ name: 'io.github.user/' }), '/name', '"io.github.user/weather"', 'server name is empty'],
      ['space in the server part', server({ name: 'io.github.user/my weather' }), '/name', '"io.github.user/my-weather"', 'contains " "'],
      ['server part starts with an underscore', server({ name: 'io.github.user/_weather' }), '/name', '"io.github.user/weather"', 'starts with "_"'],
      ['one-character server part', server({ name: 'io.github.user/w' }), '/name', 'io.github.user/weather', 'one character'],
    ],
  },
  // ---- versions (§3.2)
  'rule-version-latest': {
    pass: [['semver', BASE], ['date version', server({ version: '2025-06-18' })], ['"Latest" is only reserved in lower case', server({ version: 'Latest' })]],
    fail: [
      ['server version latest: the hint offers the folder version', server({ version: 'latest' }), '/version', '"1.0.0"', 'reserved'],
      ['package version latest: the hint offers the server version', pkg({ version: 'latest' }), '/packages/0/version', '"1.0.0"', 'reserved'],
      ['second package', server({ version: '2.3.4', packages: [NPM, { ...NPM, version: 'latest' }] }), '/packages/1/version', '"2.3.4"'],
    ],
  },
  'rule-version-range': {
    pass: [
      ['v-prefixed two-part version', server({ version: 'v1.0' })],
      ['prerelease and build metadata', server({ version: '1.0.0-beta.1+build.5' })],
      ['date with dots', server({ version: '2025.06.18' })],
      ['a plain word', server({ version: 'snapshot' })],
      ['one number', server({ version: '7' })],
      ['a lone x is not dotted', server({ version: 'x' })],
      ['four-part version', server({ version: '1.2.3.4' })],
    ],
    fail: [
      ['caret', server({ version: '^1.2.3' }), '/version', '"1.2.3"', 'comparator range'],
      ['tilde', server({ version: '~1.2.3' }), '/version', '"1.2.3"', 'comparator range'],
      ['greater or equal', server({ version: '>=1.0.0' }), '/version', '"1.0.0"', 'comparator range'],
      ['less than, with spaces', server({ version: ' < 2 ' }), '/version', '"2"', 'comparator range'],
      ['equals', server({ version: '=v1.0.0' }), '/version', '"v1.0.0"', 'comparator range'],
      ['hyphen range', server({ version: '1.2.3 - 2.0.0' }), '/version', '"2.0.0"', 'hyphen range'],
      ['OR range', server({ version: '1.2 || 1.3' }), '/version', '"1.3"', 'OR range'],
      ['x wildcard', server({ version: '1.x' }), '/version', '"1.0.0"', 'wildcard range'],
      ['star wildcard', server({ version: '1.2.*' }), '/version', '"1.2.0"', 'wildcard range'],
      ['X wildcard with prerelease', server({ version: '1.X-beta' }), '/version', '"1.0.0-beta"', 'wildcard range'],
      ['an x in a prerelease label counts, as in the official check', server({ version: '1.0.0-next.1' }), '/version', '"1.0.0-rc.1"', 'prerelease label "next.1"'],
      ['package version range', pkg({ version: '^1.0.0' }), '/packages/0/version', '"1.0.0"', 'package version'],
    ],
  },
  'rule-version-too-long': {
    pass: [['255 characters', server({ version: `1.0.0-${'a'.repeat(249)}` })], ['255 emoji are 255 characters', server({ version: '🙂'.repeat(255) })]],
    fail: [
      ['256 characters', server({ version: `1.0.0-${'a'.repeat(250)}` }), '/version', '255 characters or fewer', '256 characters'],
      ['package version', pkg({ version: '1'.repeat(300) }), '/packages/0/version', '255 characters or fewer', '300 characters'],
    ],
  },
  'rule-server-version-count': { pass: [], fail: [] }, // checkVersionCount, tested below
  'rule-version-web-extension': {
    pass: [['a dotted date', server({ version: '2025.06.18' })], ['"html" without a dot', server({ version: '1.0.0-html' })], ['a package version is no URL', pkg({ version: '1.0.0.js' })]],
    fail: [
      ['.html', server({ version: '2.0.html' }), '/version', '"2.0"', 'ends with ".html"'],
      ['any case', server({ version: '2.0.SVG' }), '/version', '"2.0"', 'ends with ".svg"'],
      ['.js', server({ version: '1.0.0-rc.1.mjs' }), '/version', '"1.0.0-rc.1"', 'ends with ".mjs"'],
      ['.php', server({ version: '3.php' }), '/version', '"3"', 'ends with ".php"'],
    ],
  },
  'rule-version-hidden-character': {
    pass: [['letters of any script', server({ version: '1.0.0-ß' })]],
    fail: [
      ['right-to-left override, shown escaped', server({ version: '1.0.0\u202e1-ta' }), '/version', 'visible characters', 'U+202E'],
      ['left-to-right isolate', server({ version: '\u20661.0.0\u2069' }), '/version', 'visible characters', 'U+2066, U+2069'],
      ['Arabic letter mark', server({ version: '1.0\u061c' }), '/version', 'visible characters', 'U+061C'],
      ['zero-width space', server({ version: '1.0.0\u200b' }), '/version', 'visible characters', 'U+200B'],
      ['byte order mark', server({ version: '\ufeff1.0.0' }), '/version', 'visible characters', 'U+FEFF'],
      ['Hangul filler', server({ version: '1.0.0\u3164' }), '/version', 'visible characters', 'U+3164'],
    ],
  },
  // ---- repository, websiteUrl, title, icons (§3.3)
  'rule-repository-source-unsupported': {
    pass: [
      ['github', server({ repository: { url: 'https://github.com/acme/weather', source: 'github' } })],
      ['gitlab', server({ repository: { url: 'https://gitlab.com/acme/weather', source: 'gitlab' } })],
      ['url and source empty: skipped', server({ repository: { url: '', source: '' } })],
      ['url and source absent: skipped, subfolder included', server({ repository: { subfolder: '/abs/' } })],
    ],
    fail: [
      ['bitbucket', server({ repository: { url: 'https://bitbucket.org/acme/weather', source: 'bitbucket' } }), '/repository/source', 'GitHub or GitLab', '"bitbucket" is not supported'],
      ['capitalised GitHub', server({ repository: { url: 'https://github.com/acme/weather', source: 'GitHub' } }), '/repository/source', '"source" to "github"'],
      ['url without source', server({ repository: { url: 'https://gitlab.com/acme/weather' } }), '/repository/source', '"source" to "gitlab"', 'no "source"'],
    ],
  },
  'rule-repository-url-invalid': {
    pass: [
      ['www, http and a trailing slash', server({ repository: { url: 'http://www.github.com/acme/weather/', source: 'github' } })],
      ['.git suffix', server({ repository: { url: 'https://github.com/acme/weather.git', source: 'github' } })],
    ],
    fail: [
      ['tree URL: the hint splits off the subfolder', server({ repository: { url: 'https://github.com/acme/mono/tree/main/servers/weather', source: 'github' } }),
        '/repository/url', '"url" to "https://github.com/acme/mono" and "subfolder" to "servers/weather"'],
      ['ssh URL', server({ repository: { url: 'git@github.com:acme/weather.git', source: 'github' } }), '/repository/url', '"https://github.com/acme/weather"'],
      ['GitLab URL with source github', server({ repository: { url: 'https://gitlab.com/acme/weather', source: 'github' } }), '/repository/url', 'https://github.com/<owner>/<repo>', 'not a GitHub repository URL'],
      ['source without url', server({ repository: { source: 'github' } }), '/repository/url', 'https://github.com/<owner>/<repo>'],
      ['GitLab subgroup', server({ repository: { url: 'https://gitlab.com/group/sub/weather', source: 'gitlab' } }), '/repository/url', 'https://gitlab.com/<owner>/<repo>'],
    ],
  },
  'rule-repository-subfolder-invalid': {
    pass: [['nested relative path', server({ repository: { url: 'https://github.com/acme/mono', source: 'github', subfolder: 'servers/weather.v2' } })]],
    fail: (
      [
        ['leading slash', '/servers/weather', '"servers/weather"', 'starts with "/"'],
        ['trailing slash', 'servers/weather/', '"servers/weather"', 'ends with "/"'],
        ['double slash', 'servers//weather', '"servers/weather"', 'empty segment'],
        ['dot segment', './servers', '"servers"', '"." segment'],
        ['parent segment', '../other', 'inside the repository, like "src/server"', '".."'],
        ['space', 'my servers', 'inside the repository, like "src/server"', 'contains " "'],
      ] as const
    ).map(([title, subfolder, hint, message]): Fail => [
      title, server({ repository: { url: 'https://github.com/acme/mono', source: 'github', subfolder } }), '/repository/subfolder', hint, message,
    ]),
  },
  'rule-website-url-invalid-characters': {
    pass: [['query and fragment', server({ websiteUrl: 'https://example.com/docs?a=1#b' })], ['empty: skipped', server({ websiteUrl: '' })]],
    fail: [
      ['space in the path', server({ websiteUrl: 'https://example.com/my docs' }), '/websiteUrl', '%20', 'a space'],
      ['trailing newline', server({ websiteUrl: 'https://example.com/\n' }), '/websiteUrl', 'Remove the surrounding whitespace: "https://example.com/"', 'a line feed'],
      ['quotes and angle brackets', server({ websiteUrl: 'https://example.com/"<x>"' }), '/websiteUrl', '%3C', '"<"'],
      ['apostrophe', server({ websiteUrl: "https://example.com/it's" }), '/websiteUrl', '%27', `"'"`],
      ['tab', server({ websiteUrl: 'https://example.com/\tx' }), '/websiteUrl', '%20', 'a tab'],
    ],
  },
  'rule-website-url-not-https': {
    pass: [['https', server({ websiteUrl: 'https://example.com' })]],
    fail: [
      ['http', server({ websiteUrl: 'http://example.com/docs' }), '/websiteUrl', '"https://example.com/docs"', 'uses http'],
      ['no scheme', server({ websiteUrl: 'example.com/docs' }), '/websiteUrl', '"https://example.com/docs"', 'not an absolute URL'],
      ['ftp', server({ websiteUrl: 'ftp://example.com' }), '/websiteUrl', 'https://', 'uses ftp'],
    ],
  },
  'rule-title-blank': {
    pass: [['a title', server({ title: 'Weather' })], ['a BOM is not space to Go', server({ title: '\ufeff' })], ['empty: the schema reports it', server({ title: '' })]],
    fail: [
      ['spaces', server({ title: '   ' }), '/title', '"Weather"', 'only whitespace'],
      ['no-break space and tab', server({ title: '\u00a0\t' }), '/title', '"Weather"'],
      ['next line (U+0085), which JavaScript does not trim', server({ title: '\u0085' }), '/title', '"Weather"'],
    ],
  },
  'rule-icon-src-not-https': {
    pass: [['https icon', server({ icons: [{ src: 'https://example.com/icon.png' }] })]],
    fail: [
      ['http', server({ icons: [{ src: 'http://example.com/icon.png' }] }), '/icons/0/src', '"https://example.com/icon.png"', 'uses http'],
      ['data URI, second icon', server({ icons: [{ src: 'https://example.com/a.png' }, { src: 'data:image/png;base64,AAAA' }] }), '/icons/1/src', 'data: URIs are not accepted', 'uses data'],
      ['relative path', server({ icons: [{ src: '/icon.png' }] }), '/icons/0/src', 'full https:// URL', 'not an absolute URL'],
    ],
  },
  // ---- packages (§3.3, §3.4)
  'rule-package-identifier-spaces': {
    pass: [['scoped npm name', pkg({ identifier: '@acme/weather-mcp' })]],
    fail: [
      ['a command instead of a name', pkg({ identifier: 'npx -y @acme/weather' }), '/packages/0/identifier', '"identifier" to "@acme/weather"', 'contains spaces'],
      ['a name with a space', pkg({ identifier: 'acme weather' }), '/packages/0/identifier', '"identifier" to "acme"'],
    ],
  },
  'rule-package-registry-type-unsupported': {
    pass: REGISTRY_TYPE_PASSES(),
    fail: [
      ['upper case', pkg({ registryType: 'NPM' }), '/packages/0/registryType', '"registryType" to "npm"', 'unsupported registry type "NPM"'],
      ['docker', oci({ registryType: 'docker' }), '/packages/0/registryType', '"registryType" to "oci"'],
      ['python', pkg({ registryType: 'python' }), '/packages/0/registryType', '"registryType" to "pypi"'],
      ['maven', pkg({ registryType: 'maven' }), '/packages/0/registryType', 'Private registries and mirrors are not accepted'],
    ],
  },
  'rule-package-registry-base-url': {
    pass: [
      ['npm default', pkg({ registryBaseUrl: 'https://registry.npmjs.org' })],
      ['pypi', pkg({ registryType: 'pypi', identifier: 'weather-mcp', registryBaseUrl: 'https://pypi.org' })],
      ['nuget', pkg({ registryType: 'nuget', identifier: 'Acme.Weather', registryBaseUrl: 'https://api.nuget.org/v3/index.json' })],
      ['cargo', pkg({ registryType: 'cargo', identifier: 'weather-mcp', registryBaseUrl: 'https://crates.io' })],
      ['empty means the default', pkg({ registryBaseUrl: '' })],
    ],
    fail: [
      ['npm with a trailing slash', pkg({ registryBaseUrl: 'https://registry.npmjs.org/' }), '/packages/0/registryBaseUrl', '"https://registry.npmjs.org" (exactly, without a trailing "/")'],
      ['GitHub Packages', pkg({ registryBaseUrl: 'https://npm.pkg.github.com' }), '/packages/0/registryBaseUrl', '"https://registry.npmjs.org"', 'not allowed for npm'],
      ['PyPI simple index', pkg({ registryType: 'pypi', identifier: 'weather-mcp', registryBaseUrl: 'https://pypi.org/simple' }), '/packages/0/registryBaseUrl', '"https://pypi.org"'],
      ['NuGet without the index path', pkg({ registryType: 'nuget', identifier: 'Acme.Weather', registryBaseUrl: 'https://api.nuget.org' }), '/packages/0/registryBaseUrl', '"https://api.nuget.org/v3/index.json"'],
      ['cargo mirror', pkg({ registryType: 'cargo', identifier: 'weather-mcp', registryBaseUrl: 'https://index.crates.io' }), '/packages/0/registryBaseUrl', '"https://crates.io"'],
    ],
  },
  'rule-package-version-required': {
    pass: [['mcpb without version', mcpb({})], ['oci without version', oci({})]],
    fail: [
      ['npm without version', pkg({ version: undefined }), '/packages/0/version', '"1.0.0"', 'npm package "@acme/weather" has no "version"'],
      ['pypi with an empty version', pkg({ registryType: 'pypi', identifier: 'weather-mcp', version: '' }), '/packages/0/version', 'pypi version'],
      ['nuget', pkg({ registryType: 'nuget', identifier: 'Acme.Weather', version: undefined }), '/packages/0/version', 'nuget version'],
      ['cargo: the hint offers the server version', server({ version: '3.1.0', packages: [{ ...NPM, registryType: 'cargo', version: undefined }] }), '/packages/0/version', '"3.1.0"'],
    ],
  },
  'rule-package-field-not-allowed': {
    pass: [['mcpb with a version', mcpb({ version: '1.0.0' })]],
    fail: [
      ['npm with fileSha256', pkg({ fileSha256: SHA }), '/packages/0/fileSha256', 'Remove "fileSha256": npm', 'only for MCPB'],
      ['oci with version: the hint moves it into the tag', oci({ identifier: 'ghcr.io/acme/weather', version: '1.2.0' }), '/packages/0/version', '"ghcr.io/acme/weather:1.2.0"', 'must not have "version"'],
      ['oci with registryBaseUrl: the hint prefixes the host', oci({ identifier: 'acme/weather:1.0.0', registryBaseUrl: 'https://ghcr.io' }), '/packages/0/registryBaseUrl', '"ghcr.io/acme/weather:1.0.0"'],
      ['oci with fileSha256', oci({ fileSha256: SHA }), '/packages/0/fileSha256', '@sha256:'],
      ['mcpb with registryBaseUrl', mcpb({ registryBaseUrl: 'https://github.com' }), '/packages/0/registryBaseUrl', 'full release asset URL in "identifier"'],
    ],
  },
  'rule-package-file-sha256-required': {
    pass: [['mcpb with a hash', mcpb({})]],
    fail: [['mcpb without a hash', mcpb({ fileSha256: undefined }), '/packages/0/fileSha256', 'sha256sum', 'no "fileSha256"']],
  },
  'rule-package-oci-identifier-invalid': {
    pass: [
      ['tag and digest', oci({ identifier: `ghcr.io/acme/weather:1.0.0@sha256:${'b'.repeat(64)}` })],
      ['Docker Hub official image', oci({ identifier: 'postgres:16' })],
      ['digest only', oci({ identifier: `ghcr.io/acme/weather@sha256:${'c'.repeat(64)}` })],
    ],
    fail: [
      ['upper case repository', oci({ identifier: 'ghcr.io/Acme/Weather:1.0.0' }), '/packages/0/identifier', '[registry/]namespace/image:tag', 'upper-case'],
      ['bad digest', oci({ identifier: 'ghcr.io/acme/weather@sha256:abc' }), '/packages/0/identifier', '"ghcr.io/owner/image:1.0.0"', 'digest'],
      ['npm name as image', oci({ identifier: '@acme/weather' }), '/packages/0/identifier', '"docker.io/owner/image:1.0.0"'],
      ['empty path component', oci({ identifier: 'ghcr.io//weather:1' }), '/packages/0/identifier', '[registry/]namespace/image:tag', 'empty path component'],
    ],
  },
  'rule-package-oci-registry-not-allowed': {
    pass: [
      ['docker.io', oci({ identifier: 'docker.io/acme/weather:1.0.0' })],
      ['Docker Hub by default', oci({ identifier: 'acme/weather:1.0.0' })],
      ['index.docker.io', oci({ identifier: 'index.docker.io/acme/weather:1.0.0' })],
      ['registry-1.docker.io', oci({ identifier: 'registry-1.docker.io/acme/weather:1.0.0' })],
      ['quay.io', oci({ identifier: 'quay.io/acme/weather:1.0.0' })],
      ['mcr.microsoft.com', oci({ identifier: 'mcr.microsoft.com/acme/weather:1.0.0' })],
      ['Artifact Registry', oci({ identifier: 'us-docker.pkg.dev/project/repo/weather:1.0.0' })],
      ['Azure Container Registry', oci({ identifier: 'acme.azurecr.io/weather:1.0.0' })],
    ],
    fail: [
      ['private registry', oci({ identifier: 'registry.example.com/acme/weather:1.0.0' }), '/packages/0/identifier', '"ghcr.io/acme/weather:1.0.0"', '"registry.example.com"'],
      ['pkg.dev itself is not a subdomain', oci({ identifier: 'pkg.dev/acme/weather:1' }), '/packages/0/identifier', '*.pkg.dev'],
      ['localhost registry', oci({ identifier: 'localhost:5000/weather:1' }), '/packages/0/identifier', 'ghcr.io', '"localhost:5000"'],
    ],
  },
  'rule-package-mcpb-url-invalid': {
    pass: [
      ['GitHub release asset', mcpb({})],
      ['GitLab release asset in a subgroup', mcpb({ identifier: 'https://gitlab.com/acme/tools/weather/-/releases/v1.0.0/downloads/weather.mcpb' })],
      ['GitLab package file', mcpb({ identifier: 'https://gitlab.com/acme/weather-mcp/-/package_files/123/download' })],
    ],
    fail: [
      ['other host', mcpb({ identifier: 'https://example.com/weather.mcpb' }), '/packages/0/identifier', '/releases/download/<tag>/<file>.mcpb', 'hosted on "example.com"'],
      ['http', mcpb({ identifier: MCPB_URL.replace('https:', 'http:') }), '/packages/0/identifier', 'https://github.com/<owner>/<repo>/releases/download', 'uses http'],
      ['GitHub archive, not a release asset', mcpb({ identifier: 'https://github.com/acme/weather/archive/refs/tags/v1.mcpb' }), '/packages/0/identifier', '/releases/download/', 'not a GitHub release asset URL'],
      ['GitLab blob', mcpb({ identifier: 'https://gitlab.com/acme/weather/-/blob/main/weather.mcpb' }), '/packages/0/identifier', 'GitLab release asset URL', 'not a GitLab release asset URL'],
      ['not a URL', mcpb({ identifier: 'weather.mcpb' }), '/packages/0/identifier', 'releases/download', 'not an absolute URL'],
    ],
  },
  'rule-package-mcpb-url-missing-mcp': {
    pass: [['the .mcpb extension contains mcp', mcpb({ identifier: 'https://github.com/acme/weather/releases/download/v1/weather.mcpb' })], ['upper case MCP', mcpb({ identifier: 'https://github.com/acme/weather-MCP/releases/download/v1/weather.zip' })]],
    fail: [['no mcp anywhere', mcpb({ identifier: 'https://github.com/acme/weather/releases/download/v1/weather.zip' }), '/packages/0/identifier', 'weather-mcp.mcpb', 'does not contain "mcp"']],
  },
  // ---- arguments
  'rule-package-runtime-hint': {
    pass: [
      ['npx for npm', pkg({ runtimeHint: 'npx' })],
      ['python for pypi, as in the official seed', pkg({ registryType: 'pypi', identifier: 'weather-mcp', runtimeHint: 'python' })],
      ['uvx for pypi', pkg({ registryType: 'pypi', identifier: 'weather-mcp', runtimeHint: 'uvx' })],
      ['docker for oci', oci({ runtimeHint: 'docker' })],
      ['dnx for nuget', pkg({ registryType: 'nuget', identifier: 'Acme.Weather', runtimeHint: 'dnx' })],
      ['no hint', pkg({})],
    ],
    fail: [
      ['a shell for npm', pkg({ runtimeHint: 'sh', runtimeArguments: [{ type: 'positional', value: '-c' }] }), '/packages/0/runtimeHint', '"npx"', 'not a runner for npm packages (allowed: npx)'],
      ['another type\'s runner', pkg({ runtimeHint: 'docker' }), '/packages/0/runtimeHint', '"npx"', '"docker"'],
      ['a path to a program', pkg({ registryType: 'pypi', identifier: 'weather-mcp', runtimeHint: '/usr/bin/curl' }), '/packages/0/runtimeHint', '"uvx"', 'allowed: uvx, python, pipx'],
      ['case matters: commands are case-sensitive', pkg({ runtimeHint: 'NPX' }), '/packages/0/runtimeHint', '"npx"'],
      ['any hint on mcpb', mcpb({ runtimeHint: 'sh' }), '/packages/0/runtimeHint', 'Remove "runtimeHint"', 'take no runtimeHint'],
    ],
  },
  'rule-client-variable': {
    pass: [
      ['{name} variables of the official format', remote({ url: 'https://{tenant}.example.com/mcp', variables: { tenant: { description: 'Tenant' } } })],
      ['a "$" alone', arg({ type: 'positional', value: '$HOME' })],
      ['descriptions are only shown', pkg({ environmentVariables: [{ name: 'TOKEN', description: 'Set ${input:token}' }] })],
    ],
    fail: [
      ['an environment variable value', pkg({ environmentVariables: [{ name: 'TOKEN', value: '${env:GITHUB_TOKEN}' }] }), '/packages/0/environmentVariables/0/value', 'isRequired', 'VS Code and Cursor expand'],
      ['a header sent to the remote', remote({ headers: [{ name: 'X-Token', value: 'Bearer ${env:GITHUB_TOKEN}' }] }), '/remotes/0/headers/0/value', 'isRequired'],
      ['a command variable in an argument', arg({ type: 'positional', value: '${command:workbench.action.terminal.new}' }), '/packages/0/packageArguments/0/value', 'isRequired'],
      ['a default', arg({ type: 'named', name: '--token', default: '${userHome}/.ssh/id_rsa' }), '/packages/0/packageArguments/0/default', 'isRequired'],
      ['a remote URL', remote({ url: 'https://example.com/mcp?t=${env:AWS_SECRET_ACCESS_KEY}' }), '/remotes/0/url', 'isRequired'],
      ['a package identifier', pkg({ identifier: '@acme/weather${workspaceFolder}' }), '/packages/0/identifier', 'isRequired'],
      ['a value hint, which becomes a placeholder', arg({ type: 'positional', valueHint: '${env:HOME}', isRequired: true }), '/packages/0/packageArguments/0/valueHint', 'isRequired'],
    ],
  },
  'rule-argument-name-missing': {
    pass: [['named with a name', arg({ type: 'named', name: '--port', value: '8080' })], ['positional has no name', arg({ type: 'positional', valueHint: 'path' })]],
    fail: [
      ['named without a name: the hint takes the flag from the value', arg({ type: 'named', value: '--port 8080' }), '/packages/0/packageArguments/0/name', '"name": "--port"', 'has no "name"'],
      ['empty name, runtime argument', arg({ type: 'named', name: '' }, 'runtimeArguments'), '/packages/0/runtimeArguments/0/name', '"--port"'],
    ],
  },
  'rule-argument-name-invalid': {
    pass: [['short flag', arg({ type: 'named', name: '-v' })], ['bare word', arg({ type: 'named', name: 'verbose' })]],
    fail: [
      ['name with a value', arg({ type: 'named', name: '--port 8080' }), '/packages/0/packageArguments/0/name', '"name" to "--port" and describe "8080"', 'a space'],
      ['name with a placeholder', arg({ type: 'named', name: '--dir <path>' }), '/packages/0/packageArguments/0/name', '"name" to "--dir"', '"<"'],
      ['name with a variable', arg({ type: 'named', name: '--token=$TOKEN' }, 'runtimeArguments'), '/packages/0/runtimeArguments/0/name', '"name" to "--token"', '"$"'],
    ],
  },
  'rule-argument-value-starts-with-name': {
    pass: [
      ['value without the flag', arg({ type: 'named', name: '--port', value: '8080', default: '80' })],
      ['positional values are not checked', arg({ type: 'positional', value: '--port=8080' })],
    ],
    fail: [
      ['value repeats the flag', arg({ type: 'named', name: '--port', value: '--port=8080' }), '/packages/0/packageArguments/0/value', '"value" to "8080"', 'starts with the name'],
      ['default repeats the flag', arg({ type: 'named', name: '--mode', default: '--mode fast' }), '/packages/0/packageArguments/0/default', '"default" to "fast"'],
      ['value is only the flag', arg({ type: 'named', name: '--verbose', value: '--verbose' }), '/packages/0/packageArguments/0/value', 'Remove "value"'],
    ],
  },
  // ---- package transports
  'rule-transport-type-unsupported': {
    pass: [['sse', pkg({ transport: { type: 'sse', url: 'http://localhost:3000/sse' } })]],
    fail: [['http', pkg({ transport: { type: 'http', url: 'http://localhost:3000/mcp' } }), '/packages/0/transport/type', '"type" to "streamable-http"', 'unsupported transport type "http"']],
  },
  'rule-transport-stdio-url': {
    pass: [['stdio', pkg({ transport: { type: 'stdio' } })]],
    fail: [['stdio with a url', pkg({ transport: { type: 'stdio', url: 'http://localhost:3000/mcp' } }), '/packages/0/transport/url', '"streamable-http"', 'has "http://localhost:3000/mcp"']],
  },
  'rule-transport-url-required': {
    pass: [['localhost http is fine for a package', pkg({ transport: { type: 'streamable-http', url: 'http://localhost:3000/mcp' } })]],
    fail: [
      ['no url', pkg({ transport: { type: 'streamable-http' } }), '/packages/0/transport/url', 'http://localhost:{port}/mcp', 'needs a "url"'],
      ['empty url', pkg({ transport: { type: 'sse', url: '' } }), '/packages/0/transport/url', 'http://localhost:{port}/mcp'],
    ],
  },
  'rule-transport-url-invalid': {
    pass: [['a template in the port', pkg({ transport: { type: 'streamable-http', url: 'http://localhost:{port}/mcp' }, environmentVariables: [{ name: 'port' }] })]],
    fail: [
      ['ftp', pkg({ transport: { type: 'streamable-http', url: 'ftp://localhost/mcp' } }), '/packages/0/transport/url', '"http://localhost:{port}/mcp"', 'uses ftp'],
      ['not a URL', pkg({ transport: { type: 'streamable-http', url: 'just-a-path' } }), '/packages/0/transport/url', 'absolute http(s) URL', 'not a valid absolute URL'],
    ],
  },
  'rule-transport-url-undefined-variable': {
    pass: [
      ['environment variable', pkg({ transport: { type: 'streamable-http', url: 'http://{host}:{PORT}/mcp' }, environmentVariables: [{ name: 'PORT' }, { name: 'host' }] })],
      ['argument valueHint', pkg({ transport: { type: 'sse', url: 'http://localhost:{port}/sse' }, packageArguments: [{ type: 'positional', valueHint: 'port' }] })],
      ['runtime argument name', pkg({ transport: { type: 'sse', url: 'http://localhost:{port}/sse' }, runtimeArguments: [{ type: 'named', name: 'port' }] })],
    ],
    fail: [
      ['nothing defines {port}', pkg({ transport: { type: 'streamable-http', url: 'http://localhost:{port}/mcp' }, environmentVariables: [{ name: 'API_KEY' }] }),
        '/packages/0/transport/url', '"environmentVariables": [{"name": "port"', 'uses {port}, which this package does not define (defined: API_KEY)'],
    ],
  },
  // ---- remotes
  'rule-remote-type-unsupported': {
    pass: [['sse', remote({ type: 'sse' })]],
    fail: [
      ['stdio', remote({ type: 'stdio' }), '/remotes/0/type', 'belongs in "packages"', '"stdio" (only "streamable-http" and "sse" are supported)'],
      ['http', remote({ type: 'http' }), '/remotes/0/type', '"type" to "streamable-http"'],
    ],
  },
  'rule-remote-url-required': {
    pass: [['a url', remote({})]],
    fail: [['no url', remote({ url: undefined }), '/remotes/0/url', 'https://mcp.example.com/mcp', 'needs a "url"']],
  },
  'rule-remote-url-invalid': {
    pass: [['a template in the host', remote({ url: 'https://{tenant}.example.com/mcp', variables: { tenant: { description: 'Tenant' } } })]],
    fail: [['not a URL', remote({ url: 'mcp.example.com/mcp' }), '/remotes/0/url', 'https://mcp.example.com/mcp', 'not a valid absolute URL']],
  },
  'rule-remote-url-not-https': {
    pass: [['https', remote({})]],
    fail: [
      ['http', remote({ url: 'http://mcp.example.com/mcp' }), '/remotes/0/url', '"https://mcp.example.com/mcp"', 'is not https'],
      ['the scheme as a variable', remote({ url: '{scheme}://mcp.example.com/mcp', variables: { scheme: {} } }), '/remotes/0/url', 'cannot be a variable'],
    ],
  },
  'rule-remote-url-local': {
    pass: (
      ['https://8.8.8.8/mcp', 'https://172.32.0.1/mcp', 'https://[2001:db8::1]/mcp', 'https://localhost.example.com/mcp', 'https://mylocalhost/mcp'] as const
    ).map((url): [string, Json] => [url, remote({ url })]),
    fail: (
      [
        ['https://localhost:8443/mcp', 'localhost'],
        ['https://LOCALHOST/mcp', 'localhost'],
        ['https://localhost./mcp', 'localhost'],
        ['https://api.localhost/mcp', 'localhost'],
        ['https://127.0.0.1/mcp', 'a loopback address'],
        ['https://127.1.2.3/mcp', 'a loopback address'],
        ['https://[::1]/mcp', 'a loopback address'],
        ['https://[::ffff:127.0.0.1]/mcp', 'a loopback address'],
        ['https://0.0.0.0/mcp', 'an unspecified address'],
        ['https://10.1.2.3/mcp', 'a private network address'],
        ['https://172.16.0.1/mcp', 'a private network address'],
        ['https://192.168.1.10/mcp', 'a private network address'],
        ['https://[fd00::1]/mcp', 'a private network address'],
        ['https://169.254.169.254/mcp', 'a link-local address'],
        ['https://[fe80::1]/mcp', 'a link-local address'],
        ['https://100.64.0.1/mcp', 'a carrier-grade NAT address'],
        ['https://224.0.0.1/mcp', 'a multicast address'],
      ] as const
    ).map(([url, what]): Fail => [url, remote({ url }), '/remotes/0/url', 'publicly reachable', `points at ${what}`]),
  },
  'rule-remote-url-undefined-variable': {
    pass: [['declared variable', remote({ url: 'https://mcp.example.com/{tenant}/mcp', variables: { tenant: { isRequired: true } } })]],
    fail: [
      ['no variables', remote({ url: 'https://mcp.example.com/{tenant}/mcp' }), '/remotes/0/url', '"variables": {"tenant": {', 'uses {tenant}'],
      ['a package variable does not count', server({ packages: [{ ...NPM, environmentVariables: [{ name: 'tenant' }] }], remotes: [{ ...REMOTE, url: 'https://{tenant}.example.com/mcp', variables: { region: {} } }] }),
        '/remotes/0/url', '"tenant"', '(defined: region)'],
    ],
  },
  // ---- _meta (§2.4)
  'rule-meta-key-dropped': {
    severity: 'warning',
    pass: [['publisher-provided only', server({ _meta: { 'io.modelcontextprotocol.registry/publisher-provided': { tool: 'mcp-publisher' } } })]],
    fail: [
      ['another key', server({ _meta: { 'com.example/build': { id: 1 } } }), '/_meta/com.example~1build', '"io.modelcontextprotocol.registry/publisher-provided": {"com.example/build": …}', 'dropped by the official registry'],
      ['the registry\'s own key', server({ _meta: { 'io.modelcontextprotocol.registry/official': { status: 'active' } } }), '/_meta/io.modelcontextprotocol.registry~1official', 'server.md', 'written by the registry'],
    ],
  },
  'rule-meta-too-large': {
    pass: [
      ['exactly 4096 bytes', server({ _meta: { 'io.modelcontextprotocol.registry/publisher-provided': { data: 'a'.repeat(4085) } } })],
      ['null is no extension', server({ _meta: { 'io.modelcontextprotocol.registry/publisher-provided': null } })],
    ],
    fail: [
      ['4097 bytes', server({ _meta: { 'io.modelcontextprotocol.registry/publisher-provided': { data: 'a'.repeat(4086) } } }),
        '/_meta/io.modelcontextprotocol.registry~1publisher-provided', 'Remove at least 1 bytes', '4097 bytes'],
      ['"<" counts six bytes, as Go escapes it', server({ _meta: { 'io.modelcontextprotocol.registry/publisher-provided': { d: '<'.repeat(700) } } }),
        '/_meta/io.modelcontextprotocol.registry~1publisher-provided', 'Remove at least 112 bytes', '4208 bytes'],
    ],
  },
};

function REGISTRY_TYPE_PASSES(): Array<[string, Json]> {
  return [
    ['npm', pkg({})],
    ['pypi', pkg({ registryType: 'pypi', identifier: 'weather-mcp' })],
    ['nuget', pkg({ registryType: 'nuget', identifier: 'Acme.Weather' })],
    ['cargo', pkg({ registryType: 'cargo', identifier: 'weather-mcp' })],
    ['oci', oci({})],
    ['mcpb', mcpb({})],
  ];
}

const VAGUE_HINTS = /^(fix|invalid|see docs|check)/i;

describe('server.json rules beyond the schema', () => {
  for (const [code, table] of Object.entries(tables)) {
    if (!table.pass.length && !table.fail.length) continue;
    describe(code, () => {
      for (const [title, document] of table.pass) {
        it(`passes: ${title}`, () => {
          expect(run(document)).toEqual([]);
        });
      }
      for (const [title, document, jsonPath, hint, message] of table.fail) {
        it(`fails: ${title}`, () => {
          const found = run(document).filter((p) => p.code === code);
          expect(found.map((p) => p.jsonPath)).toEqual([jsonPath]);
          const p = found[0]!;
          expect(p.severity).toBe(table.severity ?? 'error');
          expect(p.file).toBe(FILE);
          expect(p.hint).toContain(hint);
          if (message) expect(p.message).toContain(message);
          expect(p.hint).not.toMatch(VAGUE_HINTS);
          expect(p.hint).not.toBe(p.message);
        });
      }
    });
  }

  it('every case of every table reports only known rule codes with a hint', () => {
    for (const table of Object.values(tables)) {
      for (const [, document] of [...table.pass, ...table.fail]) {
        for (const p of run(document)) {
          expect(SERVER_RULE_CODES).toContain(p.code);
          expect(p.hint.length).toBeGreaterThan(20);
          expect(p.jsonPath).toMatch(/^\//);
        }
      }
    }
  });

  it('one document can fail several rules at once, each at its own path', () => {
    const problems = run({
      name: 'io.github.user/weather/extra',
      version: '^1.0.0',
      title: ' ',
      websiteUrl: 'http://example.com',
      packages: [{ registryType: 'npm', identifier: 'npx weather', version: 'latest', transport: { type: 'stdio', url: 'http://x' } }],
      remotes: [{ type: 'sse', url: 'http://localhost/{x}' }],
    });
    expect(problems.map((p) => `${p.code} ${p.jsonPath}`).sort()).toEqual([
      'rule-name-multiple-slashes /name',
      'rule-package-identifier-spaces /packages/0/identifier',
      'rule-remote-url-local /remotes/0/url',
      'rule-remote-url-not-https /remotes/0/url',
      'rule-remote-url-undefined-variable /remotes/0/url',
      'rule-title-blank /title',
      'rule-transport-stdio-url /packages/0/transport/url',
      'rule-version-latest /packages/0/version',
      'rule-version-range /version',
      'rule-website-url-not-https /websiteUrl',
    ]);
  });

  it('fields of the wrong type are left to the schema check, without throwing', () => {
    const odd: unknown[] = [
      { name: 42, version: ['1'], title: null, websiteUrl: {}, repository: 'github', icons: 'x', packages: {}, remotes: 7, _meta: [] },
      { packages: [null, 1, 'x', [], { registryType: 5, identifier: {}, transport: 'stdio', packageArguments: [null, { type: 'named', name: 3 }] }] },
      { remotes: [null, { type: 'sse', url: 9 }, { type: 'sse', url: 'https://a.example/{x}', variables: [] }], repository: { url: 5, source: 'github' } },
      { _meta: { 'io.modelcontextprotocol.registry/publisher-provided': 'text' } },
      { packages: [{ registryType: 'oci', identifier: '' }, { registryType: 'mcpb', identifier: '' }] },
    ];
    for (const value of odd) expect(() => run(value)).not.toThrow();
    expect(run({ remotes: [{ type: 'sse', url: 'https://a.example/{x}', variables: [] }] }).map((p) => p.code)).toEqual(['rule-remote-url-undefined-variable']);
    expect(checkServerRules(doc([1, 2]))).toEqual([]);
    expect(checkServerRules(doc('text'))).toEqual([]);
  });

  it('serverJsonRules are the checks checkServerRules runs, each a pure function', () => {
    const document = doc(server({ version: 'latest', title: ' ' }));
    const before = JSON.stringify(document.server);
    expect(serverJsonRules.flatMap((rule) => rule(document))).toEqual(checkServerRules(document));
    expect(JSON.stringify(document.server)).toBe(before);
  });
});

describe('helpers', () => {
  it('looksLikeVersionRange agrees with the official examples', () => {
    for (const v of ['^1.2.3', '~1.2.3', '>=1.0.0', '<=1.0.0', '>1.0.0', '<1.0.0', '=1.0.0', '1.x', '1.2.*', '1.2.X', '1 - 2', '1.2 || 1.3']) {
      expect(looksLikeVersionRange(v), v).toBe(true);
    }
    for (const v of ['1.2.3', 'v1.2.3', '2025-06-18', '1.0.0-beta', '', '   ', 'latest', '1.2.3.4.5', 'x']) expect(looksLikeVersionRange(v), v).toBe(false);
  });

  it('goJsonSize counts the bytes of Go\'s json.Marshal', () => {
    expect(goJsonSize({ a: 1 })).toBe(JSON.stringify({ a: 1 }).length);
    expect(goJsonSize({ d: '<' })).toBe(14); // {"d":"\u003c"}
    expect(goJsonSize(['é', '🙂', '\u2028'])).toBe(2 + 2 + (2 + 2) + (2 + 4) + (2 + 6));
    expect(goJsonSize({ s: 'a"b\\c\n\u0001' })).toBe(JSON.stringify({ s: 'a"b\\c\n' }).length + 6);
    expect(goJsonSize({ x: null, y: true, z: [1.5, -2e-7] })).toBe(JSON.stringify({ x: null, y: true, z: [1.5, -2e-7] }).length);
  });

  it('parseOciReference reads registry, repository, tag and digest', () => {
    expect(parseOciReference('postgres:16')).toEqual({ registry: 'docker.io', repository: 'library/postgres', tag: '16' });
    expect(parseOciReference('ghcr.io/acme/weather:1.0.0')).toEqual({ registry: 'ghcr.io', repository: 'acme/weather', tag: '1.0.0' });
    expect(parseOciReference('localhost:5000/weather')).toEqual({ registry: 'localhost:5000', repository: 'weather' });
    expect(typeof parseOciReference('ghcr.io/acme/weather:bad tag')).toBe('string');
  });
});

describe('rule-server-version-count', () => {
  it('allows 10,000 versions and rejects the 10,001st', () => {
    expect(checkVersionCount('io.github.user/weather', 10_000)).toEqual([]);
    const [p, ...rest] = checkVersionCount('io.github.user/weather', 10_001, 'entries/io.github.user/weather');
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ code: 'rule-server-version-count', severity: 'error', file: 'entries/io.github.user/weather' });
    expect(p!.message).toContain('10,001 versions');
    expect(p!.hint).toContain('"io.github.user/weather-v2"');
    expect(checkVersionCount('io.github.user/weather', 10_001)[0]).not.toHaveProperty('file');
  });
});

describeWithReference('official examples and seed data', (dir) => {
  // Which rule each official invalid example breaks; the others are invalid for schema reasons only
  // (description length, required name, positional argument without value or valueHint).
  const invalid: Record<string, string[]> = {
    'bad-name-pattern.json': ['rule-name-no-slash /name'],
    'package-version-latest.json': ['rule-version-latest /packages/0/version'],
    'description-too-long.json': [],
    'missing-name.json': [],
    'positional-argument-missing-value.json': [],
  };
  const read = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

  it('the table covers every official invalid example', () => {
    expect(readdirSync(path.join(dir, 'examples/invalid')).sort()).toEqual(Object.keys(invalid).sort());
  });
  for (const [file, expected] of Object.entries(invalid)) {
    it(`invalid/${file}: ${expected.length ? expected.join(', ') : 'schema only, no rule'}`, () => {
      const problems = run(read(path.join(dir, 'examples/invalid', file)));
      expect(problems.map((p) => `${p.code} ${p.jsonPath}`)).toEqual(expected);
      for (const p of problems) expect(p.hint).not.toBe('');
    });
  }
  it('every official valid example passes', () => {
    for (const file of readdirSync(path.join(dir, 'examples/valid'))) expect(run(read(path.join(dir, 'examples/valid', file))), file).toEqual([]);
  });
  it('the official seed passes', () => {
    for (const entry of read(path.join(dir, 'seed.json')) as unknown[]) expect(run(entry)).toEqual([]);
  });
  it('the legacy seed is checked without throwing; its OCI packages carry the fields now refused', () => {
    const problems = (read(path.join(dir, 'seed-legacy-2025-09-29.json')) as unknown[]).flatMap((entry) => run(entry));
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(SERVER_RULE_CODES).toContain(p.code);
    expect(new Set(problems.map((p) => p.code))).toContain('rule-package-field-not-allowed');
  });
});

describe('the entries of this repository pass', () => {
  const entries = path.join(PROJECT_ROOT, 'entries');
  const files = existsSync(entries)
    ? (readdirSync(entries, { recursive: true }) as string[]).filter((f) => f.endsWith('server.json')).map((f) => path.join(entries, f))
    : [];
  it.each(files.map((f) => [path.relative(PROJECT_ROOT, f)]))('%s', (file) => {
    expect(run(JSON.parse(readFileSync(path.join(PROJECT_ROOT, file), 'utf8')))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Registry-wide rules

function entry(name: string, version: string, server: Json = {}): RegistryDocument {
  return { file: `entries/${name}/${version}/server.json`, pathName: name, pathVersion: version, server: { name, version, description: 'x', ...server } };
}
const summary = (problems: Problem[]): string[] => problems.map((p) => `${p.code} ${p.file} ${p.jsonPath}`).sort();
const never = (): boolean => false;

describe('rule-name-case-collision', () => {
  it('names that differ only by case collide: each file is named, and the hint gives the other spelling', () => {
    const docs = [entry('io.github.user/Weather', '1.0.0'), entry('io.github.user/Weather', '1.1.0'), entry('io.github.user/weather', '2.0.0')];
    const problems = checkNameCaseCollisions(docs);
    expect(summary(problems)).toEqual([
      'rule-name-case-collision entries/io.github.user/Weather/1.0.0/server.json /name',
      'rule-name-case-collision entries/io.github.user/Weather/1.1.0/server.json /name',
      'rule-name-case-collision entries/io.github.user/weather/2.0.0/server.json /name',
    ]);
    const added = problems.find((p) => p.file === 'entries/io.github.user/weather/2.0.0/server.json')!;
    expect(added.message).toContain('"io.github.user/Weather" (entries/io.github.user/Weather/1.0.0/server.json)');
    expect(added.hint).toContain('publish it as "io.github.user/Weather": move the file to entries/io.github.user/Weather/2.0.0/server.json');
  });

  it('versions of one name, and different names, do not collide', () => {
    expect(checkNameCaseCollisions([entry('io.github.user/weather', '1.0.0'), entry('io.github.user/weather', '2.0.0'), entry('io.github.user/maps', '1.0.0')])).toEqual([]);
  });

});

describe('rule-remote-url-taken', () => {
  const URL_A = 'https://mcp.example.com/mcp';
  const withRemote = (name: string, version: string, url = URL_A): RegistryDocument => entry(name, version, { remotes: [{ type: 'sse', url: 'https://other.example.com/sse' }, { type: 'streamable-http', url }] });

  it('a URL used by another non-deleted server is taken; the hint names that server', () => {
    const problems = checkRemoteUrlsTaken([withRemote('io.github.a/one', '1.0.0'), withRemote('io.github.b/two', '1.0.0', URL_A)], never);
    // both remotes are shared here: the first (other.example.com) and the second
    expect(summary(problems)).toEqual([
      'rule-remote-url-taken entries/io.github.a/one/1.0.0/server.json /remotes/0/url',
      'rule-remote-url-taken entries/io.github.a/one/1.0.0/server.json /remotes/1/url',
      'rule-remote-url-taken entries/io.github.b/two/1.0.0/server.json /remotes/0/url',
      'rule-remote-url-taken entries/io.github.b/two/1.0.0/server.json /remotes/1/url',
    ]);
    const p = problems.find((x) => x.file?.includes('b/two') && x.jsonPath === '/remotes/1/url')!;
    expect(p.message).toContain(`"${URL_A}" is already used by "io.github.a/one" (entries/io.github.a/one/1.0.0/server.json)`);
    expect(p.hint).toContain('publish a new version of "io.github.a/one" instead (entries/io.github.a/one/<version>/server.json)');
  });

  it('versions of the same server share their URLs freely', () => {
    expect(checkRemoteUrlsTaken([withRemote('io.github.a/one', '1.0.0'), withRemote('io.github.a/one', '2.0.0')], never)).toEqual([]);
  });

  it('deleted versions neither hold a URL nor are reported', () => {
    const docs = [withRemote('io.github.a/one', '1.0.0'), withRemote('io.github.a/one', '1.1.0'), withRemote('io.github.b/two', '1.0.0')];
    const deleted = (name: string): boolean => name === 'io.github.a/one';
    expect(checkRemoteUrlsTaken(docs, deleted)).toEqual([]);
    const oneLive = (name: string, version: string): boolean => name === 'io.github.a/one' && version === '1.0.0';
    expect(summary(checkRemoteUrlsTaken(docs, oneLive)).filter((s) => s.includes('b/two'))).toHaveLength(2);
  });

  it('URLs are compared as exact strings', () => {
    const docs = [entry('io.github.a/one', '1', { remotes: [{ type: 'sse', url: 'https://x.example/mcp' }] }), entry('io.github.b/two', '1', { remotes: [{ type: 'sse', url: 'https://x.example/mcp/' }] })];
    expect(checkRemoteUrlsTaken(docs, never)).toEqual([]);
  });

  it('checkRegistry runs both rules, and the result does not depend on the order of documents', () => {
    const docs = [
      withRemote('io.github.a/one', '1.0.0'), withRemote('io.github.b/two', '1.0.0'), entry('io.github.a/One', '3.0.0'),
      entry('io.github.A/three', '1.0.0'), entry('com.example/x', '1', { remotes: 'junk' }), { ...entry('com.example/y', '1'), server: undefined },
    ];
    const expected = summary(checkRegistry(docs, never));
    expect(new Set(expected.map((s) => s.split(' ')[0]))).toEqual(new Set(REGISTRY_RULE_CODES));
    for (let i = 0; i < 5; i++) {
      const shuffled = [...docs].sort(() => Math.random() - 0.5);
      expect(summary(checkRegistry(shuffled, never))).toEqual(expected);
      expect(checkRegistry(shuffled, never).map((p) => p.message).sort()).toEqual(checkRegistry(docs, never).map((p) => p.message).sort());
    }
  });
});

describe('docs/errors.md', () => {
  const docsFile = path.join(PROJECT_ROOT, 'docs/errors.md');
  it('has a section for every rule code, under "## Registry rules"', () => {
    const text = readFileSync(docsFile, 'utf8');
    const group = text.indexOf('## Registry rules');
    expect(group).toBeGreaterThanOrEqual(0);
    for (const code of [...SERVER_RULE_CODES, ...REGISTRY_RULE_CODES]) {
      const at = text.indexOf(`\n### ${code}\n`);
      expect(at, code).toBeGreaterThan(group);
      const section = text.slice(at, text.indexOf('\n### ', at + 1) === -1 ? undefined : text.indexOf('\n### ', at + 1));
      expect(section, code).toContain('npm run validate -- ');
    }
  });

  it('every table is exercised by failing cases', () => {
    for (const code of SERVER_RULE_CODES) {
      if (code === 'rule-server-version-count') continue;
      expect(tables[code].fail.length, code).toBeGreaterThan(0);
      expect(tables[code].pass.length, code).toBeGreaterThan(0);
    }
  });
});
