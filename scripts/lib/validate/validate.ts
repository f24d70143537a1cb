// The validator: every check over the entries tree (or the entries a change touches), as one report.
// read files → per-document checks (schema, rules) → registry-wide checks → change checks → positions, order.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { effectiveStatus, parseStatusFile, STATUS_FILE_NAME } from '../entries/status-file.ts';
import { SERVER_FILE_NAME, serverNameOf } from '../entries/load.ts';
import { annotationProblems, CONFIG_FILE_NAME, loadRegistryConfig } from '../sync/config.ts';
import { renderLongDescription } from '../site/markdown.ts';
import { parseProvenance } from '../sync/provenance.ts';
import { PROVENANCE_FILE_NAME } from '../sync/types.ts';
import { compareBytewise } from '../query/compare.ts';
import type { StatusFile } from '../model.ts';
import { problem, type Problem } from '../problems.ts';
import { decodeTextFile, MAX_PROVENANCE_FILE_BYTES, MAX_STATUS_FILE_BYTES, readServerJson } from './read-json.ts';
import { checkChanges, parseNameStatus, type FileChange } from './rules/changes.ts';
import { checkChangeOwnership, gitBaseReader, type OwnershipVerifiers } from '../ownership/change-ownership.ts';
import { privateKeyProblemsInFiles } from './rules/private-key.ts';
import { checkRegistry } from './rules/registry.ts';
import { checkServerRules, checkVersionCount } from './rules/server-json.ts';
import { documentProblems, readDocument, withPosition } from './document.ts';
import { scanInParallel } from './parallel-scan.ts';
import type { CheckedVersion } from './check-version.ts';
import { checkSchema } from './schema-check.ts';
import { scanEntriesTree, type EntriesTree, type ScannedDocument } from './tree.ts';
import { runGit } from '../history/run-git.ts';
import type { ServerDocument, ValidationReport } from './types.ts';

export interface ValidateOptions {
  /** Repository root; paths in the report are relative to it. */
  root: string;
  /** Entries folder relative to root. */
  entriesDir?: string;
  /** Git ref to check the change against (published files immutable, nothing outside entries/). */
  base?: string;
  /**
   * With `base`: whether the change is only what is committed (base..HEAD), not also uncommitted and untracked files.
   * For a fresh checkout of the commit being checked (CI's merge of a pull request), where the working tree cannot
   * differ: finding that out costs git a pass over every file and folder of the working tree, which is most of the
   * time a one-version check takes on a large registry.
   */
  committedOnly?: boolean;
  /** Fewest namespace folders for which the whole registry is checked on two threads (parallel-scan.ts); Infinity: one. */
  parallelFrom?: number;
  /** Namespace folders (by index in bytewise order) the second thread walks whoever reaches them first (tests). */
  parallelReserved?: (index: number) => boolean;
  /** Only these repository-relative files or folders are checked (plus what they collide with). */
  paths?: string[];
  /**
   * registry.yaml to read; default: the one beside the entries folder. The trusted PR job passes its own checkout's,
   * so that nothing outside the PR's entries is read from the PR's folder.
   */
  configFile?: string;
  /** Who may make the change (needs `base`): the pull request's author and the proof verifiers. */
  ownership?: OwnershipVerifiers;
  /**
   * Checks that the packages and remotes of the versions being published exist and point back (network; see
   * scripts/lib/packages/verify.ts). With `base`, the versions the change adds; otherwise the checked paths.
   */
  packages?: (doc: { file: string; server: Record<string, unknown> }) => Promise<Problem[]>;
}

/**
 * What the change touches, as git sees it, without walking the entries tree in JavaScript: commits since the base
 * (a tree diff), and unless only commits count, uncommitted edits to tracked files and untracked files (what
 * `git add --all` would add); git tells those from the index's stat data, without reading unchanged files.
 */
interface GitView {
  committed: FileChange[];
  uncommitted: FileChange[];
  untracked: string[];
}

