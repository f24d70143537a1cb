// After a deployment: for the pushed commit, the pull requests whose merge it is, the versions each one added, and
// one comment per pull request and deployment saying when each version answered at its live URL, measured from
// the merge. It runs in the deploy workflow (pages.yml, deploy-cloudflare.yml) on the default branch after the
// merge, so the server.json files it reads are merged data, still read only as data (read-json.ts).

import type { Octokit } from '@octokit/rest';
import { decodeTextFile, MAX_STATUS_FILE_BYTES, readServerJson } from '../validate/read-json.ts';
import { markdownCode, markdownText } from '../validate/report/text.ts';
import { effectiveStatus, parseStatusFile } from '../entries/status-file.ts';
import { liveUrl, waitUntilLive, type Expected, type LiveCheck } from '../deploy/wait-live.ts';
import { DEFAULT_BOT_LOGIN } from './pr-bot.ts';
import { readCommentRecords, writeCommentRecords } from './comment-records.ts';

/** The first line of the comment for `deployment`; only a comment by the bot that starts with it is ours. */
export function liveMarker(deployment: string): string {
  return `<!-- mcp-static-registry:live:${deployment} -->`;
}

const RECORDS_PREFIX = '<!-- mcp-static-registry:live-records ';

/** Deployment names go into the marker: kept to a plain word. */
export const DEPLOYMENT_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** A version to see live: one a pull request added, or one whose status its status file changed. */
export interface AddedVersion extends Expected {
  /** The added server.json, or the changed server.md. */
  file: string;
}

/**
 * Versions checked per pull request (a sync pull request may add thousands): beyond it the rest are only counted,
 * which keeps the comment far below GitHub's 65,536 characters and the requests to the host at 20 a second.
 */
export const MAX_CHECKED_VERSIONS = 100;

/** What the comment keeps of a version seen live, so a later run keeps the first time it was seen. */
export interface LiveRecord {
  url: string;
  liveAt: string;
}

export interface VersionResult extends AddedVersion {
  url: string;
  check: LiveCheck;
  /** True when the time comes from an earlier run's comment. */
  earlier?: boolean;
}

export interface AnnouncedPull {
  number: number;
  mergedAt: string;
  versions: VersionResult[];
  /** Added files that are not readable versions, with the reason. */
  unreadable: string[];
  comment?: { id: number; action: 'created' | 'updated' | 'unchanged' };
}

