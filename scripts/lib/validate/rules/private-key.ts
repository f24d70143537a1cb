// Private key material in a pull request: a PEM or OpenSSH private key block, a PuTTY key, or a JSON Web Key with
// its private "d" member. Whatever a pull request contains is public the moment it is opened (forks, caches and
// notification mails keep it after the commit is gone), so finding one means the key must be replaced, not only the
// file removed.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { problem, type Problem } from '../../problems.ts';

/** `-----BEGIN PRIVATE KEY-----`, `… RSA PRIVATE KEY`, `… EC PRIVATE KEY`, `… ENCRYPTED PRIVATE KEY`, `… OPENSSH PRIVATE KEY`, `… PGP PRIVATE KEY BLOCK`. */
const PEM_PRIVATE_KEY = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/;
const PUTTY_KEY = /PuTTY-User-Key-File-\d+:/;
/** A JWK's members in text that is not JSON as a whole (a YAML or Markdown file quoting one). */
const JWK_KTY = /"kty"\s*:\s*"[A-Za-z-]+"/g;
const JWK_D = /"d"\s*:\s*"[A-Za-z0-9_-]{16,}"/;
/** How far from a "kty" member its "d" may stand (an RSA-4096 key's n and e come between them), and how many "kty" are looked at. */
const JWK_WINDOW = 4096;
const JWK_MAX_CANDIDATES = 1000;

/**
 * A "kty" with a private "d" near it, outside any brace of another object. A search window per "kty" rather than one
 * regular expression with an unbounded gap: that costs a scan to the end of the text from every "kty" (quadratic
 * on a megabyte of them).
 */
function hasPrivateJwkText(text: string): boolean {
  let candidates = 0;
  for (const match of text.matchAll(JWK_KTY)) {
    if (++candidates > JWK_MAX_CANDIDATES) return false;
    const lo = Math.max(0, match.index - JWK_WINDOW);
    const before = text.slice(lo, match.index);
    const after = text.slice(match.index, match.index + JWK_WINDOW);
    // The object the "kty" belongs to: from its opening brace to its closing one, when they are in the window.
    const close = after.indexOf('}');
    const window = before.slice(before.lastIndexOf('{') + 1) + (close < 0 ? after : after.slice(0, close));
    if (JWK_D.test(window)) return true;
  }
  return false;
}

/** How many bytes of a changed file outside entries/ are searched: keys sit near the top of the files they leak in. */
export const PRIVATE_KEY_SCAN_BYTES = 1 << 20;

function hasPrivateJwk(value: unknown): boolean {
  // Iterative, bounded: the value comes from an untrusted file.
  const stack: unknown[] = [value];
  for (let seen = 0; stack.length > 0 && seen < 100_000; seen++) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) stack.push(...v);
    else {
      const o = v as Record<string, unknown>;
      if (typeof o.kty === 'string' && typeof o.d === 'string' && o.d !== '') return true;
      stack.push(...Object.values(o));
    }
  }
  return false;
}

/** What kind of private key the bytes hold, or undefined. */
export function privateKeyKind(bytes: Uint8Array): string | undefined {
  // A view of the same memory, not a copy: this runs for every file under entries/.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const pem = PEM_PRIVATE_KEY.exec(text);
  if (pem) return pem[1] === 'OPENSSH PRIVATE KEY' ? 'an OpenSSH private key' : `a PEM block "BEGIN ${pem[1]}"`;
  if (PUTTY_KEY.test(text)) return 'a PuTTY private key';
  if (!text.includes('"kty"') || !text.includes('"d"')) return undefined;
  try {
    if (hasPrivateJwk(JSON.parse(text.replace(/^\uFEFF/, '')))) return 'a JSON Web Key with its private "d" member';
  } catch {
    if (hasPrivateJwkText(text)) return 'a JSON Web Key with its private "d" member';
  }
  return undefined;
}

/** The problem for a file holding a private key, or undefined. */
export function privateKeyProblem(file: string, bytes: Uint8Array): Problem | undefined {
  const kind = privateKeyKind(bytes);
  if (!kind) return undefined;
  return problem({
    code: 'file-private-key', file,
    message: `this file holds ${kind}: a pull request is public, so the key is compromised`,
    hint: 'Remove the file from the pull request, and treat the key as leaked even after the commit is gone (forks and caches keep it): rotate it. '
      + 'For a registry domain key: npm run publisher -- keygen (it writes the new key to ~/.config/mcp-registry/, outside any repository), '
      + 'put the new v=MCPv1 record in the DNS TXT record or https://<domain>/.well-known/mcp-registry-auth, delete the old record, '
      + 'and sign again (npm run publisher -- sign, authorize). Any other key (SSH, TLS, signing) must be revoked and replaced where it is used. '
      + 'Keys are git-ignored here (*.pem, *.key, …); keep them out of the checkout.',
  });
}

/**
 * Private keys in the files a change adds or edits outside the entries folder (the entries tree scan checks those
 * inside it). Files are opened without following links and only the first PRIVATE_KEY_SCAN_BYTES are read.
 */
export function privateKeyProblemsInFiles(root: string, files: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  for (const file of files) {
    let fd: number | undefined;
    try {
      fd = openSync(path.join(root, file), constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
      if (!fstatSync(fd).isFile()) continue;
      const buffer = Buffer.alloc(PRIVATE_KEY_SCAN_BYTES);
      let length = 0;
      while (length < buffer.length) {
        const n = readSync(fd, buffer, length, buffer.length - length, null);
        if (n === 0) break;
        length += n;
      }
      const found = privateKeyProblem(file, buffer.subarray(0, length));
      if (found) problems.push(found);
    } catch {
      // Gone, a link or unreadable: nothing a key could be read from here.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return problems;
}
