// The shared reference material (official OpenAPI, examples, seed) lives beside the project, at
// ../shared/reference from the project root. Tests that read it run whenever it exists and skip visibly otherwise,
// except in strict mode (set by .ci/run), where its absence fails them.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { STRICT_PREREQUISITES } from './strict.ts';
import { parse } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The reference folder, or null when it is not there. */
export function referenceDir(): string | null {
  const dir = path.resolve(PROJECT_ROOT, '../shared/reference');
  return existsSync(dir) ? dir : null;
}

/** `describe` when the reference folder exists; otherwise a skipped suite that says why (title and stderr). */
export function describeWithReference(title: string, body: (dir: string) => void): void {
  const dir = referenceDir();
  if (dir) {
    describe(title, () => body(dir));
    return;
  }
  const reason = `reference material not found at ${path.resolve(PROJECT_ROOT, '../shared/reference')}`;
  if (STRICT_PREREQUISITES) {
    describe(title, () => {
      it('has the reference material (required in strict mode)', () => {
        throw new Error(reason);
      });
    });
    return;
  }
  console.warn(`SKIPPED ${title}: ${reason}`);
  describe.skip(`${title} (skipped: ${reason})`, () => body(''));
}

export interface OpenApiValidators {
  serverList: ValidateFunction;
  serverResponse: ValidateFunction;
}

/** Validators for the official OpenAPI's ServerList and ServerResponse (OpenAPI 3.1 schemas are JSON Schema 2020-12). */
export function openApiValidators(dir: string): OpenApiValidators {
  const doc = parse(readFileSync(path.join(dir, 'openapi.yaml'), 'utf8')) as { components: { schemas: Record<string, unknown> } };
  // OpenAPI's `example` is an annotation, not a JSON Schema keyword, and `components` only holds the schemas the
  // pointers below reach; declare both so strict mode stays on for everything else. `required` naming a property
  // defined in a sibling branch (PositionalArgument's anyOf) is valid JSON Schema, so strictRequired is off.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, keywords: ['example', 'components'] });
  // ajv-formats is CommonJS; under NodeNext its default import is the module object, whose `default` is the plugin.
  const formats = addFormatsModule as unknown as FormatsPlugin & { default?: FormatsPlugin };
  const addFormats: FormatsPlugin = formats.default ?? formats;
  addFormats(ajv);
  ajv.addSchema({ $id: 'https://registry.invalid/openapi.json', components: doc.components });
  const get = (name: string): ValidateFunction => {
    const validate = ajv.getSchema(`https://registry.invalid/openapi.json#/components/schemas/${name}`);
    if (!validate) throw new Error(`openapi.yaml has no components.schemas.${name}`);
    return validate;
  };
  return { serverList: get('ServerList'), serverResponse: get('ServerResponse') };
}
