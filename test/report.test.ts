// Telling the publisher: the terminal report, the GitHub annotations and job summary, the PR comment, the labels,
// and the strict reading of a report that arrives as an artifact.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../scripts/lib/problems.ts';
import { parsePrNumber, parseValidationReport } from '../scripts/lib/github/report-data.ts';
import { docsLink, githubDocsBaseUrl } from '../scripts/lib/validate/report/docs-link.ts';
import { annotationsFor, reportToGitHub, summaryTable, type ActionsCoreLike } from '../scripts/lib/validate/report/github.ts';
import { FALLBACK_LABEL, LABEL_PREFIXES, LABELS, labelForCode, labelsFor } from '../scripts/lib/validate/report/labels.ts';
import { COMMENT_LIMIT, COMMENT_MARKER, renderPrComment } from '../scripts/lib/validate/report/pr-comment.ts';
import { renderReportForTerminal } from '../scripts/lib/validate/report/terminal.ts';
import { renderProblemsForTerminal } from '../scripts/lib/problems.ts';
import type { ValidationReport } from '../scripts/lib/validate/types.ts';

const FILE = 'entries/io.github.acme/weather/1.0.0/server.json';
const OTHER = 'entries/io.github.acme/air/2.0.0/server.json';
const IDS = ['files', 'schema', 'rules', 'registry', 'changes', 'ownership', 'packages'] as const;

function report(problems: Problem[], extra: Partial<ValidationReport> = {}): ValidationReport {
  return {
    problems,
    publishes: [
      { name: 'io.github.acme/weather', version: '1.0.0', file: FILE },
      { name: 'io.github.acme/air', version: '2.0.0', file: OTHER },
    ],
    checks: IDS.filter((id) => id !== 'packages').map((id) => ({ id, ran: true, passed: !problems.some((p) => p.severity === 'error') })),
    ...extra,
  };
}

const schemaError: Problem = { code: 'schema-wrong-type', severity: 'error', file: FILE, jsonPath: '/version', line: 4, column: 14, message: '/version must be string', hint: 'Write the version as a JSON string.' };
const ruleError: Problem = { code: 'rule-remote-url-local', severity: 'error', file: OTHER, jsonPath: '/remotes/0/url', line: 9, column: 16, message: 'the remote URL points at localhost', hint: 'Use a public https URL.' };
const deprecated: Problem = { code: 'schema-version-deprecated', severity: 'warning', file: FILE, jsonPath: '/$schema', line: 2, column: 14, message: 'schema 2025-09-29 is deprecated', hint: 'Use 2025-12-11.' };
const shallow: Problem = { code: 'history-shallow', severity: 'warning', message: 'the clone is shallow', hint: 'Fetch the full history.' };
const problems = [ruleError, schemaError, shallow, deprecated];

