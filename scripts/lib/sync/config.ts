// registry.yaml: a registry's own settings (its `_meta` key, the upstreams `npm run sync` reads, the policy of what
// enters). Parsed into plain data; every mistake becomes a Problem naming the YAML path and the fix.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { OFFICIAL_META_KEY, STATUSES } from '../model.ts';
import { problem, type Problem } from '../problems.ts';
import { REGISTRY_TYPES as KNOWN_REGISTRY_TYPES } from '../validate/rules/server-json.ts';

const REGISTRY_TYPES: readonly string[] = KNOWN_REGISTRY_TYPES;
import type { Policy, PolicyRule, RegistryConfig, SourceConfig } from './types.ts';
import { readMergePolicy } from '../merge-policy.ts';

export const CONFIG_FILE_NAME = 'registry.yaml';

const DOCS = 'See docs/sub-registry.md.';
const SOURCE_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** `<reverse DNS>/<name>`, like the official `io.modelcontextprotocol.registry/official`. */
const META_KEY = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const OFFICIAL_PREFIX = OFFICIAL_META_KEY.slice(0, OFFICIAL_META_KEY.indexOf('/') + 1);
const RULE_FIELDS = ['namespace', 'name', 'registryType', 'transport', 'kind', 'status'] as const;
const KINDS = ['local', 'remote'];
const TOP_KEYS = ['metaKey', 'sources', 'policy', 'pullRequests'];
const TRANSPORTS = ['stdio', 'streamable-http', 'sse'];

export function emptyConfig(file: string): RegistryConfig {
  return { file, sources: [], policy: { allow: [], deny: [] }, pullRequests: readMergePolicy(undefined, () => {}) };
}

/** Reads registry.yaml at `file`; a missing file is an empty configuration (a registry that mirrors nothing). */
export async function loadRegistryConfig(file: string): Promise<{ config: RegistryConfig; problems: Problem[] }> {
  if (!existsSync(file)) return { config: emptyConfig(file), problems: [] };
  return parseRegistryConfig(file, readFileSync(file, 'utf8'));
}

/** The YAML parser is loaded only when there is a registry.yaml: it costs every build and validation 25 ms. */
export async function parseRegistryConfig(file: string, text: string): Promise<{ config: RegistryConfig; problems: Problem[] }> {
  const { parseDocument } = await import('yaml');
  const name = path.basename(file);
  const problems: Problem[] = [];
  const config = emptyConfig(file);
  const report = (jsonPath: string, message: string, hint: string, code = 'config-invalid'): void => {
    problems.push(problem({ code, file: name, jsonPath, message, hint: `${hint} ${DOCS}` }));
  };
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [undefined, undefined];
    problems.push(problem({
      code: 'config-yaml', file: name, jsonPath: '', ...(line ? { line, column } : {}),
      message: `not valid YAML: ${error.message.split('\n')[0]}`, hint: `Fix the YAML syntax. ${DOCS}`,
    }));
    return { config, problems };
  }
  let data: unknown;
  try {
    data = doc.toJS() ?? {};
  } catch (error) {
    // An unquoted `*pattern` is a YAML alias: valid syntax, but nothing it refers to.
    problems.push(problem({
      code: 'config-yaml', file: name, jsonPath: '', message: `the YAML cannot be read: ${(error as Error).message.split('\n')[0]}`,
      hint: `Quote patterns that start with * (e.g. namespace: "*.acme"): unquoted, YAML reads them as aliases. ${DOCS}`,
    }));
    return { config, problems };
  }
  if (!isMapping(data)) {
    report('', 'expected a mapping with metaKey, sources, policy and pullRequests', 'Start from the registry.yaml in the repository.');
    return { config, problems };
  }
  for (const key of Object.keys(data)) {
    if (!TOP_KEYS.includes(key)) report(`/${key}`, `unknown key "${key}"`, `Use only ${TOP_KEYS.join(', ')}.`);
  }
  if (data.metaKey !== undefined && data.metaKey !== null) {
    const key = data.metaKey;
    if (typeof key !== 'string' || !META_KEY.test(key)) {
      report('/metaKey', `metaKey must look like com.example.registry/annotations, not ${JSON.stringify(key)}`, 'Use a reverse-DNS name you control, a slash, and a short name.');
    } else if (key.startsWith(OFFICIAL_PREFIX)) {
      report('/metaKey', `metaKey "${key}" is in the official registry's namespace`, 'Annotations go under your own reverse-DNS key, never under io.modelcontextprotocol.registry/.');
    } else config.metaKey = key;
  }
  config.sources = readSources(data.sources, report);
  config.policy = readPolicy(data.policy, report);
  config.pullRequests = readMergePolicy(data.pullRequests, report);
  return { config, problems };
}

