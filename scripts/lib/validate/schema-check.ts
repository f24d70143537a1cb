// Schema layer of the validator: `$schema` must name a published server.json schema version; the document is then
// validated against the project's own schema of that version (schemas/<date>/server.schema.json, built by
// schemas/define.ts) and every ajv error becomes one Problem with a precise JSON pointer, a message and a fix.
//
// ajv reports a failing union (a transport, a remote, an argument) as the errors of every branch plus an `anyOf`
// error. Here such a location gets one explanation: when its `type` picks a branch, the value is validated against
// that branch alone and only its errors are reported; otherwise the `type` itself is the problem.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { cachedValidator } from './compiled-validators.ts';
import { escapePointerSegment, type Problem, type Severity } from '../problems.ts';
import {
  buildServerSchema,
  CURRENT_SCHEMA_VERSION,
  ICON_SIZE_PATTERN,
  isSchemaVersion,
  NAME_PATTERN,
  officialSchemaUrl,
  ownSchemaId,
  SCHEMA_VERSIONS,
  SHA256_PATTERN,
  toCamelCase,
  toSnakeCase,
  TRANSPORT_URL_PATTERN,
  type JsonSchema,
  type SchemaVersion,
  type UnionDefinition,
} from './schemas/define.ts';
import type { ServerDocument } from './types.ts';

/** Every code this check emits; docs/errors.md has a section for each. */
export const SCHEMA_PROBLEM_CODES = [
  'schema-missing',
  'schema-version-unknown',
  'schema-version-deprecated',
  'schema-url-noncanonical',
  'schema-required-property',
  'schema-unknown-property',
  'schema-wrong-type',
  'schema-string-too-short',
  'schema-string-too-long',
  'schema-pattern-mismatch',
  'schema-invalid-format',
  'schema-value-not-allowed',
  'schema-forbidden-value',
  'schema-transport-type',
  'schema-argument-type',
  'schema-argument-value-missing',
  'schema-invalid',
] as const;

/** The official registry's way of reading the version out of `$schema`. */
export const SCHEMA_URL_VERSION = /\/schemas\/([A-Za-z0-9_~.-]+)\/server\.schema\.json/;

// ---------------------------------------------------------------------------------------------------------------
// Compiled schemas: one ajv instance, each version compiled on first use.

let sharedAjv: Ajv | undefined;
// CommonJS, like ajv-formats: under NodeNext the default import is the module object.
const standaloneCode = ((standaloneModule as unknown as { default?: typeof standaloneModule }).default ?? standaloneModule) as unknown as (ajv: Ajv, validate: ValidateFunction) => string;
const validators = new Map<string, ValidateFunction>();
const builtSchemas = new Map<SchemaVersion, JsonSchema>();

function addUriFormat(ajv: Ajv): void {
  // ajv-formats is CommonJS; under NodeNext its default import is the module object, whose `default` is the plugin.
  const formats = addFormatsModule as unknown as FormatsPlugin & { default?: FormatsPlugin };
  (formats.default ?? formats)(ajv, ['uri']);
}

// verbose: errors carry the failing value and the schema that failed, which the messages use. strictRequired is off
// because a positional argument's anyOf requires `valueHint` or `value`, defined beside it (valid draft-07).
// code.source keeps each compiled function's source, which compiled-validators.ts caches. Exported for its test.
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: true, strictRequired: false, code: { source: true } } as const;

function schemaAjv(): Ajv {
  if (!sharedAjv) {
    sharedAjv = new Ajv(AJV_OPTIONS);
    addUriFormat(sharedAjv);
  }
  return sharedAjv;
}

function builtSchema(version: SchemaVersion): JsonSchema {
  let schema = builtSchemas.get(version);
  if (!schema) {
    schema = buildServerSchema(version);
    builtSchemas.set(version, schema);
    schemaAjv().addSchema(schema);
  }
  return schema;
}

function validatorFor(key: string, version: SchemaVersion): ValidateFunction {
  let validate = validators.get(key);
  if (!validate) {
    validate = cachedValidator([AJV_OPTIONS, buildServerSchema(version), key], () => {
      builtSchema(version);
      const compiled = schemaAjv().getSchema(key);
      if (!compiled) throw new Error(`no schema ${key}`);
      return { validate: compiled, source: () => standaloneCode(schemaAjv(), compiled) };
    });
    validators.set(key, validate);
  }
  return validate;
}

