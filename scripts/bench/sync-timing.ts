// Sync benchmark: `npm run sync` ingesting 20,000 server versions from a local upstream that behaves like the
// official registry API (the tests' stand-in, on 127.0.0.1), then an incremental run after a few hundred upstream
// changes: wall time, peak RSS, requests made, and what each run changed.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateUpstreamRows, startOfficialUpstream } from '../../test/support/official-upstream.ts';
import type { SyncSummary } from '../lib/sync/types.ts';

export interface ScriptRun {
  seconds: number;
  maxRssMiB: number | null;
  exitCode: number | null;
}

export interface SyncRun extends ScriptRun {
  requests: number;
  versionsRead: number;
  added: number;
  updated: number;
  statusChanged: number;
}

export interface SyncTiming {
  upstreamVersions: number;
  upstreamServers: number;
  full: SyncRun & { versionsPerSecond: number };
  /** After `changes` upstream changes (status changes and new versions). */
  incremental: SyncRun & { changes: number };
}

type RunScript = (script: string, args: string[], rssFile: string) => Promise<ScriptRun>;

export async function measureSync(scratch: string, run: RunScript, versions = 20_000, servers = 8_000): Promise<SyncTiming> {
  const rows = generateUpstreamRows({ servers, versions, seed: 11 });
  const upstreamVersions = rows.length;
  const upstreamServers = new Set(rows.map((r) => r.server.name)).size;
  const upstream = await startOfficialUpstream(rows);
  try {
    const root = path.join(scratch, 'sync-fork');
    mkdirSync(path.join(root, 'entries'), { recursive: true });
    writeFileSync(path.join(root, 'registry.yaml'), `sources:\n  - id: upstream\n    url: ${upstream.url}\n`);
    const once = async (label: string): Promise<SyncRun> => {
      const summaryFile = path.join(scratch, `sync-${label}.json`);
      const result = await run('scripts/sync.ts', ['--root', root, '--summary', summaryFile], path.join(scratch, `rss-sync-${label}.txt`));
      if (result.exitCode !== 0) throw new Error(`sync (${label}) exited with ${result.exitCode}`);
      const source = (JSON.parse(readFileSync(summaryFile, 'utf8')) as SyncSummary).sources[0]!;
      return { ...result, requests: source.requests, versionsRead: source.fetched, added: source.added.length, updated: source.updated.length, statusChanged: source.statusChanged.length };
    };
    const full = await once('full');

    // A busy hour upstream: 200 status changes and 100 new versions.
    const newest = rows.reduce((max, r) => (r.official.updatedAt > max ? r.official.updatedAt : max), '');
    let at = Date.parse(newest);
    const next = (): string => new Date((at += 1000)).toISOString();
    const live = upstream.rows.filter((r) => r.official.status === 'active');
    for (const row of live.slice(0, 200)) upstream.setStatus(row.server.name, row.server.version, 'deprecated', 'Superseded.', next());
    for (const [i, row] of live.slice(200, 300).entries()) upstream.publish({ ...row.server, version: `99.0.${i}` }, next());
    const incremental = await once('incremental');
    return {
      upstreamVersions,
      upstreamServers,
      full: { ...full, versionsPerSecond: Math.round(full.versionsRead / full.seconds) },
      incremental: { ...incremental, changes: 300 },
    };
  } finally {
    await upstream.close();
  }
}