describe('docsLink', () => {
  it('links a code to its section of docs/errors.md', () => {
    expect(docsLink('schema-wrong-type')).toBe('docs/errors.md#schema-wrong-type');
    expect(docsLink('file-bom', 'https://github.com/o/r/blob/HEAD/docs/errors.md')).toBe('https://github.com/o/r/blob/HEAD/docs/errors.md#file-bom');
    expect(docsLink('file-bom', 'https://x.test/errors.md#old')).toBe('https://x.test/errors.md#file-bom');
  });

  it('builds the GitHub address from the Actions environment', () => {
    expect(githubDocsBaseUrl({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/registry', GITHUB_SHA: 'abc' })).toBe(
      'https://github.com/acme/registry/blob/abc/docs/errors.md',
    );
    expect(githubDocsBaseUrl({})).toBeUndefined();
  });
});

describe('renderReportForTerminal', () => {
  it('groups by file with line:column, code, message, fix and docs link, then a summary line', () => {
    const text = renderReportForTerminal(report(problems), { color: false });
    expect(text).toBe(
      [
        '(registry)',
        '  warning  history-shallow  the clone is shallow',
        '    fix: Fetch the full history.',
        '    docs/errors.md#history-shallow',
        '',
        OTHER,
        '  9:16  error    rule-remote-url-local  the remote URL points at localhost (at /remotes/0/url)',
        '        fix: Use a public https URL.',
        '        docs/errors.md#rule-remote-url-local',
        '',
        FILE,
        '  2:14  warning  schema-version-deprecated  schema 2025-09-29 is deprecated (at /$schema)',
        '        fix: Use 2025-12-11.',
        '        docs/errors.md#schema-version-deprecated',
        '  4:14  error    schema-wrong-type  /version must be string (at /version)',
        '        fix: Write the version as a JSON string.',
        '        docs/errors.md#schema-wrong-type',
        '',
        '✖ 2 errors, 2 warnings · publishes nothing until the errors are fixed (2 server versions in this change: io.github.acme/air 2.0.0, io.github.acme/weather 1.0.0)',
      ].join('\n'),
    );
  });

  it('says what a clean change publishes', () => {
    expect(renderReportForTerminal(report([deprecated]), { color: false }).split('\n').at(-1)).toBe(
      '✔ 0 errors, 1 warning · publishes 2 server versions: io.github.acme/air 2.0.0, io.github.acme/weather 1.0.0',
    );
    expect(renderReportForTerminal(report([], { publishes: [] }), { color: false })).toBe('✔ 0 errors, 0 warnings · publishes no server version');
  });

  it('colours only when asked, and never passes escape sequences from the input through', () => {
    expect(renderReportForTerminal(report(problems), { color: true })).toContain('\u001b[31merror');
    const evil: Problem = { ...schemaError, message: 'bad \u001b[2J\u001b]0;pwned\u0007 value\nline two' };
    const text = renderReportForTerminal(report([evil]), { color: false });
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u0007');
    expect(text).toContain('bad \\u{1b}[2J\\u{1b}]0;pwned\\u{7} value line two');
  });

  it('does not depend on the order the problems were found in', () => {
    const a = renderReportForTerminal(report(problems), { color: false });
    const b = renderReportForTerminal(report([...problems].reverse()), { color: false });
    expect(b).toBe(a);
  });

  it('shows a kind of problem repeated in many places as one block listing them, capped', () => {
    const files = Array.from({ length: 61 }, (_, i) => `entries/io.github.acme/s${String(i).padStart(2, '0')}/1.0.0/server.json`);
    const repeated: Problem[] = files.map((file) => ({ code: 'schema-version-deprecated', severity: 'warning', file, jsonPath: '/$schema', line: 2, column: 14, message: 'schema 2025-09-29 is deprecated', hint: 'Use 2025-12-11.' }));
    const text = renderReportForTerminal(report([schemaError, ...repeated]), { color: false });
    expect(text.match(/schema-version-deprecated/g)).toHaveLength(2); // the block's heading and its docs link
    expect(text).toContain('warning  schema-version-deprecated  schema 2025-09-29 is deprecated (61 places)');
    expect(text).toContain(`    ${files[0]}:2:14 (at /$schema)`);
    expect(text).toContain(`    ${files[9]}:2:14`);
    expect(text).not.toContain(files[10]);
    expect(text).toContain('    … and 51 more');
    expect(text.match(/fix: Use 2025-12-11\./g)).toHaveLength(1);
    // A problem of another kind is still shown on its own, and the counts count every place.
    expect(text).toContain('schema-wrong-type  /version must be string');
    expect(text.split('\n').at(-1)).toMatch(/^✖ 1 error, 61 warnings/);
    expect(text.split('\n').length).toBeLessThan(30);
  });

  it('lists each place with its own message when the messages differ; two of a kind stay separate blocks', () => {
    const three: Problem[] = ['a', 'b', 'c'].map((v) => ({ code: 'rule-version-latest', severity: 'error', file: `entries/io.github.x/${v}/1.0.0/server.json`, jsonPath: '/version', message: `version "${v}" is reserved`, hint: 'Use a real version.' }));
    const text = renderReportForTerminal(report(three), { color: false });
    expect(text).toContain('error    rule-version-latest  (3 places)');
    expect(text).toContain('    entries/io.github.x/b/1.0.0/server.json  version "b" is reserved (at /version)');
    const two = renderReportForTerminal(report(three.slice(0, 2)), { color: false });
    expect(two.match(/fix: Use a real version\./g)).toHaveLength(2);
  });
});

describe('renderProblemsForTerminal (the build)', () => {
  it('groups a repeated kind the same way', () => {
    const many: Problem[] = Array.from({ length: 12 }, (_, i) => ({ code: 'file-symlink', severity: 'error', file: `io.github.a/s${i}/server.md`, message: 'this is a symbolic link', hint: 'Replace the link.' }));
    const text = renderProblemsForTerminal([...many, schemaError]);
    expect(text).toContain('error schema-wrong-type: entries/io.github.acme/weather/1.0.0/server.json:4:14 at /version');
    expect(text).toContain('error file-symlink in 12 places: this is a symbolic link\n  io.github.a/s0/server.md\n');
    expect(text).toContain('  … and 2 more\n  fix: Replace the link.');
    expect(text.match(/fix: Replace the link\./g)).toHaveLength(1);
  });
});

describe('labelsFor', () => {
  it('maps each code prefix to its failure class', () => {
    const cases: Record<string, string> = {
      'json-syntax': 'invalid-file',
      'file-bom': 'invalid-file',
      'file-stray': 'invalid-file',
      'entry-json-invalid': 'invalid-file',
      'file-name-characters': 'unsafe-path',
      'file-name-case-collision': 'unsafe-path',
      'file-path-too-long': 'unsafe-path',
      'file-symlink': 'unsafe-path',
      'schema-wrong-type': 'invalid-schema',
      'rule-version-range': 'rule-violation',
      'rule-package-registry-base-url': 'rule-violation',
      'entry-path-name-mismatch': 'rule-violation',
      'rule-name-case-collision': 'registry-conflict',
      'rule-remote-url-taken': 'registry-conflict',
      'change-published-file': 'published-file-changed',
      'change-outside-entries': 'needs-maintainer',
      'ownership-github-user-mismatch': 'ownership-unproven',
      'package-npm-not-found': 'package-problem',
    };
    for (const [code, label] of Object.entries(cases)) expect([code, labelForCode(code)]).toEqual([code, label]);
    expect(labelForCode('something-new')).toBeUndefined();
  });

  it('labels errors only, sorted and once each; ready-to-merge when clean', () => {
    expect(labelsFor(report(problems))).toEqual(['invalid-schema', 'rule-violation']);
    expect(labelsFor(report([schemaError, { ...schemaError, line: 9 }]))).toEqual(['invalid-schema']);
    expect(labelsFor(report([deprecated, shallow]))).toEqual(['ready-to-merge']);
    expect(labelsFor(report([]))).toEqual(['ready-to-merge']);
  });

  it('needs a maintainer for changes outside entries/ whatever their severity; unknown errors still fail', () => {
    const outside: Problem = { code: 'change-outside-entries', severity: 'warning', file: 'README.md', message: 'm', hint: 'h' };
    expect(labelsFor(report([outside]))).toEqual(['needs-maintainer']);
    // A mirrored server's server.md: a warning, since nothing is wrong with it, but no proof can cover it.
    expect(labelsFor(report([{ ...outside, code: 'ownership-mirrored-status', file: 'entries/io.github.up/tool/server.md' }]))).toEqual(['needs-maintainer']);
    expect(labelsFor(report([{ ...shallow, code: 'brand-new-check', severity: 'error' }]))).toEqual([FALLBACK_LABEL]);
    const failedCheck = report([], { checks: [{ id: 'packages', ran: true, passed: false }] });
    expect(labelsFor(failedCheck)).toEqual([FALLBACK_LABEL]);
  });

  it('has a colour and a description GitHub accepts for every label, and a label for every prefix', () => {
    for (const spec of Object.values(LABELS)) {
      expect(spec.color).toMatch(/^[0-9a-f]{6}$/);
      expect(spec.name.length).toBeLessThanOrEqual(50);
      expect(spec.description.length).toBeLessThanOrEqual(100);
    }
    for (const [, label] of LABEL_PREFIXES) expect(LABELS[label]).toBeDefined();
  });

  // docs/errors.md has one `## <code>` section per code: each must have a class (warnings about the environment
  // excepted), so that no error ends up under the catch-all label.
  const errorsMd = path.resolve(import.meta.dirname, '..', 'docs', 'errors.md');
  it.skipIf(!existsSync(errorsMd))('knows the class of every code in docs/errors.md', () => {
    const WITHOUT_CLASS = new Set(['history-shallow', 'reverify-verifier-failed']); // build-only and nightly-only codes never reach a PR
    const codes = [...readFileSync(errorsMd, 'utf8').matchAll(/^#{2,3}\s+`?([a-z0-9][a-z0-9-]*)`?\s*$/gm)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(0);
    // sync- codes come from npm run sync (its summary and pull request body), never from the validator.
    expect(codes.filter((code) => !WITHOUT_CLASS.has(code) && !code.startsWith('sync-') && labelForCode(code) === undefined)).toEqual([]);
  });
});

describe('renderPrComment', () => {
  const options = { runUrl: 'https://github.com/acme/registry/actions/runs/42', docsBaseUrl: 'https://github.com/acme/registry/blob/HEAD/docs/errors.md', headSha: 'f'.repeat(40) };

  it('starts with the marker and a headline, has the checklist, the problems by file and what it publishes', () => {
    const body = renderPrComment(report(problems), options);
    const lines = body.split('\n');
    expect(lines[0]).toBe(COMMENT_MARKER);
    expect(lines[1]).toBe('## ❌ 2 problems to fix');
    expect(body).toContain('2 warnings do not block the merge');
    expect(body).toContain('- ❌ **Schema**: failed');
    expect(body).toContain('- ⏭️ **Packages**: not run');
    expect(body).toContain(`#### <code>${FILE}</code>`);
    expect(body).toContain('#### The registry as a whole');
    expect(body).toContain(
      '- ❌ **line 4:14** · [<code>schema-wrong-type</code>](https://github.com/acme/registry/blob/HEAD/docs/errors.md#schema-wrong-type) · /version must be string <sub>at <code>/version</code></sub><br>**Fix:** Write the version as a JSON string.',
    );
    expect(body.indexOf(OTHER)).toBeLessThan(body.indexOf(`#### <code>${FILE}</code>`));
    expect(body).toContain('| <code>io.github.acme/air</code> | <code>2.0.0</code> |\n| <code>io.github.acme/weather</code> | <code>1.0.0</code> |');
    expect(body).toContain('[validation run](https://github.com/acme/registry/actions/runs/42)');
    expect(body).toContain('commit fffffff');
  });

  it('says ready to merge when clean, and every check that ran passed', () => {
    const body = renderPrComment(report([deprecated]), options);
    expect(body.split('\n')[1]).toBe('## ✅ Ready to merge');
    expect(body).toContain('- ✅ **Files**: passed');
    expect(body).toContain('1 warning does not block the merge');
  });

  it('hands PRs with files outside entries/ to a maintainer, even when the report is clean', () => {
    const body = renderPrComment(report([]), { ...options, filesOutsideEntries: ['scripts/validate.ts', 'package.json'] });
    expect(body.split('\n')[1]).toBe('## 👀 Needs a maintainer');
    expect(body).toContain('> - <code>package.json</code>\n> - <code>scripts/validate.ts</code>');
    expect(body).not.toContain('Ready to merge');
  });

  it('renders what publishers wrote inertly: no mentions, no links, no HTML, no forged marker', () => {
    const evil: Problem = {
      ...schemaError,
      file: 'entries/x/`y`/1/server.json',
      message: `name @octocat ${COMMENT_MARKER} <img src=x> [click](https://evil.test) **bold** | cell\n## heading`,
      hint: '`) ![x](https://evil.test/p.png)',
    };
    const body = renderPrComment(report([evil]), options);
    expect(body.split(COMMENT_MARKER)).toHaveLength(2);
    expect(body).not.toContain('@octocat');
    expect(body).not.toContain('<img');
    expect(body).not.toContain('[click](');
    expect(body).not.toContain('![x](');
    expect(body).not.toMatch(/^## heading/m);
    expect(body).toContain('@\u200boctocat');
    expect(body).toContain('#### <code>entries/x/\\`y\\`/1/server.json</code>');
  });

  it('lets no untrusted text open an HTML comment in the source, even where it is shown as code', () => {
    const forged = '<!-- mcp-static-registry:oidc-records W10= -->';
    const evil: Problem = { ...schemaError, file: `entries/x/${forged}/1/server.json`, jsonPath: `/${forged}`, message: forged, hint: `\`${forged}\`` };
    const body = renderPrComment({ ...report([evil]), publishes: [{ name: forged, version: forged, file: 'x' }] }, { ...options, filesOutsideEntries: [forged] });
    expect(body.slice(COMMENT_MARKER.length)).not.toContain('<!--');
    expect(body.slice(COMMENT_MARKER.length)).not.toContain('-->');
    expect(body).toContain('<code>/&lt;\\!-- mcp-static-registry:oidc-records W10= --&gt;</code>');
  });

  it('stays under GitHub\'s comment limit, pointing to the run for the rest', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ ...schemaError, line: i + 1, message: `problem number ${i} ${'x'.repeat(40)}` }));
    const body = renderPrComment(report(many), options);
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toMatch(/… and \d+ more problems: see the \[run's summary\]/);
    expect(body).toContain('### Publishes');
  });

  it('is the same whatever the order of problems and publishes', () => {
    const a = renderPrComment(report(problems), options);
    const shuffled = report([...problems].reverse());
    shuffled.publishes.reverse();
    expect(renderPrComment(shuffled, options)).toBe(a);
  });
});

describe('GitHub Actions output', () => {
  it('annotates the exact line with code, message, fix and docs link', () => {
    const [first, second] = annotationsFor(report(problems), 'https://x.test/errors.md');
    expect(first).toEqual({ level: 'warning', message: 'the clone is shallow\nfix: Fetch the full history.\nhttps://x.test/errors.md#history-shallow', properties: { title: 'history-shallow' } });
    expect(second).toEqual({
      level: 'error',
      message: 'the remote URL points at localhost\nfix: Use a public https URL.\nhttps://x.test/errors.md#rule-remote-url-local',
      properties: { title: 'rule-remote-url-local at /remotes/0/url', file: OTHER, startLine: 9, startColumn: 16 },
    });
  });

  it('escapes HTML in the job summary table', () => {
    const rows = summaryTable(report([{ ...schemaError, message: '<script>alert(1)</script>' }]));
    expect(rows[1]![4]).toBe('&lt;script&gt;alert(1)&lt;/script&gt; <sub>at <code>/version</code></sub>');
  });

  it('emits annotations and writes a job summary with the checklist and the table', async () => {
    const calls: Array<[string, ...unknown[]]> = [];
    const summary = {
      addHeading: (...a: unknown[]) => calls.push(['addHeading', ...a]),
      addRaw: (...a: unknown[]) => calls.push(['addRaw', ...a]),
      addTable: (...a: unknown[]) => calls.push(['addTable', ...a]),
      write: async () => calls.push(['write']),
    };
    const core: ActionsCoreLike = { error: (...a) => calls.push(['error', ...a]), warning: (...a) => calls.push(['warning', ...a]), summary };
    await reportToGitHub(report(problems), { core, summary: true, docsBaseUrl: 'docs/errors.md' });
    expect(calls.filter((c) => c[0] === 'error')).toHaveLength(2);
    expect(calls.filter((c) => c[0] === 'warning')).toHaveLength(2);
    expect(calls.find((c) => c[0] === 'error')?.[2]).toEqual({ title: 'rule-remote-url-local at /remotes/0/url', file: OTHER, startLine: 9, startColumn: 16 });
    const raw = String(calls.find((c) => c[0] === 'addRaw')?.[1]);
    expect(raw).toContain('- ❌ **Schema**: failed');
    expect(raw).toContain('Labels: `invalid-schema` `rule-violation`');
    expect((calls.find((c) => c[0] === 'addTable')?.[1] as unknown[]).length).toBe(5);
    expect(calls.at(-1)).toEqual(['write']);
  });
  it('keeps the job summary under GitHub\'s 1 MiB, counting the rows left out', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => ({ ...schemaError, line: i + 1, message: `problem ${i} ${'é'.repeat(60)}` }));
    let html = '';
    const summary = {
      addHeading: (t: string) => (html += t),
      addRaw: (t: string) => (html += t),
      addTable: (rows: Array<Array<string | { data: string }>>) => (html += rows.flat().map((c) => `<td>${typeof c === 'string' ? c : c.data}</td>`).join('')),
      write: async () => html,
    };
    await reportToGitHub(report(many), { core: { error: () => {}, warning: () => {}, summary }, summary: true });
    expect(Buffer.byteLength(html)).toBeLessThan(1024 * 1024);
    expect(html).toMatch(/… and \d+ more problems: run `npm run validate`/);
  });
});

describe('parseValidationReport', () => {
  const good = report(problems);

  it('accepts a report and keeps only the known fields', () => {
    const parsed = parseValidationReport(JSON.stringify({ ...good, extra: 1, problems: good.problems.map((p) => ({ ...p, __proto__: { polluted: true }, more: 2 })) }));
    expect(parsed).toEqual(good);
    expect(Object.keys(parsed.problems[0]!)).not.toContain('more');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['problems missing', JSON.stringify({ publishes: [], checks: [] })],
    ['a bad severity', JSON.stringify({ ...good, problems: [{ ...schemaError, severity: 'fatal' }] })],
    ['a code with spaces', JSON.stringify({ ...good, problems: [{ ...schemaError, code: 'a b' }] })],
    ['a line of 0', JSON.stringify({ ...good, problems: [{ ...schemaError, line: 0 }] })],
    ['a fractional column', JSON.stringify({ ...good, problems: [{ ...schemaError, column: 1.5 }] })],
    ['a huge message', JSON.stringify({ ...good, problems: [{ ...schemaError, message: 'x'.repeat(20_000) }] })],
    ['an unknown check', JSON.stringify({ ...good, checks: [{ id: 'vibes', ran: true, passed: true }] })],
    ['a check twice', JSON.stringify({ ...good, checks: [{ id: 'files', ran: true, passed: true }, { id: 'files', ran: true, passed: true }] })],
    ['a publish without version', JSON.stringify({ ...good, publishes: [{ name: 'a/b', file: FILE }] })],
  ])('refuses %s', (_, text) => {
    expect(() => parseValidationReport(text)).toThrow(/validation report rejected/);
  });

  it('reads a PR number only when it is a plain positive integer', () => {
    expect(parsePrNumber('42\n')).toBe(42);
    for (const bad of ['0', '-1', '1e3', '0x10', '42; rm -rf /', '', '12345678901', ' 4 2']) expect(() => parsePrNumber(bad)).toThrow();
  });
});
