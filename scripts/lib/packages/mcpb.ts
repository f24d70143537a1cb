// MCPB packages: the file at the release URL is downloaded (size cap, deadline, a bounded number of redirects: a
// GitHub release download answers 302 to objects.githubusercontent.com / release-assets.githubusercontent.com) and
// its SHA-256 must equal the declared `fileSha256`. The official registry only sends a HEAD and never checks the hash
// (official-registry.md §3.4); we do. The URL shape rules (`rule-package-mcpb-url-invalid`, `…-missing-mcp`,
// `rule-package-file-sha256-required`) live in rules/server-json.ts; nothing is downloaded from a URL that fails the
// shape rule. Codes all start with `package-mcpb-` and are documented in docs/errors.md.

import { problem, type Problem } from '../problems.ts';
import { mcpbUrlProblem } from '../validate/rules/server-json.ts';
import { createBoundedFetch, type BoundedFetch, type BoundedFetchOptions } from './fetch.ts';
import { sha256Hex } from '../ownership/domain-proof.ts';

/** Largest MCPB file downloaded: 100 MB. */
export const MCPB_MAX_BYTES = 100 * 1024 * 1024;
/** One deadline for the whole download, redirects included. */
export const MCPB_TIMEOUT_MS = 60_000;
/** GitHub needs one hop (github.com → objects.githubusercontent.com); GitLab may add one more. */
export const MCPB_MAX_REDIRECTS = 5;

/** Every code verifyMcpbPackage reports (docs/errors.md has a section for each). */
export const MCPB_PROBLEM_CODES = [
  'package-mcpb-not-found',
  'package-mcpb-status',
  'package-mcpb-too-large',
  'package-mcpb-timeout',
  'package-mcpb-too-many-redirects',
  'package-mcpb-address-not-public',
  'package-mcpb-network-error',
  'package-mcpb-hash-mismatch',
] as const;
export type McpbProblemCode = (typeof MCPB_PROBLEM_CODES)[number];

export interface McpbPackage {
  identifier: string;
  fileSha256?: string;
}

export interface McpbContext {
  /** The server's name, for messages. */
  serverName: string;
  /** The server.json the package is in, as problems name it. */
  file: string;
  /** JSON pointer of the package, e.g. `/packages/0`; problems point at its `identifier` or `fileSha256`. */
  jsonPath: string;
  /** A bounded fetch whose caps suit MCPB files: `createMcpbFetch()`. */
  fetch: BoundedFetch;
  /** Tests only: rewrite the URL actually requested (github.com → 127.0.0.1:<port>); messages keep the identifier. */
  hostOverrides?: (url: URL) => URL;
}

/** The bounded fetch for MCPB downloads: 100 MB, 60 s, 5 redirects unless told otherwise (tests pass a small cap). */
export function createMcpbFetch(options: BoundedFetchOptions = {}): BoundedFetch {
  return createBoundedFetch({ timeoutMs: MCPB_TIMEOUT_MS, maxBytes: MCPB_MAX_BYTES, maxRedirects: MCPB_MAX_REDIRECTS, ...options });
}

const q = (s: string): string => JSON.stringify(s);

export { sha256Hex };

/**
 * Downloads an MCPB package and compares its SHA-256 with `fileSha256`. Returns no problems when the URL is not an
 * allowed release URL (the rules report that) and does not compare when `fileSha256` is absent (the rules report
 * that too), but still checks the file can be downloaded.
 */
export async function verifyMcpbPackage(pkg: McpbPackage, ctx: McpbContext): Promise<Problem[]> {
  const { identifier } = pkg;
  if (typeof identifier !== 'string' || mcpbUrlProblem(identifier) !== undefined) return [];
  const at = (field: 'identifier' | 'fileSha256') => `${ctx.jsonPath}/${field}`;
  const fail = (code: McpbProblemCode, message: string, hint: string, field: 'identifier' | 'fileSha256' = 'identifier'): Problem[] => [
    problem({ code, file: ctx.file, jsonPath: at(field), message, hint }),
  ];

  let requested = identifier;
  if (ctx.hostOverrides) requested = ctx.hostOverrides(new URL(identifier)).href;
  const result = await ctx.fetch(requested, { accept: 'application/octet-stream' });

  if (!result.ok) {
    switch (result.reason) {
      case 'timeout':
        return fail('package-mcpb-timeout', `downloading the MCPB file ${q(identifier)} of ${ctx.serverName} timed out (${result.detail})`,
          'Check that the release asset downloads quickly (`curl -L -o /dev/null -w "%{time_total}\\n" <url>`); if the host was only slow, run the check again.');
      case 'too-large':
        return fail('package-mcpb-too-large', `the MCPB file ${q(identifier)} is too large to verify (${result.detail})`,
          `The registry verifies MCPB files up to ${formatBytes(MCPB_MAX_BYTES)}: make the bundle smaller (leave out development dependencies, tests and caches), or publish the server as an npm, PyPI, NuGet, cargo or OCI package.`);
      case 'too-many-redirects':
        return fail('package-mcpb-too-many-redirects', `the MCPB file ${q(identifier)} redirects too often (${result.detail})`,
          'Use the release asset\'s own download URL, which answers with one redirect to the storage host, not a link through other redirectors.');
      case 'address-not-public':
        return fail('package-mcpb-address-not-public', `the download of ${q(identifier)} was refused: ${result.detail}`,
          'The release asset, and every host its download redirects to, must be reachable over https at a public address.');
      case 'network':
        return fail('package-mcpb-network-error', `the MCPB file ${q(identifier)} could not be downloaded: ${result.detail}`,
          'Check the URL downloads from anywhere (`curl -fL -o /dev/null <url>`); if the host had a passing failure, run the check again.');
    }
  }

  if (result.status === 404 || result.status === 410) {
    return fail('package-mcpb-not-found', `the MCPB file ${q(identifier)} does not exist (HTTP ${result.status})`,
      'Check the release exists and is published (not a draft), the tag and the file name in the URL match the asset exactly (case included), and the repository is public. Copy the URL from the asset link on the release page.');
  }
  if (result.status < 200 || result.status > 299) {
    return fail('package-mcpb-status', `downloading the MCPB file ${q(identifier)} answered HTTP ${result.status}${result.url !== requested ? ` (at ${result.url})` : ''}`,
      result.status === 401 || result.status === 403
        ? 'The asset must be downloadable without signing in: make the repository and release public.'
        : result.status === 429 || result.status >= 500
          ? 'The host had a passing failure or limited the rate; run the check again.'
          : 'Use the release asset\'s download URL, which answers 200 (after redirects) with the file.');
  }

  const expected = pkg.fileSha256;
  if (typeof expected !== 'string' || expected === '') return [];
  const actual = sha256Hex(result.body);
  if (actual !== expected.trim().toLowerCase()) {
    return fail('package-mcpb-hash-mismatch',
      `the SHA-256 of the MCPB file ${q(identifier)} (${formatBytes(result.body.length)}) is ${actual}, but "fileSha256" says ${expected}`,
      `If the file at the URL is the one you meant to publish, set "fileSha256" to "${actual}". If not, the release asset was replaced after the hash was taken: upload the intended file again, or publish a new version with a new release. (Compute it with \`sha256sum file.mcpb\` or \`shasum -a 256 file.mcpb\`.)`,
      'fileSha256');
  }
  return [];
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}
