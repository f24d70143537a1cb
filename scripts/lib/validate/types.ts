// The plain data the validator works on. Stages: read files (read-json.ts, tree.ts) → check each server.json
// (schema-check.ts, rules/server-json.ts) → check the registry as a whole (rules/registry.ts) → check the change
// against a base ref (rules/changes.ts) → report (report/*.ts). Every check returns Problem values, never throws.

import type { Problem } from '../problems.ts';

/** Where a JSON pointer sits in the file, 1-based. */
export interface Position {
  line: number;
  column: number;
}

/** A JSON file parsed with positions. `value` is undefined when the file could not be parsed at all. */
export interface ParsedJson {
  value: unknown;
  /** Position of the value at a JSON pointer (`/packages/0/version`), or of its nearest existing parent. */
  locate(pointer: string): Position | undefined;
}

/** One `server.json` under entries/, read and parsed. `file` is relative to the repository root. */
export interface ServerDocument {
  file: string;
  /** `<namespace>/<server>` and `<version>` from the path. */
  pathName: string;
  pathVersion: string;
  json: ParsedJson;
  /** The parsed object, or undefined when the file is not a JSON object. */
  server: Record<string, unknown> | undefined;
}

/** A check of one document: pure, returns problems with `jsonPath` set; positions are filled in later. */
export type DocumentCheck = (doc: ServerDocument) => Problem[];

/** What `npm run validate` found. */
export interface ValidationReport {
  problems: Problem[];
  /** Names and versions the change publishes (with --base) or the registry holds. */
  publishes: Array<{ name: string; version: string; file: string }>;
  /** Which groups of checks ran, and whether each passed: the PR comment's checklist. */
  checks: Array<{ id: 'files' | 'schema' | 'rules' | 'registry' | 'changes' | 'ownership' | 'packages'; passed: boolean; ran: boolean }>;
}
