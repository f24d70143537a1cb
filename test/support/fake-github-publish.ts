// The endpoints `npm run publisher -- submit` uses, for the GitHub stand-in (fake-github.ts): the authenticated
// user, repositories and forks (a new fork answers 404 for a few lookups, as GitHub's asynchronous forks do), the
// git data API (blobs, trees, commits, refs) over one object store shared by the registry and its forks (a fork
// network shares objects), and listing, opening and editing pull requests. Trees are kept flat: path → blob sha.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { FakePull } from './fake-github.ts';
import { writePullHead } from './fake-github-merge.ts';

export interface FakeRepository {
  owner: string;
  name: string;
  fork: boolean;
  /** Lookups (GET /repos/:o/:r) still to answer 404 before a new fork "exists". */
  pendingLookups: number;
  /** refs/heads/… → commit sha. */
  refs: Map<string, string>;
}

export interface FakeCommit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
}

export interface FakePublishState {
  /** Login of the token's user (GET /user). */
  login: string;
  /** Repositories by lower-cased "owner/name": the registry and the forks made of it. */
  repositories: Map<string, FakeRepository>;
  blobs: Map<string, Buffer>;
  trees: Map<string, Map<string, string>>;
  commits: Map<string, FakeCommit>;
  /** How many lookups a new fork answers 404 to. */
  forkDelay: number;
  /** The files of a commit, path → UTF-8 content. */
  filesAt(commitSha: string): Map<string, string>;
  /** The commit a branch of a repository points to. */
  branch(fullName: string, branch: string): string | undefined;
  /**
   * A bare repository holding the registry's branches pushed with real git (`npm run sync-pr`): a pull request's
   * head is looked up there when the git data API does not have it, and an open one follows its branch, as on GitHub.
   */
  gitRemote?: string;
  /**
   * A bare repository where each pull request opened here is also written as refs/pull/<n>/head on top of its base
   * branch (fake-github-merge.ts writePullHead), so the PR bot can fetch it with git as from GitHub.
   */
  pullHeads?: string;
}

type Send = (status: number, data: unknown) => void;

const REPO_PATH = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/;

function gitHash(kind: string, bytes: Buffer): string {
  return createHash('sha1').update(`${kind} ${bytes.length}\0`).update(bytes).digest('hex');
}

/** The registry `owner/repo` with one commit on `defaultBranch` holding `initialFiles`. */
export function createPublishState(owner: string, repo: string, options: { login?: string; defaultBranch?: string; initialFiles?: Record<string, string> } = {}): FakePublishState {
  const state: FakePublishState = {
    login: options.login ?? 'publisher',
    repositories: new Map(),
    blobs: new Map(),
    trees: new Map(),
    commits: new Map(),
    forkDelay: 2,
    filesAt(commitSha) {
      const commit = state.commits.get(commitSha);
      const tree = commit ? state.trees.get(commit.tree) : undefined;
      return new Map([...(tree ?? new Map<string, string>())].map(([p, sha]) => [p, state.blobs.get(sha)!.toString('utf8')]));
    },
    branch(fullName, branch) {
      return state.repositories.get(fullName.toLowerCase())?.refs.get(`refs/heads/${branch}`);
    },
  };
  const tree = new Map<string, string>();
  for (const [file, text] of Object.entries(options.initialFiles ?? { 'README.md': '# registry\n' })) tree.set(file, addBlob(state, Buffer.from(text)));
  const commit = addCommit(state, addTree(state, tree), [], 'initial');
  state.repositories.set(`${owner}/${repo}`.toLowerCase(), { owner, name: repo, fork: false, pendingLookups: 0, refs: new Map([[`refs/heads/${options.defaultBranch ?? 'main'}`, commit]]) });
  return state;
}

