// The schema layer: `$schema` handling, and what a publisher reads for typical mistakes (code, JSON pointer, message,
// fix). Also: the committed schema files are exactly what `npm run schemas` generates, and every code is documented.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../scripts/lib/problems.ts';
import { checkSchema, SCHEMA_PROBLEM_CODES } from '../scripts/lib/validate/schema-check.ts';
import { buildServerSchema, officialSchemaUrl, schemaFilePath, SCHEMA_VERSIONS, serializeSchema } from '../scripts/lib/validate/schemas/define.ts';
import type { ServerDocument } from '../scripts/lib/validate/types.ts';
import { PROJECT_ROOT } from './support/reference.ts';

const CURRENT = officialSchemaUrl('2025-12-11');
const FILE = 'entries/io.github.acme/weather/1.0.0/server.json';

function check(server: Record<string, unknown>): Problem[] {
  const doc: ServerDocument = {
    file: FILE, pathName: 'io.github.acme/weather', pathVersion: '1.0.0', server,
    json: { value: server, locate: () => undefined },
  };
  return checkSchema(doc);
}

const valid = (more: Record<string, unknown> = {}): Record<string, unknown> => ({
  $schema: CURRENT, name: 'io.github.acme/weather', description: 'Weather forecasts.', version: '1.0.0', ...more,
});
const brief = (problems: Problem[]): Array<[string, string, string | undefined]> => problems.map((p) => [p.severity, p.code, p.jsonPath]);

describe('$schema', () => {
  it('a valid current document has no problems', () => {
    expect(check(valid())).toEqual([]);
  });

  it('missing or empty: schema-missing at the root, and the rest is still checked (as the current version)', () => {
    const { $schema: _, ...rest } = valid({ title: '' });
    const problems = check(rest);
    expect(brief(problems)).toEqual([['error', 'schema-missing', ''], ['error', 'schema-string-too-short', '/title']]);
    expect(problems[0]!.hint).toContain(CURRENT);
    expect(problems[0]!.file).toBe(FILE);
    expect(brief(check(valid({ $schema: '' })))).toEqual([['error', 'schema-missing', '']]);
  });

  it('draft, unknown versions and non-URLs: schema-version-unknown', () => {
    const draft = check(valid({ $schema: officialSchemaUrl('draft') }));
    expect(brief(draft)).toEqual([['error', 'schema-version-unknown', '/$schema']]);
    expect(draft[0]!.message).toContain('draft');
    expect(draft[0]!.hint).toContain(SCHEMA_VERSIONS.join(', '));
    expect(brief(check(valid({ $schema: officialSchemaUrl('2025-01-01') })))).toEqual([['error', 'schema-version-unknown', '/$schema']]);
    expect(brief(check(valid({ $schema: 'not a url' })))).toEqual([['error', 'schema-version-unknown', '/$schema']]);
    expect(brief(check(valid({ $schema: 7 })))).toEqual([['error', 'schema-version-unknown', '/$schema']]);
  });

  it('older versions: a warning, and the document is validated against that version', () => {
    const old = check({ ...valid({ $schema: officialSchemaUrl('2025-09-29') }), title: 'Allowed only from 2025-10-11 on, but extra root properties pass' });
    expect(brief(old)).toEqual([['warning', 'schema-version-deprecated', '/$schema']]);
    expect(old[0]!.hint).toContain(CURRENT);
    // 2025-07-09 spells fields in snake_case and closes packages.
    const snake = check(valid({
      $schema: officialSchemaUrl('2025-07-09'),
      packages: [{ registryType: 'npm', identifier: 'weather', version: '1.0.0', transport: { type: 'stdio' } }],
    }));
    expect(brief(snake)).toEqual([
      ['warning', 'schema-version-deprecated', '/$schema'],
      ['error', 'schema-required-property', '/packages/0'],
      ['error', 'schema-unknown-property', '/packages/0/registryType'],
    ]);
    expect(snake[1]!.message).toBe('packages[0] is missing the required property "registry_type".');
    expect(snake[1]!.hint).toContain('rename "registryType" to "registry_type"');
    expect(snake[2]!.hint).toContain('spells it "registry_type"');
    for (const version of SCHEMA_VERSIONS) {
      const problems = check(valid({ $schema: officialSchemaUrl(version) }));
      expect(brief(problems)).toEqual(version === '2025-12-11' ? [] : [['warning', 'schema-version-deprecated', '/$schema']]);
    }
  });

  it('a known version under another URL is not the official form', () => {
    const problems = check(valid({ $schema: 'http://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json' }));
    expect(brief(problems)).toEqual([['error', 'schema-url-noncanonical', '/$schema']]);
    expect(problems[0]!.hint).toBe(`Write exactly "${CURRENT}".`);
  });
});

