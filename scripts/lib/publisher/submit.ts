// publisher submit: opens the publishing pull request through the GitHub REST API alone (no git binary): fork the
// registry, commit the files onto its base branch's tip with the git data API (blobs → tree → commit → ref) in a
// branch of the fork, and open the pull request. Running it again for the same version moves the branch to the new
// commit and reuses the open pull request.

import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Octokit } from '@octokit/rest';
import { PROOF_FILE_NAME } from '../ownership/domain-proof.ts';
import { hasErrors } from '../problems.ts';
import { renderReportForTerminal } from '../validate/report/terminal.ts';
import { validateRegistry } from '../validate/validate.ts';
import { parseCommand, UsageError, userDirectory, type CommandIo, type ExitCode } from './io.ts';
import { errorStatus } from '../github/error-status.ts';

export const SUBMIT_USAGE = 'submit --repo <owner/registry> [--base <branch>] [--entries <dir>] <server.json or version folder>…';
export const DEFAULT_API_URL = 'https://api.github.com';

export interface SubmitFile {
  /** Repository path, with `/`. */
  path: string;
  content: Buffer;
}

export interface SubmitVersion {
  name: string;
  version: string;
  /** The version's files: server.json, and proof.json when there is one. */
  files: SubmitFile[];
}

export interface SubmitOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  /** The registry branch the pull request targets; the repository's default branch when absent. */
  base?: string;
  versions: SubmitVersion[];
  log?: (line: string) => void;
  /** How long to wait for a new fork to appear, and the first pause between looks (doubling up to 4 s). */
  forkTimeoutMs?: number;
  pollMs?: number;
}

