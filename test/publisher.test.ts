// The publisher CLI (npm run publisher -- <command>): scaffold, keys and proofs accepted by the verifier, the CI
// validator's exit codes, and submit against the local GitHub stand-in, which records every request.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  buildProofMessage,
  checkSignatureAgainstRecords,
  parseProofJson,
  parseProofRecord,
  publicKeyFromRecord,
  verifyProofSignature,
  type ProofAlgorithm,
} from '../scripts/lib/ownership/domain-proof.ts';
import { runCommand } from '../scripts/lib/publisher/commands.ts';
import type { CommandIo } from '../scripts/lib/publisher/io.ts';
import { validateRegistry, validateServerFile } from '../scripts/lib/validate/validate.ts';
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.ts';
import type { PublishedPull } from './support/fake-github-publish.ts';

const PROJECT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(PROJECT, 'node_modules', '.bin', 'tsx');
let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

function workDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'publisher-'));
  dirs.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** Runs a command in-process, as the entry point does, and collects what it prints. */
async function run(cwd: string, argv: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIo = { cwd, env, out: (t) => (out += t), err: (t) => (err += t) };
  const code = await runCommand(argv, io);
  return { code, out, err };
}

/**
 * The real entry point in a child process, as npm runs it: in the registry checkout `cwd`, with the folder the user
 * typed the command in as INIT_CWD (the same folder unless given).
 */
