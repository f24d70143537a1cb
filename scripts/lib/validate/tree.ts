// Stage 1 of the validator, for the folder: walk `entries/` without following anything, and report everything that
// does not belong. Untrusted names are only ever compared and reported: every path opened here is built from names the
// file system itself returned while walking down from the entries root, so a name like `..` cannot lead out of it,
// and symbolic links are reported, never followed (directory entries are typed like lstat, and files are opened
// with O_NOFOLLOW).

import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { compareBytewise } from '../query/compare.ts';
import { problem, type Problem } from '../problems.ts';
import { SERVER_FILE_NAME, MAX_VERSION_FILE_BYTES } from '../entries/load.ts';
import { checkVersionString } from '../versions/version-string.ts';
import { STATUS_FILE_NAME } from '../entries/status-file.ts';
import { PROVENANCE_FILE_NAME } from '../sync/types.ts';
import { LEDGER_FILE_NAME } from '../ownership/ledger.ts';
import { PROOF_FILE_NAME } from '../ownership/proof-file.ts';
import { STATEMENT_FILE_NAME } from '../ownership/statement.ts';
import { MAX_PROVENANCE_FILE_BYTES, MAX_SERVER_JSON_BYTES, MAX_STATUS_FILE_BYTES } from './read-json.ts';
import { PRIVATE_KEY_SCAN_BYTES, privateKeyProblem } from './rules/private-key.ts';

/** Which level of `entries/<namespace>/<server>/<version>/server.json` a path segment names. */
export type SegmentKind = 'namespace' | 'server' | 'version' | 'file';

/**
 * Longest path segment, in UTF-8 bytes: 250. File names are at most 255 bytes on common file systems, and the
 * build stores a version as `<version>.json` (the same limit as MAX_VERSION_FILE_BYTES in entries/load.ts).
 */
export const MAX_SEGMENT_BYTES = MAX_VERSION_FILE_BYTES;

/** Longest server name `<namespace>/<server>`, in characters (the official schema's maxLength). */
export const MAX_SERVER_NAME_LENGTH = 200;

/**
 * Longest path inside the entries folder, in UTF-8 bytes: 500. The longest valid entry is a 200-character name, a
 * 250-byte version and `/server.json` (463 bytes), so no valid entry is refused; and with the checkout's own prefix it
 * stays far below macOS's PATH_MAX of 1,024 bytes (Linux allows 4,096).
 */
export const MAX_ENTRY_PATH_BYTES = 500;

/** The official registry's name rules (validators.go): each side at least 2 characters, alphanumeric at both ends. */
export const NAMESPACE_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9.-]*[a-zA-Z0-9]$/;
export const SERVER_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]$/;

/** Names Windows reserves for devices, with or without an extension (`NUL`, `nul.txt`, `COM1.json`, `COM¹`). */
const WINDOWS_RESERVED = /^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$)$/i;
/** Characters no Windows file name may hold, plus control characters and `/`. */
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f<>:"|?*\\/]/g;

export interface ScannedDocument {
  /** Repository-relative path with `/`, e.g. `entries/io.github.x/y/1.0.0/server.json`. */
  file: string;
  /** `<namespace>/<server>` and `<version>`, from the path. */
  pathName: string;
  pathVersion: string;
  /**
   * The file's bytes, at most MAX_SERVER_JSON_BYTES + 1 of them: a larger file is not read further, and
   * readServerJson reports it as too large from its length alone. Absent for versions outside the scan's focus,
   * which are listed but not read.
   */
  bytes?: Buffer;
}

export interface ScannedStatusFile {
  file: string;
  /** At most MAX_STATUS_FILE_BYTES + 1 bytes; decode with decodeTextFile(file, bytes, MAX_STATUS_FILE_BYTES). */
  bytes: Buffer;
}

export interface EntriesTree {
  documents: ScannedDocument[];
  statusFiles: ScannedStatusFile[];
  /** `<namespace>/owners.json` files. */
  ledgers: ScannedStatusFile[];
  /** `<namespace>/authorization.json` files (scripts/lib/ownership/statement.ts). */
  statements: ScannedStatusFile[];
  /** `<namespace>/<server>/<version>/proof.json` files of the servers in focus. */
  proofs: ScannedStatusFile[];
  /** `<namespace>/<server>/upstream.json` files of mirrored servers (written by npm run sync). */
  provenances: ScannedStatusFile[];
  problems: Problem[];
}

