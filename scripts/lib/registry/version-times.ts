// publishedAt, updatedAt, statusChangedAt and the status of each version, from the history of its server.json and
// of its server's status file. Outside git, and for uncommitted files, the fallback clock stands in for a commit.

import type { CommitRef, EntriesHistory } from '../history/entries-history.ts';
import { effectiveStatus, parseStatusFile, STATUS_FILE_NAME } from '../entries/status-file.ts';
import type { ServerEntry, Status } from '../model.ts';

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
}

function statusTimeline(server: ServerEntry, history: EntriesHistory, clock: FallbackClock): StatusRevisionState[] {
  // The history of the file counts even when the file is gone now: deleting it makes its versions active again.
  const file = server.statusFile?.file ?? `${server.name}/${STATUS_FILE_NAME}`;
  const revisions: StatusRevisionState[] = (history.statusRevisions.get(file) ?? []).map((r) => ({
    commit: r.commit,
    statusFile: r.text === null ? undefined : parseStatusFile(file, r.text).statusFile,
  }));
  if (!server.statusFile && revisions.length === 0) return [];
  if (!history.inGit || history.uncommitted.has(file) || revisions.length === 0) {
    revisions.push({ commit: { index: WORKING_TREE, time: clock(file) }, statusFile: server.statusFile });
  }
  return revisions;
}

/** Computes the registry state of every version of one server. */
export function resolveVersionStates(server: ServerEntry, history: EntriesHistory, clock: FallbackClock): Map<string, VersionState> {
  const timeline = statusTimeline(server, history, clock);
  const states = new Map<string, VersionState>();
  for (const { file, version } of server.versions) {
    const known = history.inGit && !history.uncommitted.has(file) ? history.files.get(file) : undefined;
    const published: CommitRef = known?.added ?? { index: WORKING_TREE, time: clock(file) };
    let updated: CommitRef = known?.changed ?? published;
    let statusChanged = published;
    let current: { status: Status; statusMessage?: string } = { status: 'active' };
    for (const revision of timeline) {
      const next = effectiveStatus(revision.statusFile, version);
      if (revision.commit.index > published.index) {
        if (next.status !== current.status) statusChanged = revision.commit;
        if (next.status !== current.status || next.statusMessage !== current.statusMessage) updated = later(updated, revision.commit);
      }
      current = next;
    }
    states.set(version, {
      ...current,
      publishedAt: published.time,
      updatedAt: updated.time,
      statusChangedAt: statusChanged.time,
    });
  }
  return states;
}
