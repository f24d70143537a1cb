// The plain data of `npm run sync`: the sources and policy of registry.yaml, what a source yields, the provenance
// file a mirrored server carries, and the summary a sync reports.

import type { Problem } from '../problems.ts';
import type { ServerJson, Status } from '../model.ts';

/** One upstream in registry.yaml: an MCP Registry API (`url`) or a local file of server versions (`file`). */
export interface SourceConfig {
  /** Short name, `[a-z0-9][a-z0-9-]*`: the key of the checkpoint, the provenance files and the pull request branch. */
  id: string;
  url?: string;
  /** Relative to the repository root. */
  file?: string;
  /** For a `url` source: the environment variable whose value is sent as `Authorization: Bearer …`. */
  tokenEnv?: string;
}

/** A policy rule: every field given must match (values in a list: any of them). */
export interface PolicyRule {
  /** Patterns over the part of the name before `/` (`*` matches any run of characters). */
  namespace?: string[];
  /** Patterns over the whole name. */
  name?: string[];
  registryType?: string[];
  transport?: string[];
  kind?: Array<'local' | 'remote'>;
  status?: Status[];
}

import type { MergePolicy } from '../merge-policy.ts';

export interface Policy {
  allow: PolicyRule[];
  deny: PolicyRule[];
}

/** registry.yaml */
export interface RegistryConfig {
  /** Where the file was read from (repository root = its folder). */
  file: string;
  /** Reverse-DNS `_meta` key for this registry's own annotations. */
  metaKey?: string;
  sources: SourceConfig[];
  policy: Policy;
  /** When the PR bot merges by itself (merge-policy.ts). */
  pullRequests: MergePolicy;
}

/** The registry metadata a source gives a version (the official `_meta` object, minus isLatest). */
export interface UpstreamState {
  status: Status;
  statusChangedAt: string;
  statusMessage?: string;
  publishedAt: string;
  updatedAt: string;
}

/** One server version read from a source. `state` is absent for a local file of bare server.json documents. */
export interface UpstreamVersion {
  server: ServerJson;
  state?: UpstreamState;
}

export const PROVENANCE_FILE_NAME = 'upstream.json';

/** `entries/<namespace>/<server>/upstream.json`, written by the sync only. */
export interface Provenance {
  /** The source's id in registry.yaml. */
  source: string;
  /** Its URL, or its file path. */
  from: string;
  /** Per version (bytewise order), the upstream state. */
  versions: Record<string, UpstreamState>;
}

export interface VersionRef {
  name: string;
  version: string;
}

export interface StatusChange extends VersionRef {
  from: Status;
  to: Status;
}

export interface Conflict {
  name: string;
  /** What kept the upstream server out, e.g. "a local entry of the same name" or "source official has it". */
  reason: string;
}

export interface SourceSummary {
  id: string;
  from: string;
  mode: 'full' | 'incremental';
  /** The `updated_since` sent, for an incremental read of an API. */
  updatedSince?: string;
  /** HTTP requests made, retries included. */
  requests: number;
  /** Server versions the source yielded. */
  fetched: number;
  added: VersionRef[];
  updated: VersionRef[];
  statusChanged: StatusChange[];
  /** Versions taken out because the policy no longer admits them. */
  removed: VersionRef[];
  /** Versions the policy kept out. */
  skippedByPolicy: number;
  conflicts: Conflict[];
  /** Versions that could not be stored (a version string that is no folder name, an invalid document). */
  problems: Problem[];
  /** Repository-relative paths this source's changes wrote or removed. */
  files: string[];
}

export interface SyncSummary {
  sources: SourceSummary[];
}
