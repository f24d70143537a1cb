// Waiting for a deployed version to answer at its public URL. A deployment finishing is not the same as the new
// version being served: a CDN may keep the 404 it cached before the deploy, or still route to the old build. So
// the one proof is the detail URL answering 200 with that name and version in the body.

import { OFFICIAL_META_KEY } from '../model.ts';

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

/** True when `body` is the detail answer for `name` at `version` (and not, say, a catch-all page answering 200). */
export function answersVersion(body: string, name: string, version: string): boolean {
  try {
    const value = JSON.parse(body) as { server?: { name?: unknown; version?: unknown }; _meta?: Record<string, unknown> };
    return value.server?.name === name && value.server?.version === version && typeof value._meta?.[OFFICIAL_META_KEY] === 'object';
  } catch {
    return false;
  }
}

/** Polls `url` until it answers 200 with the version, or the deadline passes. */
export async function waitUntilLive(url: string, expected: { name: string; version: string }, options: WaitOptions): Promise<LiveCheck> {
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
      const body = await response.text();
      if (response.status === 200 && answersVersion(body, expected.name, expected.version)) {
        return { url, live: true, liveAt: new Date(now()).toISOString(), attempts };
      }
      lastAnswer = response.status === 200 ? '200 without this version in the body' : String(response.status);
    } catch (error) {
      lastAnswer = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
    }
    if (now() + options.intervalMs > options.deadline) return { url, live: false, attempts, ...(lastAnswer ? { lastAnswer } : {}) };
    await sleep(options.intervalMs);
  }
}
