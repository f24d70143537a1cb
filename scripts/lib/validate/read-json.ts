// Stage 1 of the validator, for one file: untrusted bytes → text → JSON value with positions. Every failure is a
// Problem value; nothing here throws, recurses on input depth beyond MAX_JSON_DEPTH, or assigns through a key that
// could reach a prototype.

import { visit, type JSONVisitor } from 'jsonc-parser';
import { escapePointerSegment, problem, type Problem } from '../problems.ts';
import type { ParsedJson, Position } from './types.ts';

/**
 * Largest accepted server.json: 256 KiB. Real files are small (the largest of the 358 servers in the official
 * registry's 2025-09 seed is 3.7 KB pretty-printed, the median under 1 KB; publisher `_meta` is capped at 4 KB by the
 * official registry), so this is ~70× headroom for servers with many packages, remotes and arguments, while keeping
 * the cost of one file bounded (a few milliseconds to parse) and a PR unable to make CI read megabytes per file.
 * Larger files are rejected on their length alone, before decoding or parsing.
 */
export const MAX_SERVER_JSON_BYTES = 256 * 1024;

/** Largest accepted `server.md` status file: front matter plus a Markdown note; 64 KiB is far more than needed. */
export const MAX_STATUS_FILE_BYTES = 64 * 1024;

/** Largest accepted `upstream.json`: it lists every mirrored version's state, a few hundred bytes each. */
export const MAX_PROVENANCE_FILE_BYTES = 4 * 1024 * 1024;

/**
 * Deepest accepted nesting of objects and arrays (the top-level object is depth 1). Real server.json files reach 5
 * (server → packages → package → arguments → argument); 64 leaves room for publisher `_meta` while every later stage
 * (schema validation, rules) can recurse over the value safely.
 */
export const MAX_JSON_DEPTH = 64;

/** Keys that could reach or shadow a prototype when a value is handled carelessly downstream; rejected anywhere. */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** At most this many key-level problems (duplicates, forbidden keys, lone surrogates) are listed per file. */
export const MAX_KEY_PROBLEMS_PER_FILE = 50;

const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false } as const;

const HINT_ENCODING = 'Save the file as UTF-8 without a byte-order mark (in VS Code: "Change File Encoding" → "Save with Encoding" → "UTF-8").';
const HINT_SYNTAX = 'Fix the JSON at this spot. server.json must be strict JSON: keys and strings in double quotes, no comments, no trailing commas.';

const NOT_PARSED: ParsedJson = { value: undefined, locate: () => undefined };

// ---------------------------------------------------------------------------------------------------------------
// Positions

/** Offsets of line starts in `text`; a line ends at \n, \r\n or a lone \r (as editors count them). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** 1-based line and column (in UTF-16 code units, as editors count) of a character offset. */
function makePositionOf(text: string): (offset: number) => Position {
  let starts: number[] | undefined;
  return (offset) => {
    starts ??= lineStarts(text);
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}


// ---------------------------------------------------------------------------------------------------------------
// Bytes → text

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const OTHER_BOMS: Array<{ bytes: number[]; name: string }> = [
  { bytes: [0x00, 0x00, 0xfe, 0xff], name: 'UTF-32 (big-endian)' },
  { bytes: [0xff, 0xfe, 0x00, 0x00], name: 'UTF-32 (little-endian)' },
  { bytes: [0xfe, 0xff], name: 'UTF-16 (big-endian)' },
  { bytes: [0xff, 0xfe], name: 'UTF-16 (little-endian)' },
];

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode table 3-7), or undefined. */
export function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) { i++; continue; }
    let need: number, lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b === 0xe0) { need = 2; lo = 0xa0; }
    else if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) need = 2;
    else if (b === 0xed) { need = 2; hi = 0x9f; } // no UTF-16 surrogates
    else if (b === 0xf0) { need = 3; lo = 0x90; }
    else if (b >= 0xf1 && b <= 0xf3) need = 3;
    else if (b === 0xf4) { need = 3; hi = 0x8f; } // nothing above U+10FFFF
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < lo || c > hi) return i;
      lo = 0x80;
      hi = 0xbf;
    }
    i += need + 1;
  }
  return undefined;
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Decodes an untrusted text file: size limit first (checked on the length alone, nothing decoded), then byte-order
 * marks, then strict UTF-8. A UTF-8 byte-order mark is reported and skipped, so the rest of the file is still
 * checked; any other problem leaves `text` undefined. Use it for `server.md` too (with MAX_STATUS_FILE_BYTES).
 */
