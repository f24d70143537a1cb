// publishedAt, updatedAt, statusChangedAt and the status of each version, from the history of its server.json and
// of its server's status file. Outside git, and for uncommitted files, the fallback clock stands in for a commit.

import type { CommitRef, EntriesHistory } from '../history/entries-history.ts';
import { effectiveStatus, parseStatusFile, STATUS_FILE_NAME } from '../entries/status-file.ts';
import type { ServerEntry, Status, StatusSetting } from '../model.ts';
import { laterInstant } from '../query/compare.ts';
import type { UpstreamState } from '../sync/types.ts';

export interface VersionState {
  status: Status;
  statusMessage?: string;
  publishedAt: string;
  updatedAt: string;
  statusChangedAt: string;
}

/** Time for a file git cannot date: `SOURCE_DATE_EPOCH` when set, else the file's modification time. */
export type FallbackClock = (file: string) => string;

/** Uncommitted work sorts after every commit. */
const WORKING_TREE = Number.MAX_SAFE_INTEGER;

function later(a: CommitRef, b: CommitRef): CommitRef {
  return b.index > a.index ? b : a;
}

interface StatusRevisionState {
  commit: CommitRef;
  statusFile: ReturnType<typeof parseStatusFile>['statusFile'] | undefined;
  /** The annotations as JSON ('' for none), computed once per revision to compare revisions. */
  annotations: string;
}

function revisionState(commit: CommitRef, statusFile: StatusRevisionState['statusFile']): StatusRevisionState {
  return { commit, statusFile, annotations: statusFile?.annotations ? JSON.stringify(statusFile.annotations) : '' };
}

function statusTimeline(server: ServerEntry, history: EntriesHistory, clock: FallbackClock): StatusRevisionState[] {
  // The history of the file counts even when the file is gone now: deleting it makes its versions active again.
  const file = server.statusFile?.file ?? `${server.name}/${STATUS_FILE_NAME}`;
  const revisions: StatusRevisionState[] = (history.statusRevisions.get(file) ?? []).map((r) =>
    revisionState(r.commit, r.text === null ? undefined : parseStatusFile(file, r.text).statusFile));
  if (!server.statusFile && revisions.length === 0) return [];
  if (!history.inGit || history.uncommitted.has(file) || revisions.length === 0) {
    revisions.push(revisionState({ index: WORKING_TREE, time: clock(file) }, server.statusFile));
  }
  return revisions;
}

/** Computes the registry state of every version of one server. */
export function resolveVersionStates(server: ServerEntry, history: EntriesHistory, clock: FallbackClock): Map<string, VersionState> {
  const timeline = statusTimeline(server, history, clock);
  const states = new Map<string, VersionState>();
  for (const { file, version } of server.versions) {
    const upstream = server.provenance?.versions[version];
    states.set(version, upstream ? mirroredState(upstream, timeline, version) : localState(file, version, timeline, history, clock));
  }
  return states;
}

/** A version published here: dated by the commits that added it and that changed its status or annotations. */
function localState(file: string, version: string, timeline: StatusRevisionState[], history: EntriesHistory, clock: FallbackClock): VersionState {
  const known = history.inGit && !history.uncommitted.has(file) ? history.files.get(file) : undefined;
  const published: CommitRef = known?.added ?? { index: WORKING_TREE, time: clock(file) };
  let updated: CommitRef = known?.changed ?? published;
  let statusChanged = published;
  let current: { status: Status; statusMessage?: string } = { status: 'active' };
  let annotations = '';
  for (const revision of timeline) {
    const next = effectiveStatus(revision.statusFile, version);
    if (revision.commit.index > published.index) {
      if (next.status !== current.status) statusChanged = revision.commit;
      if (next.status !== current.status || next.statusMessage !== current.statusMessage || revision.annotations !== annotations) updated = later(updated, revision.commit);
    }
    current = next;
    annotations = revision.annotations;
  }
  return { ...current, publishedAt: published.time, updatedAt: updated.time, statusChangedAt: statusChanged.time };
}

/**
 * A version mirrored from upstream keeps the upstream's times and status (so a fork serves them as its upstream
 * does). The fork's own status file may still override the status, and a change there, or to the annotations,
 * dates the version by that commit when it is later than the upstream's.
 */
function mirroredState(upstream: UpstreamState, timeline: StatusRevisionState[], version: string): VersionState {
  let local: StatusSetting | undefined;
  let annotations = '';
  let localChanged: string | undefined;
  let overrideChanged: string | undefined;
  for (const revision of timeline) {
    const next = explicitStatus(revision.statusFile, version);
    if (next?.status !== local?.status || next?.statusMessage !== local?.statusMessage) overrideChanged = localChanged = revision.commit.time;
    else if (revision.annotations !== annotations) localChanged = revision.commit.time;
    local = next;
    annotations = revision.annotations;
  }
  const state: VersionState = { ...upstream };
  if (local?.status) {
    state.status = local.status;
    if (local.status !== 'active' && local.statusMessage !== undefined) state.statusMessage = local.statusMessage;
    else delete state.statusMessage;
    if (local.status !== upstream.status && overrideChanged) state.statusChangedAt = laterInstant(upstream.statusChangedAt, overrideChanged);
  }
  if (localChanged) state.updatedAt = laterInstant(upstream.updatedAt, localChanged);
  return state;
}

/** The status the status file sets for a version (its own entry, else the server-wide one), if it sets any. */
function explicitStatus(statusFile: StatusRevisionState['statusFile'], version: string): StatusSetting | undefined {
  const own = statusFile?.versions[version];
  if (own?.status) return own;
  return statusFile?.status ? { status: statusFile.status, ...(statusFile.statusMessage !== undefined ? { statusMessage: statusFile.statusMessage } : {}) } : undefined;
}
