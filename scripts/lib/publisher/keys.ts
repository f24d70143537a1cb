// publisher keygen and sign: a domain key pair with the record to publish, and proof.json for one server.json.
// The message, signatures and record format are the verifier's own (scripts/lib/ownership/domain-proof.ts).

import { createPrivateKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runGit } from '../history/run-git.ts';
import {
  buildProofMessage,
  buildStatementMessage,
  domainProblem,
  generateProofKeyPair,
  PROOF_ALGORITHMS,
  PROOF_FILE_NAME,
  proofGrantProblem,
  proofRecordForKey,
  publicKeyBase64,
  signProofMessage,
  type DomainProof,
  type ProofAlgorithm,
} from '../ownership/domain-proof.ts';
import { renderProblemsForTerminal } from '../problems.ts';
import { WELL_KNOWN_PATH } from '../ownership/http-proof.ts';
import { defaultStatementDomain, MAX_STATEMENT_DAYS, normalizeRegistryUrl, STATEMENT_FILE_NAME, type Statement } from '../ownership/statement.ts';
import { NAMESPACE_PATTERN } from '../validate/tree.ts';
import { noPositionals, parseCommand, UsageError, type CommandIo, type ExitCode } from './io.ts';

export const KEYGEN_USAGE = 'keygen [--algorithm ed25519|ecdsap384] [--out <dir>] [--force]';
export const SIGN_USAGE = 'sign --key <private key .pem> --domain <domain> --method dns|http <path/to/server.json>';
export const AUTHORIZE_USAGE = 'authorize --key <private key .pem> --method dns|http --author <github login> [--registry <url>] [--domain <domain>] [--days <n>] [--entries <dir>] <namespace>';

/** True when `target` is the entries folder or inside it: private keys never go where a pull request picks them up. */
function insideEntries(cwd: string, target: string): boolean {
  const relative = path.relative(path.resolve(cwd, 'entries'), target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative)) || target.split(path.sep).includes('entries');
}

/** The per-user folder keys go to by default: `$XDG_CONFIG_HOME/mcp-registry`, else `~/.config/mcp-registry`. */
export function defaultKeyDir(env: CommandIo['env']): string {
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME || os.homedir(), '.config');
  return path.join(config, 'mcp-registry');
}

/** The git work tree holding `dir` (found by its `.git`, so without git too), or undefined. */
function workTreeOf(dir: string): string | undefined {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (existsSync(path.join(at, '.git'))) return at;
    if (path.dirname(at) === at) return undefined;
  }
}

/**
 * Why `file` must not receive a private key: it would sit in a git work tree where nothing ignores it, so one
 * `git add -A` publishes it. A path git ignores (and does not track) is fine.
 */
async function keyInRepositoryProblem(file: string): Promise<string | undefined> {
  const top = workTreeOf(path.dirname(file));
  if (!top) return undefined;
  // check-ignore exits 1 for a path that is not ignored (or is tracked), 128 on errors: both mean "not safe".
  const ignored = await runGit(top, ['check-ignore', '--quiet', '--', path.relative(top, file)]).then(() => true, () => false);
  return ignored ? undefined : `${file} would be inside the git work tree ${top}, where nothing ignores it`;
}