async function gitView(root: string, base: string, entriesDir: string, committedOnly: boolean): Promise<GitView> {
  const top = entriesDir.split('/')[0];
  // Untracked files outside entries/ too, named one by one: an exclude pathspec would still make git walk the
  // entries tree twice.
  const outsideEntries = committedOnly ? [] : readdirSync(root).filter((name) => name !== top && name !== '.git');
  const [committed, uncommitted, others] = await Promise.all([
    runGit(root, ['diff', '--name-status', '-z', '--no-renames', base, 'HEAD', '--']),
    committedOnly ? '' : runGit(root, ['diff', '--name-status', '-z', '--no-renames', 'HEAD', '--']),
    committedOnly ? '' : runGit(root, ['ls-files', '-z', '--others', '--exclude-standard', '--', entriesDir, ...outsideEntries]),
  ]);
  return { committed: parseNameStatus(committed), uncommitted: parseNameStatus(uncommitted), untracked: others.split('\0').filter(Boolean) };
}

/**
 * The files, in the merged result, of the servers whose names differ from `names` at most by case (the names
 * themselves included): HEAD's, found by listing two levels of trees (the entries folder's namespaces, then the
 * matching namespaces' servers: a few small tree reads, where any `git ls-files` reads the whole index, 0.3 s at
 * 100,000 versions), less those the working tree deletes, plus those it adds (staged or not) and untracked ones.
 * Names are compared with ASCII letters folded, as git folds them; a name with any other letter takes the whole
 * entries folder.
 */
async function filesOfNamesLike(root: string, entriesDir: string, names: readonly string[], git: GitView): Promise<string[]> {
  if (names.length === 0) return [];
  const fold = (text: string): string => text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  const list = async (args: string[]): Promise<string[]> => (await runGit(root, ['ls-tree', '-z', '--name-only', ...args])).split('\0').filter(Boolean);
  const prefix = `${entriesDir}/`;
  let folders: string[];
  if (names.some((name) => /[^\x20-\x7e]/.test(name))) folders = [entriesDir];
  else {
    const namespaces = new Set(names.map((name) => fold(name.slice(0, name.indexOf('/')))));
    const matching = (await list(['HEAD', '--', prefix])).filter((folder) => namespaces.has(fold(folder.slice(prefix.length))));
    const wanted = new Set(names.map(fold));
    // Folder names come from the pull request's tree: literal, so that none reads as a pattern.
    const servers = matching.length ? await list(['HEAD', '--', ...matching.map((folder) => `:(literal)${folder}/`)]) : [];
    folders = servers.filter((folder) => wanted.has(fold(folder.slice(prefix.length))));
  }
  const gone = new Set(git.uncommitted.filter((c) => c.kind === 'D').map((c) => c.file));
  const files = folders.length ? (await list(['-r', '--full-tree', 'HEAD', '--', ...folders.map((folder) => `:(literal)${folder}/`)])).filter((file) => !gone.has(file)) : [];
  const wanted = new Set(names.map(fold));
  const known = new Set(files);
  for (const file of [...git.uncommitted.filter((c) => c.kind !== 'D').map((c) => c.file), ...git.untracked]) {
    const name = file.startsWith(prefix) ? serverNameOf(file.slice(prefix.length)) : '';
    if (wanted.has(fold(name)) && !known.has(file)) (files.push(file), known.add(file));
  }
  return files;
}

/**
 * Where a validation of the entries folder `entries` (as typed, relative to `cwd`) runs: the root its report's paths
 * are relative to, and the entries folder relative to that root. Git must run in the repository that holds the
 * entries, which need not be the one the command was started in (a registry kept in its own repository): the root
 * is that repository's top level; outside any repository, `cwd` when the entries are inside it, else their parent.
 */
export function entriesLocation(entries: string, cwd: string): { root: string; entriesDir: string; inGit: boolean } {
  let absolute = path.resolve(cwd, entries);
  try {
    absolute = realpathSync(absolute);
  } catch {
    // A missing folder is reported by the scan (file-entries-missing), from the path as typed.
  }
  let top: string | undefined;
  try {
    top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: absolute, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    top = undefined; // no git, not a repository, or no such folder
  }
  const inside = (root: string) => {
    const relative = path.relative(root, absolute);
    return !relative.startsWith('..') && !path.isAbsolute(relative) && relative !== '' ? relative : undefined;
  };
  const root = top && inside(top) ? top : inside(cwd) ? cwd : path.dirname(absolute);
  return { root, entriesDir: inside(root)!.split(path.sep).join('/'), inGit: root === top };
}