/** What a repository-relative path is in the entries layout, and what is wrong with its path. */
export interface EntryPathInfo {
  kind: 'document' | 'status' | 'provenance' | 'stray' | 'outside';
  pathName?: string;
  pathVersion?: string;
  problems: Problem[];
}

// ---------------------------------------------------------------------------------------------------------------
// Pure rules on names

const KIND_WORD: Record<SegmentKind, string> = { namespace: 'namespace folder', server: 'server folder', version: 'version folder', file: 'file' };

function showCharacter(ch: string): string {
  const code = ch.codePointAt(0)!;
  return code < 0x20 || code === 0x7f ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `"${ch}"`;
}

/**
 * Every rule on one path segment (a folder or file name under entries/), pure, for names read from the disk and for
 * paths from `git diff` alike. `file` is put on the problems (the path to report); without it they carry none.
 */
export function checkPathSegment(segment: string, kind: SegmentKind, file?: string): Problem[] {
  const problems: Problem[] = [];
  const what = `the ${KIND_WORD[kind]} name ${JSON.stringify(segment)}`;
  const push = (code: string, message: string, hint: string): void => {
    problems.push(problem({ code, ...(file !== undefined ? { file } : {}), message, hint }));
  };
  if (segment === '' || segment === '.' || segment === '..') {
    push('file-name-dot', segment === '' ? `the path has an empty ${KIND_WORD[kind]} name (two slashes in a row)` : `${what} refers to a folder itself or its parent, not to a ${KIND_WORD[kind]}`,
      'Use a real name: entries are laid out as entries/<namespace>/<server>/<version>/server.json.');
    return problems;
  }
  const namePattern = kind === 'namespace' ? NAMESPACE_PATTERN : kind === 'server' ? SERVER_PATTERN : undefined;
  if (namePattern && !namePattern.test(segment)) {
    push('file-name-pattern',
      `${what} is not allowed: a ${kind === 'namespace' ? 'namespace may hold letters, digits, "." and "-"' : 'server name may hold letters, digits, ".", "_" and "-"'}, at least 2 characters, starting and ending with a letter or digit`,
      kind === 'namespace'
        ? 'Name the folder after the namespace of "name" in server.json (the part before the slash), e.g. io.github.<user> or com.example.'
        : 'Name the folder after the part of "name" in server.json after the slash, e.g. weather-server.');
  } else if (!namePattern) {
    const bad = [...new Set(segment.match(FORBIDDEN_CHARACTERS) ?? [])];
    if (bad.length > 0) {
      push('file-name-characters', `${what} contains ${bad.map(showCharacter).join(', ')}, which ${bad.length === 1 ? 'is' : 'are'} not allowed in file names on Windows (or anywhere, for control characters and "/")`,
        kind === 'version' ? 'Use a version made of letters, digits, ".", "-" and "+" (semantic versions such as 1.2.3 are recommended); the folder name must equal "version".' : 'Rename or remove the file.');
    }
    if (/[. ]$/.test(segment)) {
      push('file-name-trailing', `${what} ends with ${segment.endsWith('.') ? 'a dot' : 'a space'}, which Windows silently removes (so the name would change on checkout)`,
        kind === 'version' ? 'Use a version that ends with a letter or digit; the folder name must equal "version".' : 'Rename or remove the file.');
    }
  }
  const base = segment.split('.')[0]!.replace(/ +$/, '');
  if (WINDOWS_RESERVED.test(base)) {
    push('file-name-reserved', `${what} is reserved for a device on Windows (${base.toUpperCase()}), with or without an extension, so the repository could not be checked out there`,
      kind === 'file' ? 'Remove the file.' : `Choose another ${kind === 'version' ? 'version' : 'name'}; CON, PRN, AUX, NUL, COM0–9 and LPT0–9 cannot be used, even followed by a dot.`);
  }
  const bytes = Buffer.byteLength(segment);
  if (bytes > MAX_SEGMENT_BYTES) {
    push('file-name-too-long', `${what.slice(0, 80)}… is ${bytes} bytes long; the limit for one name in the path is ${MAX_SEGMENT_BYTES}`,
      kind === 'version' ? 'Use a shorter version string (semantic versions such as 1.2.3 are recommended).' : 'Use a shorter name.');
  }
  return problems;
}