/** The project's own schema of a version, compiled (once). Exported for the differential test. */
export function ownSchemaValidator(version: SchemaVersion): ValidateFunction {
  return validatorFor(ownSchemaId(version), version);
}

function definitionValidator(version: SchemaVersion, definition: string): ValidateFunction {
  return validatorFor(`${ownSchemaId(version)}#/definitions/${definition}`, version);
}

/** For a union definition: which `type` value selects which branch definition, read off the built schema. */
function unionBranches(version: SchemaVersion, union: UnionDefinition): Map<string, string> {
  const definitions = builtSchema(version).definitions as Record<string, JsonSchema>;
  const branches = new Map<string, string>();
  for (const branch of definitions[union]!.anyOf as Array<{ $ref: string }>) {
    const name = branch.$ref.replace('#/definitions/', '');
    const type = ((definitions[name]!.properties as Record<string, JsonSchema>).type!.enum as string[])[0]!;
    branches.set(type, name);
  }
  return branches;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON pointers and how locations read in messages.


function segmentsOf(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const segment of segmentsOf(pointer)) {
    if (Array.isArray(value)) value = value[Number(segment)];
    else if (value && typeof value === 'object' && Object.hasOwn(value, segment)) value = (value as Record<string, unknown>)[segment];
    else return undefined;
  }
  return value;
}

function isAtOrUnder(pointer: string, base: string): boolean {
  return pointer === base || pointer.startsWith(`${base}/`);
}

