// The cached server.json validators (validate/compiled-validators.ts) are ajv's standalone code of the same schema:
// on valid and broken documents of every schema version they must give exactly the errors of a freshly compiled
// validator (the messages are built from those errors, their values and schemas), and a second run must load the
// compiled code instead of compiling.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedValidator, validatorCacheFile } from '../scripts/lib/validate/compiled-validators.ts';
import { AJV_OPTIONS } from '../scripts/lib/validate/schema-check.ts';
import { buildServerSchema, ownSchemaId, SCHEMA_VERSIONS, officialSchemaUrl } from '../scripts/lib/validate/schemas/define.ts';
import { PROJECT_ROOT } from './support/reference.ts';

const standaloneCode = ((standaloneModule as unknown as { default?: typeof standaloneModule }).default ?? standaloneModule) as unknown as (ajv: Ajv, validate: ValidateFunction) => string;
// Inside the project, so that the code's requires of ajv's runtime resolve as they do from the cache.
const dir = mkdtempSync(path.join(PROJECT_ROOT, 'node_modules', '.cache', 'compiled-validators-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function compile(version: (typeof SCHEMA_VERSIONS)[number]): { ajv: Ajv; validate: ValidateFunction } {
  const ajv = new Ajv(AJV_OPTIONS);
  const formats = addFormatsModule as unknown as FormatsPlugin & { default?: FormatsPlugin };
  (formats.default ?? formats)(ajv, ['uri']);
  ajv.addSchema(buildServerSchema(version));
  return { ajv, validate: ajv.getSchema(ownSchemaId(version))! };
}

function documents(version: string): unknown[] {
  const valid = {
    $schema: officialSchemaUrl(version as (typeof SCHEMA_VERSIONS)[number]), name: 'io.github.alice/weather', description: 'Weather.', version: '1.0.0',
    packages: [{ registryType: 'npm', identifier: '@alice/weather', version: '1.0.0', transport: { type: 'stdio' }, packageArguments: [{ type: 'positional', value: 'x' }] }],
    remotes: [{ type: 'streamable-http', url: 'https://example.com/mcp', headers: [{ name: 'Authorization', isSecret: true }] }],
  };
  const broken: unknown[] = [
    {}, [], 'text', { ...valid, name: 'no-slash' }, { ...valid, version: 7 }, { ...valid, extra: true },
    { ...valid, packages: [{ ...valid.packages[0], transport: { type: 'carrier-pigeon' } }] },
    { ...valid, packages: [{ ...valid.packages[0], transport: { type: 'sse' } }] },
    { ...valid, packages: [{ ...valid.packages[0], packageArguments: [{ type: 'named' }] }] },
    { ...valid, remotes: [{ type: 'sse', url: 'ftp://example.com' }] },
    { ...valid, description: '' }, { ...valid, repository: { url: 'not a url', source: 'github' } },
  ];
  return [valid, ...broken];
}

describe('cached schema validators', () => {
  it('give the errors of a freshly compiled validator, for every schema version', () => {
    const load = createRequire(path.join(PROJECT_ROOT, 'package.json'));
    let failures = 0;
    for (const version of SCHEMA_VERSIONS) {
      const { ajv, validate } = compile(version);
      const file = path.join(dir, `${version}.cjs`);
      writeFileSync(file, standaloneCode(ajv, validate));
      const standalone = load(file) as ValidateFunction;
      for (const document of documents(version)) {
        const fresh = validate(document), cached = standalone(document);
        expect(cached).toBe(fresh);
        expect(standalone.errors ?? null).toEqual(validate.errors ?? null);
        if (!fresh) failures++;
      }
    }
    // The documents do reach the errors: most of them are broken.
    expect(failures).toBeGreaterThan(SCHEMA_VERSIONS.length * 10);
  });

  it('compile once, then load the compiled code', () => {
    const version = SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 1]!;
    const inputs = ['compiled-validators.test'];
    rmSync(validatorCacheFile(inputs), { force: true });
    let compiled = 0;
    const make = (): { validate: ValidateFunction; source: () => string } => {
      compiled++;
      const { ajv, validate } = compile(version);
      return { validate, source: () => standaloneCode(ajv, validate) };
    };
    const first = cachedValidator(inputs, make);
    const second = cachedValidator(inputs, make);
    expect(compiled).toBe(1);
    expect(second).not.toBe(first);
    const broken = { name: 'no-slash' };
    expect(second(broken)).toBe(first(broken));
    expect(second.errors).toEqual(first.errors);
    rmSync(validatorCacheFile(inputs), { force: true });
  });
});
