// The endpoints of the publisher's loop (`/recheck` and the stale-PR closer), for the GitHub stand-in
// (fake-github.ts): one issue comment, its reactions, a user's permission on the repository, the repository's open
// issues filtered by label (pull requests among them, as on GitHub), and a commit with its dates.

import type { FakeComment, FakePull } from './fake-github.ts';

export type FakeRole = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface FakeReaction {
  id: number;
  content: string;
  user: { login: string; type: 'User' | 'Bot' };
  created_at: string;
}

export interface FakeLoopState {
  /** Collaborators' roles by login; anyone else only reads (the registry is a public repository). */
  roles: Map<string, FakeRole>;
  /** Logins GitHub does not know: their permission lookup answers 404. */
  unknownUsers: Set<string>;
  /** Reactions by comment id. */
  reactions: Map<number, FakeReaction[]>;
  /** Commits by SHA, with their dates (GET /repos/:o/:r/commits/:sha). */
  commits: Map<string, { committerDate: string; authorDate?: string }>;
}

export function createLoopState(): FakeLoopState {
  return { roles: new Map(), unknownUsers: new Set(), reactions: new Map(), commits: new Map() };
}

type Send = (status: number, data: unknown) => void;
type Paginate = (items: unknown[]) => void;

interface Registry {
  owner: string;
  repo: string;
  url: string;
  botLogin: string;
  pulls: Map<number, FakePull>;
  labels: Map<string, { name: string; color: string; description: string | null }>;
  loop: FakeLoopState;
}

const REACTIONS = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'];
/** GitHub's legacy base role for each role (maintain reads as write, triage as read). */
const BASE_ROLE: Record<FakeRole, string> = { admin: 'admin', maintain: 'write', write: 'write', triage: 'read', read: 'read' };
/** When a comment or pull request has no time of its own. */
export const FAKE_EPOCH = '2026-01-01T00:00:00Z';
let nextReactionId = 1;

/** The handler for one request when it is one of these endpoints, else undefined. */
export function loopRouteFor(registry: Registry, method: string, url: URL, body: Record<string, unknown> | undefined, send: Send, paginate: Paginate): (() => void) | undefined {
  const prefix = `/repos/${registry.owner}/${registry.repo}`;
  if (!url.pathname.startsWith(`${prefix}/`)) return undefined;
  const rest = url.pathname.slice(prefix.length);
  const state = registry.loop;
  const notFound = () => send(404, { message: 'Not Found' });
  const findComment = (id: number): { n: number; comment: FakeComment } | undefined => {
    for (const [n, pull] of registry.pulls) {
      const comment = pull.comments.find((c) => c.id === id);
      if (comment) return { n, comment };
    }
    return undefined;
  };
  const reactionJson = (r: FakeReaction) => ({ id: r.id, node_id: `REA_${r.id}`, user: r.user, content: r.content, created_at: r.created_at });
  let m: RegExpExecArray | null;

  if (method === 'GET' && (m = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
    return () => {
      const found = findComment(Number(m![1]));
      if (!found) return notFound();
      const { n, comment: c } = found;
      const created = c.created_at ?? FAKE_EPOCH;
      send(200, {
        id: c.id, body: c.body, user: c.user, created_at: created, updated_at: c.updated_at ?? created,
        issue_url: `${registry.url}${prefix}/issues/${n}`,
        html_url: `https://github.com/${registry.owner}/${registry.repo}/pull/${n}#issuecomment-${c.id}`,
      });
    };
  }
  if ((m = /^\/issues\/comments\/(\d+)\/reactions$/.exec(rest)) && (method === 'GET' || method === 'POST')) {
    return () => {
      const id = Number(m![1]);
      if (!findComment(id)) return notFound();
      const list = state.reactions.get(id) ?? [];
      if (method === 'GET') {
        const content = url.searchParams.get('content');
        if (content !== null && !REACTIONS.includes(content)) return send(422, { message: 'Validation Failed' });
        return paginate(list.filter((r) => content === null || r.content === content).map(reactionJson));
      }
      if (typeof body?.content !== 'string' || !REACTIONS.includes(body.content)) return send(422, { message: 'Validation Failed' });
      // The token's reaction: one of each content per user, and asking again answers the existing one with 200.
      const existing = list.find((r) => r.content === body.content && r.user.login === registry.botLogin);
      if (existing) return send(200, reactionJson(existing));
      const reaction: FakeReaction = { id: nextReactionId++, content: body.content, user: { login: registry.botLogin, type: 'Bot' }, created_at: new Date().toISOString() };
      state.reactions.set(id, [...list, reaction]);
      send(201, reactionJson(reaction));
    };
  }
  if (method === 'GET' && (m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest))) {
    return () => {
      const login = decodeURIComponent(m![1]!);
      if ([...state.unknownUsers].some((u) => u.toLowerCase() === login.toLowerCase())) return send(404, { message: `${login} is not a user` });
      const entry = [...state.roles].find(([u]) => u.toLowerCase() === login.toLowerCase());
      const role: FakeRole = entry?.[1] ?? 'read';
      send(200, { permission: BASE_ROLE[role], role_name: role, user: { login: entry?.[0] ?? login } });
    };
  }
  if (method === 'GET' && rest === '/issues') {
    return () => {
      const wanted = url.searchParams.get('state') ?? 'open';
      const labels = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
      const rows = [...registry.pulls]
        .filter(([, p]) => (wanted === 'all' || p.state === wanted) && labels.every((l) => p.labels.has(l)))
        .sort(([a], [b]) => b - a)
        .map(([n, p]) => ({
          number: n,
          state: p.state,
          user: { login: p.author, type: 'User' },
          labels: [...p.labels].sort().map((name) => ({ name, color: registry.labels.get(name)?.color ?? 'ededed', description: registry.labels.get(name)?.description ?? null, default: false })),
          created_at: p.createdAt ?? FAKE_EPOCH,
          html_url: `https://github.com/${registry.owner}/${registry.repo}/pull/${n}`,
          pull_request: { url: `${registry.url}${prefix}/pulls/${n}`, html_url: `https://github.com/${registry.owner}/${registry.repo}/pull/${n}`, merged_at: null },
        }));
      paginate(rows);
    };
  }
  if (method === 'GET' && (m = /^\/commits\/([^/]+)$/.exec(rest))) {
    return () => {
      const sha = decodeURIComponent(m![1]!);
      const commit = state.commits.get(sha);
      if (!commit) return send(422, { message: `No commit found for SHA: ${sha}` });
      send(200, {
        sha,
        commit: {
          author: { name: 'A', email: 'a@example.com', date: commit.authorDate ?? commit.committerDate },
          committer: { name: 'C', email: 'c@example.com', date: commit.committerDate },
          message: 'change',
        },
        parents: [],
      });
    };
  }
  return undefined;
}