export interface AnnounceLiveOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  /** The deployed commit. */
  sha: string;
  /** Where the deployment serves the registry. */
  baseUrl: string;
  /** A name for the deployment (pages, cloudflare): each gets its own comment. */
  deployment: string;
  /** The bytes of a file at the deployed commit, or undefined when it is not there. */
  readFile: (file: string) => Promise<Buffer | undefined>;
  /** The folders inside a folder at the deployed commit; without it, status changes are not announced. */
  listFolders?: (folder: string) => Promise<string[]>;
  intervalMs: number;
  timeoutMs: number;
  /** The deployment's workflow run, linked when a version is not live in time. */
  runUrl?: string;
  botLogin?: string;
  entriesDir?: string;
  log?: (line: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface AnnounceLiveResult {
  pulls: AnnouncedPull[];
  /** Versions that did not answer in time. */
  notLive: number;
}

/** `entries/<namespace>/<server>/<version>/server.json` files a pull request added. */
export function addedServerFiles(files: ReadonlyArray<{ filename: string; status: string }>, entriesDir = 'entries'): string[] {
  const prefix = `${entriesDir.replace(/\/+$/, '')}/`;
  return files
    .filter((f) => f.status === 'added' || f.status === 'copied' || f.status === 'renamed')
    .map((f) => f.filename)
    .filter((name) => name.startsWith(prefix) && /^[^/]+\/[^/]+\/[^/]+\/server\.json$/.test(name.slice(prefix.length)))
    .sort();
}

/** Server folders (`entries/<namespace>/<server>`) whose status file a pull request added, changed or removed. */
export function changedStatusFolders(files: ReadonlyArray<{ filename: string; status: string }>, entriesDir = 'entries'): string[] {
  const prefix = `${entriesDir.replace(/\/+$/, '')}/`;
  return files
    .map((f) => f.filename)
    .filter((name) => name.startsWith(prefix) && /^[^/]+\/[^/]+\/server\.md$/.test(name.slice(prefix.length)))
    .map((name) => name.slice(0, -'/server.md'.length))
    .sort();
}

/**
 * Every version of the server in `folder` with the status its status file gives it at the deployed commit (no file:
 * all active), read as data; a string saying why not otherwise.
 */
export function readStatusTargets(folder: string, entriesDir: string, statusBytes: Buffer | undefined, versions: readonly string[]): AddedVersion[] | string {
  const file = `${folder}/server.md`;
  let statusFile: ReturnType<typeof parseStatusFile>['statusFile'] | undefined;
  if (statusBytes) {
    const { text } = decodeTextFile(file, statusBytes, MAX_STATUS_FILE_BYTES);
    const parsed = text === undefined ? undefined : parseStatusFile(file, text);
    if (!parsed || parsed.problems.some((p) => p.severity === 'error')) return `${file}: not readable in the deployed commit`;
    statusFile = parsed.statusFile;
  }
  const name = folder.slice(`${entriesDir.replace(/\/+$/, '')}/`.length);
  return versions.map((version) => ({ name, version, file, status: effectiveStatus(statusFile, version) }));
}

/** Name and version of one added server.json, read as data; a string saying why not otherwise. */
export function readAddedVersion(file: string, bytes: Buffer | undefined): AddedVersion | string {
  if (!bytes) return `${file}: not readable in the deployed commit`;
  const { json } = readServerJson(file, bytes);
  const value = json.value as { name?: unknown; version?: unknown } | undefined;
  if (typeof value?.name !== 'string' || typeof value.version !== 'string') return `${file}: no name and version`;
  return { name: value.name, version: value.version, file };
}

export function readLiveRecords(body: string, deployment: string): LiveRecord[] {
  return readCommentRecords(body, liveMarker(deployment), RECORDS_PREFIX)
    .filter((r): r is LiveRecord => typeof (r as LiveRecord)?.url === 'string' && typeof (r as LiveRecord)?.liveAt === 'string' && !Number.isNaN(Date.parse((r as LiveRecord).liveAt)));
}

function seconds(from: string, to: string): number {
  return Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
}

/** A time to the second, as people read it (the records keep milliseconds). */
function toSecond(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}

function duration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

/** The comment: marker, the records of versions seen live, then one line per version. Names are escaped. */
export function renderLiveComment(pull: Pick<AnnouncedPull, 'mergedAt' | 'versions' | 'unreadable'>, options: { deployment: string; sha: string; timeoutMs: number; runUrl?: string }): string {
  const records: LiveRecord[] = pull.versions.filter((v) => v.check.live).map((v) => ({ url: v.url, liveAt: v.check.liveAt! }));
  const lines = [liveMarker(options.deployment)];
  if (records.length) lines.push(writeCommentRecords(RECORDS_PREFIX, records).trimEnd());
  const live = pull.versions.filter((v) => v.check.live).length;
  lines.push(`### ${live === pull.versions.length ? 'Live' : 'Not live yet'} on ${markdownCode(options.deployment)}`, '');
  for (const v of pull.versions) {
    const status = v.status ? ` ${markdownCode(v.status.status)}${v.status.statusMessage === undefined ? '' : ` (${markdownText(v.status.statusMessage)})`}` : '';
    const what = `${markdownCode(v.name)} ${markdownCode(v.version)}${status}`;
    const label = v.status ? 'Status live' : 'Live';
    const answer = v.status?.status === 'deleted' ? '404 (deleted versions are hidden)' : v.status ? '200 with this status' : '200 with this version';
    if (v.check.live) {
      lines.push(`- ${label}: ${what}: <${v.url}> answered ${v.status ? answer : '200'} at ${toSecond(v.check.liveAt!)}, ${seconds(pull.mergedAt, v.check.liveAt!)} s after the merge (${pull.mergedAt}).`);
    } else {
      const last = v.check.lastAnswer ? ` (last answer: ${markdownCode(v.check.lastAnswer)}, ${v.check.attempts} attempts)` : '';
      const where = options.runUrl ? ` See the deployment run: ${options.runUrl}` : '';
      lines.push(`- ${v.status ? 'Status not live yet' : 'Not live yet'}: ${what}: <${v.url}> did not answer ${answer} within ${duration(options.timeoutMs)} of the deployment${last}.${where}`);
    }
  }
  for (const reason of pull.unreadable) lines.push(`- Not checked: ${markdownCode(reason)}`);
  lines.push('', `<sub>Checked after deploying ${options.sha.slice(0, 12)}; the time is from the merge to the first answer with the version.</sub>`, '');
  return lines.join('\n');
}

/** The bot's comment for this deployment on the pull request, if there is one. */
async function findComment(options: AnnounceLiveOptions, issue_number: number): Promise<{ id: number; body: string } | undefined> {
  const { octokit, owner, repo } = options;
  const botLogin = options.botLogin ?? DEFAULT_BOT_LOGIN;
  const marker = `${liveMarker(options.deployment)}\n`;
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 })) {
    const found = page.data.find((c) => c.user?.login === botLogin && (c.body ?? '').startsWith(marker));
    if (found) return { id: found.id, body: found.body ?? '' };
  }
  return undefined;
}

