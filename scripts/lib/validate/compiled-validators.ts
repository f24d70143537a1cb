// Schema validators compiled once per schema, not once per run: ajv turns the server.json schema into JavaScript in
// about 0.2 s, a fifth of a pull request's check. The compiled code (ajv's own standalone output, made from the
// project's schema, never from input) is kept under node_modules/.cache/mcp-static-registry/ajv/, named by a hash of
// everything it depends on: ajv's version, its options, the schema and the reference compiled. Only the project's
// own node_modules is used (never a shared temporary folder, which others could fill with code to run); when it
// cannot be written, every run compiles, as before.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'mcp-static-registry', 'ajv');
const load = createRequire(path.join(ROOT, 'package.json'));

function ajvVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'ajv', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Where the compiled code of `inputs` is kept. */
export function validatorCacheFile(inputs: unknown): string {
  const key = createHash('sha256').update(JSON.stringify([ajvVersion(), inputs])).digest('hex').slice(0, 32);
  return path.join(CACHE_DIR, `${key}.cjs`);
}

/**
 * A validator: loaded from the cache when compiled before from the same inputs (the options, the schema and the
 * reference compiled), else made by `compile`, which returns it and its standalone source (written to the cache for the next run).
 */
export function cachedValidator(inputs: unknown, compile: () => { validate: ValidateFunction; source: () => string }): ValidateFunction {
  const file = validatorCacheFile(inputs);
  try {
    return load(file) as ValidateFunction;
  } catch {
    // not compiled yet (or unreadable): compiled below
  }
  const { validate, source } = compile();
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const temporary = `${file}.tmp-${process.pid}`;
    writeFileSync(temporary, source());
    renameSync(temporary, file);
  } catch {
    // a read-only install: compiled again next time
  }
  return validate;
}
