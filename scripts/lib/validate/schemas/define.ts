// The project's own server.json schemas, one per published schema version, built from one structural description
// plus the list of changes each version made. `npm run schemas` writes them to schemas/<date>/server.schema.json;
// a test checks the committed files equal what this module builds, and a differential test checks that every
// version gives the same valid/invalid verdict as the official schema of the same date.
//
// Design: draft-07 like the official files, but written flat (no allOf layering) and with every union a named
// definition (`localTransport`, `remoteTransport`, `argument`) whose branches are told apart by `type`, so that the
// validator can explain a failing union with the one branch the publisher meant.

export const SCHEMA_VERSIONS = ['2025-07-09', '2025-09-16', '2025-09-29', '2025-10-11', '2025-10-17', '2025-12-11'] as const;
export type SchemaVersion = (typeof SCHEMA_VERSIONS)[number];
/** The newest published version; documents declaring an older one pass with a warning. */
export const CURRENT_SCHEMA_VERSION: SchemaVersion = '2025-12-11';

/** The URL a document puts in `$schema` to declare a version (the official published location). */
export function officialSchemaUrl(version: string): string {
  return `https://static.modelcontextprotocol.io/schemas/${version}/server.schema.json`;
}

/** The `$id` of the project's own schema for a version: an identifier owned by this project, never the official one. */
export function ownSchemaId(version: SchemaVersion): string {
  return `https://github.com/mcp-static-registry/schemas/${version}/server.schema.json`;
}

export function isSchemaVersion(value: string): value is SchemaVersion {
  return (SCHEMA_VERSIONS as readonly string[]).includes(value);
}

/** What distinguishes one schema version from another, as switches. */
export interface SchemaFeatures {
  /** Field names in snake_case (`registry_type`) instead of camelCase (`registryType`). */
  snakeCase: boolean;
  /** `status` and the registry-owned `_meta` key are part of the document. */
  lifecycleInDocument: boolean;
  /** Packages allow no unknown properties and require `version`. */
  closedPackages: boolean;
  /** `title`, `icons` and the input `placeholder` exist. */
  titleAndIcons: boolean;
  /** Remotes carry `variables` for their URL template. */
  remoteVariables: boolean;
  /** Transport URLs must match `^https?://[^\s]+$` (before: streamable-http any string, sse a URI). */
  transportUrlPattern: boolean;
}

const BASELINE: SchemaFeatures = {
  snakeCase: true,
  lifecycleInDocument: true,
  closedPackages: true,
  titleAndIcons: false,
  remoteVariables: false,
  transportUrlPattern: false,
};

/** Each version, in order, with what it changed relative to the one before. */
export const SCHEMA_CHANGES: ReadonlyArray<{ version: SchemaVersion; summary: string; change: Partial<SchemaFeatures> }> = [
  { version: '2025-07-09', summary: 'first published version; snake_case field names', change: {} },
  { version: '2025-09-16', summary: 'field names renamed to camelCase', change: { snakeCase: false } },
  { version: '2025-09-29', summary: 'status and the registry-owned _meta key leave the document', change: { lifecycleInDocument: false } },
  {
    version: '2025-10-11',
    summary: 'package refactor: packages open and version optional; title, icons and input placeholder added',
    change: { closedPackages: false, titleAndIcons: true },
  },
  { version: '2025-10-17', summary: 'MCPB packages may state a version (no structural change)', change: {} },
  { version: '2025-12-11', summary: 'remotes get URL variables; transport URLs must be http(s) URLs', change: { remoteVariables: true, transportUrlPattern: true } },
];

export function schemaFeatures(version: SchemaVersion): SchemaFeatures {
  const features = { ...BASELINE };
  for (const step of SCHEMA_CHANGES) {
    Object.assign(features, step.change);
    if (step.version === version) return features;
  }
  throw new Error(`unknown schema version ${version}`);
}

/** `registryBaseUrl` → `registry_base_url`, `fileSha256` → `file_sha256`. */
export function toSnakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** `registry_base_url` → `registryBaseUrl`. */
export function toCamelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export type JsonSchema = { [keyword: string]: unknown };