/** The key under which two names collide on case-insensitive or normalization-insensitive file systems. */
export function collisionKey(segment: string): string {
  // ASCII, as nearly every name is: normalising and upper-casing change nothing there.
  return /^[\x00-\x7f]*$/.test(segment) ? segment.toLowerCase() : segment.normalize('NFC').toUpperCase().toLowerCase();
}

function checkServerName(namespace: string, server: string, file?: string): Problem[] {
  const name = `${namespace}/${server}`;
  if (name.length <= MAX_SERVER_NAME_LENGTH) return [];
  return [problem({
    code: 'file-name-too-long', ...(file !== undefined ? { file } : {}),
    message: `the server name ${namespace}/${server.slice(0, 20)}… from the folders is ${name.length} characters long; the limit is ${MAX_SERVER_NAME_LENGTH}`,
    hint: 'Use a shorter namespace or server name (the official schema allows 200 characters for "name").',
  })];
}

function checkPathLength(relative: string, file: string): Problem[] {
  const bytes = Buffer.byteLength(relative);
  if (bytes <= MAX_ENTRY_PATH_BYTES) return [];
  return [problem({
    code: 'file-path-too-long', file,
    message: `the path inside the entries folder is ${bytes} bytes long; the limit is ${MAX_ENTRY_PATH_BYTES}`,
    hint: 'Use a shorter name or version.',
  })];
}

function strayHint(name: string, where: 'root' | 'namespace' | 'server' | 'version'): string {
  if (name === '.DS_Store' || name === 'Thumbs.db' || name === 'desktop.ini') return `Delete ${name} (your operating system made it) and add it to your global .gitignore.`;
  if (where === 'version' && name.toLowerCase() === 'server.json') return 'Rename the file to server.json (all lower case).';
  if (where === 'server' && name.toLowerCase() === 'server.md') return 'Rename the file to server.md (all lower case).';
  if (where === 'server' && name === SERVER_FILE_NAME) return `Move it into a version folder: entries/<namespace>/<server>/<version>/${SERVER_FILE_NAME}.`;
  if (/^readme/i.test(name) || name.endsWith('.md')) return 'Remove the file: documentation about a server belongs in its server.json (description, websiteUrl) or in the Markdown body of entries/<namespace>/<server>/server.md.';
  return `Remove the file. Only entries/<namespace>/<server>/<version>/${SERVER_FILE_NAME} and entries/<namespace>/<server>/${STATUS_FILE_NAME} may be under entries/.`;
}

function strayProblem(file: string, name: string, where: 'root' | 'namespace' | 'server' | 'version'): Problem {
  const place = { root: 'directly in the entries folder', namespace: 'in a namespace folder', server: 'in a server folder', version: 'in a version folder' }[where];
  return problem({ code: 'file-stray', file, message: `${JSON.stringify(name)} does not belong ${place}`, hint: strayHint(name, where) });
}

function tooDeepProblem(file: string): Problem {
  return problem({
    code: 'file-nesting-too-deep', file,
    message: 'a folder inside a version folder: entries have exactly three levels of folders (namespace, server, version)',
    hint: `Remove the folder; a version folder holds only ${SERVER_FILE_NAME}.`,
  });
}

/** Joins a prefix and a relative posix path. */
function joinPosix(prefix: string, relative: string): string {
  return prefix === '' ? relative : `${prefix}/${relative}`;
}

/**
 * What a repository-relative path (from `git diff`, say) is in the entries layout, with every problem of its path:
 * the rules scanEntriesTree applies to names, for a single path. Paths outside `entriesDir` have kind 'outside' and
 * no problems here. Case collisions need the neighbours and are not checked.
 */