type Report = (jsonPath: string, message: string, hint: string) => void;

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readSources(value: unknown, report: Report): SourceConfig[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    report('/sources', 'sources must be a list', 'Write each source as "- id: …" with url: or file:.');
    return [];
  }
  const sources: SourceConfig[] = [];
  value.forEach((raw, i) => {
    const at = `/sources/${i}`;
    if (!isMapping(raw)) return report(at, 'a source must be a mapping with id and url or file', 'Write "- id: official" and "url: https://registry.modelcontextprotocol.io".');
    for (const key of Object.keys(raw)) {
      if (key !== 'id' && key !== 'url' && key !== 'file' && key !== 'tokenEnv') report(`${at}/${key}`, `unknown key "${key}"`, 'A source has id, url or file, and optionally tokenEnv.');
    }
    const id = raw.id;
    if (typeof id !== 'string' || !SOURCE_ID.test(id)) {
      return report(`${at}/id`, `id must be lower-case letters, digits and dashes, not ${JSON.stringify(id)}`, 'Give the source a short name such as official.');
    }
    if (sources.some((s) => s.id === id)) return report(`${at}/id`, `a second source with id "${id}"`, 'Give every source its own id.');
    const hasUrl = raw.url !== undefined;
    const hasFile = raw.file !== undefined;
    if (hasUrl === hasFile) return report(at, `source "${id}" needs exactly one of url and file`, 'Set url: for a registry API, or file: for a local JSON file of server versions.');
    if (hasUrl) {
      const url = typeof raw.url === 'string' ? parseHttpUrl(raw.url) : undefined;
      if (url === 'credentials') return report(`${at}/url`, 'url must not carry a user name or password', 'Put the token in an environment variable and name it in tokenEnv; it is sent as a bearer token.');
      if (!url) return report(`${at}/url`, `url must be an http(s) URL, not ${JSON.stringify(raw.url)}`, 'Use the registry base URL, e.g. https://registry.modelcontextprotocol.io.');
      const tokenEnv = raw.tokenEnv;
      if (tokenEnv !== undefined && (typeof tokenEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv))) {
        return report(`${at}/tokenEnv`, `tokenEnv must name an environment variable, not ${JSON.stringify(tokenEnv)}`, 'Write the variable\'s name, e.g. UPSTREAM_TOKEN, never the token itself.');
      }
      sources.push({ id, url, ...(typeof tokenEnv === 'string' ? { tokenEnv } : {}) });
    } else {
      if (raw.tokenEnv !== undefined) report(`${at}/tokenEnv`, 'tokenEnv applies to url sources only', 'Remove tokenEnv from this file source.');
      if (typeof raw.file !== 'string' || raw.file === '' || path.isAbsolute(raw.file) || raw.file.split(/[\\/]/).includes('..')) {
        return report(`${at}/file`, `file must be a path inside the repository, not ${JSON.stringify(raw.file)}`, 'Use a relative path such as upstream/servers.json.');
      }
      sources.push({ id, file: raw.file });
    }
  });
  return sources;
}

/**
 * The base URL without a trailing slash or API version (`…/v0.1` is taken as its base), `'credentials'` when it
 * carries a user or password, undefined when it is no http(s) URL.
 */
function parseHttpUrl(text: string): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    if (url.search || url.hash) return undefined;
    if (url.username || url.password) return 'credentials';
    return url.href.replace(/\/+$/, '').replace(/\/v0(\.1)?$/, '');
  } catch {
    return undefined;
  }
}

function readPolicy(value: unknown, report: Report): Policy {
  const policy: Policy = { allow: [], deny: [] };
  if (value === undefined || value === null) return policy;
  if (!isMapping(value)) {
    report('/policy', 'policy must be a mapping with allow and deny lists', 'Write "policy:" then "allow:" and "deny:" lists of rules.');
    return policy;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'allow' && key !== 'deny') report(`/policy/${key}`, `unknown key "${key}"`, 'A policy has allow and deny.');
  }
  for (const list of ['allow', 'deny'] as const) {
    const raw = value[list];
    if (raw === undefined || raw === null) continue;
    if (!Array.isArray(raw)) {
      report(`/policy/${list}`, `${list} must be a list of rules`, 'Write each rule as "- namespace: io.github.*" (fields: namespace, name, registryType, transport, kind, status).');
      continue;
    }
    raw.forEach((rule, i) => {
      const parsed = readRule(rule, `/policy/${list}/${i}`, report);
      if (parsed) policy[list].push(parsed);
    });
  }
  return policy;
}

function readRule(raw: unknown, at: string, report: Report): PolicyRule | undefined {
  if (!isMapping(raw) || Object.keys(raw).length === 0) {
    report(at, 'a rule must be a mapping with at least one field', `Use fields among ${RULE_FIELDS.join(', ')}.`);
    return undefined;
  }
  const rule: PolicyRule = {};
  let ok = true;
  for (const [key, value] of Object.entries(raw)) {
    if (!(RULE_FIELDS as readonly string[]).includes(key)) {
      report(`${at}/${key}`, `unknown rule field "${key}"`, `Use fields among ${RULE_FIELDS.join(', ')}.`);
      ok = false;
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || values.some((v) => typeof v !== 'string' || v === '')) {
      report(`${at}/${key}`, `${key} must be a string or a list of strings`, 'Quote patterns that YAML could read otherwise, e.g. "*".');
      ok = false;
      continue;
    }
    const allowed = key === 'kind' ? KINDS : key === 'status' ? (STATUSES as readonly string[]) : key === 'registryType' ? REGISTRY_TYPES : key === 'transport' ? TRANSPORTS : undefined;
    const wrong = allowed ? values.find((v) => !allowed.includes(v as string)) : undefined;
    if (wrong !== undefined) {
      report(`${at}/${key}`, `${key} "${wrong}" is not one of ${allowed!.join(', ')}`, `Use one of ${allowed!.join(', ')}.`);
      ok = false;
      continue;
    }
    (rule as Record<string, string[]>)[key] = values as string[];
  }
  return ok ? rule : undefined;
}

/** Status files that carry annotations when registry.yaml names no metaKey to serve them under. */
export function annotationProblems(servers: ReadonlyArray<{ statusFile?: { file: string; annotations?: unknown } }>, metaKey: string | undefined): Problem[] {
  if (metaKey) return [];
  return servers
    .filter((s) => s.statusFile?.annotations !== undefined)
    .map((s) => problem({
      code: 'annotations-without-meta-key', file: s.statusFile!.file, jsonPath: '/annotations',
      message: 'annotations need a metaKey in registry.yaml to be served under',
      hint: `Set metaKey in ${CONFIG_FILE_NAME} to a reverse-DNS key you control, e.g. com.example.registry/annotations. ${DOCS}`,
    }));
}
