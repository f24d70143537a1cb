// The list cursors this registry hands out: `_` and the base64url (no padding) of the UTF-8 JSON array
// [lastName, lastVersion, search, version, updatedSince, includeDeleted]. The official registry's cursor is the raw
// `name:version` (official-registry.md §1.3), which clients that paste it unencoded into a URL break: VS Code's
// gallery client (microsoft/vscode src/vs/platform/mcp/common/mcpGalleryService.ts) turns a version's `+` into a space
// and repeats a row, and it drops `search` on the next page. This form is URL-safe as it is, and carries the query so
// the next page continues it whatever parameters the client sends along.
//
// `_` cannot start a server name, so an official cursor (or a bare name) is never read as one of ours. Every field is
// a value of a row or, for `search`, a substring of one (else the page is not full and no cursor is given), so the
// length is bounded by the schema's limits on names, versions and descriptions.

import { encodeJson } from './json.ts';

export const CURSOR_PREFIX = '_';

/** Longer than any cursor the registry emits (see above); refused before any decoding work. */
export const MAX_CURSOR_LENGTH = 8192;

/** The state of a list query at the end of a page; `''` is an absent string filter. */
export interface CursorState {
  afterName: string;
  afterVersion: string;
  /** lower-cased */
  search: string;
  version: string;
  /** canonical RFC 3339 (UTC), or '' */
  updatedSince: string;
  includeDeleted: boolean;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function utf8Bytes(text: string): number[] {
  // encodeURIComponent is UTF-8 percent-encoding, available in njs, where TextEncoder and Buffer may not be.
  const escaped = encodeURIComponent(text);
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    if (escaped.charAt(i) === '%') {
      bytes.push(parseInt(escaped.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(escaped.charCodeAt(i));
  }
  return bytes;
}

/** Throws (URIError) on bytes that are not UTF-8. */
function utf8Text(bytes: number[]): string {
  let escaped = '';
  for (let i = 0; i < bytes.length; i++) escaped += '%' + (bytes[i]! + 256).toString(16).slice(1);
  return decodeURIComponent(escaped);
}

function base64url(bytes: number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63);
    if (i + 1 < bytes.length) out += ALPHABET.charAt((n >> 6) & 63);
    if (i + 2 < bytes.length) out += ALPHABET.charAt(n & 63);
  }
  return out;
}

/** null unless `text` is unpadded base64url (unused trailing bits are checked by the caller's re-encoding). */
function fromBase64url(text: string): number[] | null {
  if (text.length % 4 === 1) return null;
  const bytes: number[] = [];
  let bits = 0, value = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = ALPHABET.indexOf(text.charAt(i));
    if (digit < 0) return null;
    value = ((value << 6) | digit) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >> bits) & 255);
    }
  }
  return bytes;
}

export function encodeCursor(state: CursorState): string {
  const fields = [state.afterName, state.afterVersion, state.search, state.version, state.updatedSince, state.includeDeleted ? 1 : 0];
  return CURSOR_PREFIX + base64url(utf8Bytes(encodeJson(fields)));
}

/** Whether a cursor is in this registry's form; anything else is an official `name:version` or bare-name cursor. */
export function isOwnCursor(cursor: string): boolean {
  return cursor.charAt(0) === CURSOR_PREFIX;
}

/** The state of one of our cursors; null when it is not exactly what encodeCursor writes. */
export function decodeCursor(cursor: string): CursorState | null {
  if (!isOwnCursor(cursor) || cursor.length > MAX_CURSOR_LENGTH) return null;
  const bytes = fromBase64url(cursor.slice(CURSOR_PREFIX.length));
  if (!bytes) return null;
  let fields: unknown;
  try {
    fields = JSON.parse(utf8Text(bytes));
  } catch (e) {
    return null;
  }
  if (!Array.isArray(fields) || fields.length !== 6) return null;
  for (let i = 0; i < 5; i++) if (typeof fields[i] !== 'string') return null;
  if (fields[5] !== 0 && fields[5] !== 1) return null;
  const state: CursorState = {
    afterName: fields[0] as string,
    afterVersion: fields[1] as string,
    search: fields[2] as string,
    version: fields[3] as string,
    updatedSince: fields[4] as string,
    includeDeleted: fields[5] === 1,
  };
  // One spelling per state: whatever else decodes (padding bits, spaces in the JSON…) was not written by us.
  return encodeCursor(state) === cursor ? state : null;
}