export function checkEntryPath(file: string, entriesDir = 'entries'): EntryPathInfo {
  const prefix = entriesDir.replace(/\\/g, '/').replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (prefix !== '' && !file.startsWith(`${prefix}/`)) return { kind: 'outside', problems: [] };
  const relative = prefix === '' ? file : file.slice(prefix.length + 1);
  const parts = relative.split('/');
  const problems: Problem[] = [];
  const kinds: SegmentKind[] = parts.map((_, i) => (i === parts.length - 1 ? 'file' : i === 0 ? 'namespace' : i === 1 ? 'server' : 'version'));
  parts.forEach((part, i) => problems.push(...checkPathSegment(part, kinds[i]!, file)));
  problems.push(...checkPathLength(relative, file));
  const [namespace, server, third, fourth] = parts;
  if (parts.length === 4 && fourth === SERVER_FILE_NAME) {
    problems.push(...checkServerName(namespace!, server!, file));
    // What the build refuses in a version (so a sync never writes a version the next build would refuse).
    problems.push(...checkVersionString(third!).map((finding) => problem({ ...finding, file })));
    return { kind: 'document', pathName: `${namespace}/${server}`, pathVersion: third!, problems };
  }
  if (parts.length === 3 && third === PROVENANCE_FILE_NAME) return { kind: 'provenance', pathName: `${namespace}/${server}`, problems };
  if (parts.length === 3 && third === STATUS_FILE_NAME) {
    problems.push(...checkServerName(namespace!, server!, file));
    return { kind: 'status', pathName: `${namespace}/${server}`, problems };
  }
  const name = parts[parts.length - 1]!;
  if (parts.length > 4) problems.push(tooDeepProblem(file));
  else problems.push(strayProblem(file, name, (['root', 'namespace', 'server', 'version'] as const)[parts.length - 1]!));
  return { kind: 'stray', problems };
}

// ---------------------------------------------------------------------------------------------------------------
// The walk

type EntryType = 'directory' | 'file' | 'symlink' | 'fifo' | 'socket' | 'block device' | 'character device' | 'unknown';

function typeOf(d: Dirent<Buffer> | Dirent): EntryType {
  // Directory entries are typed without following links (Node falls back to lstat where readdir gives no type).
  if (d.isSymbolicLink()) return 'symlink';
  if (d.isDirectory()) return 'directory';
  if (d.isFile()) return 'file';
  if (d.isFIFO()) return 'fifo';
  if (d.isSocket()) return 'socket';
  if (d.isBlockDevice()) return 'block device';
  if (d.isCharacterDevice()) return 'character device';
  return 'unknown';
}

function typeOfStats(s: Stats): EntryType {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isDirectory()) return 'directory';
  if (s.isFile()) return 'file';
  if (s.isFIFO()) return 'fifo';
  if (s.isSocket()) return 'socket';
  if (s.isBlockDevice()) return 'block device';
  if (s.isCharacterDevice()) return 'character device';
  return 'unknown';
}

interface Child {
  name: string;
  type: EntryType;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ?? e?.message ?? String(error);
}

/**
 * Walks `<repoRoot>/<entriesDir>` (three folder levels, nothing followed) and reads the files that belong, in bytewise
 * order of their paths. Every name that is unsafe, misplaced or not a plain file or folder is a problem; documents
 * whose folder names break a rule are still returned (so the publisher learns about their content in the same run),
 * while symbolic links, non-regular files and names that are not UTF-8 are never opened.
 * With `focus` (given the server's name and the names in its folder), only the servers it accepts are read in full: the others' version folders are listed, not opened
 * (a pull request is checked in depth where it changes things, and the rest of the tree was checked when merged).
 * With `within` (a path relative to the entries folder: a namespace folder, a server folder or a file beside them),
 * the walk does not even enter what it refuses: nothing there is listed, read or reported (a pull request's change,
 * whose list comes from git, is walked, not the whole tree).
 */