export function decodeTextFile(file: string, bytes: Uint8Array, maxBytes: number = MAX_SERVER_JSON_BYTES): { text: string | undefined; problems: Problem[] } {
  const problems: Problem[] = [];
  if (bytes.length > maxBytes) {
    problems.push(problem({
      code: 'file-too-large', file,
      message: `the file is larger than the limit of ${formatBytes(maxBytes)}; it was not read further`,
      hint: `Keep the file under ${formatBytes(maxBytes)}: remove unneeded content (long descriptions, large _meta data, inlined files).`,
    }));
    return { text: undefined, problems };
  }
  for (const bom of OTHER_BOMS) {
    if (startsWith(bytes, bom.bytes)) {
      problems.push(problem({
        code: 'file-bom', file, line: 1, column: 1,
        message: `the file starts with a ${bom.name} byte-order mark; files must be UTF-8`,
        hint: HINT_ENCODING,
      }));
      return { text: undefined, problems };
    }
  }
  let body = bytes;
  let skipped = 0;
  if (startsWith(bytes, UTF8_BOM)) {
    problems.push(problem({
      code: 'file-bom', file, line: 1, column: 1,
      message: 'the file starts with a UTF-8 byte-order mark (bytes EF BB BF)',
      hint: HINT_ENCODING,
    }));
    body = bytes.subarray(3);
    skipped = 3;
  }
  try {
    return { text: fatalDecoder.decode(body), problems };
  } catch {
    const offset = firstInvalidUtf8(body) ?? 0;
    const prefix = lenientDecoder.decode(body.subarray(0, offset));
    const at = makePositionOf(prefix)(prefix.length);
    const shown = Array.from(body.subarray(offset, offset + 4), (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
    problems.push(problem({
      code: 'file-not-utf8', file, ...at,
      message: `the file is not valid UTF-8: the bytes at offset ${offset + skipped} (${shown}) are not a UTF-8 character`,
      hint: `${HINT_ENCODING} Files saved as Latin-1 or Windows-1252 break on accented letters.`,
    }));
    return { text: undefined, problems };
  }
}

function formatBytes(n: number): string {
  return n % 1024 === 0 ? `${n / 1024} KiB (${n} bytes)` : `${n} bytes`;
}

// ---------------------------------------------------------------------------------------------------------------
// Text → value

/** Where a value sits: its offset, and its members (objects) or items (arrays). Maps and arrays: prototype-safe. */
interface LocNode {
  offset: number;
  /** For a member of an object: offset of the first occurrence of its key (duplicates keep the first's). */
  keyOffset?: number;
  members?: Map<string, LocNode>;
  items?: LocNode[];
}

interface Frame {
  node: LocNode;
  value: Record<string, unknown> | unknown[];
  /** Key or index of this container within its parent (not escaped); unused for the root. */
  segment: string | number;
  /** The key read last (objects), waiting for its value, and the key's offset. */
  key?: string;
  keyOffset?: number;
}

/** Thrown from visitor callbacks to stop jsonc-parser at the first error or at the depth limit. */
class Stop {}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isForbiddenKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}

/**
 * Parses strict JSON text (RFC 8259) with positions. Nesting is checked in the parser's begin callbacks, which run
 * before the parser descends: it never goes deeper than MAX_JSON_DEPTH + 1 frames, whatever the input (a separate
 * pre-scan could disagree with the parser's own tokenizing and error recovery; this cannot). Stops at the first
 * syntax error. The value is built from plain objects like JSON.parse's, except that the keys in FORBIDDEN_KEYS are
 * left out (and reported); a property is only ever assigned when no property of that name exists on the object or its
 * prototypes, and defined otherwise, so nothing is set through an inherited setter.
 */
export function parseJsonText(file: string, text: string): { json: ParsedJson; problems: Problem[] } {
  const problems: Problem[] = [];
  const positionOf = makePositionOf(text);
  const stack: Frame[] = [];
  let root: LocNode | undefined;
  let rootValue: unknown;
  let lastClosed: Frame | undefined;
  let failed = false;
  let keyProblems = 0;

  /** Pointer of the current container, plus `child` (a key or index) when given. Built only for problems. */
  const pointerOf = (child?: string | number): string => {
    let p = '';
    for (let i = 1; i < stack.length; i++) p += `/${escapePointerSegment(String(stack[i]!.segment))}`;
    return child === undefined ? p : `${p}/${escapePointerSegment(String(child))}`;
  };
  const keyProblem = (p: Parameters<typeof problem>[0]): void => {
    keyProblems++;
    if (keyProblems <= MAX_KEY_PROBLEMS_PER_FILE) problems.push(problem(p));
  };
  const loneSurrogate = (offset: number, jsonPath: string, what: string): void => {
    keyProblem({
      code: 'json-lone-surrogate', file, jsonPath, ...positionOf(offset),
      message: `${what} contains a \\u escape for half of a UTF-16 surrogate pair, which is not a character`,
      hint: 'Write the character itself, or both halves of the pair (e.g. "\\ud83d\\ude00" for 😀).',
    });
  };

  /** Places a new value under the current container; returns its key or index there (undefined for the root). */
  const attach = (node: LocNode, value: unknown): string | number | undefined => {
    const parent = stack[stack.length - 1];
    if (!parent) {
      root = node;
      rootValue = value;
      return undefined;
    }
    if (Array.isArray(parent.value)) {
      parent.node.items!.push(node);
      return parent.value.push(value) - 1;
    }
    const key = parent.key ?? '';
    parent.key = undefined;
    if (!isForbiddenKey(key)) {
      const members = parent.node.members!;
      node.keyOffset = members.get(key)?.keyOffset ?? parent.keyOffset;
      members.set(key, node);
      // A plain assignment only where no property of that name exists anywhere on the prototype chain (so no setter
      // or read-only property can be hit); otherwise (a duplicate, or a name like "toString") define the property.
      if (key in parent.value) Object.defineProperty(parent.value, key, { value, writable: true, enumerable: true, configurable: true });
      else (parent.value as Record<string, unknown>)[key] = value;
    }
    return key;
  };

  const begin = (kind: 'object' | 'array', offset: number): void => {
    if (stack.length >= MAX_JSON_DEPTH) {
      problems.push(problem({
        code: 'json-too-deep', file, jsonPath: pointerOf(), ...positionOf(offset),
        message: `objects and arrays are nested more than ${MAX_JSON_DEPTH} levels deep here; the file was not read further`,
        hint: `Flatten the data: real server.json files need fewer than 10 levels; the limit is ${MAX_JSON_DEPTH}.`,
      }));
      failed = true;
      throw new Stop();
    }
    const node: LocNode = kind === 'object' ? { offset, members: new Map() } : { offset, items: [] };
    const value = kind === 'object' ? {} : [];
    const segment = attach(node, value) ?? '';
    stack.push({ node, value, segment });
  };
  const end = (): void => {
    lastClosed = stack.pop();
  };

  const visitor: JSONVisitor = {
    onObjectBegin: (offset) => begin('object', offset),
    onArrayBegin: (offset) => begin('array', offset),
    onObjectEnd: end,
    onArrayEnd: end,
    onObjectProperty: (key, offset) => {
      const frame = stack[stack.length - 1]!;
      frame.key = key;
      frame.keyOffset = offset;
      if (isForbiddenKey(key)) {
        keyProblem({
          code: 'json-forbidden-key', file, jsonPath: pointerOf(key), ...positionOf(offset),
          message: `the key "${key}" is not allowed`,
          hint: `Rename or remove the key; ${FORBIDDEN_KEYS.map((k) => `"${k}"`).join(', ')} are rejected anywhere in the file because they can tamper with JavaScript objects.`,
        });
      } else {
        const earlier = frame.node.members!.get(key);
        if (earlier !== undefined) {
          const at = positionOf(earlier.keyOffset!);
          keyProblem({
            code: 'json-duplicate-key', file, jsonPath: pointerOf(key), ...positionOf(offset),
            message: `the key "${key}" appears twice in the same object (first at line ${at.line}, column ${at.column})`,
            hint: 'Keep one of the two: JSON readers disagree on which one wins.',
          });
        }
      }
      if (LONE_SURROGATE.test(key)) loneSurrogate(offset, pointerOf(key), 'the key');
    },
    onLiteralValue: (value: unknown, offset) => {
      const segment = attach({ offset }, value);
      if (typeof value === 'string' && LONE_SURROGATE.test(value)) loneSurrogate(offset, segment === undefined ? '' : pointerOf(segment), 'the string');
    },
    onError: (code, offset, length) => {
      failed = true;
      // After the top-level value is complete, anything but whitespace is content after the end.
      const afterEnd = stack.length === 0 && root !== undefined && code === E.InvalidSymbol;
      problems.push(syntaxProblem(file, text, afterEnd ? E.EndOfFileExpected : code, offset, length, lastClosed, positionOf));
      throw new Stop();
    },
  };

  try {
    visit(text, visitor, STRICT);
  } catch (error) {
    if (!(error instanceof Stop)) {
      // Not expected from jsonc-parser; still never a crash, and never a pass.
      failed = true;
      problems.push(problem({ code: 'json-syntax', file, message: `the file could not be parsed: ${(error as Error)?.message ?? String(error)}`, hint: HINT_SYNTAX }));
    }
  }
  if (keyProblems > MAX_KEY_PROBLEMS_PER_FILE) {
    problems.push(problem({
      code: 'file-problems-truncated', file, severity: 'warning',
      message: `${keyProblems - MAX_KEY_PROBLEMS_PER_FILE} more problems with keys or strings in this file are not listed`,
      hint: 'Fix the problems listed above, then run the validator again.',
    }));
  }

  const locate = (pointer: string): Position | undefined => {
    if (!root) return undefined;
    if (pointer !== '' && !pointer.startsWith('/')) return undefined;
    let node = root;
    if (pointer !== '') {
      for (const raw of pointer.slice(1).split('/')) {
        const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
        let next: LocNode | undefined;
        if (node.members) next = node.members.get(key);
        else if (node.items && /^(0|[1-9][0-9]*)$/.test(key)) next = node.items[Number(key)];
        if (!next) break;
        node = next;
      }
    }
    return positionOf(node.offset);
  };

  if (failed) return { json: { value: undefined, locate }, problems };
  if (typeof rootValue !== 'object' || rootValue === null || Array.isArray(rootValue)) {
    const kind = rootValue === null ? 'null' : Array.isArray(rootValue) ? 'an array' : `a ${typeof rootValue}`;
    problems.push(problem({
      code: 'json-not-object', file, jsonPath: '', ...(root ? positionOf(root.offset) : {}),
      message: `server.json must hold one JSON object, not ${kind}`,
      hint: 'Put the server description in a single { … } object at the top level of the file.',
    }));
  }
  return { json: { value: rootValue, locate }, problems };
}

/** Reads one untrusted server.json: size, encoding, then strict JSON. `file` is the repository-relative path. */
export function readServerJson(file: string, bytes: Buffer): { json: ParsedJson; problems: Problem[] } {
  const decoded = decodeTextFile(file, bytes, MAX_SERVER_JSON_BYTES);
  if (decoded.text === undefined) return { json: NOT_PARSED, problems: decoded.problems };
  const plain = parsePlainJson(decoded.text);
  if (plain !== undefined) {
    // Positions are wanted for a few files with problems only: found then, from the bytes the caller keeps anyway.
    let located: ParsedJson | undefined;
    const locate = (pointer: string): Position | undefined => (located ??= parseJsonText(file, decodeTextFile(file, bytes, MAX_SERVER_JSON_BYTES).text!).json).locate(pointer);
    return { json: { value: plain, locate }, problems: decoded.problems };
  }
  const parsed = parseJsonText(file, decoded.text);
  return { json: parsed.json, problems: [...decoded.problems, ...parsed.problems] };
}

/** A string token of JSON text, and whether a colon follows it (then it is a key). */
const STRING_TOKEN = /"(?:[^"\\]|\\.)*"(\s*:)?/g;
/** A \u escape of half a surrogate pair: parseJsonText reports those it finds alone. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * The value of JSON text in which parseJsonText would find no problem at all, through the engine's own JSON.parse
 * (a fifth of the time, and no position tables to keep): an object, no key twice in an object (the keys in the text
 * are as many as the parsed objects hold), no forbidden key, no \u escape of a surrogate, nesting within
 * MAX_JSON_DEPTH. Undefined otherwise, and parseJsonText says what is wrong. JSON.parse accepts no text that
 * jsonc-parser's strict mode refuses (it is the stricter of the two on whitespace), and jsonc-parser reads numbers
 * with JSON.parse, so the values are the same.
 */