/**
 * Which paths under the entries folder (relative to it) a focused walk enters: the namespace and server folders of
 * `focus` (repository-relative files or folders), and files beside them. Undefined when the whole folder is in focus.
 */
function focusWithin(entriesDir: string, focus: readonly string[]): ((relative: string) => boolean) | undefined {
  const namespaces = new Set<string>();
  const servers = new Set<string>();
  const wholeNamespaces = new Set<string>();
  for (const file of focus) {
    if (file === entriesDir || entriesDir.startsWith(`${file}/`)) return undefined;
    if (!file.startsWith(`${entriesDir}/`)) continue;
    const [namespace, server] = file.slice(entriesDir.length + 1).split('/');
    namespaces.add(namespace!);
    if (server === undefined) wholeNamespaces.add(namespace!);
    else servers.add(`${namespace}/${server}`);
  }
  return (relative) => {
    const slash = relative.indexOf('/');
    return slash < 0 ? namespaces.has(relative) : servers.has(relative) || wholeNamespaces.has(relative.slice(0, slash));
  };
}

/** The versions among repository-relative paths, by what their path says, outside the servers `skip` names. */
function versionsFromPaths(files: Iterable<string>, entriesDir: string, skip: (pathName: string) => boolean): ScannedDocument[] {
  const documents: ScannedDocument[] = [];
  const prefix = `${entriesDir}/`;
  for (const file of files) {
    if (!file.startsWith(prefix)) continue;
    const parts = file.slice(prefix.length).split('/');
    const pathName = `${parts[0]}/${parts[1]}`;
    if (parts.length === 4 && parts[3] === SERVER_FILE_NAME && !skip(pathName)) documents.push({ file, pathName, pathVersion: parts[2]! });
  }
  return documents;
}

/** Which of these server folders have an upstream.json in `ref`: one `git cat-file --batch-check` for all. */
async function serversMirroredAt(root: string, ref: string, serverDirs: readonly string[]): Promise<Set<string>> {
  // One path a line: a name with a line break (never a valid entry) cannot be asked about, so it counts as not mirrored.
  const dirs = [...new Set(serverDirs)].filter((dir) => !/[\r\n]/.test(dir));
  if (dirs.length === 0) return new Set();
  const out = (await runGit(root, ['cat-file', '--batch-check=%(objecttype)'], {
    input: dirs.map((dir) => `${ref}:${dir}/${PROVENANCE_FILE_NAME}`).join('\n') + '\n',
  })).split('\n');
  return new Set(dirs.filter((_, i) => out[i] === 'blob'));
}

/** Changes since the base: committed, uncommitted, and untracked files. */
function mergeChanges(committed: FileChange[], uncommitted: FileChange[], untracked: string[]): FileChange[] {
  const byFile = new Map<string, FileChange>();
  for (const change of [...committed, ...uncommitted]) {
    const earlier = byFile.get(change.file);
    // Added since the base stays "added" whatever happened to it afterwards, unless it is gone again.
    byFile.set(change.file, earlier?.kind === 'A' && change.kind !== 'D' ? earlier : change);
  }
  for (const file of untracked) if (!byFile.has(file)) byFile.set(file, { kind: 'A', file });
  return [...byFile.values()].sort((a, b) => compareBytewise(a.file, b.file));
}

/** True when one path lies inside the other (or they are equal). */
function touches(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}


function remoteUrls(docs: Iterable<ServerDocument>): string[] {
  const urls = new Set<string>();
  for (const doc of docs) {
    const remotes = doc.server?.remotes;
    if (!Array.isArray(remotes)) continue;
    for (const remote of remotes) {
      const url = (remote as { url?: unknown } | null)?.url;
      if (typeof url === 'string' && url) urls.add(url);
    }
  }
  return [...urls];
}

/**
 * The tracked files that may use one of these remote URLs: those that contain the URL's text, found with one
 * `git grep` over the working tree (the one pass over every version, and only when the checked versions list a
 * remote). Undefined without git: then every version may.
 */