/** `/packages/0/transport/url` → `packages[0].transport.url`; the root reads as `server.json`. */
export function readablePath(pointer: string): string {
  const segments = segmentsOf(pointer);
  if (!segments.length) return 'server.json';
  let text = '';
  for (const segment of segments) {
    if (/^(0|[1-9]\d*)$/.test(segment)) text += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

const isIndex = (segment: string | undefined): boolean => segment !== undefined && /^(0|[1-9]\d*)$/.test(segment);
const ARGUMENT_ARRAYS = new Set(['runtimeArguments', 'packageArguments', 'runtime_arguments', 'package_arguments']);

/** Which union, if any, validates the value at this pointer. */
function unionAt(pointer: string): UnionDefinition | undefined {
  const s = segmentsOf(pointer);
  if (s.length === 3 && s[0] === 'packages' && isIndex(s[1]) && s[2] === 'transport') return 'localTransport';
  if (s.length === 2 && s[0] === 'remotes' && isIndex(s[1])) return 'remoteTransport';
  if (s.length === 4 && s[0] === 'packages' && isIndex(s[1]) && ARGUMENT_ARRAYS.has(s[2]!) && isIndex(s[3])) return 'argument';
  return undefined;
}

const quote = (value: unknown): string => JSON.stringify(value);
const quoteList = (values: readonly unknown[]): string => values.map(quote).join(', ');
const length = (text: string): number => [...text].length; // code points, as ajv counts
const characters = (n: number): string => `${n} character${n === 1 ? '' : 's'}`;
function abbreviate(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return [...text].length > 60 ? `${[...text].slice(0, 57).join('')}…"` : text;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value}`;
}

// ---------------------------------------------------------------------------------------------------------------
// From ajv errors to findings.

interface Finding {
  code: string;
  severity: Severity;
  jsonPath: string;
  message: string;
  hint: string;
  /** Findings with the same key describe the same failing location and are merged. */
  key: string;
  /** Lower comes first when findings at one location are merged. */
  rank: number;
}

interface Context {
  version: SchemaVersion;
  root: Record<string, unknown>;
  doc: ServerDocument;
}

const finding = (f: Omit<Finding, 'key' | 'severity' | 'rank'> & Partial<Pick<Finding, 'key' | 'severity' | 'rank'>>): Finding => ({
  severity: 'error',
  key: f.jsonPath,
  rank: 5,
  ...f,
});

const UPGRADE = `or declare "$schema": ${quote(officialSchemaUrl(CURRENT_SCHEMA_VERSION))} and use that version's field names`;

/** Another spelling of a field name (snake_case ↔ camelCase), if it differs. */
function otherSpelling(name: string): string | undefined {
  const alt = name.includes('_') ? toCamelCase(name) : toSnakeCase(name);
  return alt === name ? undefined : alt;
}

function requiredHint(parent: string, missing: string, ctx: Context): string {
  const parentValue = valueAt(ctx.root, parent);
  const alt = otherSpelling(missing);
  if (alt && parentValue && typeof parentValue === 'object' && Object.hasOwn(parentValue, alt)) {
    return `Schema version ${ctx.version} spells this field "${missing}": rename "${alt}" to "${missing}", ${UPGRADE}.`;
  }
  const s = segmentsOf(parent);
  const container = s.length >= 2 ? s[s.length - 2] : undefined;
  switch (toCamelCase(missing)) {
    case 'name':
      if (s.length === 0) return `Add "name": ${quote(ctx.doc.pathName || 'io.github.your-login/your-server')} (the entry's folder names it).`;
      if (container === 'environmentVariables' || container === 'environment_variables') return 'Add "name": the environment variable, e.g. "API_KEY".';
      if (container === 'headers') return 'Add "name": the HTTP header, e.g. "Authorization".';
      return 'Add "name": the flag as typed on the command line, e.g. "--port".';
    case 'description':
      return 'Add "description": one line of 1 to 100 characters saying what the server does.';
    case 'version':
      if (s.length === 0) return `Add "version": ${quote(ctx.doc.pathVersion || '1.0.0')} (the entry's version folder).`;
      return 'Add "version": the exact version published in the package registry, e.g. "1.0.0".';
    case 'registryType':
      return `Add "${missing}": where the package is published: "npm", "pypi", "nuget", "oci" or "mcpb".`;
    case 'identifier':
      return 'Add "identifier": the package name (npm, pypi, nuget), the image reference (oci) or the download URL (mcpb).';
    case 'transport':
      return 'Add "transport": {"type": "stdio"} for a process the client starts, or "streamable-http"/"sse" with a "url".';
    case 'url':
      if (s[0] === 'repository') return 'Add "url": the repository\'s web address, e.g. "https://github.com/owner/repo".';
      return 'Add "url": the endpoint, e.g. "https://example.com/mcp".';
    case 'source':
      return 'Add "source": the hosting service, "github" or "gitlab".';
    case 'src':
      return 'Add "src": the https URL of the icon image.';
    case 'type':
      return 'Add "type".';
    default:
      return `Add the "${missing}" property to ${readablePath(parent)}.`;
  }
}

function patternFinding(where: string, pointer: string, value: string, pattern: string, ctx: Context): Finding {
  if (pattern === NAME_PATTERN) {
    const slashes = value.split('/').length - 1;
    const bad = [...new Set([...value].filter((c) => !/[a-zA-Z0-9./_-]/.test(c)))];
    const reason = slashes === 0 ? 'it has no "/"'
      : slashes > 1 ? `it has ${slashes} slashes; exactly one is allowed`
      : bad.length ? `it contains ${bad.map((c) => quote(c)).join(', ')}`
      : value.split('/')[0]!.includes('_') ? 'the namespace (before the "/") may not contain "_"'
      : 'the namespace or the server name is empty';
    return finding({
      code: 'schema-pattern-mismatch', jsonPath: pointer, rank: 2,
      message: `${where} ${abbreviate(value)} is not of the form <namespace>/<server-name>: ${reason}.`,
      hint: `Use a reverse-DNS namespace, one "/", then the server name, e.g. ${quote(ctx.doc.pathName || 'io.github.your-login/weather')}: `
        + 'the namespace may use letters, digits, "." and "-"; the server name letters, digits, ".", "_" and "-".',
    });
  }
  if (pattern === SHA256_PATTERN) {
    const lower = value.toLowerCase();
    const reason = length(value) !== 64 ? `it has ${length(value)} characters; a SHA-256 has 64`
      : /^[a-f0-9]{64}$/.test(lower) ? 'it uses uppercase letters' : 'it contains characters other than 0-9 and a-f';
    return finding({
      code: 'schema-pattern-mismatch', jsonPath: pointer, rank: 2,
      message: `${where} is not a lowercase hex SHA-256: ${reason}.`,
      hint: /^[a-f0-9]{64}$/.test(lower)
        ? `Write it in lowercase: ${quote(lower)}.`
        : 'Put the SHA-256 of the package file as printed by `sha256sum <file>`: 64 characters, 0-9 and a-f.',
    });
  }
  if (pattern === ICON_SIZE_PATTERN) {
    const fixed = value.toLowerCase().replace(/\s+/g, '');
    return finding({
      code: 'schema-pattern-mismatch', jsonPath: pointer, rank: 2,
      message: `${where} ${abbreviate(value)} is not an icon size.`,
      hint: new RegExp(ICON_SIZE_PATTERN).test(fixed) ? `Write it as ${quote(fixed)}.` : 'Write sizes as "<width>x<height>" in pixels, such as "48x48", or "any" for scalable images.',
    });
  }
  if (pattern === TRANSPORT_URL_PATTERN) {
    const reason = /\s/.test(value) ? 'it contains whitespace' : 'it does not start with http:// or https://';
    return finding({
      code: 'schema-pattern-mismatch', jsonPath: pointer, rank: 2,
      message: `${where} ${abbreviate(value)} is not an http(s) URL: ${reason}.`,
      hint: value.startsWith('{')
        ? `Schema version ${ctx.version} needs the URL to start with https:// or http://; put template variables after it, e.g. "https://{host}/mcp".`
        : 'Write the full endpoint URL without spaces, e.g. "https://example.com/mcp"; {variables} are allowed after the scheme.',
    });
  }
  return finding({
    code: 'schema-pattern-mismatch', jsonPath: pointer, rank: 2,
    message: `${where} ${abbreviate(value)} does not match the pattern ${pattern}.`,
    hint: `Change ${where} so that it matches ${pattern}.`,
  });
}

function enumHint(value: unknown, allowed: readonly unknown[]): string {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  const close = text === undefined ? undefined
    : allowed.find((a) => typeof a === 'string' && (a.toLowerCase() === text || a.toLowerCase().startsWith(text) || text.startsWith(a.toLowerCase())));
  return `Use one of: ${quoteList(allowed)}${close !== undefined ? ` (did you mean ${quote(close)}?)` : ''}.`;
}

function typeHint(where: string, expected: string, value: unknown): string {
  switch (expected) {
    case 'string':
      return typeof value === 'number' || typeof value === 'boolean' ? `Write it as a string: ${quote(String(value))}.` : `Make ${where} a string in double quotes.`;
    case 'boolean':
      return value === 'true' || value === 'false' ? `Write ${value} without quotes.` : 'Use true or false, without quotes.';
    case 'array':
      return value && typeof value === 'object' ? `Put it in a list: [ … ].` : `Make ${where} a list: [ … ].`;
    case 'object':
      return `Make ${where} an object: { … }.`;
    default:
      return `Make ${where} ${expected}.`;
  }
}

function mapError(e: ErrorObject, ctx: Context): Finding {
  const pointer = e.instancePath;
  const where = readablePath(pointer);
  const value: unknown = e.data;
  switch (e.keyword) {
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return finding({
        code: 'schema-required-property', jsonPath: pointer, key: `${pointer}\0required\0${missing}`, rank: 0,
        message: `${where} is missing the required property "${missing}".`,
        hint: requiredHint(pointer, missing, ctx),
      });
    }
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(((e.parentSchema as JsonSchema | undefined)?.properties as Record<string, unknown> | undefined) ?? {});
      const alt = otherSpelling(extra);
      return finding({
        code: 'schema-unknown-property', jsonPath: `${pointer}/${escapePointerSegment(extra)}`, rank: 0,
        message: `${where} has the property "${extra}", which schema version ${ctx.version} does not allow there.`,
        hint: alt && allowed.includes(alt)
          ? `Schema version ${ctx.version} spells it "${alt}": rename "${extra}" to "${alt}", ${UPGRADE}.`
          : `Remove "${extra}"; in schema version ${ctx.version} ${where} allows only ${quoteList(allowed)} (versions from 2025-10-11 on accept extra package properties).`,
      });
    }
    case 'type': {
      const expected = String((e.params as { type: string | string[] }).type);
      const article = /^[aeiou]/.test(expected) ? 'an' : 'a';
      return finding({
        code: 'schema-wrong-type', jsonPath: pointer, rank: 0,
        message: `${where} must be ${article} ${expected}, not ${kindOf(value)}.`,
        hint: typeHint(where, expected, value),
      });
    }
    case 'minLength': {
      const limit = (e.params as { limit: number }).limit;
      const has = typeof value === 'string' ? length(value) : 0;
      return finding({
        code: 'schema-string-too-short', jsonPath: pointer, rank: 4,
        message: limit === 1 ? `${where} is empty.` : `${where} is ${characters(has)} long; it needs at least ${limit}.`,
        hint: limit === 1 ? `Give ${where} a value, or remove it if it is optional.` : `Lengthen ${where} to at least ${limit} characters (it has ${has}).`,
      });
    }
    case 'maxLength': {
      const limit = (e.params as { limit: number }).limit;
      const has = typeof value === 'string' ? length(value) : 0;
      return finding({
        code: 'schema-string-too-long', jsonPath: pointer, rank: 4,
        message: `${where} is ${characters(has)} long; the limit is ${limit}.`,
        hint: `Shorten ${where} to at most ${limit} characters (it has ${has}).`,
      });
    }
    case 'pattern':
      return patternFinding(where, pointer, String(value), (e.params as { pattern: string }).pattern, ctx);
    case 'format':
      return finding({
        code: 'schema-invalid-format', jsonPath: pointer, rank: 3,
        message: `${where} ${abbreviate(value)} is not an absolute URI.`,
        hint: `Write a complete URL including its scheme, e.g. ${quote(pointer === '/$schema' ? officialSchemaUrl(CURRENT_SCHEMA_VERSION) : 'https://example.com/')}.`,
      });
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return finding({
        code: 'schema-value-not-allowed', jsonPath: pointer, rank: 1,
        message: `${where} ${abbreviate(value)} is not one of the allowed values.`,
        hint: pointer === '/status'
          ? `${enumHint(value, allowed)} Schema versions from 2025-09-29 on have no "status" field; the registry keeps status outside server.json.`
          : enumHint(value, allowed),
      });
    }
    case 'not': {
      const forbidden = ((e.schema as JsonSchema | undefined)?.const);
      return finding({
        code: 'schema-forbidden-value', jsonPath: pointer, rank: 1,
        message: forbidden === 'latest' ? `${where} is "latest", which is a moving tag, not a version.` : `${where} ${abbreviate(value)} is not allowed here.`,
        hint: forbidden === 'latest'
          ? 'Pin the exact version published in the package registry, e.g. "1.2.3"; an entry must always install the same package.'
          : `Change ${where}.`,
      });
    }
    default:
      return finding({
        code: 'schema-invalid', jsonPath: pointer,
        message: `${where} does not satisfy the schema (${e.keyword}: ${e.message ?? 'invalid'}).`,
        hint: `Compare ${where} with schema version ${ctx.version} in schemas/${ctx.version}/server.schema.json.`,
      });
  }
}