/** The path to show: relative to the folder the command runs in when it is below it, else absolute. */
function shownPath(cwd: string, file: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

export async function runKeygen(argv: string[], io: CommandIo): Promise<ExitCode> {
  const { values, positionals } = parseCommand({ algorithm: { type: 'string', default: 'ed25519' }, out: { type: 'string' }, force: { type: 'boolean', default: false } }, argv);
  noPositionals(positionals);
  const algorithm = values.algorithm as ProofAlgorithm;
  if (!PROOF_ALGORITHMS.includes(algorithm)) throw new UsageError(`--algorithm must be one of ${PROOF_ALGORITHMS.join(', ')}, not "${values.algorithm}"`);
  const dir = values.out === undefined ? defaultKeyDir(io.env) : path.resolve(io.cwd, values.out);
  if (insideEntries(io.cwd, dir)) throw new UsageError(`--out ${values.out} is inside an entries folder: keep the private key out of the registry (the default is ${defaultKeyDir(io.env)})`);
  const file = path.join(dir, `mcp-registry-${algorithm}.pem`);
  const inRepository = await keyInRepositoryProblem(file);
  if (inRepository) {
    throw new UsageError(`${inRepository}: a private key there is one \`git add\` away from a public pull request. Leave out --out (keys go to ${defaultKeyDir(io.env)}), pass a folder outside the repository, or git-ignore the path first`);
  }
  if (existsSync(file) && !values.force) {
    throw new UsageError(`${file} exists already: sign with the key you have, pass another --out, or --force to replace it (the record of the old key then stops working; publish the new one)`);
  }
  const { privateKey } = generateProofKeyPair(algorithm);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The per-user folder is ours: keep it private even if something created it with a looser mode.
  if (values.out === undefined) chmodSync(dir, 0o700);
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  if (values.force) {
    writeFileSync(file, pem, { mode: 0o600 });
    chmodSync(file, 0o600);
  } else writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  const record = proofRecordForKey(privateKey);
  const shown = shownPath(io.cwd, file);
  io.out(
    [
      `private key: ${shown}  (mode 0600; keep it secret and never commit it)`,
      '',
      'DNS proof (grants <reversed domain>/… and its subdomains): a TXT record on the domain itself, not on _mcp.<domain>:',
      `  ${record}`,
      '',
      `HTTP proof (grants <reversed domain>/… only): https://<domain>${WELL_KNOWN_PATH}, served without redirects, containing exactly:`,
      `  ${record}`,
      '',
      `then: npm run publisher -- sign --key ${shown} --domain <domain> --method dns|http <path/to/server.json>`,
      '',
    ].join('\n'),
  );
  return 0;
}

function readPrivateKey(file: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the key ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const key = createPrivateKey(pem);
    publicKeyBase64(key);
    return key;
  } catch {
    throw new UsageError(`${file} is not an Ed25519 or ECDSA P-384 private key in PEM (make one with: npm run publisher -- keygen)`);
  }
}

