// Private keys stay out of the registry: keygen writes to a per-user folder, refuses an unignored place in a git work
// tree and never overwrites a key by accident; the repository ignores key files; and validation refuses private key
// material anywhere a pull request adds it.

import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../scripts/lib/publisher/commands.ts';
import { privateKeyKind } from '../scripts/lib/validate/rules/private-key.ts';
import { validateRegistry } from '../scripts/lib/validate/validate.ts';
import { Repo, serverJson, statusFile, tempDir } from './support/git-fixture.ts';

const PROJECT = path.resolve(import.meta.dirname, '..');
const cleanup: string[] = [];
afterEach(() => {
  while (cleanup.length) rmSync(cleanup.pop()!, { recursive: true, force: true });
});

function dir(prefix: string): string {
  const d = tempDir(prefix);
  cleanup.push(d);
  return d;
}

async function publisher(cwd: string, argv: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCommand(argv, { cwd, env, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const ed = generateKeyPairSync('ed25519');
const PEM = ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const OPENSSH = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n';
const JWK = JSON.stringify({ keys: [{ ...ed.privateKey.export({ format: 'jwk' }), kid: 'k1' }] });

describe('keygen keeps private keys out of repositories', () => {
  it('writes to $XDG_CONFIG_HOME/mcp-registry (else ~/.config/mcp-registry), folder 0700, key 0600, nothing in the checkout', async () => {
    const checkout = dir('keygen-checkout');
    const config = dir('keygen-config');
    const made = await publisher(checkout, ['keygen'], { XDG_CONFIG_HOME: config });
    expect(made.code, made.err).toBe(0);
    const keyFile = path.join(config, 'mcp-registry', 'mcp-registry-ed25519.pem');
    expect(statSync(path.join(config, 'mcp-registry')).mode & 0o777).toBe(0o700);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(made.out).toContain(`private key: ${keyFile}`);
    expect(made.out).toContain(`sign --key ${keyFile} `);
    expect(readdirSync(checkout)).toEqual([]);

    const home = dir('keygen-home');
    expect((await publisher(checkout, ['keygen', '--algorithm', 'ecdsap384'], { HOME: home })).code).toBe(0);
    expect(existsSync(path.join(home, '.config', 'mcp-registry', 'mcp-registry-ecdsap384.pem'))).toBe(true);
  });

  it('never replaces an existing key without --force', async () => {
    const checkout = dir('keygen-checkout');
    const config = dir('keygen-config');
    const keyFile = path.join(config, 'mcp-registry', 'mcp-registry-ed25519.pem');
    expect((await publisher(checkout, ['keygen'], { XDG_CONFIG_HOME: config })).code).toBe(0);
    const first = readFileSync(keyFile, 'utf8');
    const again = await publisher(checkout, ['keygen'], { XDG_CONFIG_HOME: config });
    expect(again).toMatchObject({ code: 2, err: expect.stringContaining('exists already') });
    expect(again.err).toContain('--force');
    expect(readFileSync(keyFile, 'utf8')).toBe(first);
    expect((await publisher(checkout, ['keygen', '--force'], { XDG_CONFIG_HOME: config })).code).toBe(0);
    expect(readFileSync(keyFile, 'utf8')).not.toBe(first);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it('refuses a place inside a git work tree unless git ignores it', async () => {
    const repo = Repo.init('keygen-repo');
    cleanup.push(repo.root);
    const refused = await publisher(repo.root, ['keygen', '--out', 'keys'], {});
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`inside the git work tree ${repo.root}, where nothing ignores it`);
    expect(existsSync(path.join(repo.root, 'keys'))).toBe(false);
    // The default folder is checked too: a config folder kept in a dotfiles repository.
    expect((await publisher(dir('elsewhere'), ['keygen'], { XDG_CONFIG_HOME: path.join(repo.root, 'config') })).code).toBe(2);
    writeFileSync(path.join(repo.root, '.gitignore'), 'keys/\n');
    const ignored = await publisher(repo.root, ['keygen', '--out', 'keys'], {});
    expect(ignored.code, ignored.err).toBe(0);
    expect(existsSync(path.join(repo.root, 'keys', 'mcp-registry-ed25519.pem'))).toBe(true);
  });

  it('the registry ignores key files', () => {
    for (const file of ['mcp-registry-ed25519.pem', 'entries/com.example/server.key', 'keys/id_ed25519', 'cert.p12', 'putty.ppk']) {
      expect(execFileSync('git', ['check-ignore', '--no-index', '--', file], { cwd: PROJECT, encoding: 'utf8' }).trim(), file).toBe(file);
    }
  });
});

describe('validation refuses private key material', () => {
  it('recognises PEM, OpenSSH, PuTTY and private JWKs, and not public keys', () => {
    expect(privateKeyKind(Buffer.from(PEM))).toBe('a PEM block "BEGIN PRIVATE KEY"');
    expect(privateKeyKind(Buffer.from('x\n-----BEGIN RSA PRIVATE KEY-----\nMIIE'))).toBe('a PEM block "BEGIN RSA PRIVATE KEY"');
    expect(privateKeyKind(Buffer.from('-----BEGIN ENCRYPTED PRIVATE KEY-----'))).toBe('a PEM block "BEGIN ENCRYPTED PRIVATE KEY"');
    expect(privateKeyKind(Buffer.from('-----BEGIN PGP PRIVATE KEY BLOCK-----'))).toBe('a PEM block "BEGIN PGP PRIVATE KEY BLOCK"');
    expect(privateKeyKind(Buffer.from(OPENSSH))).toBe('an OpenSSH private key');
    expect(privateKeyKind(Buffer.from('PuTTY-User-Key-File-3: ssh-ed25519\n'))).toBe('a PuTTY private key');
    expect(privateKeyKind(Buffer.from(JWK))).toBe('a JSON Web Key with its private "d" member');
    expect(privateKeyKind(Buffer.from(`key: ${JWK.slice(9, -2)}`))).toBe('a JSON Web Key with its private "d" member');
    expect(privateKeyKind(Buffer.from(ed.publicKey.export({ type: 'spki', format: 'pem' }).toString()))).toBeUndefined();
    expect(privateKeyKind(Buffer.from(JSON.stringify(ed.publicKey.export({ format: 'jwk' }))))).toBeUndefined();
    expect(privateKeyKind(Buffer.from('{"d": "not a key", "description": "kty"}'))).toBeUndefined();
    // An RSA JWK quoted in YAML: its long n and e stand between kty and d.
    expect(privateKeyKind(Buffer.from(`key:\n  {"kty": "RSA", "n": "${'a'.repeat(700)}", "e": "AQAB", "d": "${'b'.repeat(700)}"}\n`))).toBe('a JSON Web Key with its private "d" member');
    // A d in another object is not the kty's.
    expect(privateKeyKind(Buffer.from('x {"kty": "RSA", "n": "x"} {"d": "bbbbbbbbbbbbbbbbbbbbbbbb"}'))).toBeUndefined();
  });

  it('gets through a megabyte of "kty" members without braces (a bounded search, not a scan to the end from each)', () => {
    expect(privateKeyKind(Buffer.from('"d":"x" ' + '"kty":"a",'.repeat(100_000)))).toBeUndefined();
  });

  it('in any file under entries/ and in any changed file of a pull request, with the rotation hint', async () => {
    const repo = Repo.init('private-keys', 'entries');
    cleanup.push(repo.root);
    repo.server('com.example/notes', '1.0.0').commit('2026-01-01T00:00:00Z');
    repo.git(['checkout', '--quiet', '-b', 'pr']);
    repo.server('com.example/notes', '1.1.0', { description: `oops ${PEM}` });
    repo.write('com.example/notes/1.1.0/mcp-registry-ed25519.pem', PEM);
    repo.write('com.example/notes/1.1.0/proof.json', JWK);
    repo.write('com.example/notes/server.md', statusFile('status: active', `# Deploy\n\n${OPENSSH}`));
    mkdirSync(path.join(repo.root, 'docs'));
    writeFileSync(path.join(repo.root, 'docs', 'notes.txt'), `deploy key:\n${PEM}`);
    writeFileSync(path.join(repo.root, 'docs', 'fine.txt'), 'nothing secret\n');
    repo.git(['add', '--all', '--force', '.']);
    repo.git(['commit', '--quiet', '-m', 'leak'], '2026-01-02T00:00:00Z');
    const report = await validateRegistry({ root: repo.root, entriesDir: 'entries', base: 'main' });
    const keys = report.problems.filter((p) => p.code === 'file-private-key');
    expect(keys.map((p) => p.file).sort()).toEqual([
      'docs/notes.txt',
      'entries/com.example/notes/1.1.0/mcp-registry-ed25519.pem',
      'entries/com.example/notes/1.1.0/proof.json',
      'entries/com.example/notes/1.1.0/server.json',
      'entries/com.example/notes/server.md',
    ]);
    for (const p of keys) {
      expect(p.severity).toBe('error');
      expect(p.message).toContain('compromised');
      expect(p.hint).toMatch(/rotate it/);
      expect(p.hint).toContain('npm run publisher -- keygen');
      expect(p.hint).toContain('v=MCPv1 record');
    }
    expect(report.checks.find((c) => c.id === 'files')?.passed).toBe(false);
    // Without a base (a plain tree check), the entries are still searched.
    const tree = await validateRegistry({ root: repo.root, entriesDir: 'entries' });
    expect(tree.problems.filter((p) => p.code === 'file-private-key')).toHaveLength(4);
    // A clean version is not flagged.
    expect(serverJson('com.example/notes', '1.0.0')).not.toContain('PRIVATE');
  });
});
