// Waiting for a deployed version to answer at its public URL. A deployment finishing is not the same as the new
// version being served: a CDN may keep the 404 it cached before the deploy, or still route to the old build. So
// the one proof is the detail URL answering 200 with that name and version in the body (and, after a status
// change, that status).

import { OFFICIAL_META_KEY, type OfficialMeta, type Status } from '../model.ts';

/** The version's detail URL on a host serving the registry at `baseUrl` (which may have a path, as Pages sites do). */
export function liveUrl(baseUrl: string, name: string, version: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/v0.1/servers/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`;
}

export interface LiveCheck {
  url: string;
  live: boolean;
  /** When the URL first answered with the version (ISO 8601), when it did. */
  liveAt?: string;
  /** The last answer's status, or the network error, when it never did. */
  lastAnswer?: string;
  attempts: number;
}

export interface WaitOptions {
  intervalMs: number;
  /** Time (ms since the epoch) after which no new attempt starts. */
  deadline: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Longest wait for one answer. */
  requestTimeoutMs?: number;
}

/** What the version's detail URL must answer: the version, and when a status was changed, that status. */
export interface Expected {
  name: string;
  version: string;
  /** A deleted version is hidden from the detail URL: its answer is a 404. */
  status?: { status: Status; statusMessage?: string };
}

function officialMeta(body: string, expected: Expected): OfficialMeta | undefined {
  try {
    const value = JSON.parse(body) as { server?: { name?: unknown; version?: unknown }; _meta?: Record<string, unknown> };
    const meta = value._meta?.[OFFICIAL_META_KEY];
    const found = value.server?.name === expected.name && value.server?.version === expected.version && typeof meta === 'object' && meta !== null;
    return found ? (meta as OfficialMeta) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether an answer shows the version as expected (never a catch-all page answering 200 for any path); otherwise
 * what it shows instead, for the comment.
 */
export function judgeAnswer(status: number, body: string, expected: Expected): true | string {
  if (expected.status?.status === 'deleted') return status === 404 || `${status}, not 404`;
  if (status !== 200) return String(status);
  const meta = officialMeta(body, expected);
  if (!meta) return '200 without this version in the body';
  if (!expected.status) return true;
  const same = meta.status === expected.status.status && (meta.statusMessage ?? undefined) === expected.status.statusMessage;
  return same || `200 with status ${meta.status}${meta.statusMessage === undefined ? '' : ` (${meta.statusMessage})`}`;
}

/** Polls `url` until its answer is what `expected` says, or the deadline passes. */
export async function waitUntilLive(url: string, expected: Expected, options: WaitOptions): Promise<LiveCheck> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let attempts = 0;
  let lastAnswer: string | undefined;
  for (;;) {
    attempts++;
    try {
      // No cache-busting query: on the Node server, nginx and the Worker a query changes what the URL means. The
      // request header asks caches in between to revalidate instead of replaying a 404 they kept from before.
      const response = await fetch(url, {
        headers: { 'cache-control': 'no-cache', pragma: 'no-cache', accept: 'application/json' },
        redirect: 'follow',
        signal: AbortSignal.timeout(options.requestTimeoutMs ?? 30_000),
      });
      const verdict = judgeAnswer(response.status, await response.text(), expected);
      if (verdict === true) return { url, live: true, liveAt: new Date(now()).toISOString(), attempts };
      lastAnswer = verdict;
    } catch (error) {
      lastAnswer = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
    }
    if (now() + options.intervalMs > options.deadline) return { url, live: false, attempts, ...(lastAnswer ? { lastAnswer } : {}) };
    await sleep(options.intervalMs);
  }
}
