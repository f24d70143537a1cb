// Ready-to-paste client configuration for one server version: VS Code (`mcp.json`), Claude Desktop
// (`claude_desktop_config.json`) and Cursor (`.cursor/mcp.json`). Pure; reads only the server.json.
//
// Publisher values are data the user did not type: a package or remote holding client variable syntax (`${…}`) is
// not offered at all, the program is always the runner of the package type whatever `runtimeHint` says, and the
// only variables in a snippet are the registry's own placeholders (clients/launch-safety.ts).

import { CLIENT_VARIABLE, DEFAULT_RUNNER, holdsClientVariable } from '../clients/launch-safety.ts';

type Json = Record<string, unknown>;

export interface Input {
  name: string;
  description?: string;
  isRequired?: boolean;
  isSecret?: boolean;
  value?: string;
  default?: string;
  valueHint?: string;
  format?: string;
  type?: string;
}

export interface ServerPackage {
  registryType?: string;
  identifier?: string;
  version?: string;
  runtimeHint?: string;
  transport?: { type?: string; url?: string };
  environmentVariables?: Input[];
  packageArguments?: Input[];
  runtimeArguments?: Input[];
  fileSha256?: string;
}

export interface ServerRemote {
  type?: string;
  url?: string;
  headers?: Input[];
  variables?: Record<string, Input>;
}

export type Client = 'vscode' | 'claude' | 'cursor';
export const CLIENTS: readonly Client[] = ['vscode', 'claude', 'cursor'];

export interface ClientConfigs {
  /**
   * What the snippets do, exactly: for a package, the full command line they start (environment included, with
   * `<placeholders>` for what the user fills in); for a remote, the URL they connect to.
   */
  run: { kind: 'command'; commandLine: string } | { kind: 'remote'; url: string; claudeCommandLine: string };
  vscode: Json;
  claude: Json;
  cursor: Json;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function packagesOf(server: Json): ServerPackage[] {
  return Array.isArray(server.packages) ? (server.packages.filter(isObject) as ServerPackage[]) : [];
}

export function remotesOf(server: Json): ServerRemote[] {
  return Array.isArray(server.remotes) ? (server.remotes.filter(isObject) as ServerRemote[]) : [];
}

export function inputsOf(list: unknown): Input[] {
  return Array.isArray(list) ? (list.filter((i) => isObject(i)) as unknown as Input[]) : [];
}

/** Resolves a value the user must supply, per client. */
interface Placeholders {
  /** A prompted or templated value for `input`; `id` is unique within one configuration. */
  (input: Input, id: string): string;
}

function inputId(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '') || 'value';
}

/** The value to configure, or undefined when the input is optional and has nothing to set. */
function valueOf(input: Input, placeholder: Placeholders, id: string): string | undefined {
  const fixed = str(input.value);
  if (fixed !== undefined) return fixed.replace(/\{([A-Za-z0-9_]+)\}/g, (_, v: string) => placeholder({ name: v }, inputId(v)));
  if (input.isRequired || input.isSecret) return placeholder(input, id);
  return undefined;
}

function argumentList(args: Input[], placeholder: Placeholders, always: boolean): string[] {
  const out: string[] = [];
  for (const arg of args) {
    const required = always || arg.isRequired || str(arg.value) !== undefined;
    if (!required) continue;
    const hint = str(arg.valueHint) ?? str(arg.name) ?? 'value';
    const value = str(arg.value) ?? str(arg.default);
    if (arg.type === 'named') {
      if (!str(arg.name)) continue;
      out.push(arg.name);
      if (value !== undefined) out.push(value);
      else if (arg.isRequired && arg.format !== 'boolean' && arg.valueHint) out.push(placeholder({ ...arg, name: hint }, inputId(hint)));
    } else {
      out.push(value ?? placeholder({ ...arg, name: hint }, inputId(hint)));
    }
  }
  return out;
}

interface Local {
  command: string;
  args: string[];
  env: Record<string, string>;
}

function localCommand(pkg: ServerPackage, placeholder: Placeholders): Local | undefined {
  const type = pkg.registryType ?? '';
  // Never the publisher's runtimeHint: the argument layout below is that of the type's runner, as in VS Code.
  const command = DEFAULT_RUNNER[type];
  const id = str(pkg.identifier);
  if (!command || !id || (pkg.transport?.type ?? 'stdio') !== 'stdio') return undefined;
  const env: Record<string, string> = {};
  for (const variable of inputsOf(pkg.environmentVariables)) {
    if (!str(variable.name)) continue;
    const value = valueOf(variable, placeholder, inputId(variable.name));
    if (value !== undefined) env[variable.name] = value;
  }
  const runtime = argumentList(inputsOf(pkg.runtimeArguments), placeholder, true);
  const args = argumentList(inputsOf(pkg.packageArguments), placeholder, false);
  const version = str(pkg.version);
  let full: string[];
  if (type === 'npm') full = [...(runtime.length ? runtime : ['-y']), version ? `${id}@${version}` : id, ...args];
  else if (type === 'pypi') full = [...runtime, version ? `${id}==${version}` : id, ...args];
  else if (type === 'nuget') full = [...runtime, version ? `${id}@${version}` : id, '--yes', ...args];
  else if (type === 'oci') {
    const envFlags = Object.keys(env).flatMap((name) => ['-e', name]);
    full = ['run', ...(runtime.length ? runtime : ['-i', '--rm']), ...envFlags, id, ...args];
  } else full = [...runtime, id, ...args];
  return { command, args: full, env };
}

