// The validator: every check over the entries tree (or the entries a change touches), as one report.
// read files → per-document checks (schema, rules) → registry-wide checks → change checks → positions, order.

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { effectiveStatus, parseStatusFile } from '../entries/status-file.ts';
import { compareBytewise } from '../query/compare.ts';
import type { StatusFile } from '../model.ts';
import type { Problem } from '../problems.ts';
import { readServerJson } from './read-json.ts';
import { checkChanges, parseNameStatus, type FileChange } from './rules/changes.ts';
import { checkRegistry } from './rules/registry.ts';
import { checkServerRules, checkVersionCount } from './rules/server-json.ts';
import { checkSchema } from './schema-check.ts';
import { scanEntriesTree } from './tree.ts';
import type { ServerDocument, ValidationReport } from './types.ts';

export interface ValidateOptions {
  /** Repository root; paths in the report are relative to it. */
  root: string;
  /** Entries folder relative to root. */
  entriesDir?: string;
  /** Git ref to check the change against (published files immutable, nothing outside entries/). */
  base?: string;
  /** Only these repository-relative files or folders are checked (plus what they collide with). */
  paths?: string[];
}

function gitChanges(root: string, base: string): FileChange[] {
  // The working tree against the base: in CI that is the PR's merge commit, locally it includes uncommitted work.
  const diff = execFileSync('git', ['diff', '--name-status', '-z', '--no-renames', base, '--'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  const untracked = execFileSync('git', ['ls-files', '-z', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  return [...parseNameStatus(diff), ...untracked.split('\0').filter(Boolean).map((file) => ({ kind: 'A' as const, file }))];
}

function selected(file: string, paths: readonly string[] | undefined): boolean {
  if (!paths) return true;
  return paths.some((p) => file === p || file.startsWith(p.endsWith('/') ? p : `${p}/`));
}

/** Fills in line and column from the document's positions, where a check gave only a JSON path. */
function withPosition(problem: Problem, docs: ReadonlyMap<string, ServerDocument>): Problem {
  if (problem.line !== undefined || problem.jsonPath === undefined || !problem.file) return problem;
  const position = docs.get(problem.file)?.json.locate(problem.jsonPath);
  return position ? { ...problem, ...position } : problem;
}

/**
 * Schema and rule problems of one document. Where a rule speaks about the same value as the schema (a package
 * version of "latest", an unsupported transport type), the rule's message is the more specific one: keep only it.
 */
function documentProblems(doc: ServerDocument): Problem[] {
  const rules = checkServerRules(doc);
  const ruled = new Set(rules.filter((p) => p.severity === 'error').map((p) => p.jsonPath));
  const schema = checkSchema(doc).filter((p) => p.severity !== 'error' || !ruled.has(p.jsonPath));
  return [...schema, ...rules];
}

function problemOrder(a: Problem, b: Problem): number {
  return compareBytewise(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)
    || compareBytewise(a.code, b.code) || compareBytewise(a.jsonPath ?? '', b.jsonPath ?? '') || compareBytewise(a.message, b.message);
}

export function validateRegistry(options: ValidateOptions): ValidationReport {
  const entriesDir = options.entriesDir ?? 'entries';
  const changes = options.base ? gitChanges(options.root, options.base) : undefined;
  // With a base and no explicit paths, the change decides what is checked in depth.
  const paths = options.paths?.map((p) => path.relative(options.root, path.resolve(options.root, p)))
    ?? changes?.filter((c) => c.kind !== 'D').map((c) => c.file);
  const tree = scanEntriesTree(options.root, entriesDir);
  const problems: Problem[] = [...tree.problems];

  const statusFiles = new Map<string, StatusFile>();
  for (const file of tree.statusFiles) {
    const parsed = parseStatusFile(file.file, file.bytes.toString('utf8'));
    statusFiles.set(path.posix.dirname(file.file), parsed.statusFile);
    if (selected(file.file, paths)) problems.push(...parsed.problems);
  }

  const docs = new Map<string, ServerDocument>();
  const versionsPerServer = new Map<string, number>();
  for (const entry of tree.documents) {
    const read = readServerJson(entry.file, entry.bytes);
    const value = read.json.value;
    const server = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    const doc: ServerDocument = { file: entry.file, pathName: entry.pathName, pathVersion: entry.pathVersion, json: read.json, server };
    docs.set(entry.file, doc);
    versionsPerServer.set(entry.pathName, (versionsPerServer.get(entry.pathName) ?? 0) + 1);
    if (!selected(entry.file, paths)) continue;
    problems.push(...read.problems);
    if (server) problems.push(...documentProblems(doc));
  }
  for (const [name, count] of versionsPerServer) problems.push(...checkVersionCount(name, count));

  const isDeleted = (name: string, version: string): boolean => {
    const statusFile = statusFiles.get(path.posix.join(entriesDir, name));
    return effectiveStatus(statusFile, version).status === 'deleted';
  };
  const registryProblems = checkRegistry([...docs.values()], isDeleted);
  problems.push(...registryProblems.filter((p) => !p.file || selected(p.file, paths)));
  if (changes) problems.push(...checkChanges(changes, entriesDir));

  const groups = (codes: string[]): boolean => !problems.some((p) => p.severity === 'error' && codes.some((c) => p.code.startsWith(c)));
  const publishes = (changes ? changes.filter((c) => c.kind === 'A').map((c) => c.file) : [...docs.keys()])
    .map((file) => docs.get(file))
    .filter((doc): doc is ServerDocument => doc !== undefined)
    .map((doc) => ({ name: doc.pathName, version: doc.pathVersion, file: doc.file }));
  return {
    problems: problems.map((p) => withPosition(p, docs)).sort(problemOrder),
    publishes,
    checks: [
      { id: 'files', ran: true, passed: groups(['file-', 'json-', 'path-', 'tree-', 'entry-', 'status-']) },
      { id: 'schema', ran: true, passed: groups(['schema-']) },
      { id: 'rules', ran: true, passed: groups(['rule-']) },
      { id: 'registry', ran: true, passed: groups(['registry-', 'rule-name-case', 'rule-remote-url']) },
      { id: 'changes', ran: changes !== undefined, passed: groups(['change-']) },
      { id: 'ownership', ran: false, passed: false },
      { id: 'packages', ran: false, passed: false },
    ],
  };
}
