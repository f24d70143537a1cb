// Remotes: the endpoint must answer at all. One HEAD request through the bounded fetch (https only, public addresses
// only, short deadline, redirects not followed, no body read); ANY HTTP status counts as alive, because an MCP
// endpoint may well answer a bare HEAD with 401, 404, 405 or 500. A remote that does not answer (timeout, connection
// refused, DNS failure) is a WARNING: servers go down for a while, and the entry is still right. The URL rules
// (https, not local, declared {vars}) are errors reported by rules/server-json.ts; URL templates are not probed.
// Codes all start with `package-remote-` and are documented in docs/errors.md.

import { problem, type Problem } from '../problems.ts';
import { templateVariables } from '../validate/rules/server-json.ts';
import { createBoundedFetch, type BoundedFetch, type BoundedFetchOptions } from './fetch.ts';

/** Time a remote has to answer. */
export const REMOTE_TIMEOUT_MS = 5_000;

/** Every code checkRemote reports (docs/errors.md has a section for each); all are warnings. */
export const REMOTE_PROBLEM_CODES = ['package-remote-unreachable', 'package-remote-address-not-public'] as const;

export interface RemoteContext {
  /** The server.json the remote is in, as problems name it. */
  file: string;
  /** JSON pointer of the remote, e.g. `/remotes/0`; problems point at its `url`. */
  jsonPath: string;
  /** A bounded fetch for liveness probes: `createRemoteFetch()`. */
  fetch: BoundedFetch;
}

/**
 * The bounded fetch for remotes: 5 s, no redirects followed (a redirect is an answer, so the remote is alive), a
 * small body cap (HEAD has no body). Tests pass `allowLoopbackForTests`.
 */
export function createRemoteFetch(options: BoundedFetchOptions = {}): BoundedFetch {
  return createBoundedFetch({ timeoutMs: REMOTE_TIMEOUT_MS, maxBytes: 64 * 1024, maxRedirects: 0, ...options });
}

const q = (s: string): string => JSON.stringify(s);

/** Whether a remote answers; warnings only. */
export async function checkRemote(remote: { url?: unknown }, ctx: RemoteContext): Promise<Problem[]> {
  const { url } = remote;
  if (typeof url !== 'string' || url === '') return [];
  if (templateVariables(url).length > 0) return []; // the client fills the template in; nothing to probe
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return []; // rule-remote-url-invalid
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return [];
  // An http:// remote is rule-remote-url-not-https; the bounded fetch refuses it (outside tests) without a request.
  const result = await ctx.fetch(url, { method: 'HEAD' });
  if (result.ok) return []; // any status at all: something answered
  const warn = (code: (typeof REMOTE_PROBLEM_CODES)[number], message: string, hint: string): Problem[] => [
    problem({ code, severity: 'warning', file: ctx.file, jsonPath: `${ctx.jsonPath}/url`, message, hint }),
  ];
  switch (result.reason) {
    case 'too-many-redirects':
    case 'too-large':
      return []; // it answered (with a redirect, or with a body to a HEAD): alive
    case 'address-not-public':
      if (parsed.protocol !== 'https:') return []; // the https rule already reports it
      return warn('package-remote-address-not-public', `remote ${q(url)} was not contacted: ${result.detail}`,
        'A remote must be reachable by anyone: give its host public A/AAAA records only. A server meant to run on the user\'s machine belongs in "packages".');
    case 'timeout':
      return warn('package-remote-unreachable', `remote ${q(url)} did not answer in time (${result.detail})`,
        `Check the endpoint is up and answers from the internet (\`curl -I ${url}\`). Any HTTP status counts as an answer. This is a warning: publishing is not blocked.`);
    case 'network':
      return warn('package-remote-unreachable', `remote ${q(url)} did not answer: ${result.detail}`,
        `Check the host name resolves and the endpoint accepts https connections from the internet (\`curl -I ${url}\`). This is a warning: publishing is not blocked.`);
  }
}