async function filesMentioning(root: string, entriesDir: string, urls: readonly string[], inGit: boolean): Promise<Set<string> | undefined> {
  if (urls.length === 0) return new Set();
  // git grep exits 1 when nothing matches.
  const grep = runGit(root, ['grep', '-l', '-z', '-F', ...urls.flatMap((u) => ['-e', u]), '--', entriesDir], { okExitCodes: [1] });
  // In a repository known to be one (a check against a base), a failure is a failure; elsewhere (no git, no
  // repository) it means: read everything.
  if (inGit) return new Set((await grep).split('\0'));
  try {
    return new Set((await grep).split('\0'));
  } catch {
    return undefined;
  }
}

/**
 * Whether a file is one of `paths` or inside one of them; everything is, without paths. A set of the paths and a walk
 * up the file's folders: a sync's pull request names thousands of files, and this runs for every version.
 */
function selector(paths: readonly string[] | undefined): (file: string) => boolean {
  if (!paths) return () => true;
  const set = new Set(paths.map((p) => (p.endsWith('/') ? p.slice(0, -1) : p)));
  return (file) => {
    for (let end = file.length; end > 0; end = file.lastIndexOf('/', end - 1)) if (set.has(end === file.length ? file : file.slice(0, end))) return true;
    return false;
  };
}



function problemOrder(a: Problem, b: Problem): number {
  return compareBytewise(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)
    || compareBytewise(a.code, b.code) || compareBytewise(a.jsonPath ?? '', b.jsonPath ?? '') || compareBytewise(a.message, b.message);
}

/**
 * What the site neutralises on its own (no snippet for client variables, the package type's runner instead of a
 * runtimeHint) is a warning on a mirrored server: the upstream accepted it, and refusing it would stop the fork's
 * sync pull requests from ever passing.
 */
const NEUTRALISED_BY_THE_SITE = new Set(['rule-client-variable', 'rule-package-runtime-hint']);
function asUpstreamValue(p: Problem): Problem {
  if (!NEUTRALISED_BY_THE_SITE.has(p.code) || p.severity !== 'error') return p;
  return { ...p, severity: 'warning', message: `${p.message} (mirrored from an upstream registry: the site gives it no snippet or the package type's own runner)` };
}