function parsePlainJson(text: string): Record<string, unknown> | undefined {
  if (SURROGATE_ESCAPE.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  let keys = 0;
  const within = (node: unknown, depth: number): boolean => {
    if (typeof node !== 'object' || node === null) return true;
    if (depth > MAX_JSON_DEPTH) return false;
    if (Array.isArray(node)) return node.every((item) => within(item, depth + 1));
    for (const key of Object.keys(node)) {
      if (isForbiddenKey(key)) return false;
      keys++;
      if (!within((node as Record<string, unknown>)[key], depth + 1)) return false;
    }
    return true;
  };
  if (!within(value, 1)) return undefined;
  let keysInText = 0;
  for (const match of text.matchAll(STRING_TOKEN)) if (match[1] !== undefined) keysInText++;
  return keysInText === keys ? (value as Record<string, unknown>) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Syntax errors with the exact spot

// jsonc-parser's ParseErrorCode (a const enum, which tsx cannot inline from a .d.ts).
const E = {
  InvalidSymbol: 1, InvalidNumberFormat: 2, PropertyNameExpected: 3, ValueExpected: 4, ColonExpected: 5,
  CommaExpected: 6, CloseBraceExpected: 7, CloseBracketExpected: 8, EndOfFileExpected: 9, InvalidCommentToken: 10,
  UnexpectedEndOfComment: 11, UnexpectedEndOfString: 12, UnexpectedEndOfNumber: 13, InvalidUnicode: 14,
  InvalidEscapeCharacter: 15, InvalidCharacter: 16,
} as const;

function describeChar(ch: string | undefined): string {
  if (ch === undefined) return 'the end of the file';
  const code = ch.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f || code === 0xfeff || code === 0x2028 || code === 0x2029 || code === 0xa0) {
    return `the character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `"${ch}"`;
}

/** The first spot inside the string token at `start` that strict JSON rejects. */
function stringError(text: string, start: number): { offset: number; message: string } | undefined {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return undefined;
    if (c === 10 || c === 13) return { offset: i, message: 'the string is not closed before the end of the line (write a line break inside a string as \\n)' };
    if (c < 0x20) return { offset: i, message: `${describeChar(text[i])} must be escaped inside a string (as \\t, \\n or \\u${c.toString(16).padStart(4, '0')})` };
    if (c !== 0x5c) continue;
    const next = text[i + 1];
    if (next !== undefined && '"\\/bfnrt'.includes(next)) { i++; continue; }
    if (next === 'u') {
      if (/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) { i += 5; continue; }
      return { offset: i, message: 'a \\u escape needs exactly four hexadecimal digits' };
    }
    if (next === undefined) break;
    return { offset: i, message: `"\\${next}" is not a JSON escape (valid: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)` };
  }
  return { offset: text.length, message: 'the string is not closed before the end of the file' };
}

/** Where a number token starting at `start` is cut short: the offset where a digit was expected. */
function numberError(text: string, start: number): number {
  let i = start;
  const digits = (): boolean => {
    const s = i;
    while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
    return i > s;
  };
  if (text[i] === '-') i++;
  if (!digits()) return i;
  if (text[i] === '.') { i++; if (!digits()) return i; }
  if (text[i] === 'e' || text[i] === 'E') {
    i++;
    if (text[i] === '+' || text[i] === '-') i++;
    if (!digits()) return i;
  }
  return i;
}

/** Offset of the last character before `offset` that is not JSON whitespace, or -1. */
function previousSignificant(text: string, offset: number): number {
  let i = offset - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i--;
  return i;
}

function syntaxProblem(file: string, text: string, code: number, offset: number, length: number, lastClosed: Frame | undefined, positionOf: (o: number) => Position): Problem {
  const token = offset >= text.length ? undefined : text.slice(offset, offset + Math.max(1, Math.min(length, 20)));
  const found = token === undefined ? 'the end of the file' : describeChar(text[offset]);
  let at = offset;
  let message: string;
  switch (code) {
    case E.UnexpectedEndOfString:
    case E.InvalidCharacter:
    case E.InvalidEscapeCharacter:
    case E.InvalidUnicode: {
      const spot = stringError(text, offset);
      at = spot?.offset ?? offset;
      message = spot?.message ?? 'this string is not valid JSON';
      break;
    }
    case E.UnexpectedEndOfNumber:
      at = numberError(text, offset);
      message = `the number is incomplete: a digit is expected, not ${describeChar(text[at])}`;
      break;
    case E.InvalidNumberFormat:
      message = `"${token}" is not a valid JSON number`;
      break;
    case E.InvalidSymbol: {
      const ch = text[offset];
      message = ch === "'" ? 'strings and keys must be in double quotes, not single quotes'
        : ch !== undefined && /[A-Za-z_$]/.test(ch) ? `unexpected ${JSON.stringify(/^[A-Za-z_$][\w$]*/.exec(text.slice(offset, offset + 40))![0])}: keys and strings must be in double quotes, and only true, false and null are literals`
        : `unexpected ${describeChar(ch)}`;
      break;
    }
    case E.InvalidCommentToken:
      message = 'comments are not allowed in JSON';
      break;
    case E.PropertyNameExpected:
    case E.ValueExpected: {
      const prev = previousSignificant(text, offset);
      if ((token?.[0] === '}' || token?.[0] === ']') && text[prev] === ',') {
        at = prev;
        message = 'trailing comma: JSON does not allow a comma after the last item';
      } else if (token === undefined && text.trim() === '') {
        at = text.length;
        message = 'the file is empty';
      } else {
        message = code === E.PropertyNameExpected ? `expected a key in double quotes, found ${found}` : `expected a value, found ${found}`;
      }
      break;
    }
    case E.ColonExpected:
      message = `expected ":" after the key, found ${found}`;
      break;
    case E.CommaExpected:
      message = `expected "," between items, found ${found}`;
      break;
    case E.CloseBraceExpected:
    case E.CloseBracketExpected: {
      const close = code === E.CloseBraceExpected ? '}' : ']';
      const opened = lastClosed ? positionOf(lastClosed.node.offset) : undefined;
      message = `expected "${close}"${opened ? ` to close the ${close === '}' ? 'object' : 'array'} opened at line ${opened.line}, column ${opened.column}` : ''}, found ${found}`;
      break;
    }
    case E.EndOfFileExpected:
      message = `unexpected ${found} after the end of the JSON value (one file holds one object)`;
      break;
    default:
      message = `invalid JSON at ${found}`;
  }
  return problem({ code: 'json-syntax', file, ...positionOf(at), message, hint: HINT_SYNTAX });
}