function cli(cwd: string, argv: string[], initCwd = cwd): { code: number | null; out: string; err: string } {
  const result = spawnSync(TSX, [path.join(PROJECT, 'scripts', 'publisher.ts'), ...argv], { cwd, encoding: 'utf8', env: { ...process.env, GITHUB_TOKEN: '', INIT_CWD: initCwd } });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

const LONG_DESCRIPTION = 'Forecasts, current conditions, severe weather alerts and air quality for any city on Earth, straight from the source.';

const PACKAGE_JSON = JSON.stringify({
  name: '@acme/weather-mcp',
  version: '1.2.0',
  description: LONG_DESCRIPTION,
  mcpName: 'io.github.acme/weather',
  repository: { type: 'git', url: 'git+https://github.com/acme/weather-mcp.git', directory: 'packages/server' },
  bin: { 'weather-mcp': 'dist/index.js' },
});

const PYPROJECT = `[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "weather-mcp"
version = "0.3.1"
description = "Forecasts for any city."   # a comment
dependencies = ["mcp>=1.2"]

[project.urls]
Homepage = "https://weather.example.com"
Repository = "https://github.com/acme/weather-py"
`;

describe('init', () => {
  it('scaffolds a server.json from a package.json, named by mcpName, that the CI validator accepts', async () => {
    const dir = workDir({ 'pkg/package.json': PACKAGE_JSON });
    const result = await run(dir, ['init', '--from', 'pkg/package.json']);
    expect(result.code).toBe(0);
    const file = 'entries/io.github.acme/weather/1.2.0/server.json';
    expect(result.out.split('\n')[0]).toBe(file);
    expect(result.out).toContain(`npm run publisher -- validate ${file}`);
    expect(result.out).toContain(`npm run publisher -- submit --repo <owner>/<registry> ${path.dirname(file)}`);
    const server = readJson(path.join(dir, file));
    expect(Object.keys(server)).toEqual(['$schema', 'name', 'description', 'version', 'repository', 'packages']);
    expect(server).toEqual({
      $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
      name: 'io.github.acme/weather',
      description: server.description,
      version: '1.2.0',
      repository: { url: 'https://github.com/acme/weather-mcp', source: 'github', subfolder: 'packages/server' },
      packages: [{ registryType: 'npm', identifier: '@acme/weather-mcp', version: '1.2.0', runtimeHint: 'npx', transport: { type: 'stdio' } }],
    });
    expect([...(server.description as string)]).toHaveLength(100);
    expect(LONG_DESCRIPTION.startsWith((server.description as string).slice(0, -1))).toBe(true);
    expect(result.err).toContain('shortened to 100 characters');
    const report = await validateRegistry({ root: dir, entriesDir: 'entries', paths: [file] });
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('scaffolds from a pyproject.toml: PyPI package run with uvx, repository from [project.urls]', async () => {
    const dir = workDir({ 'pyproject.toml': PYPROJECT });
    const result = await run(dir, ['init']);
    expect(result.code).toBe(0);
    const file = 'entries/io.github.acme/weather-mcp/0.3.1/server.json';
    expect(result.out.split('\n')[0]).toBe(file);
    expect(readJson(path.join(dir, file))).toEqual({
      $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
      name: 'io.github.acme/weather-mcp',
      description: 'Forecasts for any city.',
      version: '0.3.1',
      repository: { url: 'https://github.com/acme/weather-py', source: 'github' },
      packages: [{ registryType: 'pypi', identifier: 'weather-mcp', version: '0.3.1', runtimeHint: 'uvx', transport: { type: 'stdio' } }],
    });
    expect(result.err).toContain('mcp-name: io.github.acme/weather-mcp');
    const report = await validateRegistry({ root: dir, entriesDir: 'entries', paths: [file] });
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);

    // --name and --out choose the name and the entries folder.
    const named = await run(dir, ['init', '--from', 'pyproject.toml', '--name', 'com.example/weather', '--out', 'registry/entries']);
    expect(named.code).toBe(0);
    expect(named.out.split('\n')[0]).toBe('registry/entries/com.example/weather/0.3.1/server.json');
    expect(named.out).toContain('npm run publisher -- keygen');
  });

  it('refuses to overwrite an existing server.json', async () => {
    const dir = workDir({ 'package.json': PACKAGE_JSON });
    expect((await run(dir, ['init'])).code).toBe(0);
    const file = path.join(dir, 'entries/io.github.acme/weather/1.2.0/server.json');
    writeFileSync(file, '{"edited": true}\n');
    const again = await run(dir, ['init']);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/^error: entries\/io\.github\.acme\/weather\/1\.2\.0\/server\.json exists already; init never overwrites a file\. Edit it, or delete it and run init again/);
    expect(again.err).not.toContain('published versions never change');
    expect(readFileSync(file, 'utf8')).toBe('{"edited": true}\n');
  });

  it('explains what is missing: no manifest, no version, a name that could leave the entries folder', async () => {
    expect(await run(workDir(), ['init'])).toMatchObject({ code: 2, err: expect.stringContaining('no package.json or pyproject.toml') });
    const dynamic = workDir({ 'pyproject.toml': '[project]\nname = "x-mcp"\ndynamic = ["version"]\n' });
    expect(await run(dynamic, ['init'])).toMatchObject({ code: 2, err: expect.stringContaining('pass --version') });
    expect(await run(dynamic, ['init', '--version', '1.0.0'])).toMatchObject({ code: 2, err: expect.stringContaining('pass --name') });
    expect(await run(dynamic, ['init', '--version', '1.0.0', '--name', '../escape'])).toMatchObject({ code: 2, err: expect.stringContaining('is not a server name') });
    expect(existsSync(path.join(dynamic, 'entries'))).toBe(false);
  });
});

describe('keygen and sign', () => {
  async function keygen(dir: string, algorithm: ProofAlgorithm): Promise<{ keyFile: string; record: string }> {
    const result = await run(dir, ['keygen', '--algorithm', algorithm, '--out', 'keys']);
    expect(result.code).toBe(0);
    const records = result.out.match(/v=MCPv1; k=\S+; p=\S+/g)!;
    // The same record for DNS and for the well-known file.
    expect(records).toHaveLength(2);
    expect(records[0]).toBe(records[1]);
    expect(result.out).toContain('/.well-known/mcp-registry-auth');
    const keyFile = path.join(dir, 'keys', `mcp-registry-${algorithm}.pem`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    return { keyFile, record: records[0]! };
  }

  for (const algorithm of ['ed25519', 'ecdsap384'] as const) {
    it(`${algorithm}: the proof it writes verifies against the printed record`, async () => {
      const dir = workDir({ 'package.json': PACKAGE_JSON });
      const { keyFile, record } = await keygen(dir, algorithm);
      expect(parseProofRecord(record)?.algorithm).toBe(algorithm);
      expect((await run(dir, ['init', '--name', 'com.example/weather'])).code).toBe(0);
      const file = 'entries/com.example/weather/1.2.0/server.json';
      const signed = await run(dir, ['sign', '--key', keyFile, '--domain', 'example.com', '--method', 'dns', file]);
      expect(signed).toMatchObject({ code: 0, out: 'entries/com.example/weather/1.2.0/proof.json\n' });

      const text = readFileSync(path.join(dir, 'entries/com.example/weather/1.2.0/proof.json'), 'utf8');
      const parsed = parseProofJson(text);
      if (!parsed.ok) throw new Error(parsed.problem.message);
      expect(Object.keys(JSON.parse(text))).toEqual(['method', 'domain', 'algorithm', 'signature']);
      expect(parsed.proof).toMatchObject({ method: 'dns', domain: 'example.com', algorithm });
      const serverJson = readFileSync(path.join(dir, file));
      const message = buildProofMessage({ name: 'com.example/weather', version: '1.2.0', serverJson });
      const key = publicKeyFromRecord(parseProofRecord(record)!);
      if (typeof key === 'string') throw new Error(key);
      expect(verifyProofSignature(key, algorithm, message, parsed.proof.signature)).toBe(true);
      expect(checkSignatureAgainstRecords([record], { message, signature: parsed.proof.signature, algorithm, serverJson })).toMatchObject({ kind: 'verified' });

      // The version folder with its proof is still a valid entry for the CI validator.
      expect((await run(dir, ['validate', '--offline', file])).code).toBe(0);

      // Editing server.json afterwards breaks the proof: the verifier says it signed other content.
      writeFileSync(path.join(dir, file), serverJson.toString('utf8').replace(/\n$/, ''));
      const changed = buildProofMessage({ name: 'com.example/weather', version: '1.2.0', serverJson: readFileSync(path.join(dir, file)) });
      expect(checkSignatureAgainstRecords([record], { message: changed, signature: parsed.proof.signature, algorithm, serverJson: readFileSync(path.join(dir, file)) }).kind).toBe('other-content');
    });
  }

  it('refuses a domain that does not grant the namespace, and keys inside entries/', async () => {
    const dir = workDir({ 'package.json': PACKAGE_JSON });
    const { keyFile } = await keygen(dir, 'ed25519');
    expect((await run(dir, ['init', '--name', 'com.example/weather'])).code).toBe(0);
    const wrong = await run(dir, ['sign', '--key', keyFile, '--domain', 'example.org', '--method', 'http', 'entries/com.example/weather/1.2.0']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('ownership-proof-namespace-not-granted');
    expect(existsSync(path.join(dir, 'entries/com.example/weather/1.2.0/proof.json'))).toBe(false);
    expect(await run(dir, ['keygen', '--out', 'entries/keys'])).toMatchObject({ code: 2, err: expect.stringContaining('inside an entries folder') });
    expect(await run(dir, ['keygen', '--out', 'keys'])).toMatchObject({ code: 2, err: expect.stringContaining('exists already') });
    expect(await run(dir, ['keygen', '--algorithm', 'rsa'])).toMatchObject({ code: 2, err: expect.stringContaining('--algorithm must be one of ed25519, ecdsap384') });
    expect(await run(dir, ['sign', '--domain', 'example.com', '--method', 'dns', 'x'])).toMatchObject({ code: 2, err: 'error: --key <private key .pem> is required\n' });
    expect(await run(dir, ['sign', '--key', 'package.json', '--domain', 'example.com', '--method', 'dns', 'entries/com.example/weather/1.2.0/server.json'])).toMatchObject({ code: 2, err: expect.stringContaining('is not an Ed25519 or ECDSA P-384 private key') });
  });
});

describe('validate and the command line', () => {
  it('exits 0 on a valid entry, 1 with the terminal report on errors, 2 on a wrong command line', async () => {
    const dir = workDir({ 'package.json': PACKAGE_JSON });
    expect((await run(dir, ['init'])).code).toBe(0);
    const good = cli(dir, ['validate', '--offline']);
    expect(good.code).toBe(0);
    expect(good.out).toContain('io.github.acme/weather');

    const bad = 'entries/io.github.acme/weather/1.3.0/server.json';
    mkdirSync(path.join(dir, path.dirname(bad)), { recursive: true });
    writeFileSync(path.join(dir, bad), JSON.stringify({ ...readJson(path.join(dir, 'entries/io.github.acme/weather/1.2.0/server.json')), version: '1.3.0', description: 7 }, null, 2));
    const failed = cli(dir, ['validate', '--offline', bad]);
    expect(failed.code).toBe(1);
    expect(failed.out).toContain(bad);
    expect(failed.out).toContain('/description');

    expect(cli(dir, ['frobnicate'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "frobnicate"') });
    expect(cli(dir, ['validate', '--nope'])).toMatchObject({ code: 2, err: expect.stringMatching(/^error: Unknown option '--nope'/) });
    expect(cli(dir, [])).toMatchObject({ code: 2, err: expect.stringContaining('usage: npm run publisher') });
    const help = cli(dir, ['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('ownership');
    expect(help.out).toContain('With --base and --author, namespace ownership too');
  });
});

describe('validate: what the publisher names is what is checked', () => {
  const SERVER = { $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json', name: 'io.github.acme/loose', description: 'A loose server.json.', version: '1.0.0' };

  it('checks a server.json outside entries/ on its own, relative to the folder the command was typed in', () => {
    const registry = workDir({ 'entries/.gitkeep': '' });
    const mine = workDir({ 'server.json': JSON.stringify(SERVER, null, 2), 'bad/server.json': JSON.stringify({ ...SERVER, description: 7, version: 'latest' }, null, 2), 'broken.json': '{"name": ' });

    const good = cli(registry, ['validate', '--offline', 'server.json'], mine);
    expect(good).toMatchObject({ code: 0, out: expect.stringContaining('checked on its own') });
    expect(good.out).not.toContain('publishes no server version');
    const folder = cli(registry, ['validate', '--offline', '.'], mine);
    expect(folder.code).toBe(0);

    const bad = cli(registry, ['validate', '--offline', 'bad'], mine);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(path.join('bad', 'server.json'));
    expect(bad.out).toContain('/description');
    expect(bad.out).toMatch(/rule-version-latest|\/version/);

    const broken = cli(registry, ['validate', '--offline', 'broken.json'], mine);
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/json-/);

    const absent = cli(registry, ['validate', '--offline', 'nothing/here.json'], mine);
    expect(absent.code).toBe(1);
    expect(absent.out).toContain('file-missing');
    expect(absent.out).toContain(mine);
    expect(absent.out).not.toMatch(/✔/);
    // A path inside the registry that names nothing fails too, rather than checking nothing.
    const gone = cli(registry, ['validate', '--offline', path.join(registry, 'entries/io.github.acme/none/1.0.0/server.json')], mine);
    expect(gone).toMatchObject({ code: 1, out: expect.stringContaining('file-missing') });
  });

  it('takes registry paths relative to the typed-in folder, too', async () => {
    const registry = workDir({ 'package.json': PACKAGE_JSON });
    expect((await run(registry, ['init'])).code).toBe(0);
    const sub = path.join(registry, 'entries', 'io.github.acme');
    const result = cli(registry, ['validate', '--offline', 'weather/1.2.0/server.json'], sub);
    expect(result.code).toBe(0);
    expect(result.out).toContain('publishes 1 server version: io.github.acme/weather 1.2.0');
  });

  it('runs the package checks on a loose file, through the verifier the pull request uses', async () => {
    const seen: string[] = [];
    const report = await validateServerFile({
      file: 'server.json', bytes: Buffer.from(JSON.stringify(SERVER)),
      packages: async (doc) => (seen.push(doc.server.name as string), [{ code: 'package-not-found', severity: 'error', file: doc.file, message: 'no such package', hint: 'publish it' }]),
    });
    expect(seen).toEqual(['io.github.acme/loose']);
    expect(report.checks.find((c) => c.id === 'packages')).toEqual({ id: 'packages', ran: true, passed: false });
    expect(report.problems.map((p) => p.code)).toEqual(['package-not-found']);
  });
});

describe('init reads only the publisher\'s own folder', () => {
  it('refuses the registry\'s own package.json, and says how to name the right one', () => {
    const out = workDir();
    const result = cli(PROJECT, ['init', '--out', out], PROJECT);
    expect(result.code).toBe(2);
    expect(result.err).toContain('pass --from');
    expect(readdirSync(out)).toEqual([]);
  });

  it('reads the package.json of the folder the command was typed in, not the registry checkout\'s', () => {
    const registry = workDir({ 'package.json': JSON.stringify({ name: 'not-the-server', version: '9.9.9' }) });
    const mine = workDir({ 'package.json': PACKAGE_JSON });
    const result = cli(registry, ['init'], mine);
    expect(result.code).toBe(0);
    expect(existsSync(path.join(registry, 'entries/io.github.acme/weather/1.2.0/server.json'))).toBe(true);
    expect(result.out).toContain('submit --repo <owner>/<registry>');
  });
});

describe('submit', () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await startFakeGitHub({ owner: 'acme', repo: 'registry', token: 'publisher-token' });
    github.publish.login = 'alice';
  });
  afterAll(() => github.stop());

  const env = () => ({ GITHUB_TOKEN: 'publisher-token', GITHUB_API_URL: github.url });

  it('forks, commits server.json and proof.json through the git data API and opens the pull request once', async () => {
    const dir = workDir({ 'package.json': PACKAGE_JSON });
    expect((await run(dir, ['init', '--name', 'com.example/weather'])).code).toBe(0);
    const { out } = await run(dir, ['keygen', '--out', 'keys']);
    expect(out).toContain('v=MCPv1');
    const version = 'entries/com.example/weather/1.2.0';
    expect((await run(dir, ['sign', '--key', 'keys/mcp-registry-ed25519.pem', '--domain', 'example.com', '--method', 'http', version])).code).toBe(0);
    const serverJson = readFileSync(path.join(dir, version, 'server.json'), 'utf8');
    const proofJson = readFileSync(path.join(dir, version, 'proof.json'), 'utf8');
    const before = github.requests.length;

    const first = await run(dir, ['submit', '--repo', 'acme/registry', `${version}/server.json`], env());
    expect(first.err).toContain('opened pull request #1: alice:publish/com.example/weather-1.2.0 → acme/registry:main\n');
    expect(first).toMatchObject({ code: 0, out: 'https://github.com/acme/registry/pull/1\n' });

    const calls = github.requests.slice(before).map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
    expect(calls.filter((c) => c === 'POST /repos/acme/registry/forks')).toHaveLength(1);
    // The fork is waited for (it answers 404 at first) before anything is written to it.
    expect(calls.filter((c) => c === 'GET /repos/alice/registry').length).toBeGreaterThan(1);
    expect(calls.indexOf('POST /repos/alice/registry/git/blobs')).toBeGreaterThan(calls.lastIndexOf('GET /repos/alice/registry'));
    expect(calls).toContain('GET /repos/acme/registry/git/ref/heads/main');
    expect(calls.filter((c) => c === 'POST /repos/alice/registry/git/blobs')).toHaveLength(2);
    expect(calls.filter((c) => c === 'POST /repos/alice/registry/git/trees')).toHaveLength(1);
    expect(calls.filter((c) => c === 'POST /repos/alice/registry/git/commits')).toHaveLength(1);
    expect(calls.filter((c) => c === 'POST /repos/alice/registry/git/refs')).toHaveLength(1);
    expect(calls.filter((c) => c === 'POST /repos/acme/registry/pulls')).toHaveLength(1);
    expect(calls.some((c) => c.startsWith('POST /repos/acme/registry/git/'))).toBe(false);
    expect(github.unexpected).toEqual([]);

    const blobs = github.requests.slice(before).filter((r) => r.method === 'POST' && r.path.endsWith('/git/blobs')).map((r) => Buffer.from((r.body as { content: string }).content, 'base64').toString('utf8'));
    expect(blobs.sort()).toEqual([proofJson, serverJson].sort());
    const create = github.requests.slice(before).find((r) => r.method === 'POST' && r.path === '/repos/acme/registry/pulls')!;
    expect(create.body).toMatchObject({ title: 'Publish com.example/weather 1.2.0', head: 'alice:publish/com.example/weather-1.2.0', base: 'main' });
    expect((create.body as { body: string }).body).toContain(`- \`${version}/server.json\``);
    expect((create.body as { body: string }).body).toContain(`- \`${version}/proof.json\``);

    // What the pull request holds: the base branch's files plus exactly the two new ones, byte for byte.
    const pull = github.pulls.get(1)! as (typeof github.pulls extends Map<number, infer P> ? P : never) & PublishedPull;
    expect(pull).toMatchObject({ state: 'open', author: 'alice', headLabel: 'alice:publish/com.example/weather-1.2.0', baseRef: 'main' });
    expect(pull.baseSha).toBe(github.publish.branch('acme/registry', 'main'));
    expect(pull.headSha).toBe(github.publish.branch('alice/registry', 'publish/com.example/weather-1.2.0'));
    expect(pull.files).toEqual([
      { filename: `${version}/server.json`, status: 'added' },
      { filename: `${version}/proof.json`, status: 'added' },
    ]);
    const files = github.publish.filesAt(pull.headSha);
    expect(files.get(`${version}/server.json`)).toBe(serverJson);
    expect(files.get(`${version}/proof.json`)).toBe(proofJson);
    expect(files.get('README.md')).toBe('# registry\n');
    expect(github.publish.commits.get(pull.headSha)!.parents).toEqual([pull.baseSha]);

    // Again (say, after re-signing): the branch moves, the open pull request is reused, not duplicated.
    const again = await run(dir, ['submit', '--repo', 'acme/registry', version], env());
    expect(again).toMatchObject({ code: 0, out: 'https://github.com/acme/registry/pull/1\n' });
    expect(again.err).toContain('updated pull request #1');
    expect(github.requests.filter((r) => r.method === 'POST' && r.path === '/repos/acme/registry/pulls')).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === 'PATCH' && decodeURIComponent(r.path) === '/repos/alice/registry/git/refs/heads/publish/com.example/weather-1.2.0')).toHaveLength(1);
    expect(github.pulls.size).toBe(1);
  });

  it('submits nothing when the entry is invalid, the token is missing or the path is not an entry', async () => {
    const dir = workDir({ 'package.json': PACKAGE_JSON });
    expect((await run(dir, ['init'])).code).toBe(0);
    const file = 'entries/io.github.acme/weather/1.2.0/server.json';
    const before = github.requests.length;
    expect(await run(dir, ['submit', '--repo', 'acme/registry', file], {})).toMatchObject({ code: 2, err: expect.stringContaining('GITHUB_TOKEN is not set') });
    expect(await run(dir, ['submit', file], env())).toMatchObject({ code: 2, err: expect.stringContaining('--repo <owner/name> is required') });
    expect(await run(dir, ['submit', '--repo', 'acme/registry'], env())).toMatchObject({ code: 2 });
    writeFileSync(path.join(dir, 'elsewhere.json'), readFileSync(path.join(dir, file)));
    expect(await run(dir, ['submit', '--repo', 'acme/registry', 'elsewhere.json'], env())).toMatchObject({ code: 2, err: expect.stringContaining(`must be ${file}`) });
    writeFileSync(path.join(dir, file), JSON.stringify({ ...readJson(path.join(dir, file)), description: 7 }));
    const invalid = await run(dir, ['submit', '--repo', 'acme/registry', file], env());
    expect(invalid.code).toBe(1);
    expect(invalid.err).toContain('nothing was submitted');
    expect(github.requests.length).toBe(before);
  });

  it('reports what GitHub answered when it refuses (a bad token)', async () => {
    const dir = workDir({ 'package.json': PACKAGE_JSON });
    expect((await run(dir, ['init'])).code).toBe(0);
    const result = await run(dir, ['submit', '--repo', 'acme/registry', 'entries/io.github.acme/weather/1.2.0'], { GITHUB_TOKEN: 'wrong', GITHUB_API_URL: github.url });
    expect(result).toMatchObject({ code: 1, err: expect.stringContaining('GitHub answered 401') });
  });

  it('takes the paths init printed, relative to the folder the publisher typed them in', async () => {
    const registry = workDir();
    const mine = workDir({ 'package.json': PACKAGE_JSON });
    const init = await run(registry, ['init', '--name', 'io.github.acme/typed-here'], { INIT_CWD: mine });
    expect(init.code).toBe(0);
    const printed = init.out.split('\n')[0]!;
    expect(printed).toBe(path.join(path.relative(mine, registry), 'entries/io.github.acme/typed-here/1.2.0/server.json'));
    const submitLine = init.out.split('\n').find((line) => line.includes('publisher -- submit'))!;
    const folder = submitLine.split(' ').at(-1)!;
    const before = github.requests.length;
    const submitted = await run(registry, ['submit', '--repo', 'acme/registry', folder], { ...env(), INIT_CWD: mine });
    expect(submitted).toMatchObject({ code: 0, out: expect.stringMatching(/^https:\/\/github\.com\/acme\/registry\/pull\/\d+\n$/) });
    const create = github.requests.slice(before).find((r) => r.method === 'POST' && r.path === '/repos/acme/registry/pulls')!;
    expect((create.body as { body: string }).body).toContain('- `entries/io.github.acme/typed-here/1.2.0/server.json`');
  });
});
