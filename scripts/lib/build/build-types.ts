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