/** The commit of `branch` in the bare repository `state.gitRemote`, if there is one. */
function pushedBranch(state: FakePublishState, branch: string): string | undefined {
  if (!state.gitRemote) return undefined;
  try {
    return execFileSync('git', ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], { cwd: state.gitRemote, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function addBlob(state: FakePublishState, bytes: Buffer): string {
  const sha = gitHash('blob', bytes);
  state.blobs.set(sha, bytes);
  return sha;
}

function addTree(state: FakePublishState, tree: Map<string, string>): string {
  const sha = gitHash('tree', Buffer.from(JSON.stringify([...tree].sort())));
  state.trees.set(sha, tree);
  return sha;
}

let commitCounter = 0;
function addCommit(state: FakePublishState, tree: string, parents: string[], message: string): string {
  // Real commits carry a timestamp, so two commits of the same tree and parents differ: so do these.
  const sha = gitHash('commit', Buffer.from(JSON.stringify({ tree, parents, message, n: commitCounter++ })));
  state.commits.set(sha, { sha, tree, parents, message });
  return sha;
}

/**
 * The handler for one request when it is one of the publishing endpoints, else undefined. `owner/repo` is the
 * registry; pull requests are kept in `pulls` (shared with the PR bot's endpoints).
 */
export function publishRouteFor(
  state: FakePublishState,
  registry: { owner: string; repo: string; pulls: Map<number, FakePull> },
  method: string,
  url: URL,
  body: Record<string, unknown> | undefined,
  send: Send,
): (() => void) | undefined {
  if (method === 'GET' && url.pathname === '/user') return () => send(200, { login: state.login, type: 'User' });
  const m = REPO_PATH.exec(url.pathname);
  if (!m) return undefined;
  const fullName = `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`;
  const rest = m[3] ?? '';
  const repository = state.repositories.get(fullName.toLowerCase());
  const isRegistry = fullName.toLowerCase() === `${registry.owner}/${registry.repo}`.toLowerCase();
  const notFound = () => send(404, { message: 'Not Found' });
  const repoJson = (r: FakeRepository) => ({ name: r.name, full_name: `${r.owner}/${r.name}`, owner: { login: r.owner }, fork: r.fork, default_branch: 'main' });
  const commitJson = (c: FakeCommit) => ({ sha: c.sha, tree: { sha: c.tree }, parents: c.parents.map((sha) => ({ sha })), message: c.message });

  if (method === 'GET' && rest === '') {
    return () => {
      if (!repository) return notFound();
      if (repository.pendingLookups > 0) {
        repository.pendingLookups--;
        return notFound();
      }
      send(200, repoJson(repository));
    };
  }
  if (method === 'POST' && rest === '/forks' && isRegistry) {
    return () => {
      if (!repository) return notFound();
      if (state.login.toLowerCase() === repository.owner.toLowerCase()) return send(422, { message: 'Validation Failed', errors: [{ message: 'You cannot fork your own repository' }] });
      const key = `${state.login}/${repository.name}`.toLowerCase();
      let fork = state.repositories.get(key);
      if (!fork) {
        fork = { owner: state.login, name: repository.name, fork: true, pendingLookups: state.forkDelay, refs: new Map(repository.refs) };
        state.repositories.set(key, fork);
      }
      send(202, repoJson(fork));
    };
  }
  // Git data, in the registry or a fork of it.
  if (rest.startsWith('/git/')) {
    return () => {
      if (!repository || repository.pendingLookups > 0) return send(repository ? 409 : 404, { message: repository ? 'Git Repository is empty.' : 'Not Found' });
      let g: RegExpExecArray | null;
      if (method === 'GET' && (g = /^\/git\/ref\/(.+)$/.exec(rest))) {
        const sha = repository.refs.get(`refs/${decodeURIComponent(g[1]!)}`);
        return sha ? send(200, { ref: `refs/${decodeURIComponent(g[1]!)}`, object: { sha, type: 'commit' } }) : notFound();
      }
      if (method === 'GET' && (g = /^\/git\/commits\/([0-9a-f]{40})$/.exec(rest))) {
        const commit = state.commits.get(g[1]!);
        return commit ? send(200, commitJson(commit)) : notFound();
      }
      if (method === 'POST' && rest === '/git/blobs') {
        if (typeof body?.content !== 'string' || (body.encoding !== 'base64' && body.encoding !== 'utf-8')) return send(422, { message: 'Validation Failed' });
        return send(201, { sha: addBlob(state, Buffer.from(body.content, body.encoding === 'base64' ? 'base64' : 'utf8')) });
      }
      if (method === 'POST' && rest === '/git/trees') {
        const base = typeof body?.base_tree === 'string' ? state.trees.get(body.base_tree) : new Map<string, string>();
        if (!base || !Array.isArray(body?.tree)) return send(422, { message: 'Validation Failed' });
        const tree = new Map(base);
        for (const item of body.tree as Array<{ path?: unknown; mode?: unknown; type?: unknown; sha?: unknown }>) {
          if (typeof item.path !== 'string' || item.mode !== '100644' || item.type !== 'blob' || typeof item.sha !== 'string' || !state.blobs.has(item.sha)) {
            return send(422, { message: 'Validation Failed', errors: [`tree entry ${JSON.stringify(item)}`] });
          }
          tree.set(item.path, item.sha);
        }
        return send(201, { sha: addTree(state, tree) });
      }
      if (method === 'POST' && rest === '/git/commits') {
        const parents = body?.parents;
        if (typeof body?.tree !== 'string' || !state.trees.has(body.tree) || typeof body.message !== 'string' || !Array.isArray(parents) || parents.some((p) => !state.commits.has(p as string))) {
          return send(422, { message: 'Validation Failed' });
        }
        return send(201, commitJson(state.commits.get(addCommit(state, body.tree, parents as string[], body.message))!));
      }
      if (method === 'POST' && rest === '/git/refs') {
        if (typeof body?.ref !== 'string' || !body.ref.startsWith('refs/') || typeof body.sha !== 'string' || !state.commits.has(body.sha)) return send(422, { message: 'Validation Failed' });
        if (repository.refs.has(body.ref)) return send(422, { message: 'Reference already exists' });
        repository.refs.set(body.ref, body.sha);
        return send(201, { ref: body.ref, object: { sha: body.sha, type: 'commit' } });
      }
      if (method === 'PATCH' && (g = /^\/git\/refs\/(.+)$/.exec(rest))) {
        const ref = `refs/${decodeURIComponent(g[1]!)}`;
        const old = repository.refs.get(ref);
        if (!old || typeof body?.sha !== 'string' || !state.commits.has(body.sha)) return send(422, { message: 'Reference does not exist' });
        if (body.force !== true && !state.commits.get(body.sha)!.parents.includes(old)) return send(422, { message: 'Update is not a fast forward' });
        repository.refs.set(ref, body.sha);
        return send(200, { ref, object: { sha: body.sha, type: 'commit' } });
      }
      notFound();
    };
  }
  const pullNumber = /^\/pulls\/(\d+)$/.exec(rest);
  const editsPull = method === 'PATCH' && pullNumber !== null;
  if (!isRegistry || ((rest !== '/pulls' || (method !== 'GET' && method !== 'POST')) && !editsPull)) return undefined;

  /** "owner:branch" → the repository and commit, when the branch exists in the registry's network. */
  const resolveHead = (head: string) => {
    const [owner, branch] = head.includes(':') ? [head.slice(0, head.indexOf(':')), head.slice(head.indexOf(':') + 1)] : [registry.owner, head];
    const repo = [...state.repositories.values()].find((r) => r.owner.toLowerCase() === owner.toLowerCase());
    const pushed = owner.toLowerCase() === registry.owner.toLowerCase() ? pushedBranch(state, branch) : undefined;
    const sha = repo?.refs.get(`refs/heads/${branch}`) ?? pushed;
    return repo && sha ? { repo, branch, sha, label: `${repo.owner}:${branch}` } : undefined;
  };
  const pullJson = (n: number, p: FakePull & Partial<PublishedPull>) => ({
    number: n,
    state: p.state,
    title: p.title,
    body: p.body,
    html_url: `https://github.com/${registry.owner}/${registry.repo}/pull/${n}`,
    head: { label: p.headLabel, ref: p.headRef, sha: (p.state === 'open' && p.headRef ? pushedBranch(state, p.headRef) : undefined) ?? p.headSha },
    base: { ref: p.baseRef, sha: p.baseSha },
    merged_at: p.state === 'closed' && p.merged ? '2026-01-01T00:00:00Z' : null,
  });
  if (editsPull) {
    return () => {
      const pull = registry.pulls.get(Number(pullNumber![1])) as (FakePull & Partial<PublishedPull>) | undefined;
      if (!pull) return notFound();
      for (const field of ['title', 'body'] as const) {
        if (body?.[field] === undefined) continue;
        if (typeof body[field] !== 'string') return send(422, { message: 'Validation Failed' });
        pull[field] = body[field];
      }
      if (body?.state !== undefined) {
        if (body.state !== 'open' && body.state !== 'closed') return send(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', field: 'state', code: 'invalid' }] });
        pull.state = body.state;
      }
      if (body?.base !== undefined) {
        const upstream = state.repositories.get(`${registry.owner}/${registry.repo}`.toLowerCase())!;
        const baseSha = typeof body.base === 'string' ? upstream.refs.get(`refs/heads/${body.base}`) : undefined;
        if (!baseSha) return send(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', field: 'base', code: 'invalid' }] });
        pull.baseRef = body.base as string;
        pull.baseSha = baseSha;
      }
      send(200, pullJson(Number(pullNumber![1]), pull));
    };
  }
  if (method === 'GET') {
    return () => {
      const head = url.searchParams.get('head');
      const base = url.searchParams.get('base');
      const wanted = url.searchParams.get('state') ?? 'open';
      const rows = [...registry.pulls].filter(([, p]) => {
        const pub = p as FakePull & Partial<PublishedPull>;
        return (wanted === 'all' || p.state === wanted) && (!head || pub.headLabel?.toLowerCase() === head.toLowerCase()) && (!base || pub.baseRef === base);
      });
      send(200, rows.map(([n, p]) => pullJson(n, p)));
    };
  }
  return () => {
    const upstream = state.repositories.get(`${registry.owner}/${registry.repo}`.toLowerCase())!;
    if (typeof body?.title !== 'string' || typeof body.head !== 'string' || typeof body.base !== 'string') return send(422, { message: 'Validation Failed' });
    const baseSha = upstream.refs.get(`refs/heads/${body.base}`);
    const head = resolveHead(body.head);
    if (!baseSha || !head) return send(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', field: baseSha ? 'head' : 'base', code: 'invalid' }] });
    const duplicate = [...registry.pulls.values()].some((p) => p.state === 'open' && (p as FakePull & Partial<PublishedPull>).headLabel === head.label);
    if (duplicate) return send(422, { message: 'Validation Failed', errors: [{ message: `A pull request already exists for ${head.label}.` }] });
    const before = state.filesAt(baseSha);
    const after = state.filesAt(head.sha);
    const files = [...after].filter(([p, text]) => before.get(p) !== text).map(([p]) => ({ filename: p, status: before.has(p) ? 'modified' : 'added' }));
    const n = Math.max(0, ...registry.pulls.keys()) + 1;
    const pull: FakePull & PublishedPull = {
      state: 'open',
      headSha: head.sha,
      baseSha,
      author: state.login,
      files,
      comments: [],
      labels: new Set(),
      title: body.title,
      body: typeof body.body === 'string' ? body.body : '',
      headLabel: head.label,
      headRef: head.branch,
      baseRef: body.base,
    };
    if (state.pullHeads) {
      const changed = new Map(files.map((f) => [f.filename, after.get(f.filename)!]));
      pull.headSha = writePullHead(state.pullHeads, n, body.base, changed, body.title);
      pull.baseSha = execFileSync('git', ['rev-parse', `refs/heads/${body.base}`], { cwd: state.pullHeads, encoding: 'utf8' }).trim();
    }
    registry.pulls.set(n, pull);
    send(201, pullJson(n, pull));
  };
}

/** What a pull request opened through POST /pulls carries beyond the PR bot's view of it. */
export interface PublishedPull {
  title: string;
  body: string;
  /** `owner:branch`. */
  headLabel: string;
  headRef: string;
  baseRef: string;
  /** Closed by merging (state "closed" either way, as on GitHub). */
  merged?: boolean;
}
