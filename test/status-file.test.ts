// server.md front matter is data: YAML only, read by a parser that runs nothing. A front matter in another language
// (`---js`, which gray-matter's own engines evaluate) is refused by name in validation and in the build, and its code never runs.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { parseStatusFile } from '../scripts/lib/entries/status-file.ts';
import { ProblemsError, type Problem } from '../scripts/lib/problems.ts';
import { validateRegistry } from '../scripts/lib/validate/validate.ts';
import { Repo } from './support/git-fixture.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const FILE = 'io.github.acme/weather/server.md';
const repos: Repo[] = [];
afterEach(() => {
  while (repos.length) repos.pop()!.cleanup();
  delete (globalThis as Record<string, unknown>).__statusFileCodeRan;
});

const ran = (): unknown => (globalThis as Record<string, unknown>).__statusFileCodeRan;

async function buildProblems(entriesDir: string): Promise<Problem[]> {
  try {
    await buildRegistry({ entriesDir, outDir: path.join(path.dirname(entriesDir), 'out'), env: { SOURCE_DATE_EPOCH: '1764547200' } });
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemsError);
    return (error as ProblemsError).problems;
  }
  throw new Error('the build was expected to fail');
}

describe('front matter in another language than YAML', () => {
  // What gray-matter would evaluate for each: an expression, or statements when that fails to parse.
  const code = '{ status: (globalThis.__statusFileCodeRan = "yes", "deprecated") }';
  it.each(['js', 'javascript', 'coffee', 'toml', 'json', ' js', 'yaml', 'JS '])('is refused by name, unread and unrun: ---%s', (language) => {
    const { statusFile, problems } = parseStatusFile(FILE, `---${language}\n${code}\n---\n# Body\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'status-file-front-matter-language', file: FILE, line: 1, severity: 'error' });
    expect(problems[0]!.message).toContain(`"${language.trim()}"`);
    expect(problems[0]!.hint).toMatch(/only ---/);
    expect(statusFile).toMatchObject({ versions: {}, body: '' });
    expect(statusFile.status).toBeUndefined();
    expect(ran()).toBeUndefined();
  });

  it('a first line of four dashes or more is a Markdown rule in the body, not front matter', () => {
    expect(parseStatusFile(FILE, '----js\n# Body\n')).toEqual({ statusFile: { file: FILE, versions: {}, body: '----js\n# Body\n', bodyLine: 1 }, problems: [] });
  });

  describe('in a registry, whose server.md writes a marker file when evaluated', () => {
    function registry(): { repo: Repo; marker: string } {
      const repo = Repo.init('front-matter', 'entries');
      repos.push(repo);
      const marker = path.join(repo.root, 'code-ran');
      repo.server('io.github.acme/weather', '1.0.0');
      repo.write(FILE, `---js\nrequire('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); globalThis.__statusFileCodeRan = 'yes'; ({ status: 'active' })\n---\n# Weather\n`);
      return { repo, marker };
    }

    it('validation reports it and runs nothing', async () => {
      const { repo, marker } = registry();
      const report = await validateRegistry({ root: repo.root, entriesDir: 'entries' });
      expect(report.problems.map((p) => [p.code, p.file, p.line])).toEqual([['status-file-front-matter-language', `entries/${FILE}`, 1]]);
      expect(existsSync(marker)).toBe(false);
      expect(ran()).toBeUndefined();
    });

    it('the build reports it and runs nothing', async () => {
      const { repo, marker } = registry();
      const problems = await buildProblems(repo.entries);
      expect(problems.map((p) => [p.code, p.file])).toEqual([['status-file-front-matter-language', FILE]]);
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(path.join(repo.root, 'out'))).toBe(false);
      expect(ran()).toBeUndefined();
    });
  });

  it('gray-matter is reached only through status-file.ts, whose options replace every engine it has', () => {
    const importers = fg.sync('scripts/**/*.ts', { cwd: ROOT }).filter((file) => /['"]gray-matter['"]/.test(readFileSync(path.join(ROOT, file), 'utf8')));
    expect(importers).toEqual(['scripts/lib/entries/status-file.ts']);
  });

  it('a front matter of more than 32 KiB is refused before gray-matter reads it', () => {
    const blank = '\n'.repeat(40 * 1024);
    const { statusFile, problems } = parseStatusFile(FILE, `---\nstatus: deprecated${blank}---\n# Body\n`);
    expect(problems).toEqual([expect.objectContaining({ code: 'status-file-front-matter-too-large', file: FILE, line: 1 })]);
    expect(statusFile.status).toBeUndefined();
    expect(parseStatusFile(FILE, `---\nstatus: deprecated${'\n'.repeat(1000)}---\n# Body\n`).statusFile).toMatchObject({ status: 'deprecated', body: '# Body\n', bodyLine: 1003 });
  });
});

describe('YAML front matter', () => {
  it('keeps dates and other YAML 1.1 look-alikes as strings', () => {
    const text = '---\nstatus: deprecated\nstatusMessage: 2025-01-01\nversions:\n  "1.0.0":\n    status: deleted\n    statusMessage: 2025-01-01T10:00:00Z\nannotations:\n  since: 2025-01-01\n  reviewed: yes\n---\n';
    const { statusFile, problems } = parseStatusFile(FILE, text);
    expect(problems).toEqual([]);
    expect(statusFile.statusMessage).toBe('2025-01-01');
    expect(statusFile.versions['1.0.0']).toEqual({ status: 'deleted', statusMessage: '2025-01-01T10:00:00Z' });
    expect(statusFile.annotations).toEqual({ since: '2025-01-01', reviewed: 'yes' });
  });

  it('reports YAML errors at their line and column in the file', () => {
    expect(parseStatusFile(FILE, '---\nstatus: deprecated\nstatus: active\n---\n').problems).toEqual([
      expect.objectContaining({ code: 'status-file-yaml', file: FILE, line: 3, column: 1, message: expect.stringMatching(/not valid YAML: Map keys must be unique$/) }),
    ]);
    // The usual mistake: an unquoted message with a colon.
    expect(parseStatusFile(FILE, '---\r\n# a comment\r\nstatus: deprecated\r\nstatusMessage: Use 2.0: it is faster\r\n---\r\n').problems).toEqual([
      expect.objectContaining({ code: 'status-file-yaml', line: 4, column: 16 }),
    ]);
  });

  it('refuses YAML tags instead of resolving them', () => {
    for (const tag of ['!!timestamp 2025-01-01', '!!js/function "function () {}"', '!custom x', '!!binary aGVsbG8=']) {
      const { statusFile, problems } = parseStatusFile(FILE, `---\nstatus: deprecated\nstatusMessage: ${tag}\n---\n`);
      expect(problems, tag).toEqual([expect.objectContaining({ code: 'status-file-yaml', line: 3, column: 16, message: expect.stringContaining('YAML tag') })]);
      expect(statusFile.statusMessage).toBeUndefined();
    }
  });

  it('refuses front matter that is never closed', () => {
    expect(parseStatusFile(FILE, '---\nstatus: deprecated\n# Weather\n').problems).toEqual([expect.objectContaining({ code: 'status-file-yaml', line: 1, message: expect.stringContaining('no closing ---') })]);
  });

  it('splits front matter and body, CRLF or not, and knows the line the body starts on', () => {
    expect(parseStatusFile(FILE, '---\r\nstatus: deprecated\r\nstatusMessage: "a: b"\r\n--- \r\n\r\n# Weather\r\n')).toEqual({
      statusFile: { file: FILE, status: 'deprecated', statusMessage: 'a: b', versions: {}, body: '# Weather\n', bodyLine: 6 }, problems: [],
    });
    expect(parseStatusFile(FILE, '---\n# only a comment\n---\nBody')).toEqual({ statusFile: { file: FILE, versions: {}, body: 'Body', bodyLine: 4 }, problems: [] });
    expect(parseStatusFile(FILE, '# No front matter')).toEqual({ statusFile: { file: FILE, versions: {}, body: '# No front matter', bodyLine: 1 }, problems: [] });
  });
});
