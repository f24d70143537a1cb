// What a build takes and gives back (leaf module: the build's stages share it).

import type { RegistryRecord } from '../model.ts';
import type { Problem } from '../problems.ts';

export interface BuildOptions {
  entriesDir: string;
  outDir: string;
  env?: NodeJS.ProcessEnv;
  /** registry.yaml (its metaKey names the `_meta` key of annotations); default: beside the entries folder. */
  configFile?: string;
  /**
   * The build cache folder (build/cache.ts): read to build incrementally when it describes `outDir`, and written
   * after every build. `true` for the default (`<out>.cache`); absent: no cache, always a full build.
   */
  cache?: string | true;
  /** With a cache: build everything anyway (and write a fresh cache). */
  full?: boolean;
  /** false: the result's `records` stays empty (a full build then never holds every row at once). Default true. */
  keepRecords?: boolean;
}

export interface BuildChanges {
  /** Output files written (compressed variants included), relative to the output folder. */
  changed: string[];
  /** Output files removed. */
  removed: string[];
}

export interface BuildResult {
  /** The rows rendered: every row in a full build, the changed servers' rows in an incremental one. */
  records: RegistryRecord[];
  servers: number;
  versions: number;
  /** Files of the output (compressed variants not counted) and their bytes, as this build wrote them. */
  files: number;
  bytes: number;
  /** Warnings only: a build with errors throws ProblemsError and writes nothing. */
  problems: Problem[];
  /** How the build went: full (and why, when a cache was given) or incremental (with what it changed). */
  mode: { kind: 'full'; reason?: string } | { kind: 'incremental'; servers: number; changes: BuildChanges };
}

/**
 * Everything the registry-wide files need to know about one server, each part as text (JSON, or a number): a build
 * keeps 20,000 of these, an incremental build reads them all from its cache and writes them back, and each consumer
 * parses only the parts it needs, of the servers it needs them for (the row index a few chunks', the search thread
 * the documents). Empty text stands for an absent part.
 */
export interface ServerSummary {
  name: string;
  /** Its number of versions. */
  rowCount: string;
  /** JSON: the rows after which the row index may end a chunk (row-chunks.ts naturalCuts). */
  cuts: string;
  /**
   * JSON: RowSummary[] (api-files.ts), every version in version order. With `files`, only the row index and the
   * retiring of files need it, so the cache keeps both apart (`details`) and a cached server has neither.
   */
  rows?: string;
  /** JSON: its line in the site's lists (ResultSummary); empty when every version is deleted. */
  site: string;
  /** JSON: its search document (SearchDocument); empty when its latest version is deleted. */
  search: string;
  /** JSON: every output path its own files take (without compressed variants). */
  files?: string;
  /** JSON: warnings about its entries, reported again by builds that do not read them; empty when none. */
  warnings: string;
  /**
   * Its item in /v0.1/servers as served (the latest version when live), or empty; absent for a server taken from
   * the cache, whose item is taken from the previous /v0.1/servers by its place and length (registry-api-files.ts).
   */
  item?: string;
  /** The item's length in bytes, "0" when it has none. */
  itemBytes: string;
  /** Where the cache keeps its rows and files (build/cache.ts); empty until the cache is written. */
  details: string;
}

/** The parts in the order the cache's lines hold them (build/cache.ts). */
export const SUMMARY_PARTS = ['name', 'rowCount', 'cuts', 'itemBytes', 'site', 'search', 'warnings', 'details'] as const satisfies ReadonlyArray<keyof ServerSummary>;
