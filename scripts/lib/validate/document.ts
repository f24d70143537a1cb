// One server.json under the entries folder, read and checked on its own: the per-document stage of the validator,
// shared by validate.ts and the worker that checks half of a large registry (scan-worker.ts).

import type { Problem } from '../problems.ts';
import { readServerJson } from './read-json.ts';
import { checkPathMatchesContent } from './rules/path-match.ts';
import { checkServerRules } from './rules/server-json.ts';
import { checkSchema } from './schema-check.ts';
import type { ScannedDocument } from './tree.ts';
import type { ServerDocument } from './types.ts';

export function readDocument(entry: ScannedDocument, bytes: Buffer): { doc: ServerDocument; problems: Problem[] } {
  const read = readServerJson(entry.file, bytes);
  const value = read.json.value;
  const server = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  return { doc: { file: entry.file, pathName: entry.pathName, pathVersion: entry.pathVersion, json: read.json, server }, problems: read.problems };
}

/**
 * Schema and rule problems of one document. Where a rule speaks about the same value as the schema (a package
 * version of "latest", an unsupported transport type), the rule's message is the more specific one: keep only it.
 */
export function documentProblems(doc: ServerDocument): Problem[] {
  const rules = [...checkPathMatchesContent(doc), ...checkServerRules(doc)];
  const ruled = new Set(rules.filter((p) => p.severity === 'error').map((p) => p.jsonPath));
  const schema = checkSchema(doc).filter((p) => p.severity !== 'error' || !ruled.has(p.jsonPath));
  return [...schema, ...rules];
}

/** Fills in line and column from the document's positions, where a check gave only a JSON path. */
export function withPosition(problem: Problem, docs: ReadonlyMap<string, Pick<ServerDocument, 'json'>>): Problem {
  if (problem.line !== undefined || problem.jsonPath === undefined || !problem.file) return problem;
  const position = docs.get(problem.file)?.json.locate(problem.jsonPath);
  return position ? { ...problem, ...position } : problem;
}