export async function validateRegistry(options: ValidateOptions): Promise<ValidationReport> {
  const entriesDir = options.entriesDir ?? 'entries';
  // Explicit paths, or else what the change touches, are checked in depth: those servers are read in full. With a
  // base, git lists the rest of the merged tree (names, versions) and the walk enters only the change; without one,
  // the rest of the tree is listed by the walk. Other versions are read only where a registry-wide check needs them
  // (remote URLs). That keeps a one-version pull request fast on a large registry.
  const explicit = options.paths?.map((p) => path.relative(options.root, path.resolve(options.root, p)));
  const git = options.base ? await gitView(options.root, options.base, entriesDir, options.committedOnly === true) : undefined;
  const changes = git ? mergeChanges(git.committed, git.uncommitted, git.untracked) : undefined;
  let tree: EntriesTree;
  /** Versions another thread read and checked (parallel-scan.ts). */
  let checked: CheckedVersion[] = [];
  /** Which servers the walk entered (by `<namespace>/<server>`), when it did not enter them all. */
  let walked: ((pathName: string) => boolean) | undefined;
  if (git && changes) {
    const focusPaths = explicit ? [...explicit, ...git.untracked] : changes.filter((c) => c.kind !== 'D').map((c) => c.file);
    const within = focusWithin(entriesDir, focusPaths);
    tree = scanEntriesTree(options.root, entriesDir, undefined, within);
    if (within) {
      walked = within;
      // The other servers take part by name only where a name differs from a walked one by case alone.
      const names = [...new Set(tree.documents.map((d) => d.pathName))];
      tree.documents.push(...versionsFromPaths(await filesOfNamesLike(options.root, entriesDir, names, git), entriesDir, within));
    }
  } else {
    const inFocus = explicit && ((name: string): boolean => explicit.some((p) => touches(p, `${entriesDir}/${name}`)));
    // The whole registry, offline: on two cores (the package checks need every value, and wait on the network anyway).
    const parallel = !explicit && !options.packages ? await scanInParallel(options.root, entriesDir, options.parallelFrom, { reserved: options.parallelReserved }) : undefined;
    tree = parallel?.tree ?? scanEntriesTree(options.root, entriesDir, inFocus);
    checked = parallel?.checked ?? [];
  }
  const paths = explicit ?? changes?.filter((c) => c.kind !== 'D').map((c) => c.file);
  const selected = selector(paths);
  const problems: Problem[] = [...tree.problems];
  // A path that names nothing is checked by nothing: that must fail, not pass as "0 errors".
  for (const file of explicit ?? []) {
    if (!existsSync(path.join(options.root, file))) {
      problems.push(problem({ code: 'file-missing', file, message: 'there is no such file or folder', hint: 'Check the path: name a server.json, or a folder under the entries folder.' }));
    } else if (!touches(file.split(path.sep).join('/'), entriesDir) && file !== CONFIG_FILE_NAME) {
      problems.push(problem({
        code: 'file-not-in-entries', file, message: `this is outside the entries folder (${entriesDir}), so none of the registry's checks applies to it`,
        hint: `Check a server.json kept elsewhere with npm run publisher -- validate ${file}, or name a file or folder under ${entriesDir}.`,
      }));
    }
  }

  /** Decodes and parses a server-level text file; its problems count where the check is focused. */
  const readServerFile = <T>(file: { file: string; bytes: Buffer }, limit: number, parse: (file: string, text: string) => { problems: Problem[] } & T): T | undefined => {
    const decoded = decodeTextFile(file.file, file.bytes, limit);
    const mine = selected(file.file);
    if (mine) problems.push(...decoded.problems);
    if (decoded.text === undefined) return undefined;
    const parsed = parse(file.file, decoded.text);
    if (mine) problems.push(...parsed.problems);
    return parsed;
  };

  const statusFiles = new Map<string, StatusFile>();
  for (const file of tree.statusFiles) {
    const parsed = readServerFile(file, MAX_STATUS_FILE_BYTES, parseStatusFile);
    if (parsed) statusFiles.set(path.posix.dirname(file.file), parsed.statusFile);
  }

  // Mirrored servers (npm run sync): their upstream.json, and registry.yaml, which names the sources and metaKey.
  const mirrored = new Set<string>();
  for (const file of tree.provenances) {
    if (readServerFile(file, MAX_PROVENANCE_FILE_BYTES, parseProvenance)?.provenance) mirrored.add(path.posix.dirname(file.file));
  }
  // Beside the entries folder, as the build reads it.
  const config = await loadRegistryConfig(options.configFile ?? path.join(path.dirname(path.resolve(options.root, entriesDir)), CONFIG_FILE_NAME));
  if (!paths || selected(CONFIG_FILE_NAME)) problems.push(...config.problems);
  problems.push(...annotationProblems([...statusFiles.values()].filter((f) => selected(f.file)).map((statusFile) => ({ statusFile })), config.config.metaKey));
  // Each body as the build renders it, with the same function: what the build would refuse is refused here.
  for (const statusFile of statusFiles.values()) if (selected(statusFile.file)) problems.push(...renderLongDescription(statusFile).problems);

  const docs = new Map<string, ServerDocument>();
  const unread: ScannedDocument[] = [];
  const versionsPerServer = new Map<string, number>();
  const ordered: Array<ScannedDocument | CheckedVersion> = checked.length ? [...tree.documents, ...checked].sort((a, b) => compareBytewise(a.file, b.file)) : tree.documents;
  for (const entry of ordered) {
    versionsPerServer.set(entry.pathName, (versionsPerServer.get(entry.pathName) ?? 0) + 1);
    if ('readable' in entry) {
      // Read and checked by the other thread; positions, should a registry-wide problem want one, from the file again.
      if (!entry.readable) continue;
      const file = path.join(options.root, entry.file);
      let located: ServerDocument['json'] | undefined;
      const json = { value: undefined, locate: (pointer: string) => (located ??= readServerJson(entry.file, readFileSync(file)).json).locate(pointer) };
      docs.set(entry.file, { file: entry.file, pathName: entry.pathName, pathVersion: entry.pathVersion, json, server: entry.server });
      if (!selected(entry.file)) continue;
      problems.push(...entry.problems);
      if (entry.documentProblems) problems.push(...(mirrored.has(path.posix.dirname(path.posix.dirname(entry.file))) ? entry.documentProblems.map(asUpstreamValue) : entry.documentProblems));
      continue;
    }
    if (!entry.bytes) {
      unread.push(entry);
      continue;
    }
    const read = readDocument(entry, entry.bytes);
    docs.set(entry.file, read.doc);
    if (!selected(entry.file)) continue;
    problems.push(...read.problems);
    if (read.doc.server) {
      const found = documentProblems(read.doc);
      problems.push(...(mirrored.has(path.posix.dirname(path.posix.dirname(entry.file))) ? found.map(asUpstreamValue) : found));
    }
  }
  for (const [name, count] of versionsPerServer) problems.push(...checkVersionCount(name, count));
  // The build refuses a status or upstream file beside no version (entries/load.ts); the validator must too, or a
  // pull request it passes would break the deployment.
  const orphans: Array<[files: Iterable<string>, code: string, message: string, hint: string]> = [
    [tree.statusFiles.map((f) => f.file), 'status-file-orphan', 'status file for a server with no published version', 'Publish a version beside it, or delete the file.'],
    [tree.provenances.map((f) => f.file), 'provenance-orphan', 'upstream.json for a server with no version folder', 'Delete the file, or run npm run sync to restore the mirrored versions.'],
  ];
  for (const [files, code, message, hint] of orphans) {
    for (const file of files) {
      const name = path.posix.relative(entriesDir, path.posix.dirname(file));
      if (!versionsPerServer.has(name) && selected(file)) problems.push(problem({ code, file, message, hint }));
    }
  }
  // Versions that may share a remote URL with a read one are read too, with their server's status file (whether a
  // version is deleted is its to say); the problems of those files are not this check's.
  // (Nothing is left to read when the walk read every version.)
  const mentioning = unread.length > 0 || walked ? await filesMentioning(options.root, entriesDir, remoteUrls(docs.values()), walked !== undefined) : new Set<string>();
  const candidates = unread.filter((entry) => !mentioning || mentioning.has(entry.file));
  if (mentioning && walked) {
    const known = new Set(unread.map((entry) => entry.file));
    candidates.push(...versionsFromPaths(mentioning, entriesDir, walked).filter((entry) => !known.has(entry.file)));
  }
  for (const entry of candidates) {
    if (docs.has(entry.file)) continue;
    docs.set(entry.file, readDocument(entry, readFileSync(path.join(options.root, entry.file))).doc);
    const statusFile = path.posix.join(entriesDir, entry.pathName, STATUS_FILE_NAME);
    if (!walked || statusFiles.has(path.posix.dirname(statusFile))) continue;
    try {
      const decoded = decodeTextFile(statusFile, readFileSync(path.join(options.root, statusFile)), MAX_STATUS_FILE_BYTES);
      if (decoded.text !== undefined) statusFiles.set(path.posix.dirname(statusFile), parseStatusFile(statusFile, decoded.text).statusFile);
    } catch {
      // None, or unreadable: the version counts as live, as it does when the walk finds its status file broken.
    }
  }

  const isDeleted = (name: string, version: string): boolean => {
    const statusFile = statusFiles.get(path.posix.join(entriesDir, name));
    return effectiveStatus(statusFile, version).status === 'deleted';
  };
  // Versions that were never read still take part by name (case collisions); their content is unknown.
  // Only problems on checked files are kept, so only the names of checked versions can matter: the others' versions
  // are left out before the check rather than after it (a pull request's check stays small on a large registry).
  const checkedNames = paths && new Set([...docs.values(), ...unread].filter((d) => selected(d.file)).map((d) => d.pathName.toLowerCase()));
  const unreadDocs = unread.filter((entry) => !docs.has(entry.file) && (!checkedNames || checkedNames.has(entry.pathName.toLowerCase())))
    .map((entry) => ({ file: entry.file, pathName: entry.pathName, pathVersion: entry.pathVersion, server: undefined }));
  const registryProblems = checkRegistry([...docs.values(), ...unreadDocs], isDeleted);
  problems.push(...registryProblems.filter((p) => !p.file || selected(p.file)));
  if (changes) {
    // Whether a server is mirrored, for the change, is what the base says: an upstream.json the change adds must
    // not lift the immutability of files published before it (and one it deletes still counts).
    const published = changes.filter((c) => c.kind !== 'A' && c.file.endsWith('/server.json')).map((c) => c.file.split('/').slice(0, -2).join('/'));
    const mirroredAtBase = options.base ? await serversMirroredAt(options.root, options.base, published) : mirrored;
    problems.push(...checkChanges(changes, entriesDir, (serverDir) => mirroredAtBase.has(serverDir)));
    // Private keys anywhere in the change: the entries tree scan covers the files under the entries folder.
    problems.push(...privateKeyProblemsInFiles(options.root, changes.filter((c) => c.kind !== 'D' && !c.file.startsWith(`${entriesDir}/`)).map((c) => c.file)));
  }
  const ownershipRan = Boolean(options.ownership && changes && options.base);
  if (options.ownership && changes && options.base) {
    const bytes = new Map(tree.documents.map((d) => [d.file, d.bytes]));
    const ownership = await checkChangeOwnership({
      readBaseText: gitBaseReader(options.root, options.base), entriesDir, changes, proofFiles: tree.proofs, statementFiles: tree.statements,
      serverJsonBytes: (file) => bytes.get(file), verifiers: options.ownership,
    });
    problems.push(...ownership.problems);
  }

  const packagesRan = options.packages !== undefined;
  if (options.packages) {
    const added = changes ? new Set(changes.filter((c) => c.kind === 'A').map((c) => c.file)) : undefined;
    // Mirrored versions were checked by the registry they come from when they were published there.
    const targets = [...docs.values()].filter((doc) => doc.server && !mirrored.has(path.posix.dirname(path.posix.dirname(doc.file))) && (added ? added.has(doc.file) : selected(doc.file)));
    const verify = options.packages;
    const found = await Promise.all(targets.map((doc) => verify({ file: doc.file, server: doc.server! })));
    problems.push(...found.flat());
  }

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
      { id: 'ownership', ran: ownershipRan, passed: ownershipRan && groups(['ownership-']) },
      { id: 'packages', ran: packagesRan, passed: packagesRan && groups(['package-']) },
    ],
  };
}