export function scanEntriesTree(repoRoot: string, entriesDir = 'entries', focus?: (pathName: string, items: readonly string[]) => boolean, within?: (relative: string) => boolean): EntriesTree {
  const documents: ScannedDocument[] = [];
  const statusFiles: ScannedStatusFile[] = [];
  const ledgers: ScannedStatusFile[] = [];
  const statements: ScannedStatusFile[] = [];
  const proofs: ScannedStatusFile[] = [];
  const provenances: ScannedStatusFile[] = [];
  const problems: Problem[] = [];
  const rootPath = path.resolve(repoRoot, entriesDir);
  const inside = path.relative(path.resolve(repoRoot), rootPath);
  const insideRepo = !inside.startsWith('..') && !path.isAbsolute(inside);
  const steps = insideRepo && inside !== '' ? inside.split(path.sep) : [];
  const prefix = insideRepo ? steps.join('/') : entriesDir.split(path.sep).join('/');

  // The entries folder itself, and every folder between the repository and it, must be real folders.
  const toCheck = insideRepo ? steps.map((_, i) => path.join(path.resolve(repoRoot), ...steps.slice(0, i + 1))) : [rootPath];
  for (const [i, dir] of toCheck.entries()) {
    const shown = insideRepo ? steps.slice(0, i + 1).join('/') : prefix;
    let type: EntryType;
    try {
      type = typeOfStats(lstatSync(dir));
    } catch (error) {
      problems.push((error as NodeJS.ErrnoException)?.code === 'ENOENT'
        ? problem({ code: 'file-entries-missing', file: shown, message: `there is no folder ${shown}`, hint: 'Run the validator from the repository root, or pass --entries <dir> with the folder that holds <namespace>/<server>/<version>/server.json.' })
        : problem({ code: 'file-unreadable', file: shown, message: `could not read ${shown}: ${errorText(error)}`, hint: 'Check the permissions of the folder.' }));
      return { documents, statusFiles, ledgers, statements, proofs, provenances, problems };
    }
    if (type === 'symlink') {
      problems.push(symlinkProblem(shown));
      return { documents, statusFiles, ledgers, statements, proofs, provenances, problems };
    }
    if (type !== 'directory') {
      problems.push(problem({ code: 'file-not-regular', file: shown, message: `${shown} is a ${type}, not a folder`, hint: 'The entries folder must be a plain folder.' }));
      return { documents, statusFiles, ledgers, statements, proofs, provenances, problems };
    }
  }

  const fileOf = (relative: string): string => joinPosix(prefix, relative);
  // Joined by hand: path.join's normalising is measurable over every folder and file of a large registry, and the
  // names come from readdir (never "." or "..").
  const absolute = (relative: string): string => (relative === '' ? rootPath : `${rootPath}${path.sep}${path.sep === '/' ? relative : relative.split('/').join(path.sep)}`);

  /**
   * The children of a folder, sorted by the bytes of their names; names that are not UTF-8 are reported here and
   * left out (`count` still counts them).
   */
  const list = (relative: string): { children: Child[]; count: number } | undefined => {
    let dirents: Dirent<Buffer>[];
    try {
      dirents = readdirSync(absolute(relative), { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      problems.push(problem({ code: 'file-unreadable', file: fileOf(relative), message: `could not list the folder: ${errorText(error)}`, hint: 'Check the permissions of the folder.' }));
      return undefined;
    }
    dirents.sort((a, b) => Buffer.compare(a.name, b.name));
    const children: Child[] = [];
    for (const d of dirents) {
      let name: string;
      try {
        name = utf8.decode(d.name);
      } catch {
        const shown = d.name.toString('utf8');
        problems.push(problem({
          code: 'file-name-characters', file: fileOf(relative === '' ? shown : `${relative}/${shown}`),
          message: `a name in this folder is not valid UTF-8 (bytes ${d.name.toString('hex')}); it was not read`,
          hint: 'Rename or remove it: names must be UTF-8 text.',
        }));
        continue;
      }
      children.push({ name, type: typeOf(d) });
    }
    // Names that only differ by case or Unicode normalization cannot both exist on Windows or macOS.
    const first = new Map<string, string>();
    for (const child of children) {
      const key = collisionKey(child.name);
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, child.name);
      else {
        problems.push(problem({
          code: 'file-name-case-collision', file: fileOf(relative === '' ? child.name : `${relative}/${child.name}`),
          message: `${JSON.stringify(child.name)} differs from ${JSON.stringify(earlier)} in the same folder only by case${child.name.toUpperCase().toLowerCase() === earlier.toUpperCase().toLowerCase() ? '' : ' or Unicode normalization'}; the two are the same name on Windows and macOS`,
          hint: `Keep one of them: merge the contents into ${JSON.stringify(earlier)}, or remove ${JSON.stringify(child.name)}.`,
        }));
      }
    }
    return { children, count: dirents.length };
  };

  /** Problems for a child that is neither a folder nor a plain file; true when the child was handled. */
  const rejectSpecial = (relative: string, child: Child): boolean => {
    if (child.type === 'symlink') {
      problems.push(symlinkProblem(fileOf(relative)));
      return true;
    }
    if (child.type !== 'directory' && child.type !== 'file') {
      problems.push(problem({
        code: 'file-not-regular', file: fileOf(relative),
        message: `this is a ${child.type === 'unknown' ? 'special file' : child.type}, not a plain file or folder; it was not opened`,
        hint: 'Remove it: only plain files and folders may be under entries/.',
      }));
      return true;
    }
    return false;
  };

  const read = (relative: string, limit: number): Buffer | undefined => {
    const file = fileOf(relative);
    let fd: number | undefined;
    try {
      // O_NOFOLLOW: a link swapped in after the walk is refused; O_NONBLOCK: a FIFO swapped in cannot hang the run.
      fd = openSync(absolute(relative), constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
      const stats = fstatSync(fd);
      if (!stats.isFile()) {
        problems.push(problem({ code: 'file-not-regular', file, message: 'this is not a plain file; it was not read', hint: 'Remove it: only plain files and folders may be under entries/.' }));
        return undefined;
      }
      // Read at most limit + 1 bytes: enough to know a file is too large without reading all of it.
      // allocUnsafe: small files share pooled memory (only the bytes read are kept: every byte of the result is written).
      const buffer = Buffer.allocUnsafe(Math.min(stats.size, limit) + 1);
      let length = 0;
      while (length < buffer.length) {
        const n = readSync(fd, buffer, length, buffer.length - length, null);
        if (n === 0) break;
        length += n;
        // The whole file as fstat sized it: no second read to see the end (one system call less per file).
        if (length === stats.size) break;
      }
      const bytes = buffer.subarray(0, length);
      const key = privateKeyProblem(file, bytes);
      if (key) problems.push(key);
      return bytes;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException)?.code;
      problems.push(code === 'ELOOP'
        ? symlinkProblem(file)
        : problem({ code: 'file-unreadable', file, message: `could not read the file: ${errorText(error)}`, hint: 'Check the permissions of the file.' }));
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };

  /** A file that does not belong: reported, and read only to tell whether it leaks a private key. */
  const stray = (relative: string, name: string, where: 'root' | 'namespace' | 'server' | 'version'): void => {
    problems.push(strayProblem(fileOf(relative), name, where));
    read(relative, PRIVATE_KEY_SCAN_BYTES);
  };

  const emptyFolder = (relative: string, level: string): void => {
    problems.push(problem({
      code: 'file-folder-empty', severity: 'warning', file: fileOf(relative),
      message: `the ${level} folder is empty (Git does not keep empty folders, so it is not part of a pull request)`,
      hint: 'Remove the folder, or add the entry it is meant to hold.',
    }));
  };

  for (const ns of list('')?.children ?? []) {
    const nsRel = ns.name;
    if (within && !within(nsRel)) continue;
    if (rejectSpecial(nsRel, ns)) continue;
    // .gitkeep: git keeps no empty folder, and a fork that starts with no entries of its own needs entries/.
    if (ns.type === 'file' && ns.name === '.gitkeep') continue;
    if (ns.type === 'file') { stray(nsRel, ns.name, 'root'); continue; }
    problems.push(...checkPathSegment(ns.name, 'namespace', fileOf(nsRel)));
    const servers = list(nsRel);
    if (!servers) continue;
    if (servers.count === 0) emptyFolder(nsRel, 'namespace');
    for (const server of servers.children) {
      const serverRel = `${nsRel}/${server.name}`;
      if (within && !within(serverRel)) continue;
      if (rejectSpecial(serverRel, server)) continue;
      if (server.type === 'file') {
        // A namespace folder holds its owners ledger (scripts/lib/ownership/ledger.ts) and an authorization
        // statement (scripts/lib/ownership/statement.ts), nothing else.
        if (server.name === LEDGER_FILE_NAME || server.name === STATEMENT_FILE_NAME) {
          const bytes = read(serverRel, MAX_STATUS_FILE_BYTES);
          if (bytes) (server.name === LEDGER_FILE_NAME ? ledgers : statements).push({ file: fileOf(serverRel), bytes });
        } else stray(serverRel, server.name, 'namespace');
        continue;
      }
      problems.push(...checkPathSegment(server.name, 'server', fileOf(serverRel)));
      problems.push(...checkServerName(ns.name, server.name, fileOf(serverRel)));
      const items = list(serverRel);
      if (!items) continue;
      if (items.count === 0) emptyFolder(serverRel, 'server');
      const inFocus = focus === undefined || focus(`${ns.name}/${server.name}`, items.children.map((c) => c.name));
      for (const item of items.children) {
        const itemRel = `${serverRel}/${item.name}`;
        if (!inFocus && item.type === 'directory') {
          // Outside the focus a version is only counted and named; its file is read when a check asks for it.
          documents.push({ file: fileOf(`${itemRel}/${SERVER_FILE_NAME}`), pathName: `${ns.name}/${server.name}`, pathVersion: item.name });
          continue;
        }
        if (rejectSpecial(itemRel, item)) continue;
        if (item.type === 'file') {
          if (item.name === PROVENANCE_FILE_NAME) {
            const bytes = read(itemRel, MAX_PROVENANCE_FILE_BYTES);
            if (bytes) provenances.push({ file: fileOf(itemRel), bytes });
            continue;
          }
          if (item.name !== STATUS_FILE_NAME) { stray(itemRel, item.name, 'server'); continue; }
          problems.push(...checkPathLength(itemRel, fileOf(itemRel)));
          const bytes = read(itemRel, MAX_STATUS_FILE_BYTES);
          if (bytes) statusFiles.push({ file: fileOf(itemRel), bytes });
          continue;
        }
        problems.push(...checkPathSegment(item.name, 'version', fileOf(itemRel)));
        const files = list(itemRel);
        if (!files) continue;
        let found = false;
        for (const f of files.children) {
          const fRel = `${itemRel}/${f.name}`;
          if (rejectSpecial(fRel, f)) { found ||= f.name === SERVER_FILE_NAME; continue; }
          if (f.type === 'directory') { problems.push(tooDeepProblem(fileOf(fRel))); continue; }
          if (f.name === PROOF_FILE_NAME) {
            // An ownership proof committed beside the version (scripts/lib/ownership/).
            const bytes = read(fRel, MAX_STATUS_FILE_BYTES);
            if (bytes) proofs.push({ file: fileOf(fRel), bytes });
            continue;
          }
          if (f.name !== SERVER_FILE_NAME) { stray(fRel, f.name, 'version'); continue; }
          found = true;
          problems.push(...checkPathLength(fRel, fileOf(fRel)));
          const bytes = read(fRel, MAX_SERVER_JSON_BYTES);
          if (bytes) documents.push({ file: fileOf(fRel), pathName: `${ns.name}/${server.name}`, pathVersion: item.name, bytes });
        }
        if (!found) {
          problems.push(problem({
            code: 'file-version-empty', file: fileOf(itemRel),
            message: `the version folder has no ${SERVER_FILE_NAME}`,
            hint: `Add entries/${ns.name}/${server.name}/${item.name}/${SERVER_FILE_NAME}, or remove the folder.`,
          }));
        }
      }
    }
  }
  // The walk already visits names in bytewise order of their bytes; sort the paths once more so the order is the
  // bytewise order of the whole path strings, as everywhere else in the registry.
  documents.sort((a, b) => compareBytewise(a.file, b.file));
  statusFiles.sort((a, b) => compareBytewise(a.file, b.file));
  ledgers.sort((a, b) => compareBytewise(a.file, b.file));
  statements.sort((a, b) => compareBytewise(a.file, b.file));
  proofs.sort((a, b) => compareBytewise(a.file, b.file));
  return { documents, statusFiles, ledgers, statements, proofs, provenances, problems };
}

function symlinkProblem(file: string): Problem {
  return problem({
    code: 'file-symlink', file,
    message: 'this is a symbolic link; links are never followed under entries/',
    hint: 'Replace the link with the real file or folder (for a new version, copy server.json rather than linking it).',
  });
}