export async function announceLive(options: AnnounceLiveOptions): Promise<AnnounceLiveResult> {
  const { octokit, owner, repo, sha } = options;
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  if (!DEPLOYMENT_NAME.test(options.deployment)) throw new Error(`deployment name "${options.deployment}" is not a plain lower-case word`);

  // 1. The merged pull requests this commit comes from (none for a direct push: nothing to say).
  const associated = await octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, { owner, repo, commit_sha: sha, per_page: 100 });
  const merged = associated.filter((p) => p.merged_at);
  if (!merged.length) log(`${sha.slice(0, 12)} is the merge of no pull request: nothing to announce`);

  // 2. The versions each one added, read from the deployed commit.
  const pulls: Array<AnnouncedPull & { existing?: { id: number; body: string } }> = [];
  for (const p of merged) {
    const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number: p.number, per_page: 100 });
    const versions: AddedVersion[] = [];
    const unreadable: string[] = [];
    for (const file of addedServerFiles(files, options.entriesDir)) {
      const read = readAddedVersion(file, await options.readFile(file));
      if (typeof read === 'string') unreadable.push(read);
      else versions.push(read);
    }
    for (const folder of options.listFolders ? changedStatusFolders(files, options.entriesDir) : []) {
      const all = (await options.listFolders!(folder)).filter((v) => !versions.some((a) => a.file === `${folder}/${v}/server.json`)).sort();
      const read = readStatusTargets(folder, options.entriesDir ?? 'entries', await options.readFile(`${folder}/server.md`), all);
      if (typeof read === 'string') unreadable.push(read);
      else versions.push(...read);
    }
    if (versions.length > MAX_CHECKED_VERSIONS) unreadable.push(`${versions.splice(MAX_CHECKED_VERSIONS).length} more versions`);
    if (!versions.length && !unreadable.length) {
      log(`PR #${p.number} adds no version and changes no status: nothing to announce`);
      continue;
    }
    const existing = await findComment(options, p.number);
    const earlier = new Map(readLiveRecords(existing?.body ?? '', options.deployment).map((r) => [r.url, r.liveAt]));
    pulls.push({
      number: p.number,
      mergedAt: p.merged_at!,
      existing,
      unreadable,
      versions: versions.map((v) => {
        const url = liveUrl(options.baseUrl, v.name, v.version);
        const liveAt = earlier.get(url);
        return { ...v, url, check: liveAt ? { url, live: true, liveAt, attempts: 0 } : { url, live: false, attempts: 0 }, ...(liveAt ? { earlier: true } : {}) };
      }),
    });
  }

  // 3. Every version not yet seen live, polled at once against one deadline.
  const deadline = now() + options.timeoutMs;
  await Promise.all(pulls.flatMap((p) => p.versions.filter((v) => !v.earlier).map(async (v) => {
    v.check = await waitUntilLive(v.url, v, { intervalMs: options.intervalMs, deadline, now, sleep: options.sleep });
    log(v.check.live ? `live: ${v.url} at ${v.check.liveAt} (${v.check.attempts} attempts)` : `not live: ${v.url} (last answer ${v.check.lastAnswer ?? 'none'})`);
  })));

  // 4. One comment per pull request: ours edited in place, else a new one.
  for (const p of pulls) {
    const body = renderLiveComment(p, { deployment: options.deployment, sha, timeoutMs: options.timeoutMs, runUrl: options.runUrl });
    if (!p.existing) {
      const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: p.number, body });
      p.comment = { id: data.id, action: 'created' };
    } else if (p.existing.body !== body) {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: p.existing.id, body });
      p.comment = { id: p.existing.id, action: 'updated' };
    } else p.comment = { id: p.existing.id, action: 'unchanged' };
    log(`PR #${p.number}: comment ${p.comment.id} ${p.comment.action}`);
    delete p.existing;
  }
  return { pulls, notLive: pulls.reduce((n, p) => n + p.versions.filter((v) => !v.check.live).length, 0) };
}
