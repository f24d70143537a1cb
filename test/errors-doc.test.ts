// Every problem code the project can emit has its section in docs/errors.md, which every message links to.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { SCHEMA_PROBLEM_CODES } from '../scripts/lib/validate/schema-check.ts';
import { docsLink } from '../scripts/lib/validate/report/docs-link.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const doc = readFileSync(path.join(ROOT, 'docs/errors.md'), 'utf8');
const sections = new Set([...doc.matchAll(/^### ([a-z0-9-]+)$/gm)].map((m) => m[1]!));

function emittedCodes(): string[] {
  const codes = new Set<string>(SCHEMA_PROBLEM_CODES);
  for (const file of fg.sync('scripts/lib/**/*.ts', { cwd: ROOT })) {
    for (const m of readFileSync(path.join(ROOT, file), 'utf8').matchAll(/code: '([a-z0-9-]+)'/g)) codes.add(m[1]!);
  }
  return [...codes].sort();
}

describe('docs/errors.md', () => {
  it('has one section for every code the build and the validator emit', () => {
    const codes = emittedCodes();
    expect(codes.length).toBeGreaterThan(80);
    expect(codes.filter((code) => !sections.has(code))).toEqual([]);
  });

  it('has no section twice, and each says how to fix and how to reproduce', () => {
    const headings = [...doc.matchAll(/^### ([a-z0-9-]+)$/gm)].map((m) => m[1]!);
    expect(headings.length).toBe(new Set(headings).size);
    for (const block of doc.split(/^### /m).slice(1)) {
      expect(block, block.split('\n')[0]).toMatch(/how to fix/i);
      expect(block, block.split('\n')[0]).toMatch(/reproduce/i);
    }
  });

  it('is what the messages link to', () => {
    expect(docsLink('change-published-file')).toBe('docs/errors.md#change-published-file');
  });
});
