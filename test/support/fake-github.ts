// A stand-in for the GitHub REST API on 127.0.0.1 (GitHub itself is unreachable from the tests): exactly the
// endpoints the PR bot uses, with GitHub's pagination (Link headers), status codes and shapes, and a log of every
// request. Anything else answers 404 and is recorded as unexpected.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPublishState, publishRouteFor, type FakePublishState } from './fake-github-publish.ts';
import { fileInGit, mergeRouteFor, type FakeMergeState } from './fake-github-merge.ts';
import { createLoopState, FAKE_EPOCH, loopRouteFor, type FakeLoopState } from './fake-github-pr-loop.ts';
import { createLiveState, liveRouteFor, type FakeLiveState } from './fake-github-live.ts';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  body: unknown;
}

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: 'User' | 'Bot' };
  /** ISO times, as GitHub gives them (default FAKE_EPOCH; a comment made through the API gets the time it was made). */
  created_at?: string;
  updated_at?: string;
}

export interface FakePull {
  state: 'open' | 'closed';
  headSha: string;
  baseSha: string;
  /** The base branch (default main) and the head branch (default feature). */
  baseRef?: string;
  headRef?: string;
  author: string;
  files: Array<{ filename: string; status?: string; previous_filename?: string }>;
  comments: FakeComment[];
  labels: Set<string>;
  title?: string;
  /** Set by PUT …/merge (fake-github-merge.ts). */
  mergedAs?: { sha: string; method: string; title: string; /** merged_at, to the second as GitHub gives it. */ at: string };
  /** When it was opened (default FAKE_EPOCH). */
  createdAt?: string;
}

export interface FakeOrgMember {
  role: 'admin' | 'member';
  state: 'active' | 'pending';
}

export interface FakeGitHub {
  url: string;
  /** Accounts by login, as GitHub spells them (lookups ignore case, as GitHub's do). */
  users: Set<string>;
  /** Organisations by login, each with its members by login. */
  orgs: Map<string, Map<string, FakeOrgMember>>;
  /** File contents by `<ref>:<path>` (GET /repos/:o/:r/contents/:path?ref=). */
  contents: Map<string, string>;
  /** Commit statuses posted (POST /repos/:o/:r/statuses/:sha), in order. */
  statuses: Array<{ sha: string; state: string; context: string; description?: string }>;
  owner: string;
  repo: string;
  token: string;
  /** Repository labels by name. */
  labels: Map<string, { name: string; color: string; description: string | null }>;
  pulls: Map<number, FakePull>;
  /** The publisher's endpoints (GET /user, forks, git data, opening pull requests): see fake-github-publish.ts. */
  publish: FakePublishState;
  /** Branch tips and merging (fake-github-merge.ts). */
  merge: FakeMergeState;
  /** /recheck and stale-PR endpoints (comment, reactions, permission, issues by label, commits): fake-github-pr-loop.ts. */
  loop: FakeLoopState;
  /** Merges of pull requests, for GET /repos/:o/:r/commits/:sha/pulls: see fake-github-live.ts. */
  live: FakeLiveState;
  requests: RecordedRequest[];
  unexpected: RecordedRequest[];
  /** Most items per page, whatever per_page asks (GitHub's is 100). */
  maxPageSize: number;
  /** Login that comments made with the token get. */
  botLogin: string;
  addPull(n: number, pull?: Partial<FakePull>): FakePull;
  /** Requests that write (POST, PATCH, PUT, DELETE). */
  writes(): RecordedRequest[];
  stop(): Promise<void>;
}

const PREFIX = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/;

