// publisher init: a first server.json from the package's own metadata (package.json or pyproject.toml), written to
// `<out>/<name>/<version>/server.json` and never over an existing file.

import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseToml } from 'smol-toml';
import { noPositionals, parseCommand, UsageError, userDirectory, type CommandIo, type ExitCode } from './io.ts';

export const SERVER_SCHEMA_URL = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';
/** The official schema's limit on `description`. */
export const MAX_DESCRIPTION = 100;
const SERVER_NAME = /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/;

export interface Scaffold {
  server: Record<string, unknown>;
  /** Things the publisher should know about what was (or could not be) taken over. */
  notes: string[];
}

interface Repository {
  url: string;
  source: 'github' | 'gitlab';
  subfolder?: string;
}

/**
 * A repository reference as package managers write it (`github:o/r`, `o/r`, `git+https://github.com/o/r.git`,
 * `git@github.com:o/r.git`, a `/tree/<branch>/<dir>` link) as the registry wants it, or undefined when it is not a
 * GitHub or GitLab repository.
 */
export function normalizeRepository(reference: string, directory?: string): Repository | undefined {
  const text = reference.trim();
  const short = /^(?:(github|gitlab):)?([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(text);
  let found: { source: 'github' | 'gitlab'; owner: string; repo: string; subfolder?: string } | undefined;
  if (short && !text.includes('://')) found = { source: (short[1] as 'github' | 'gitlab' | undefined) ?? 'github', owner: short[2]!, repo: short[3]! };
  else {
    const m = /(github|gitlab)\.com[/:]([\w.-]+)\/([\w.-]+?)(?:\.git)?(?:\/(?:-\/)?(?:tree|blob)\/[^/]+\/(.+?))?\/?(?:[?#].*)?$/.exec(text);
    if (m) found = { source: m[1] as 'github' | 'gitlab', owner: m[2]!, repo: m[3]!, subfolder: m[4] };
  }
  if (!found) return undefined;
  const subfolder = (directory ?? found.subfolder)?.replace(/^\.?\/+|\/+$/g, '');
  return { url: `https://${found.source}.com/${found.owner}/${found.repo}`, source: found.source, ...(subfolder ? { subfolder } : {}) };
}

function shortDescription(text: unknown, fallback: string, notes: string[]): string {
  const description = typeof text === 'string' ? text.replace(/\s+/g, ' ').trim() : '';
  if (!description) {
    notes.push(`no description found: "${fallback}" is a placeholder, write one (at most ${MAX_DESCRIPTION} characters)`);
    return fallback;
  }
  if ([...description].length <= MAX_DESCRIPTION) return description;
  notes.push(`the description was shortened to ${MAX_DESCRIPTION} characters (the schema's limit)`);
  return [...description].slice(0, MAX_DESCRIPTION - 1).join('').trimEnd() + '…';
}

/** `--name`, else the package's own declaration, else io.github.<repository owner>/<package name>. */
function chooseName(explicit: string | undefined, declared: string | undefined, repository: Repository | undefined, packageName: string, notes: string[]): string {
  if (explicit) {
    if (declared && declared !== explicit) notes.push(`--name ${explicit} differs from the package's declared name ${declared}; clients match the two`);
    return explicit;
  }
  if (declared) return declared;
  const owner = repository?.source === 'github' ? /github\.com\/([^/]+)\//.exec(repository.url)?.[1] : undefined;
  const server = packageName.replace(/^@[^/]+\//, '').replace(/[^a-zA-Z0-9._-]/g, '-');
  if (!owner) throw new UsageError('cannot tell the server name: pass --name <namespace>/<server> (e.g. io.github.your-login/weather)');
  const name = `io.github.${owner}/${server}`;
  notes.push(`the name ${name} was made from the repository owner; pass --name to choose another namespace you own`);
  return name;
}

function serverJson(fields: { name: string; description: string; version: string; repository?: Repository; packageEntry: Record<string, unknown> }): Record<string, unknown> {
  return {
    $schema: SERVER_SCHEMA_URL,
    name: fields.name,
    description: fields.description,
    version: fields.version,
    ...(fields.repository ? { repository: fields.repository } : {}),
    packages: [fields.packageEntry],
  };
}

export function scaffoldFromPackageJson(text: string, options: { name?: string; version?: string } = {}): Scaffold {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`package.json is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg)) throw new UsageError('package.json does not hold an object');
  const notes: string[] = [];
  const identifier = typeof pkg.name === 'string' ? pkg.name : '';
  if (!identifier) throw new UsageError('package.json has no "name": the npm package name is the identifier clients install');
  const version = options.version ?? (typeof pkg.version === 'string' ? pkg.version : '');
  if (!version) throw new UsageError('package.json has no "version": add it, or pass --version');
  const repo = pkg.repository;
  const repository = typeof repo === 'string'
    ? normalizeRepository(repo)
    : repo && typeof repo === 'object' && typeof (repo as { url?: unknown }).url === 'string'
      ? normalizeRepository((repo as { url: string }).url, typeof (repo as { directory?: unknown }).directory === 'string' ? (repo as { directory: string }).directory : undefined)
      : undefined;
  if (repo !== undefined && !repository) notes.push('the repository is not on GitHub or GitLab and was left out');
  const mcpName = typeof pkg.mcpName === 'string' && pkg.mcpName ? pkg.mcpName : undefined;
  const name = chooseName(options.name, mcpName, repository, identifier, notes);
  if (!mcpName) notes.push(`add "mcpName": "${name}" to package.json and publish it to npm: the official registry checks that the package names the server`);
  const description = shortDescription(pkg.description, `${identifier} MCP server`, notes);
  const packageEntry = { registryType: 'npm', identifier, version, runtimeHint: 'npx', transport: { type: 'stdio' } };
  return { server: serverJson({ name, description, version, repository, packageEntry }), notes };
}

export function scaffoldFromPyproject(text: string, options: { name?: string; version?: string } = {}): Scaffold {
  let toml: Record<string, unknown>;
  try {
    toml = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`pyproject.toml is not valid TOML: ${(error as Error).message.split('\n')[0]}`);
  }
  const project = (toml.project ?? {}) as Record<string, unknown>;
  const notes: string[] = [];
  const identifier = typeof project.name === 'string' ? project.name : '';
  if (!identifier) throw new UsageError('pyproject.toml has no [project] name: the PyPI project name is the identifier clients install');
  const version = options.version ?? (typeof project.version === 'string' ? project.version : '');
  if (!version) {
    throw new UsageError('pyproject.toml has no static [project] version (a dynamic one cannot be read): pass --version <version>');
  }
  const urls = project.urls && typeof project.urls === 'object' ? Object.entries(project.urls as Record<string, unknown>) : [];
  const ranked = [...urls.filter(([key]) => /repo|source|code|github|gitlab/i.test(key)), ...urls];
  let repository: Repository | undefined;
  for (const [, url] of ranked) if (!repository && typeof url === 'string') repository = normalizeRepository(url);
  if (!repository) notes.push('no GitHub or GitLab repository in [project.urls]: add "repository" by hand if there is one');
  const name = chooseName(options.name, undefined, repository, identifier, notes);
  notes.push(`add the line "mcp-name: ${name}" to the package's README on PyPI: the official registry checks that the package names the server`);
  const description = shortDescription(project.description, `${identifier} MCP server`, notes);
  const packageEntry = { registryType: 'pypi', identifier, version, runtimeHint: 'uvx', transport: { type: 'stdio' } };
  return { server: serverJson({ name, description, version, repository, packageEntry }), notes };
}

/** Where a version's server.json lives under the entries folder; refuses names that could leave it. */
export function entryPath(entriesDir: string, name: string, version: string): string {
  if (!SERVER_NAME.test(name) || name.split('/').some((part) => part === '.' || part === '..')) {
    throw new UsageError(`"${name}" is not a server name: it is "<namespace>/<server>", e.g. io.github.your-login/weather`);
  }
  if (!version || /[/\\]/.test(version) || version === '.' || version === '..') throw new UsageError(`"${version}" cannot be a version folder`);
  return path.join(entriesDir, name, version, 'server.json');
}

export const INIT_USAGE = 'init [--from <package.json|pyproject.toml>] [--name <namespace/server>] [--version <version>] [--out <entries dir>]';

/** This project's own folder (where its package.json is), which is never the publisher's package. */
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function sameFolder(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

export async function runInit(argv: string[], io: CommandIo): Promise<ExitCode> {
  const { values, positionals } = parseCommand({ from: { type: 'string' }, name: { type: 'string' }, version: { type: 'string' }, out: { type: 'string' } }, argv);
  noPositionals(positionals);
  const here = userDirectory(io);
  let from = values.from;
  if (!from) {
    // Only the publisher's own folder is looked in; from the registry checkout that would be this project's own
    // package.json, which describes the registry, not their server.
    if (sameFolder(here, PROJECT_ROOT)) {
      throw new UsageError('this is the registry\'s own folder, not your server\'s: pass --from <path to your server\'s package.json or pyproject.toml>, or run the command from your server\'s folder');
    }
    from = ['package.json', 'pyproject.toml'].find((f) => existsSync(path.join(here, f)));
  }
  if (!from) throw new UsageError(`no package.json or pyproject.toml in ${here}: pass --from <file>, or run the command from your server's folder`);
  const source = path.resolve(here, from);
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${from}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const options = { name: values.name, version: values.version };
  const { server, notes } = source.endsWith('.toml') ? scaffoldFromPyproject(text, options) : scaffoldFromPackageJson(text, options);
  // The registry's entries/ unless the publisher names another folder (relative to where they typed it).
  const out = values.out === undefined ? path.join(io.cwd, 'entries') : path.resolve(here, values.out);
  const target = entryPath(out, server.name as string, server.version as string);
  const shown = path.relative(here, target) || target;
  if (existsSync(target)) {
    io.err(`error: ${shown} exists already; init never overwrites a file. Edit it, or delete it and run init again to write it afresh (--version <version> writes another version)\n`);
    return 1;
  }
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, JSON.stringify(server, null, 2) + '\n', { flag: 'wx' });
  io.out(`${shown}\n`);
  for (const note of notes) io.err(`note: ${note}\n`);
  const namespace = (server.name as string).split('/')[0]!;
  const proof = namespace.startsWith('io.github.')
    ? `open the pull request as GitHub user ${namespace.slice('io.github.'.length)} (or an Owner of that organisation)`
    : 'prove the domain: npm run publisher -- keygen, publish the record it prints, then npm run publisher -- sign';
  io.out(
    [
      'next steps:',
      `  1. review ${shown}: environment variables, arguments, title, websiteUrl`,
      `  2. ownership of ${namespace}: ${proof}`,
      `  3. npm run publisher -- validate ${shown}`,
      `  4. GITHUB_TOKEN=… npm run publisher -- submit --repo ${io.env.MCP_REGISTRY_REPO || '<owner>/<registry>'} ${path.dirname(shown)}`,
      '',
    ].join('\n'),
  );
  return 0;
}