export const NAME_PATTERN = '^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$';
export const SHA256_PATTERN = '^[a-f0-9]{64}$';
export const ICON_SIZE_PATTERN = '^(\\d+x\\d+|any)$';
export const TRANSPORT_URL_PATTERN = '^https?://[^\\s]+$';
export const INPUT_FORMATS = ['string', 'number', 'boolean', 'filepath'] as const;
export const ICON_MIME_TYPES = ['image/png', 'image/jpeg', 'image/jpg', 'image/svg+xml', 'image/webp'] as const;
export const ICON_THEMES = ['light', 'dark'] as const;
export const LIFECYCLE_STATUSES = ['active', 'deprecated', 'deleted'] as const;
export const PUBLISHER_META_KEY = 'io.modelcontextprotocol.registry/publisher-provided';
export const REGISTRY_META_KEY = 'io.modelcontextprotocol.registry/official';

/** The union definitions and, for each, which `type` value selects which branch definition. */
export const UNION_DEFINITIONS = ['localTransport', 'remoteTransport', 'argument'] as const;
export type UnionDefinition = (typeof UNION_DEFINITIONS)[number];

const ref = (definition: string): JsonSchema => ({ $ref: `#/definitions/${definition}` });
const string = (more: JsonSchema = {}): JsonSchema => ({ type: 'string', ...more });
const boolean = (): JsonSchema => ({ type: 'boolean' });
const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
const oneValue = (value: string): JsonSchema => ({ type: 'string', enum: [value] });

