// The heart of the sync, pure: what one source's versions change in entries/. Given what the source yielded, the
// servers already in entries/ and the policy, it returns the file operations and the summary of the change set.
// Nothing here reads or writes files, so every rule (local entries win, deny wins, deletions always arrive) is
// tested on plain data.

import { MAX_SERVER_JSON_BYTES } from '../validate/read-json.ts';
import { checkEntryPath, collisionKey } from '../validate/tree.ts';
import type { ServerEntry, ServerJson } from '../model.ts';
import { problem } from '../problems.ts';
import { compareBytewise } from '../query/compare.ts';
import { compilePolicy, policySubject } from './policy.ts';
import { formatProvenance } from './provenance.ts';
import { PROVENANCE_FILE_NAME, type Conflict, type Policy, type Provenance, type SourceSummary, type UpstreamState, type UpstreamVersion, type VersionRef } from './types.ts';

/** A file operation under the entries folder (paths relative to it, with `/`). */
export type FileOp = { write: string; content: string } | { remove: string };

export interface PlanInput {
  source: { id: string; from: string };
  mode: 'full' | 'incremental';
  /** What the source yielded; later rows of the same version replace earlier ones. */
  versions: readonly UpstreamVersion[];
  /** The servers now in entries/. */
  servers: readonly ServerEntry[];
  policy: Policy;
  /** The entries folder relative to the repository root, for the summary's file list (e.g. `entries`). */
  entriesPrefix: string;
}

export interface SyncPlan {
  ops: FileOp[];
  summary: Omit<SourceSummary, 'from' | 'mode' | 'requests' | 'updatedSince'>;
}

/** server.json as the sync writes it: the upstream's document, two-space indented. */
export function formatServerJson(server: ServerJson): string {
  return `${JSON.stringify(server, null, 2)}\n`;
}

interface MirrorState {
  /** Versions and their server.json after the change set. */
  files: Map<string, ServerJson>;
  /** Versions whose server.json is new or changed upstream: the files to write. */
  written: Set<string>;
  provenance: Provenance;
  /** Whether anything of this server changed. */
  touched: boolean;
  /** The server's folder name as it stands (or will stand) in entries/. */
  name: string;
}

export function planSourceSync(input: PlanInput): SyncPlan {
  const { source } = input;
  const decide = compilePolicy(input.policy);
  const summary: SyncPlan['summary'] = {
    id: source.id, fetched: input.versions.length, added: [], updated: [], statusChanged: [], removed: [],
    skippedByPolicy: 0, conflicts: [], problems: [], files: [],
  };
  const byName = new Map(input.servers.map((s) => [s.name, s]));
  const byCollisionKey = new Map(input.servers.map((s) => [collisionKey(s.name), s.name]));
  const mirrors = new Map<string, MirrorState>();
  const conflicted = new Set<string>();

  const conflict = (name: string, reason: string): void => {
    if (conflicted.has(name)) return;
    conflicted.add(name);
    summary.conflicts.push({ name, reason } satisfies Conflict);
  };
  const mirrorOf = (name: string): MirrorState => {
    let mirror = mirrors.get(name);
    if (!mirror) {
      const existing = byName.get(name);
      mirror = {
        name,
        files: new Map((existing?.versions ?? []).map((v) => [v.version, v.server])),
        written: new Set(),
        provenance: existing?.provenance ? { source: existing.provenance.source, from: source.from, versions: { ...existing.provenance.versions } } : { source: source.id, from: source.from, versions: {} },
        touched: false,
      };
      mirrors.set(name, mirror);
    }
    return mirror;
  };

  // Later rows of a version replace earlier ones (a resumed read may hold a page twice).
  const latest = new Map<string, UpstreamVersion>();
  for (const v of input.versions) latest.set(`${v.server.name}\u0000${v.server.version}`, v);

  for (const { server, state } of latest.values()) {
    const { name, version } = server;
    const ref: VersionRef = { name, version };
    const existing = byName.get(name);
    if (existing && !existing.provenance) {
      conflict(name, 'a local entry of the same name (local entries win)');
      continue;
    }
    if (existing?.provenance && existing.provenance.source !== source.id) {
      conflict(name, `mirrored from source "${existing.provenance.source}", which comes first`);
      continue;
    }
    const owner = byCollisionKey.get(collisionKey(name));
    if (owner !== undefined && owner !== name) {
      conflict(name, `differs only in letter case from ${owner}, already in entries/`);
      continue;
    }
    const pathProblems = checkEntryPath(`entries/${name}/${version}/server.json`).problems;
    if (pathProblems.length > 0 || name.split('/').length !== 2) {
      summary.problems.push(problem({
        severity: 'warning', code: 'sync-version-unstorable', file: source.from, jsonPath: `${name}@${version}`,
        message: `cannot be stored as entries/${name}/${version}/server.json: ${pathProblems[0]?.message ?? 'the name needs exactly one "/"'}`,
        hint: 'Nothing to do: the version is skipped. The upstream registry accepted a name or version this layout cannot hold.',
      }));
      continue;
    }
    const status = state?.status ?? 'active';
    // A server this source already mirrors, or one an earlier row of this read added.
    const mirror = existing || mirrors.has(name) ? mirrorOf(name) : undefined;
    const present = mirror?.files.has(version) ?? false;
    if (!decide(policySubject(server, status)).admitted) {
      if (present && status === 'deleted') {
        // A deletion always arrives, even where the policy keeps deleted versions out: readers of this registry
        // must learn that the version is gone.
        countStateChange(applyState(mirror!, version, state), state, ref, summary);
      } else if (present) {
        removeVersion(mirror!, version);
        summary.removed.push(ref);
      } else summary.skippedByPolicy++;
      continue;
    }
    const changed = !present || JSON.stringify(mirror!.files.get(version)) !== JSON.stringify(server);
    const size = changed ? Buffer.byteLength(formatServerJson(server)) : 0;
    if (size > MAX_SERVER_JSON_BYTES) {
      // Validation and the build refuse a larger server.json, so writing it would break the registry.
      summary.problems.push(problem({
        severity: 'warning', code: 'sync-version-too-large', file: source.from, jsonPath: `${name}@${version}`,
        message: `its server.json would be ${size.toLocaleString('en-US')} bytes, over the limit of ${MAX_SERVER_JSON_BYTES.toLocaleString('en-US')} bytes that validation and the build enforce`,
        hint: `Nothing to do: the version is skipped${present ? ' and the copy mirrored before is kept' : ''}. Tell the upstream registry's operators.`,
      }));
      continue;
    }
    const target = mirror ?? mirrorOf(name);
    byCollisionKey.set(collisionKey(name), name);
    if (!present) {
      writeVersion(target, server);
      if (state) target.provenance.versions[version] = state;
      summary.added.push(ref);
    } else if (changed) {
      writeVersion(target, server);
      applyState(target, version, state);
      summary.updated.push(ref);
    } else countStateChange(applyState(target, version, state), state, ref, summary);
  }

  // Versions already mirrored from this source that the policy no longer admits go; in a full read, so do those
  // the source no longer has at all.
  for (const server of input.servers) {
    if (server.provenance?.source !== source.id) continue;
    for (const { version, server: json } of server.versions) {
      if (latest.has(`${server.name}\u0000${version}`)) continue; // decided above, on the upstream's current document
      const status = server.provenance.versions[version]?.status ?? 'active';
      const gone = input.mode === 'full';
      if (gone || (!decide(policySubject(json, status)).admitted && status !== 'deleted')) {
        removeVersion(mirrorOf(server.name), version);
        summary.removed.push({ name: server.name, version });
      }
    }
  }

  const ops: FileOp[] = [];
  for (const mirror of [...mirrors.values()].sort((a, b) => compareBytewise(a.name, b.name))) {
    if (!mirror.touched) continue;
    ops.push(...mirrorOps(mirror, byName.get(mirror.name)));
  }
  summary.files = [...new Set(ops.map((op) => `${input.entriesPrefix}/${'write' in op ? op.write : op.remove}`))];
  return { ops, summary };
}