export async function startFakeGitHub(options: { owner?: string; repo?: string; token?: string } = {}): Promise<FakeGitHub> {
  let nextCommentId = 1000;
  const fake = {
    owner: options.owner ?? 'acme',
    repo: options.repo ?? 'registry',
    token: options.token ?? 'test-token',
    labels: new Map(),
    pulls: new Map(),
    users: new Set<string>(),
    orgs: new Map<string, Map<string, FakeOrgMember>>(),
    contents: new Map<string, string>(),
    statuses: [],
    publish: createPublishState(options.owner ?? 'acme', options.repo ?? 'registry'),
    merge: { branches: new Map(), unmergeable: new Set(), dispatches: [], workflows: new Set(['pages.yml', 'deploy-cloudflare.yml']) },
    loop: createLoopState(),
    live: createLiveState(),
    requests: [],
    unexpected: [],
    maxPageSize: 100,
    botLogin: 'github-actions[bot]',
    addPull(n: number, pull: Partial<FakePull> = {}): FakePull {
      const full: FakePull = {
        state: 'open',
        headSha: 'a'.repeat(40),
        baseSha: 'b'.repeat(40),
        author: 'alice',
        files: [{ filename: 'entries/io.github.acme/weather/1.0.0/server.json' }],
        comments: [],
        labels: new Set(),
        ...pull,
      };
      fake.pulls.set(n, full);
      return full;
    },
    writes(): RecordedRequest[] {
      return fake.requests.filter((r) => r.method !== 'GET');
    },
  } as Omit<FakeGitHub, 'url' | 'stop'>;

  function send(res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}): void {
    const body = data === undefined ? '' : JSON.stringify(data);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(body);
  }

  function paginate<T>(req: IncomingMessage, res: ServerResponse, items: T[], base: string): void {
    const url = new URL(req.url!, base);
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30) || 30, fake.maxPageSize);
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    const last = Math.max(1, Math.ceil(items.length / perPage));
    if (page < last) {
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      const lastUrl = new URL(url);
      lastUrl.searchParams.set('page', String(last));
      headers.link = `<${next.href}>; rel="next", <${lastUrl.href}>; rel="last"`;
    }
    send(res, 200, slice, headers);
  }

  const labelJson = (name: string) => {
    const label = fake.labels.get(name);
    return { id: name.length, name, color: label?.color ?? 'ededed', description: label?.description ?? null, default: false };
  };
  const commentJson = (c: FakeComment) => ({
    id: c.id, body: c.body, user: { login: c.user.login, type: c.user.type },
    created_at: c.created_at ?? FAKE_EPOCH, updated_at: c.updated_at ?? c.created_at ?? FAKE_EPOCH,
  });

  /** GitHub's canonical spelling of a login, found case-insensitively. */
  const canonical = (names: Iterable<string>, login: string): string | undefined => [...names].find((n) => n.toLowerCase() === login.toLowerCase());

  /** Users, organisations and organisation memberships (GET /users/:u, /orgs/:o, /orgs/:o/memberships/:u). */
  function accountRouteFor(res: ServerResponse, pathname: string): (() => void) | undefined {
    let m = /^\/users\/([^/]+)$/.exec(pathname);
    if (m) {
      const login = canonical([...fake.users, ...fake.orgs.keys()], decodeURIComponent(m[1]!));
      return () => (login ? send(res, 200, { login, type: fake.orgs.has(login) ? 'Organization' : 'User' }) : send(res, 404, { message: 'Not Found' }));
    }
    m = /^\/orgs\/([^/]+)$/.exec(pathname);
    if (m) {
      const org = canonical(fake.orgs.keys(), decodeURIComponent(m[1]!));
      return () => (org ? send(res, 200, { login: org, type: 'Organization' }) : send(res, 404, { message: 'Not Found' }));
    }
    m = /^\/orgs\/([^/]+)\/memberships\/([^/]+)$/.exec(pathname);
    if (m) {
      const org = canonical(fake.orgs.keys(), decodeURIComponent(m[1]!));
      const members = org ? fake.orgs.get(org)! : undefined;
      const user = members ? canonical(members.keys(), decodeURIComponent(m[2]!)) : undefined;
      return () => (org && user
        ? send(res, 200, { state: members!.get(user)!.state, role: members!.get(user)!.role, user: { login: user }, organization: { login: org } })
        : send(res, 404, { message: 'Not Found' }));
    }
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
    const accountRoute = (pathname: string) => accountRouteFor(res, pathname);
    const url = new URL(req.url!, base);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const record: RecordedRequest = {
      method: req.method!,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: text ? JSON.parse(text) : undefined,
    };
    fake.requests.push(record);

    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${fake.token}` && auth !== `bearer ${fake.token}` && auth !== `Bearer ${fake.token}`) {
      return send(res, 401, { message: 'Bad credentials' });
    }
    const published = publishRouteFor(fake.publish, fake, req.method!, url, record.body as Record<string, unknown> | undefined, (status, data) => send(res, status, data));
    if (published) return published();
    const loop = loopRouteFor(fake as FakeGitHub, req.method!, url, record.body as Record<string, unknown> | undefined, (status, data) => send(res, status, data), (items) => paginate(req, res, items, base));
    if (loop) return loop();
    const account = accountRoute(url.pathname);
    if (account) return account();
    const match = PREFIX.exec(url.pathname);
    if (!match || match[1] !== fake.owner || match[2] !== fake.repo) return notFound();
    const rest = match[3]!;
    const live = liveRouteFor(fake.live, { ...fake, gitRemote: fake.merge.gitRemote }, req.method!, rest, (status, data) => send(res, status, data), (items) => paginate(req, res, items, base));
    if (live) return live();
    const body = record.body as Record<string, unknown> | undefined;
    let m: RegExpExecArray | null;

    function notFound(): void {
      fake.unexpected.push(record);
      send(res, 404, { message: 'Not Found' });
    }
    function pull(n: string): FakePull | undefined {
      return fake.pulls.get(Number(n));
    }
    const merging = mergeRouteFor(fake.merge, fake.pulls, req.method!, rest, body, (status, data) => send(res, status, data));
    if (merging) return merging();

    if (req.method === 'GET' && (m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const p = pull(m[1]!);
      if (!p) return send(res, 404, { message: 'Not Found' });
      const repoJson = { name: fake.repo, owner: { login: fake.owner } };
      return send(res, 200, {
        number: Number(m[1]), state: p.state, title: p.title ?? `Publish #${m[1]}`, user: { login: p.author }, changed_files: p.files.length, merged: Boolean(p.mergedAs ?? (p as { merged?: boolean }).merged), created_at: p.createdAt ?? FAKE_EPOCH,
        head: { sha: p.headSha, ref: p.headRef ?? 'feature', repo: repoJson }, base: { sha: p.baseSha, ref: p.baseRef ?? 'main', repo: repoJson },
      });
    }
    if (req.method === 'POST' && (m = /^\/statuses\/([0-9a-f]+)$/.exec(rest))) {
      const status = { sha: m[1]!, ...(body as { state: string; context: string; description?: string }) };
      fake.statuses.push(status);
      return send(res, 201, { id: fake.statuses.length, ...status });
    }
    if (req.method === 'GET' && (m = /^\/contents\/(.+)$/.exec(rest))) {
      const key = `${url.searchParams.get('ref') ?? ''}:${decodeURIComponent(m[1]!)}`;
      // Set by the test, else read from the bare repository the stand-in merges into, as GitHub reads its own.
      const text = fake.contents.get(key) ?? (fake.merge.gitRemote ? fileInGit(fake.merge.gitRemote, key) : undefined);
      if (text === undefined) return send(res, 404, { message: 'Not Found' });
      return send(res, 200, { type: 'file', encoding: 'base64', size: Buffer.byteLength(text), content: Buffer.from(text).toString('base64') });
    }
    if (req.method === 'GET' && (m = /^\/pulls\/(\d+)\/files$/.exec(rest))) {
      const p = pull(m[1]!);
      if (!p) return send(res, 404, { message: 'Not Found' });
      return paginate(req, res, p.files.map((f) => ({ sha: '0'.repeat(40), status: 'added', ...f })), base);
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const p = pull(m[1]!);
      if (!p) return send(res, 404, { message: 'Not Found' });
      if (req.method === 'GET') return paginate(req, res, p.comments.map(commentJson), base);
      if (req.method === 'POST') {
        if (typeof body?.body !== 'string') return send(res, 422, { message: 'Validation Failed' });
        const c: FakeComment = { id: nextCommentId++, body: body.body, user: { login: fake.botLogin, type: 'Bot' }, created_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
        p.comments.push(c);
        return send(res, 201, commentJson(c));
      }
    }
    if (req.method === 'PATCH' && (m = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const id = Number(m[1]);
      const c = [...fake.pulls.values()].flatMap((p) => p.comments).find((x) => x.id === id);
      if (!c) return send(res, 404, { message: 'Not Found' });
      if (c.user.login !== fake.botLogin) return send(res, 403, { message: 'Resource not accessible by integration' });
      if (typeof body?.body !== 'string') return send(res, 422, { message: 'Validation Failed' });
      c.body = body.body;
      c.updated_at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      return send(res, 200, commentJson(c));
    }
    if ((m = /^\/issues\/(\d+)\/labels$/.exec(rest))) {
      const p = pull(m[1]!);
      if (!p) return send(res, 404, { message: 'Not Found' });
      if (req.method === 'GET') return paginate(req, res, [...p.labels].sort().map(labelJson), base);
      if (req.method === 'POST') {
        const names = body?.labels;
        if (!Array.isArray(names)) return send(res, 422, { message: 'Validation Failed' });
        for (const name of names as string[]) {
          // GitHub creates a missing label with a default colour; the bot is expected to create it first.
          if (!fake.labels.has(name)) fake.labels.set(name, { name, color: 'ededed', description: null });
          p.labels.add(name);
        }
        return send(res, 200, [...p.labels].sort().map(labelJson));
      }
    }
    if (req.method === 'DELETE' && (m = /^\/issues\/(\d+)\/labels\/([^/]+)$/.exec(rest))) {
      const p = pull(m[1]!);
      const name = decodeURIComponent(m[2]!);
      if (!p || !p.labels.has(name)) return send(res, 404, { message: 'Label does not exist' });
      p.labels.delete(name);
      return send(res, 200, [...p.labels].sort().map(labelJson));
    }
    if (req.method === 'GET' && (m = /^\/labels\/([^/]+)$/.exec(rest))) {
      const name = decodeURIComponent(m[1]!);
      if (!fake.labels.has(name)) return send(res, 404, { message: 'Not Found' });
      return send(res, 200, labelJson(name));
    }
    if (req.method === 'POST' && rest === '/labels') {
      const name = body?.name;
      if (typeof name !== 'string' || typeof body?.color !== 'string' || !/^[0-9a-f]{6}$/i.test(body.color)) {
        return send(res, 422, { message: 'Validation Failed' });
      }
      if (fake.labels.has(name)) return send(res, 422, { message: 'Validation Failed', errors: [{ code: 'already_exists' }] });
      fake.labels.set(name, { name, color: body.color, description: typeof body.description === 'string' ? body.description : null });
      return send(res, 201, labelJson(name));
    }
    notFound();
  }

  const server: Server = createServer((req, res) => {
    handle(req, res, url).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