/** Builds the schema of one version. Property order is fixed, so the output is deterministic. */
export function buildServerSchema(version: SchemaVersion): JsonSchema {
  const f = schemaFeatures(version);
  /** A field name as this version spells it (names are written camelCase here). */
  const k = (camel: string): string => (f.snakeCase ? toSnakeCase(camel) : camel);
  const props = (entries: Array<[string, JsonSchema] | false>): Record<string, JsonSchema> =>
    Object.fromEntries(entries.filter((e): e is [string, JsonSchema] => e !== false).map(([name, schema]) => [k(name), schema]));

  // What every user input has (environment variables, headers, arguments, URL variables).
  const inputFields: Array<[string, JsonSchema] | false> = [
    ['description', string()],
    ['isRequired', boolean()],
    ['format', string({ enum: [...INPUT_FORMATS] })],
    ['value', string()],
    ['isSecret', boolean()],
    ['default', string()],
    f.titleAndIcons && ['placeholder', string()],
    ['choices', arrayOf(string())],
  ];
  const variablesMap: JsonSchema = { type: 'object', additionalProperties: ref('input') };
  const withVariables = [...inputFields, ['variables', variablesMap] as [string, JsonSchema]];

  const transportUrl = (kind: 'streamable-http' | 'sse'): JsonSchema =>
    f.transportUrlPattern ? string({ pattern: TRANSPORT_URL_PATTERN }) : kind === 'sse' ? string({ format: 'uri' }) : string();
  const httpTransport = (kind: 'streamable-http' | 'sse', remote: boolean): JsonSchema => ({
    description: `Connects over ${kind === 'sse' ? 'server-sent events' : 'streamable HTTP'} at url${remote ? ', which may use {variables}' : ''}.`,
    type: 'object',
    required: ['type', 'url'],
    properties: props([
      ['type', oneValue(kind)],
      ['url', transportUrl(kind)],
      ['headers', arrayOf(ref('keyValueInput'))],
      remote && ['variables', variablesMap],
    ]),
  });

  const definitions: Record<string, JsonSchema> = {
    repository: {
      description: 'Where the source code lives.',
      type: 'object',
      required: ['url', 'source'],
      properties: props([
        ['url', string({ format: 'uri' })],
        ['source', string()],
        ['id', string()],
        ['subfolder', string()],
      ]),
    },
    ...(f.titleAndIcons
      ? {
          icon: {
            description: 'An image clients may show for the server.',
            type: 'object',
            required: ['src'],
            properties: props([
              ['src', string({ format: 'uri', maxLength: 255 })],
              ['mimeType', string({ enum: [...ICON_MIME_TYPES] })],
              ['sizes', arrayOf(string({ pattern: ICON_SIZE_PATTERN }))],
              ['theme', string({ enum: [...ICON_THEMES] })],
            ]),
          },
        }
      : {}),
    package: {
      description: 'One way to install and run the server locally.',
      type: 'object',
      ...(f.closedPackages ? { additionalProperties: false } : {}),
      required: [k('registryType'), 'identifier', ...(f.closedPackages ? ['version'] : []), 'transport'],
      properties: props([
        ['registryType', string()],
        ['registryBaseUrl', string({ format: 'uri' })],
        ['identifier', string()],
        ['version', string({ minLength: 1, not: { const: 'latest' } })],
        ['fileSha256', string({ pattern: SHA256_PATTERN })],
        ['runtimeHint', string()],
        ['transport', ref('localTransport')],
        ['runtimeArguments', arrayOf(ref('argument'))],
        ['packageArguments', arrayOf(ref('argument'))],
        ['environmentVariables', arrayOf(ref('keyValueInput'))],
      ]),
    },
    input: {
      description: 'A value the user or client supplies.',
      type: 'object',
      properties: props(inputFields),
    },
    keyValueInput: {
      description: 'A named input: an environment variable or an HTTP header.',
      type: 'object',
      required: ['name'],
      properties: props([...withVariables, ['name', string()]]),
    },
    argument: {
      description: 'A command-line argument; its type picks the branch.',
      anyOf: [ref('positionalArgument'), ref('namedArgument')],
    },
    positionalArgument: {
      description: 'An argument placed on the command line as is; needs a value or a value hint.',
      type: 'object',
      required: ['type'],
      properties: props([...withVariables, ['type', oneValue('positional')], ['valueHint', string()], ['isRepeated', boolean()]]),
      anyOf: [{ required: [k('valueHint')] }, { required: ['value'] }],
    },
    namedArgument: {
      description: 'A flag argument such as --port.',
      type: 'object',
      required: ['type', 'name'],
      properties: props([...withVariables, ['type', oneValue('named')], ['name', string()], ['isRepeated', boolean()]]),
    },
    localTransport: {
      description: 'How a client talks to a package it runs; its type picks the branch.',
      anyOf: [ref('stdioTransport'), ref('streamableHttpTransport'), ref('sseTransport')],
    },
    remoteTransport: {
      description: 'How a client reaches a hosted server; its type picks the branch.',
      anyOf: f.remoteVariables
        ? [ref('remoteStreamableHttpTransport'), ref('remoteSseTransport')]
        : [ref('streamableHttpTransport'), ref('sseTransport')],
    },
    stdioTransport: {
      description: 'The client starts the package and talks over standard input and output.',
      type: 'object',
      required: ['type'],
      properties: props([['type', oneValue('stdio')]]),
    },
    streamableHttpTransport: httpTransport('streamable-http', false),
    sseTransport: httpTransport('sse', false),
    ...(f.remoteVariables
      ? { remoteStreamableHttpTransport: httpTransport('streamable-http', true), remoteSseTransport: httpTransport('sse', true) }
      : {}),
  };

  const metaKeys: Record<string, JsonSchema> = { [PUBLISHER_META_KEY]: { type: 'object' } };
  if (f.lifecycleInDocument) metaKeys[REGISTRY_META_KEY] = { type: 'object' };

  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: ownSchemaId(version),
    $comment: 'Generated by `npm run schemas` from scripts/lib/validate/schemas/define.ts; edit that file, not this one.',
    title: `server.json, schema version ${version}`,
    description: `mcp-static-registry's schema for a server.json whose $schema names ${version}; it accepts exactly what the official schema of that date accepts.`,
    type: 'object',
    required: ['name', 'description', 'version'],
    properties: props([
      ['$schema', string({ format: 'uri' })],
      ['name', string({ minLength: 3, maxLength: 200, pattern: NAME_PATTERN })],
      ['description', string({ minLength: 1, maxLength: 100 })],
      f.titleAndIcons && ['title', string({ minLength: 1, maxLength: 100 })],
      ['version', string({ maxLength: 255 })],
      f.lifecycleInDocument && ['status', string({ enum: [...LIFECYCLE_STATUSES] })],
      ['websiteUrl', string({ format: 'uri' })],
      ['repository', ref('repository')],
      f.titleAndIcons && ['icons', arrayOf(ref('icon'))],
      ['packages', arrayOf(ref('package'))],
      ['remotes', arrayOf(ref('remoteTransport'))],
      ['_meta', { type: 'object', properties: metaKeys }],
    ]),
    definitions,
  };
}

/** The committed text of a schema file: two-space JSON and a final newline. */
export function serializeSchema(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** Repository-relative path of a version's schema file. */
export function schemaFilePath(version: SchemaVersion): string {
  return `schemas/${version}/server.schema.json`;
}
