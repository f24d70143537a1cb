// The plain data that flows through the pipeline: load → validate → verify → build → serve.

import type { Provenance } from './sync/types.ts';

export type Status = 'active' | 'deprecated' | 'deleted';
export const STATUSES: readonly Status[] = ['active', 'deprecated', 'deleted'];

/** A server.json as published. Only the fields the build relies on are typed. */
export interface ServerJson {
  name: string;
  version: string;
  description: string;
  [key: string]: unknown;
}

/** One published version: `entries/<namespace>/<server>/<version>/server.json`. */
export interface PublishedVersion {
  /** Path relative to the entries root, always with `/`. */
  file: string;
  /** The `<version>` directory name. */
  version: string;
  server: ServerJson;
}

export interface StatusSetting {
  status?: Status;
  statusMessage?: string;
}

/** The registry-managed state of one server: `entries/<namespace>/<server>/server.md`. */
export interface StatusFile extends StatusSetting {
  file: string;
  versions: Record<string, StatusSetting>;
  /** Markdown body: the long description shown on the site. */
  body: string;
  /** The line of the file the body starts on (1 when absent), so problems in the body point into the file. */
  bodyLine?: number;
  /** This registry's own data about the server, served under registry.yaml's `metaKey` in `_meta`. */
  annotations?: Record<string, unknown>;
}

export interface ServerEntry {
  /** `<namespace>/<server>`, from the directory names. */
  name: string;
  versions: PublishedVersion[];
  statusFile?: StatusFile;
  /** `entries/<namespace>/<server>/upstream.json` of a server mirrored from an upstream registry. */
  provenance?: Provenance & { file: string };
}

/** `_meta["io.modelcontextprotocol.registry/official"]`, field order as the official registry emits it. */
export interface OfficialMeta {
  status: Status;
  statusChangedAt: string;
  statusMessage?: string;
  publishedAt: string;
  updatedAt: string;
  isLatest: boolean;
}

/** One row of the registry: a server version with its registry metadata. */
export interface RegistryRecord {
  name: string;
  version: string;
  server: ServerJson;
  official: OfficialMeta;
  /** Further `_meta` keys after the official one: this registry's annotations under its registry.yaml metaKey. */
  meta?: Record<string, unknown>;
}

export const OFFICIAL_META_KEY = 'io.modelcontextprotocol.registry/official';