describe('messages, paths and hints', () => {
  it('too long: says by how much, at the value', () => {
    const [p, ...rest] = check(valid({ description: 'x'.repeat(137) }));
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ code: 'schema-string-too-long', severity: 'error', jsonPath: '/description', file: FILE });
    expect(p!.message).toBe('description is 137 characters long; the limit is 100.');
    expect(p!.hint).toBe('Shorten description to at most 100 characters (it has 137).');
  });

  it('missing required properties point at the parent and name the property', () => {
    const { name: _n, version: _v, ...rest } = valid();
    const problems = check(rest);
    expect(problems.map((p) => [p.code, p.jsonPath, p.message])).toEqual([
      ['schema-required-property', '', 'server.json is missing the required property "name".'],
      ['schema-required-property', '', 'server.json is missing the required property "version".'],
    ]);
    expect(problems[0]!.hint).toContain('"io.github.acme/weather"');
    expect(problems[1]!.hint).toContain('"1.0.0"');
  });

  it('the name pattern is explained as namespace/name', () => {
    for (const [name, reason] of [['weather', 'it has no "/"'], ['io.github.acme/a/b', 'it has 2 slashes'], ['io.github.acme/we ather', 'it contains " "']]) {
      const [p, ...rest] = check(valid({ name }));
      expect(rest).toEqual([]);
      expect(p).toMatchObject({ code: 'schema-pattern-mismatch', jsonPath: '/name' });
      expect(p!.message).toContain('<namespace>/<server-name>');
      expect(p!.message).toContain(reason);
      expect(p!.hint).toContain('reverse-DNS namespace');
    }
  });

  it('enums list the allowed values', () => {
    const [p] = check(valid({ icons: [{ src: 'https://acme.dev/i.png', theme: 'Dark' }] }));
    expect(p).toMatchObject({ code: 'schema-value-not-allowed', jsonPath: '/icons/0/theme' });
    expect(p!.hint).toBe('Use one of: "light", "dark" (did you mean "dark"?).');
  });

  it('package version "latest", bad sha256 and bad icon sizes', () => {
    const problems = check(valid({
      packages: [{ registryType: 'mcpb', identifier: 'https://github.com/acme/w/releases/download/v1/w.mcpb', version: 'latest',
        fileSha256: 'A'.repeat(64), transport: { type: 'stdio' } }],
      icons: [{ src: 'https://acme.dev/i.png', sizes: ['48X48'] }],
    }));
    expect(brief(problems)).toEqual([
      ['error', 'schema-pattern-mismatch', '/icons/0/sizes/0'],
      ['error', 'schema-pattern-mismatch', '/packages/0/fileSha256'],
      ['error', 'schema-forbidden-value', '/packages/0/version'],
    ]);
    expect(problems[0]!.hint).toBe('Write it as "48x48".');
    expect(problems[1]!.hint).toBe(`Write it in lowercase: "${'a'.repeat(64)}".`);
    expect(problems[2]!.message).toContain('"latest"');
  });

  it('a transport with a known type: only that branch is reported, once', () => {
    const problems = check(valid({
      packages: [{ registryType: 'npm', identifier: 'weather', version: '1.0.0', transport: { type: 'sse', headers: [{ value: 'x' }] } }],
    }));
    expect(problems.map((p) => [p.code, p.jsonPath, p.message])).toEqual([
      ['schema-required-property', '/packages/0/transport', 'packages[0].transport is missing the required property "url".'],
      ['schema-required-property', '/packages/0/transport/headers/0', 'packages[0].transport.headers[0] is missing the required property "name".'],
    ]);
    expect(problems[1]!.hint).toContain('HTTP header');
  });

  it('a transport or argument with an unknown or missing type: one problem about the type', () => {
    const problems = check(valid({
      packages: [{
        registryType: 'npm', identifier: 'weather', version: '1.0.0', transport: { type: 'websocket', url: 'wss://x' },
        packageArguments: [{ type: 'flag', name: '--x' }, { name: '--y' }, 'positional'],
      }],
      remotes: [{ type: 'stdio' }, { type: 'sse', url: '{host}/sse' }],
    }));
    expect(brief(problems)).toEqual([
      ['error', 'schema-argument-type', '/packages/0/packageArguments/0/type'],
      ['error', 'schema-argument-type', '/packages/0/packageArguments/1'],
      ['error', 'schema-wrong-type', '/packages/0/packageArguments/2'],
      ['error', 'schema-transport-type', '/packages/0/transport/type'],
      ['error', 'schema-transport-type', '/remotes/0/type'],
      ['error', 'schema-pattern-mismatch', '/remotes/1/url'],
    ]);
    expect(problems[0]!.hint).toBe('Use one of: "positional", "named".');
    expect(problems[3]!.hint).toBe('Use one of: "stdio", "streamable-http", "sse".');
    expect(problems[4]!.hint).toContain('stdio belongs in packages[].transport');
    expect(problems[5]!.hint).toContain('"https://{host}/mcp"');
  });

  it('a positional argument without valueHint or value: one problem, not two', () => {
    const problems = check(valid({
      packages: [{ registryType: 'npm', identifier: 'weather', version: '1.0.0', transport: { type: 'stdio' }, packageArguments: [{ type: 'positional' }] }],
    }));
    expect(brief(problems)).toEqual([['error', 'schema-argument-value-missing', '/packages/0/packageArguments/0']]);
  });

  it('several violations of one value become one problem', () => {
    const problems = check(valid({ name: 'ab' }));
    expect(brief(problems)).toEqual([['error', 'schema-pattern-mismatch', '/name']]);
    expect(problems[0]!.message).toContain('Also: name is 2 characters long');
  });

  it('wrong types say what was found and how to write it', () => {
    const [p] = check(valid({ version: 5 }));
    expect(p).toMatchObject({ code: 'schema-wrong-type', jsonPath: '/version', message: 'version must be a string, not an integer.', hint: 'Write it as a string: "5".' });
  });

  it('keys with a slash are escaped in the pointer', () => {
    const [p] = check(valid({ _meta: { 'io.modelcontextprotocol.registry/publisher-provided': 'x' } }));
    expect(p).toMatchObject({ code: 'schema-wrong-type', jsonPath: '/_meta/io.modelcontextprotocol.registry~1publisher-provided' });
    expect(p!.message).toContain('_meta["io.modelcontextprotocol.registry/publisher-provided"]');
  });

  it('official invalid examples fail with the expected codes', () => {
    expect(check({ $schema: CURRENT, description: 'No name.', version: '1.0.0' }).map((p) => p.code)).toEqual(['schema-required-property']);
  });
});

describe('schema files and docs', () => {
  it('the committed schemas are exactly what npm run schemas generates', () => {
    for (const version of SCHEMA_VERSIONS) {
      const committed = readFileSync(path.join(PROJECT_ROOT, schemaFilePath(version)), 'utf8');
      expect(committed, `${schemaFilePath(version)} is stale: run npm run schemas`).toBe(serializeSchema(buildServerSchema(version)));
    }
  });

  it('the schemas carry the project\'s own ids, draft-07', () => {
    for (const version of SCHEMA_VERSIONS) {
      const schema = buildServerSchema(version);
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      expect(schema.$id).toBe(`https://github.com/mcp-static-registry/schemas/${version}/server.schema.json`);
    }
  });

  it('docs/errors.md has a section for every schema code', () => {
    const docs = readFileSync(path.join(PROJECT_ROOT, 'docs/errors.md'), 'utf8');
    expect(docs).toMatch(/^## Schema$/m);
    for (const code of SCHEMA_PROBLEM_CODES) expect(docs, code).toMatch(new RegExp(`^### ${code}$`, 'm'));
  });
});