const UNION_LABEL: Record<UnionDefinition, { noun: string; typeText: string; code: string; example: string }> = {
  localTransport: { noun: 'transport', typeText: 'a package transport type', code: 'schema-transport-type', example: '{"type": "stdio"}' },
  remoteTransport: {
    noun: 'remote', typeText: 'a transport type remotes allow', code: 'schema-transport-type',
    example: '{"type": "streamable-http", "url": "https://example.com/mcp"}',
  },
  argument: { noun: 'argument', typeText: 'an argument type', code: 'schema-argument-type', example: '{"type": "named", "name": "--port", "value": "8080"}' },
};

/** One explanation for a union (transport, remote, argument) that matched none of its branches. */
function explainUnion(union: UnionDefinition, pointer: string, ctx: Context): Finding[] {
  const value = valueAt(ctx.root, pointer);
  const where = readablePath(pointer);
  const label = UNION_LABEL[union];
  const branches = unionBranches(ctx.version, union);
  const types = [...branches.keys()];
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return [finding({
      code: 'schema-wrong-type', jsonPath: pointer, rank: 0,
      message: `${where} must be an object, not ${kindOf(value)}.`,
      hint: `Write the ${label.noun} as an object, e.g. ${label.example}.`,
    })];
  }
  const type = (value as Record<string, unknown>).type;
  if (type === undefined) {
    return [finding({
      code: label.code, jsonPath: pointer, key: `${pointer}\0required\0type`, rank: 0,
      message: `${where} has no "type", so it is not a valid ${label.noun}.`,
      hint: `Add "type": one of ${quoteList(types)}.`,
    })];
  }
  const branch = typeof type === 'string' ? branches.get(type) : undefined;
  if (!branch) {
    const stdioRemote = union === 'remoteTransport' && type === 'stdio';
    return [finding({
      code: label.code, jsonPath: `${pointer}/type`, rank: 1,
      message: `${where}.type ${abbreviate(type)} is not ${label.typeText}.`,
      hint: stdioRemote
        ? 'A remote is reached over the network: use "streamable-http" or "sse" with a "url"; stdio belongs in packages[].transport.'
        : enumHint(type, types),
    })];
  }
  // The publisher meant this branch: validate against it alone and report its errors.
  const validate = definitionValidator(ctx.version, branch);
  if (validate(value)) return []; // cannot happen: a valid branch makes the union valid
  const findings: Finding[] = [];
  const errors = (validate.errors ?? []).map((e) => ({ ...e, instancePath: pointer + e.instancePath }));
  const positionalAnyOf = errors.some((e) => e.keyword === 'anyOf' && e.instancePath === pointer);
  for (const e of errors) {
    if (e.instancePath === pointer && (e.keyword === 'anyOf' || (positionalAnyOf && e.keyword === 'required'
      && ['valueHint', 'value_hint', 'value'].includes((e.params as { missingProperty: string }).missingProperty)))) continue;
    findings.push(mapError(e, ctx));
  }
  if (positionalAnyOf) {
    const hintField = ctx.version === '2025-07-09' ? 'value_hint' : 'valueHint';
    findings.push(finding({
      code: 'schema-argument-value-missing', jsonPath: pointer, key: `${pointer}\0required\0value`, rank: 0,
      message: `${where} is a positional argument with neither "${hintField}" nor "value".`,
      hint: `Add "${hintField}": a name for what the user supplies (e.g. "file_path"), or "value": the fixed text to pass.`,
    }));
  }
  return findings;
}

