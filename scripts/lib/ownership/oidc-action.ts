// The publishing side of the GitHub OIDC proof: what .github/actions/publish does in the PUBLISHER's workflow.
// Hash the server.json bytes, ask the Actions runtime for an OIDC token with the content-bound audience, write
// proof.json beside the server.json under entries/<name>/<version>/, and open the PR against the registry.
// The token request follows @actions/core's getIDToken (GET <ACTIONS_ID_TOKEN_REQUEST_URL>&audience=<aud>, bearer
// ACTIONS_ID_TOKEN_REQUEST_TOKEN, response {"value":"<JWT>"}), which needs `permissions: id-token: write`.

import type { Octokit } from '@octokit/rest';
import { OIDC_PROOF_METHOD, OIDC_TOKEN_MAX_LENGTH, oidcAudienceFor, type OidcProofFile } from './oidc-proof.ts';

export class PublishActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PublishActionError';
  }
}

export const ID_TOKEN_TIMEOUT_MS = 10_000;
const ID_TOKEN_RESPONSE_MAX_BYTES = 64 * 1024;

/** `<request URL>&audience=<aud>` (`?` when the URL has no query yet). */
export function idTokenRequestUrl(requestUrl: string, audience: string): string {
  if (!requestUrl) throw new PublishActionError('ACTIONS_ID_TOKEN_REQUEST_URL is not set: give the job "permissions: id-token: write"');
  return `${requestUrl}${requestUrl.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
}

/** The token from the runtime's answer `{"value":"<JWT>"}`. */
export function parseIdTokenResponse(status: number, body: string): string {
  if (status !== 200) {
    throw new PublishActionError(
      `the OIDC token request failed with HTTP ${status}${status === 401 || status === 403 ? ': does the job have "permissions: id-token: write"?' : ''}: ${body.slice(0, 300)}`,
    );
  }
  let value: unknown;
  try {
    value = (JSON.parse(body) as { value?: unknown } | null)?.value;
  } catch {
    throw new PublishActionError('the OIDC token response is not JSON');
  }
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value) || value.length > OIDC_TOKEN_MAX_LENGTH) {
    throw new PublishActionError('the OIDC token response has no JWT in "value"');
  }
  return value;
}

export interface IdTokenRequest {
  /** ACTIONS_ID_TOKEN_REQUEST_URL */
  requestUrl: string;
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN */
  requestToken: string;
  audience: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export async function requestIdToken(req: IdTokenRequest): Promise<string> {
  if (!req.requestToken) throw new PublishActionError('ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set: give the job "permissions: id-token: write"');
  const response = await (req.fetch ?? fetch)(idTokenRequestUrl(req.requestUrl, req.audience), {
    headers: { Authorization: `Bearer ${req.requestToken}`, Accept: 'application/json; api-version=2.0', 'User-Agent': 'mcp-static-registry-publish' },
    redirect: 'error',
    signal: AbortSignal.timeout(req.timeoutMs ?? ID_TOKEN_TIMEOUT_MS),
  });
  const body = await response.text();
  if (body.length > ID_TOKEN_RESPONSE_MAX_BYTES) throw new PublishActionError('the OIDC token response is too large');
  return parseIdTokenResponse(response.status, body);
}

/** proof.json's exact text. */
export function buildProofJson(token: string): string {
  const proof: OidcProofFile = { method: OIDC_PROOF_METHOD, token };
  return `${JSON.stringify(proof, null, 2)}\n`;
}

/** Where the entry goes in the registry: `entries/<name>/<version>/`, from the server.json's own name and version. */
export function entryDirFor(serverJsonBytes: Uint8Array): { name: string; version: string; dir: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(serverJsonBytes));
  } catch (error) {
    throw new PublishActionError(`the server.json is not UTF-8 JSON: ${(error as Error).message}`);
  }
  const { name, version } = (typeof doc === 'object' && doc !== null ? doc : {}) as { name?: unknown; version?: unknown };
  if (typeof name !== 'string' || !/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/.test(name) || name.split('/').some((p) => /^\.+$/.test(p))) {
    throw new PublishActionError(`the server.json "name" ${JSON.stringify(name)} is not "<namespace>/<server>"`);
  }
  if (typeof version !== 'string' || !version || version.length > 250 || /[\\/\0]|^\.+$/.test(version)) {
    throw new PublishActionError(`the server.json "version" ${JSON.stringify(version)} cannot be a folder name`);
  }
  return { name, version, dir: `entries/${name}/${version}` };
}

export interface PublicationFile {
  path: string;
  content: Uint8Array;
}

export interface OidcPublication {
  name: string;
  version: string;
  audience: string;
  files: PublicationFile[];
}

/** Everything up to the PR: the audience, the token, and the two files with their registry paths. */
export async function prepareOidcPublication(options: {
  serverJsonBytes: Uint8Array;
  registryUrl: string;
  requestUrl: string;
  requestToken: string;
  fetch?: typeof fetch;
}): Promise<OidcPublication> {
  const { name, version, dir } = entryDirFor(options.serverJsonBytes);
  const audience = oidcAudienceFor(options.registryUrl, options.serverJsonBytes);
  const token = await requestIdToken({ requestUrl: options.requestUrl, requestToken: options.requestToken, audience, fetch: options.fetch });
  return {
    name,
    version,
    audience,
    files: [
      { path: `${dir}/server.json`, content: options.serverJsonBytes },
      { path: `${dir}/proof.json`, content: new TextEncoder().encode(buildProofJson(token)) },
    ],
  };
}

/** A branch name for the publication: `publish/<name>/<version>` with unsafe characters replaced. */
export function publishBranchName(name: string, version: string): string {
  return `publish/${name}/${version}`.replace(/[^A-Za-z0-9._/-]/g, '-').replace(/\.{2,}/g, '-').replace(/\.lock(?=\/|$)/g, '-lock');
}

export interface OpenPrOptions {
  octokit: Octokit;
  /** The registry, `owner/name`. */
  repository: string;
  files: PublicationFile[];
  branch: string;
  title: string;
  body: string;
  /** Push to a fork of the registry (default) or to the registry itself (the token can push there). */
  fork?: boolean;
  /** Polls while GitHub creates the fork. */
  forkWaitMs?: number;
  log?: (line: string) => void;
}

function status(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : undefined;
}

/**
 * Opens the PR through the Git data API: blobs from the exact bytes (never re-encoded, since the audience binds
 * them), a tree on top of the registry's default branch, a commit, a branch (on a fork by default), the PR.
 */
export async function openPublishPr(options: OpenPrOptions): Promise<{ url: string; number: number }> {
  const { octokit, branch } = options;
  const log = options.log ?? (() => {});
  const [owner, repo] = options.repository.split('/');
  if (!owner || !repo) throw new PublishActionError(`registry-repository must be "owner/name", not ${JSON.stringify(options.repository)}`);

  const { data: upstream } = await octokit.rest.repos.get({ owner, repo });
  const base = upstream.default_branch;
  const { data: ref } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${base}` });
  const baseSha = ref.object.sha;
  const { data: baseCommit } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: baseSha });

  let target = { owner, repo };
  if (options.fork ?? true) {
    const { data: fork } = await octokit.rest.repos.createFork({ owner, repo, default_branch_only: true });
    target = { owner: fork.owner.login, repo: fork.name };
    const deadline = Date.now() + (options.forkWaitMs ?? 60_000);
    for (;;) {
      try {
        await octokit.rest.repos.get(target);
        break;
      } catch (error) {
        if (status(error) !== 404 || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
    // An older fork may lack the registry's newest commit, which the new commit needs as its parent.
    try {
      await octokit.rest.repos.mergeUpstream({ ...target, branch: base });
    } catch (error) {
      log(`could not sync the fork ${target.owner}/${target.repo} with the registry (HTTP ${status(error) ?? '?'}); going on`);
    }
    log(`pushing to the fork ${target.owner}/${target.repo}`);
  }

  const tree = [];
  for (const file of options.files) {
    const { data: blob } = await octokit.rest.git.createBlob({ ...target, content: Buffer.from(file.content).toString('base64'), encoding: 'base64' });
    tree.push({ path: file.path, mode: '100644' as const, type: 'blob' as const, sha: blob.sha });
  }
  const { data: newTree } = await octokit.rest.git.createTree({ ...target, base_tree: baseCommit.tree.sha, tree });
  const { data: commit } = await octokit.rest.git.createCommit({ ...target, message: options.title, tree: newTree.sha, parents: [baseSha] });
  try {
    await octokit.rest.git.createRef({ ...target, ref: `refs/heads/${branch}`, sha: commit.sha });
  } catch (error) {
    if (status(error) !== 422) throw error;
    await octokit.rest.git.updateRef({ ...target, ref: `heads/${branch}`, sha: commit.sha, force: true });
  }

  const head = target.owner === owner ? branch : `${target.owner}:${branch}`;
  const { data: open } = await octokit.rest.pulls.list({ owner, repo, head: `${target.owner}:${branch}`, state: 'open' });
  if (open[0]) {
    log(`updated the open PR #${open[0].number}`);
    return { url: open[0].html_url, number: open[0].number };
  }
  const { data: pr } = await octokit.rest.pulls.create({ owner, repo, head, base, title: options.title, body: options.body, ...(head === branch ? {} : { maintainer_can_modify: true }) });
  return { url: pr.html_url, number: pr.number };
}