/** Records the version's new upstream state; returns whether it differs from the one recorded before. */
function applyState(mirror: MirrorState, version: string, state: UpstreamState | undefined): { changed: boolean; before?: UpstreamState } {
  const before = mirror.provenance.versions[version];
  if (!state || (before && JSON.stringify(before) === JSON.stringify(state))) return { changed: false };
  mirror.provenance.versions[version] = state;
  mirror.touched = true;
  return before ? { changed: true, before } : { changed: true };
}

/** A changed state of an unchanged document: a status change, or else an update (a message, a time). */
function countStateChange(result: ReturnType<typeof applyState>, state: UpstreamState | undefined, ref: VersionRef, summary: SyncPlan['summary']): void {
  if (!result.changed) return;
  if (result.before && state && result.before.status !== state.status) summary.statusChanged.push({ ...ref, from: result.before.status, to: state.status });
  else summary.updated.push(ref);
}

function writeVersion(mirror: MirrorState, server: ServerJson): void {
  mirror.files.set(server.version, server);
  mirror.written.add(server.version);
  mirror.touched = true;
}

function removeVersion(mirror: MirrorState, version: string): void {
  mirror.files.delete(version);
  mirror.written.delete(version);
  delete mirror.provenance.versions[version];
  mirror.touched = true;
}

/** The writes and removals that turn the server's folder into the mirror's state. */
function mirrorOps(mirror: MirrorState, existing: ServerEntry | undefined): FileOp[] {
  const ops: FileOp[] = [];
  for (const [version, server] of mirror.files) if (mirror.written.has(version)) ops.push({ write: `${mirror.name}/${version}/server.json`, content: formatServerJson(server) });
  for (const { version } of existing?.versions ?? []) if (!mirror.files.has(version)) ops.push({ remove: `${mirror.name}/${version}/server.json` });
  const provenanceFile = `${mirror.name}/${PROVENANCE_FILE_NAME}`;
  if (mirror.files.size === 0) {
    ops.push({ remove: provenanceFile });
    // The fork's status file of a server that is gone would be an orphan that stops the build.
    if (existing?.statusFile) ops.push({ remove: existing.statusFile.file });
  }
  else ops.push({ write: provenanceFile, content: formatProvenance(mirror.provenance) });
  return ops;
}