/** Several problems at one location become one: the most basic first, the others appended. */
function mergeByLocation(findings: Finding[]): Finding[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const group = groups.get(f.key) ?? [];
    if (!group.some((g) => g.code === f.code && g.message === f.message)) group.push(f);
    groups.set(f.key, group);
  }
  return [...groups.values()].map((group) => {
    group.sort((a, b) => a.rank - b.rank || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    const [first, ...rest] = group;
    if (!rest.length) return first!;
    return { ...first!, message: [first!.message, ...rest.map((r) => `Also: ${r.message}`)].join(' '), hint: [first!.hint, ...rest.map((r) => r.hint)].join(' ') };
  });
}

/** All schema findings of a document validated against `version`. */
function schemaFindings(version: SchemaVersion, root: Record<string, unknown>, doc: ServerDocument): Finding[] {
  const validate = ownSchemaValidator(version);
  if (validate(root)) return [];
  const errors = [...(validate.errors ?? [])];
  const ctx: Context = { version, root, doc };
  const unions = new Map<string, UnionDefinition>();
  for (const e of errors) {
    const union = e.keyword === 'anyOf' ? unionAt(e.instancePath) : undefined;
    if (union) unions.set(e.instancePath, union);
  }
  const findings: Finding[] = [];
  for (const e of errors) {
    if ([...unions.keys()].some((u) => isAtOrUnder(e.instancePath, u))) continue;
    findings.push(mapError(e, ctx));
  }
  for (const [pointer, union] of unions) findings.push(...explainUnion(union, pointer, ctx));
  return mergeByLocation(findings);
}