export async function runSign(argv: string[], io: CommandIo): Promise<ExitCode> {
  const { values, positionals } = parseCommand({ key: { type: 'string' }, domain: { type: 'string' }, method: { type: 'string' } }, argv);
  if (!values.key) throw new UsageError('--key <private key .pem> is required');
  if (!values.domain) throw new UsageError('--domain <domain> is required');
  if (values.method !== 'dns' && values.method !== 'http') throw new UsageError(`--method must be dns or http${values.method === undefined ? '' : `, not "${values.method}"`}`);
  if (positionals.length !== 1) throw new UsageError('name exactly one server.json to sign');
  const reason = domainProblem(values.domain);
  if (reason) throw new UsageError(`--domain ${JSON.stringify(values.domain)} ${reason}`);
  let target = path.resolve(io.cwd, positionals[0]!);
  if (existsSync(target) && statSync(target).isDirectory()) target = path.join(target, 'server.json');
  const shown = path.relative(io.cwd, target) || target;
  let bytes: Buffer;
  try {
    bytes = readFileSync(target);
  } catch (error) {
    throw new UsageError(`cannot read ${shown}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let server: { name?: unknown; version?: unknown };
  try {
    server = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')) as typeof server;
  } catch (error) {
    throw new UsageError(`${shown} is not valid JSON (${(error as Error).message}): run npm run publisher -- validate ${shown}`);
  }
  if (typeof server?.name !== 'string' || typeof server.version !== 'string') throw new UsageError(`${shown} has no "name" and "version" strings`);

  const privateKey = readPrivateKey(path.resolve(io.cwd, values.key));
  const { algorithm } = publicKeyBase64(privateKey);
  const grant = proofGrantProblem({ method: values.method, domain: values.domain }, server.name);
  if (grant) {
    io.err(renderProblemsForTerminal([grant]) + '\n');
    return 1;
  }
  const message = buildProofMessage({ name: server.name, version: server.version, serverJson: bytes });
  const proof: DomainProof = { method: values.method, domain: values.domain, algorithm, signature: signProofMessage(privateKey, algorithm, message) };
  const proofFile = path.join(path.dirname(target), PROOF_FILE_NAME);
  const replaced = existsSync(proofFile);
  writeFileSync(proofFile, JSON.stringify(proof, null, 2) + '\n');
  io.out(`${path.relative(io.cwd, proofFile) || proofFile}\n`);
  io.err(
    `${replaced ? 'replaced' : 'wrote'} the ${values.method.toUpperCase()} proof for ${server.name} ${server.version} (signed with ${proofRecordForKey(privateKey)}).\n` +
      `It covers these exact server.json bytes: sign again after any change. The record must be ${values.method === 'dns' ? `a TXT record on ${values.domain}` : `at https://${values.domain}${WELL_KNOWN_PATH}`} when the pull request is checked.\n`,
  );
  return 0;
}

/** The registry a statement is for: --registry, else MCP_REGISTRY_URL, else https://github.com/<MCP_REGISTRY_REPO>. */
function statementRegistry(flag: string | undefined, env: CommandIo['env']): string {
  const url = flag || env.MCP_REGISTRY_URL || (env.MCP_REGISTRY_REPO ? `https://github.com/${env.MCP_REGISTRY_REPO}` : undefined);
  if (!url) throw new UsageError('--registry <url> is required (or MCP_REGISTRY_URL / MCP_REGISTRY_REPO in the environment): the registry the statement is for, e.g. https://github.com/<owner>/<repo>');
  if (!/^https:\/\/\S+$/.test(url)) throw new UsageError(`--registry must be an https URL, not "${url}"`);
  return normalizeRegistryUrl(url);
}

export async function runAuthorize(argv: string[], io: CommandIo): Promise<ExitCode> {
  const { values, positionals } = parseCommand({
    key: { type: 'string' }, method: { type: 'string' }, author: { type: 'string' }, registry: { type: 'string' },
    domain: { type: 'string' }, days: { type: 'string', default: '7' }, entries: { type: 'string', default: 'entries' },
  }, argv);
  if (!values.key) throw new UsageError('--key <private key .pem> is required');
  if (values.method !== 'dns' && values.method !== 'http') throw new UsageError(`--method must be dns or http${values.method === undefined ? '' : `, not "${values.method}"`}`);
  if (!values.author || !/^[a-zA-Z0-9-]+$/.test(values.author)) throw new UsageError('--author <github login> is required: the GitHub user who opens the pull request, as GitHub spells the login');
  if (positionals.length !== 1 || !NAMESPACE_PATTERN.test(positionals[0]!)) throw new UsageError('name exactly one namespace, e.g. com.example');
  const namespace = positionals[0]!;
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > MAX_STATEMENT_DAYS - 1) throw new UsageError(`--days must be a whole number from 1 to ${MAX_STATEMENT_DAYS - 1}`);
  const registry = statementRegistry(values.registry, io.env);
  const domain = values.domain ?? defaultStatementDomain(namespace);
  const reason = domainProblem(domain);
  if (reason) throw new UsageError(`--domain ${JSON.stringify(domain)} ${reason}`);
  const grant = proofGrantProblem({ method: values.method, domain }, `${namespace}/`);
  if (grant) {
    io.err(renderProblemsForTerminal([grant]) + '\n');
    return 1;
  }
  const privateKey = readPrivateKey(path.resolve(io.cwd, values.key));
  const { algorithm } = publicKeyBase64(privateKey);
  const expires = new Date(Date.now() + days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const message = buildStatementMessage({ registry, author: values.author, namespace, expires });
  const statement: Statement = { method: values.method, domain, algorithm, registry, author: values.author, expires, signature: signProofMessage(privateKey, algorithm, message) };
  const dir = path.resolve(io.cwd, values.entries!, namespace);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, STATEMENT_FILE_NAME);
  const replaced = existsSync(file);
  writeFileSync(file, JSON.stringify(statement, null, 2) + '\n');
  io.out(`${path.relative(io.cwd, file) || file}\n`);
  io.err(
    `${replaced ? 'replaced' : 'wrote'} the authorization statement: ${values.author} may change ${namespace} in ${registry} until ${expires}\n` +
      `(its owners.json, its servers' status, deletions and publications), signed with ${proofRecordForKey(privateKey)}.\n` +
      `Commit it in ${values.author}'s pull request; it is valid in no other registry and for no other author. The record must be ${values.method === 'dns' ? `a TXT record on ${domain}` : `at https://${domain}${WELL_KNOWN_PATH}`} when the pull request is checked.\n`,
  );
  return 0;
}