export interface SubmitResult {
  url: string;
  number: number;
  /** False when an open pull request from the same branch was updated instead. */
  created: boolean;
  head: string;
  base: string;
  commit: string;
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `publish/<name>-<version>` made safe as a git ref name. */
export function branchName(versions: readonly SubmitVersion[]): string {
  const first = versions[0]!;
  const raw = `publish/${first.name}-${first.version}${versions.length > 1 ? `-and-${versions.length - 1}-more` : ''}`;
  return raw
    .replace(/[^A-Za-z0-9._+/-]/g, '-')
    .replace(/\.{2,}/g, '.')
    .split('/')
    .map((part) => part.replace(/^\.+/, '').replace(/\.lock$/, '-lock') || '-')
    .join('/');
}

export function pullTitle(versions: readonly SubmitVersion[]): string {
  const first = versions[0]!;
  return `Publish ${first.name} ${first.version}${versions.length > 1 ? ` and ${versions.length - 1} more` : ''}`;
}

export function pullBody(versions: readonly SubmitVersion[]): string {
  return [
    'Publishes:',
    ...versions.map((v) => `- \`${v.name}\` ${v.version}`),
    '',
    'Files:',
    ...versions.flatMap((v) => v.files.map((f) => `- \`${f.path}\``)),
    '',
    'Opened with `npm run publisher -- submit`. The registry checks the files and the ownership of the namespace on this pull request.',
  ].join('\n');
}

/** Calls `fn` until it stops failing with one of `statuses` (a new fork answers 404 or 409 for a while). */
async function whileSettling<T>(fn: () => Promise<T>, statuses: number[], deadline: number, pollMs: number): Promise<T> {
  for (let wait = pollMs; ; wait = Math.min(wait * 2, 4000)) {
    try {
      return await fn();
    } catch (error) {
      if (!statuses.includes(errorStatus(error) ?? 0) || Date.now() >= deadline) throw error;
      await sleep(Math.min(wait, Math.max(0, deadline - Date.now())));
    }
  }
}

export async function submitToGitHub(options: SubmitOptions): Promise<SubmitResult> {
  const { octokit, owner, repo, versions } = options;
  const log = options.log ?? (() => {});
  const pollMs = options.pollMs ?? 250;
  if (versions.length === 0) throw new Error('nothing to submit');

  const { data: user } = await octokit.rest.users.getAuthenticated();
  const { data: upstream } = await octokit.rest.repos.get({ owner, repo });
  const base = options.base ?? upstream.default_branch;

  // 1. Where the branch goes: the publisher's fork, or the registry itself for its own owner.
  let headOwner = upstream.owner.login;
  let headRepo = upstream.name;
  const deadline = Date.now() + (options.forkTimeoutMs ?? 120_000);
  if (user.login.toLowerCase() !== upstream.owner.login.toLowerCase()) {
    const { data: fork } = await octokit.rest.repos.createFork({ owner, repo });
    headOwner = fork.owner.login;
    headRepo = fork.name;
    log(`fork ${headOwner}/${headRepo}`);
    // GitHub creates forks asynchronously: wait until it answers.
    await whileSettling(() => octokit.rest.repos.get({ owner: headOwner, repo: headRepo }), [404], deadline, pollMs);
  }

  // 2. The base branch's tip in the registry; the fork shares its objects.
  const { data: baseRef } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${base}` });
  const baseSha = baseRef.object.sha;
  const { data: baseCommit } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: baseSha });

  // 3. Blobs, a tree on top of the base tree, a commit.
  const tree: Array<{ path: string; mode: '100644'; type: 'blob'; sha: string }> = [];
  for (const file of versions.flatMap((v) => v.files)) {
    const { data: blob } = await whileSettling(
      () => octokit.rest.git.createBlob({ owner: headOwner, repo: headRepo, content: file.content.toString('base64'), encoding: 'base64' }),
      [404, 409],
      deadline,
      pollMs,
    );
    tree.push({ path: file.path, mode: '100644', type: 'blob', sha: blob.sha });
  }
  const { data: newTree } = await octokit.rest.git.createTree({ owner: headOwner, repo: headRepo, base_tree: baseCommit.tree.sha, tree });
  const title = pullTitle(versions);
  const { data: commit } = await octokit.rest.git.createCommit({
    owner: headOwner,
    repo: headRepo,
    message: `${title}\n\n${versions.flatMap((v) => v.files.map((f) => f.path)).join('\n')}\n`,
    tree: newTree.sha,
    parents: [baseSha],
  });

  // 4. The branch: created, or moved to the new commit when an earlier submit made it.
  const branch = branchName(versions);
  try {
    await octokit.rest.git.createRef({ owner: headOwner, repo: headRepo, ref: `refs/heads/${branch}`, sha: commit.sha });
  } catch (error) {
    if (errorStatus(error) !== 422) throw error;
    await octokit.rest.git.updateRef({ owner: headOwner, repo: headRepo, ref: `heads/${branch}`, sha: commit.sha, force: true });
    log(`branch ${branch} moved to ${commit.sha.slice(0, 12)}`);
  }

  // 5. The pull request: the open one from this branch, or a new one.
  const head = `${headOwner}:${branch}`;
  const { data: open } = await octokit.rest.pulls.list({ owner, repo, head, base, state: 'open', per_page: 1 });
  if (open[0]) return { url: open[0].html_url, number: open[0].number, created: false, head, base, commit: commit.sha };
  const { data: pull } = await octokit.rest.pulls.create({ owner, repo, title, head, base, body: pullBody(versions), maintainer_can_modify: true });
  return { url: pull.html_url, number: pull.number, created: true, head, base, commit: commit.sha };
}

/** The versions named on the command line, each as `<entries>/<name>/<version>/server.json` (+ proof.json). */
/** `paths` are relative to `here`, the folder the publisher typed them in; the files' paths in the pull request to `cwd`. */
export function collectVersions(cwd: string, entriesDir: string, paths: readonly string[], here = cwd): SubmitVersion[] {
  const seen = new Map<string, SubmitVersion>();
  for (const given of paths) {
    let file = path.resolve(here, given);
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'server.json');
    if (path.basename(file) === PROOF_FILE_NAME) file = path.join(path.dirname(file), 'server.json');
    if (!existsSync(file)) throw new UsageError(`${given}: no such server.json`);
    const repoPath = path.relative(cwd, file).split(path.sep).join('/');
    let server: { name?: unknown; version?: unknown };
    const content = readFileSync(file);
    try {
      server = JSON.parse(content.toString('utf8').replace(/^\uFEFF/, '')) as typeof server;
    } catch {
      throw new UsageError(`${repoPath} is not valid JSON: run npm run publisher -- validate ${repoPath}`);
    }
    const name = typeof server?.name === 'string' ? server.name : '';
    const version = typeof server?.version === 'string' ? server.version : '';
    const expected = `${entriesDir.replace(/\/+$/, '')}/${name}/${version}/server.json`;
    if (!name || !version || repoPath !== expected) {
      throw new UsageError(`${repoPath} must be ${name && version ? expected : '<entries>/<name>/<version>/server.json'}, relative to the registry checkout you run this in`);
    }
    if (seen.has(repoPath)) continue;
    const files: SubmitFile[] = [{ path: repoPath, content }];
    const proof = path.join(path.dirname(file), PROOF_FILE_NAME);
    if (existsSync(proof)) files.push({ path: path.posix.join(path.posix.dirname(repoPath), PROOF_FILE_NAME), content: readFileSync(proof) });
    seen.set(repoPath, { name, version, files });
  }
  return [...seen.values()];
}

/** The registry repository: --repo, else MCP_REGISTRY_REPO from the environment. */
function registryRepo(flag: string | undefined, env: CommandIo['env']): { owner: string; repo: string } {
  const text = flag || env.MCP_REGISTRY_REPO;
  if (!text) throw new UsageError('--repo <owner/name> is required (or MCP_REGISTRY_REPO in the environment): the registry repository to open the pull request against');
  const m = /^([\w.-]+)\/([\w.-]+)$/.exec(text);
  if (!m) throw new UsageError(`--repo must be <owner>/<name>, not "${text}"`);
  return { owner: m[1]!, repo: m[2]! };
}

export function createSubmitOctokit(token: string, baseUrl: string | undefined, log: (line: string) => void): Octokit {
  return new Octokit({
    auth: token,
    baseUrl: (baseUrl || DEFAULT_API_URL).replace(/\/+$/, ''),
    userAgent: 'mcp-static-registry-publisher',
    log: { debug: () => {}, info: () => {}, warn: log, error: () => {} },
  });
}

export async function runSubmit(argv: string[], io: CommandIo, options: { forkTimeoutMs?: number; pollMs?: number } = {}): Promise<ExitCode> {
  const { values, positionals } = parseCommand({ repo: { type: 'string' }, base: { type: 'string' }, entries: { type: 'string', default: 'entries' } }, argv);
  if (positionals.length === 0) throw new UsageError('name the server.json files (or version folders) to submit');
  const token = io.env.GITHUB_TOKEN;
  if (!token) throw new UsageError('GITHUB_TOKEN is not set: export a token that may fork and open pull requests (a classic token with public_repo, or `gh auth token`)');
  const { owner, repo } = registryRepo(values.repo, io.env);
  const versions = collectVersions(io.cwd, values.entries!, positionals, userDirectory(io));

  // The same checks CI runs first, so that the pull request does not open red.
  const report = await validateRegistry({ root: io.cwd, entriesDir: values.entries!, paths: versions.map((v) => path.posix.dirname(v.files[0]!.path)) });
  if (hasErrors(report.problems)) {
    io.err(renderReportForTerminal(report, { color: false }) + '\nnothing was submitted: fix the errors above first\n');
    return 1;
  }

  const log = (line: string) => io.err(`${line}\n`);
  const octokit = createSubmitOctokit(token, io.env.GITHUB_API_URL, log);
  const result = await submitToGitHub({ octokit, owner, repo, base: values.base, versions, log, ...options });
  io.out(`${result.url}\n`);
  io.err(`${result.created ? 'opened' : 'updated'} pull request #${result.number}: ${result.head} → ${owner}/${repo}:${result.base}\n`);
  return 0;
}