// ---------------------------------------------------------------------------------------------------------------
// `$schema`: which version, and whether it may be used.

/** The declared version, or what is wrong with `$schema`; undeclared or unusable versions validate as the current one. */
function declaredVersion(value: unknown): { version: SchemaVersion; findings: Finding[] } {
  const current = officialSchemaUrl(CURRENT_SCHEMA_VERSION);
  const fallback = (f: Finding): { version: SchemaVersion; findings: Finding[] } => ({ version: CURRENT_SCHEMA_VERSION, findings: [f] });
  if (value === undefined || value === '') {
    return fallback(finding({
      code: 'schema-missing', jsonPath: '', key: '\0required\0$schema', rank: 0,
      message: `server.json has no "$schema"; it must name the server.json schema version it follows (checked as ${CURRENT_SCHEMA_VERSION} meanwhile).`,
      hint: `Add "$schema": ${quote(current)} as the first property.`,
    }));
  }
  if (typeof value !== 'string') {
    return fallback(finding({
      code: 'schema-version-unknown', jsonPath: '/$schema', rank: 0,
      message: `"$schema" must be a URL string, not ${kindOf(value)} (checked as ${CURRENT_SCHEMA_VERSION} meanwhile).`,
      hint: `Set "$schema": ${quote(current)}.`,
    }));
  }
  const match = SCHEMA_URL_VERSION.exec(value);
  const name = match?.[1];
  if (name === undefined || !isSchemaVersion(name)) {
    const what = name === undefined ? `${abbreviate(value)} does not name a server.json schema version`
      : name === 'draft' ? 'names the unreleased draft schema, which the official registry rejects'
      : `names ${quote(name)}, which is not a published server.json schema version`;
    return fallback(finding({
      code: 'schema-version-unknown', jsonPath: '/$schema', rank: 0,
      message: `"$schema" ${what} (checked as ${CURRENT_SCHEMA_VERSION} meanwhile).`,
      hint: `Set "$schema": ${quote(current)}; published versions are ${SCHEMA_VERSIONS.join(', ')}.`,
    }));
  }
  const findings: Finding[] = [];
  if (value !== officialSchemaUrl(name)) {
    findings.push(finding({
      code: 'schema-url-noncanonical', jsonPath: '/$schema', rank: 0,
      message: `"$schema" names version ${name} but is not its official URL.`,
      hint: `Write exactly ${quote(officialSchemaUrl(name))}.`,
    }));
  }
  if (name !== CURRENT_SCHEMA_VERSION) {
    findings.push(finding({
      code: 'schema-version-deprecated', severity: 'warning', jsonPath: '/$schema', key: '\0deprecated', rank: 0,
      message: `"$schema" names ${name}, an older server.json schema version (the current one is ${CURRENT_SCHEMA_VERSION}); checked against ${name}.`,
      hint: `Move to ${quote(current)}${name === '2025-07-09' ? ' (field names change from snake_case to camelCase)' : ''}; `
        + 'older versions are accepted with this warning.',
    }));
  }
  return { version: name, findings };
}

/** The schema check of one server.json: `$schema` names a published version, and the document follows it. */
export function checkSchema(doc: ServerDocument): Problem[] {
  const root = doc.server;
  if (!root) return [];
  const declared = declaredVersion(root.$schema);
  const declaredProblem = declared.findings.some((f) => f.severity === 'error');
  const findings = [
    ...declared.findings,
    // What ajv says about `$schema` itself is already said, better, above.
    ...schemaFindings(declared.version, root, doc).filter((f) => !(declaredProblem && f.jsonPath === '/$schema')),
  ];
  findings.sort((a, b) => (a.jsonPath < b.jsonPath ? -1 : a.jsonPath > b.jsonPath ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return findings.map((f) => ({ code: f.code, severity: f.severity, file: doc.file, jsonPath: f.jsonPath, message: f.message, hint: f.hint }));
}

/** The version a document's `$schema` declares, when it names a published one. */
export function declaredSchemaVersion(value: unknown): SchemaVersion | undefined {
  const name = typeof value === 'string' ? SCHEMA_URL_VERSION.exec(value)?.[1] : undefined;
  return name !== undefined && isSchemaVersion(name) ? name : undefined;
}