function remoteTarget(remote: ServerRemote, placeholder: Placeholders): { url: string; headers: Record<string, string> } | undefined {
  const raw = str(remote.url);
  if (!raw) return undefined;
  const variables = isObject(remote.variables) ? remote.variables : {};
  const url = raw.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    const v = isObject(variables[name]) ? variables[name] : { name };
    return str(v.value) ?? str(v.default) ?? placeholder({ ...v, name }, inputId(name));
  });
  const headers: Record<string, string> = {};
  for (const header of inputsOf(remote.headers)) {
    if (!str(header.name)) continue;
    const value = valueOf(header, placeholder, inputId(header.name));
    if (value !== undefined) headers[header.name] = value;
  }
  return { url, headers };
}

/** What the snippets should run: the first local stdio package a client can start, else the first remote. */
function pickSource(server: Json): { pkg: ServerPackage } | { remote: ServerRemote } | undefined {
  const noop: Placeholders = () => '';
  const pkg = packagesOf(server).find((p) => !holdsClientVariable(p) && localCommand(p, noop));
  if (pkg) return { pkg };
  const remote = remotesOf(server).find((r) => !holdsClientVariable(r) && str(r.url));
  return remote ? { remote } : undefined;
}

function vscodeInputs(): { placeholder: Placeholders; inputs: Json[] } {
  const inputs: Json[] = [];
  const seen = new Set<string>();
  const placeholder: Placeholders = (input, id) => {
    if (!seen.has(id)) {
      seen.add(id);
      inputs.push({ type: 'promptString', id, description: str(input.description) ?? input.name, ...(input.isSecret ? { password: true } : {}) });
    }
    return `\${input:${id}}`;
  };
  return { placeholder, inputs };
}

const angle: Placeholders = (input) => `<${input.name}>`;

/**
 * Cursor reads a secret from an environment variable the user sets. Its name is the registry's, `MCP_` + the input,
 * never the publisher's alone: `${env:GITHUB_TOKEN}` would hand the user's existing token to the publisher's remote.
 */
export function cursorSecretVariable(id: string): string {
  return `MCP_${id.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase()}`;
}
const cursorEnv: Placeholders = (input, id) => (input.isSecret ? `\${env:${cursorSecretVariable(id)}}` : `<${input.name}>`);

/** One argument as a POSIX shell would need it, for showing; the registry's `<placeholders>` stay as they are. */
function shellWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) || /^<[^<>'"`$\\\n]+>$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command line a local configuration starts: `NAME=value … command args…`. */
export function commandLine(command: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): string {
  const assignments = Object.entries(env).map(([name, value]) => `${shellWord(name)}=${shellWord(value)}`);
  return [...assignments, shellWord(command), ...args.map(shellWord)].join(' ');
}

/** The three snippets, or undefined when the server has nothing a client can start or reach. */
export function clientConfigs(server: Json): ClientConfigs | undefined {
  const name = String(server.name);
  // The name is a key of every snippet; the build takes it from folder names, which validation keeps to a pattern.
  if (CLIENT_VARIABLE.test(name)) return undefined;
  const source = pickSource(server);
  if (!source) return undefined;
  const { placeholder, inputs } = vscodeInputs();
  const withInputs = (servers: Json): Json => (inputs.length ? { inputs, servers } : { servers });
  if ('pkg' in source) {
    const pkg = source.pkg;
    const entry = (local: Local, typed: boolean): Json => ({
      ...(typed ? { type: 'stdio' } : {}),
      command: local.command,
      args: local.args,
      ...(Object.keys(local.env).length ? { env: local.env } : {}),
    });
    const vscode = entry(localCommand(pkg, placeholder)!, true);
    const shown = localCommand(pkg, angle)!;
    return {
      run: { kind: 'command', commandLine: commandLine(shown.command, shown.args, shown.env) },
      vscode: withInputs({ [name]: vscode }),
      claude: { mcpServers: { [name]: entry(localCommand(pkg, angle)!, false) } },
      cursor: { mcpServers: { [name]: entry(localCommand(pkg, cursorEnv)!, false) } },
    };
  }
  const remote = source.remote;
  const http = remote.type === 'sse' ? 'sse' : 'http';
  const vs = remoteTarget(remote, placeholder)!;
  const cu = remoteTarget(remote, cursorEnv)!;
  const cl = remoteTarget(remote, angle)!;
  const headers = (h: Record<string, string>): Json => (Object.keys(h).length ? { headers: h } : {});
  // Claude Desktop's configuration file starts local processes only: reach the remote through mcp-remote.
  const claudeArgs = ['-y', 'mcp-remote', cl.url];
  for (const [key, value] of Object.entries(cl.headers)) claudeArgs.push('--header', `${key}: ${value}`);
  return {
    run: { kind: 'remote', url: cl.url, claudeCommandLine: commandLine('npx', claudeArgs) },
    vscode: withInputs({ [name]: { type: http, url: vs.url, ...headers(vs.headers) } }),
    claude: { mcpServers: { [name]: { command: 'npx', args: claudeArgs } } },
    cursor: { mcpServers: { [name]: { url: cu.url, ...headers(cu.headers) } } },
  };
}