/**
 * A server.json outside the registry's entries folder (the publisher's own copy, say), checked on its own as the
 * official `mcp-publisher validate` checks one: the file, the schema, every rule, and the packages when a verifier is
 * given. Nothing here depends on where the file lies, so the folder-name checks do not apply. `file` is how the path
 * is shown; `bytes` at most MAX_SERVER_JSON_BYTES + 1 of them.
 */
export async function validateServerFile(options: { file: string; bytes: Buffer; packages?: ValidateOptions['packages'] }): Promise<ValidationReport> {
  const read = readServerJson(options.file, options.bytes);
  const value = read.json.value;
  const server = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const text = (key: string): string => (typeof server?.[key] === 'string' ? (server[key] as string) : '');
  const doc: ServerDocument = { file: options.file, pathName: text('name'), pathVersion: text('version'), json: read.json, server };
  const problems: Problem[] = [...read.problems];
  if (server) {
    const rules = checkServerRules(doc);
    const ruled = new Set(rules.filter((p) => p.severity === 'error').map((p) => p.jsonPath));
    problems.push(...checkSchema(doc).filter((p) => p.severity !== 'error' || !ruled.has(p.jsonPath)), ...rules);
  }
  const packagesRan = options.packages !== undefined && server !== undefined;
  if (packagesRan) problems.push(...(await options.packages!({ file: options.file, server: server! })));
  const docs = new Map([[options.file, doc]]);
  const groups = (codes: string[]): boolean => !problems.some((p) => p.severity === 'error' && codes.some((c) => p.code.startsWith(c)));
  return {
    problems: problems.map((p) => withPosition(p, docs)).sort(problemOrder),
    publishes: [],
    checks: [
      { id: 'files', ran: true, passed: groups(['file-', 'json-', 'entry-']) },
      { id: 'schema', ran: server !== undefined, passed: server !== undefined && groups(['schema-']) },
      { id: 'rules', ran: server !== undefined, passed: server !== undefined && groups(['rule-']) },
      { id: 'registry', ran: false, passed: false },
      { id: 'changes', ran: false, passed: false },
      { id: 'ownership', ran: false, passed: false },
      { id: 'packages', ran: packagesRan, passed: packagesRan && groups(['package-']) },
    ],
  };
}
