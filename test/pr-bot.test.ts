// The PR bot against a fake GitHub on 127.0.0.1: one comment, edited in place; labels swapped as the report changes;
// our labels only; the marker comment found on a later page; stale and foreign runs write nothing.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { composeComment, createOctokit, readRecords, runPrBot, writeRecords } from '../scripts/lib/github/pr-bot.ts';
import type { ValidationReport } from '../scripts/lib/validate/types.ts';
import { COMMENT_MARKER } from '../scripts/lib/validate/report/pr-comment.ts';
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.ts';

const PROJECT = path.resolve(import.meta.dirname, '..');
const SHA = 'a'.repeat(40);
const FILE = 'entries/io.github.acme/weather/1.0.0/server.json';
const ALL_RAN = (['files', 'schema', 'rules', 'registry', 'changes', 'ownership', 'packages'] as const).map((id) => ({ id, ran: true, passed: true }));

const schemaBroken: ValidationReport = {
  problems: [
    { code: 'schema-type', severity: 'error', file: FILE, jsonPath: '/version', line: 4, column: 14, message: '/version must be string', hint: 'Write the version as a JSON string.' },
    { code: 'rule-name-case-collision', severity: 'error', file: FILE, jsonPath: '/name', line: 3, column: 11, message: 'the name collides with io.github.acme/Weather', hint: 'Use the existing name.' },
  ],
  publishes: [{ name: 'io.github.acme/weather', version: '1.0.0', file: FILE }],
  checks: ALL_RAN.map((c) => (c.id === 'schema' || c.id === 'registry' ? { ...c, passed: false } : c)),
};
const ruleBroken: ValidationReport = {
  problems: [{ code: 'rule-remote-url-not-https', severity: 'error', file: FILE, jsonPath: '/remotes/0/url', line: 9, column: 16, message: 'remote URL must use https', hint: 'Serve the remote over https.' }],
  publishes: schemaBroken.publishes,
  checks: ALL_RAN.map((c) => (c.id === 'rules' ? { ...c, passed: false } : c)),
};
const clean: ValidationReport = { problems: [], publishes: schemaBroken.publishes, checks: ALL_RAN };

let gh: FakeGitHub;
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'pr-bot-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeEach(async () => {
  gh = await startFakeGitHub();
});
afterEach(async () => {
  await gh.stop();
});

/** Runs `npm run pr-bot` as the workflow does, against the fake. */
async function cli(report: ValidationReport | string, pr: number, extra: string[] = []): Promise<{ stdout: string; stderr: string }> {
  const file = path.join(work, `report-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof report === 'string' ? report : JSON.stringify(report));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url };
  return promisify(execFile)(
    'npm',
    ['run', '-s', 'pr-bot', '--', '--report', file, '--repo', `${gh.owner}/${gh.repo}`, '--pr', String(pr), '--head-sha', SHA, '--pr-tree', path.join(work, `tree-${Math.random().toString(36).slice(2)}`), '--run-url', 'https://github.com/acme/registry/actions/runs/1', ...extra],
    { cwd: PROJECT, env },
  );
}

function api(report: ValidationReport, pr = 7, extra: Partial<Parameters<typeof runPrBot>[0]> = {}) {
  return runPrBot({ octokit: createOctokit({ token: gh.token, baseUrl: gh.url }), owner: gh.owner, repo: gh.repo, pr, validate: async () => ({ report }), headSha: SHA, ...extra });
}

describe('runPrBot, comment and labels', () => {
  it('creates one comment and the labels, then edits the same comment and swaps the labels', async () => {
    const pull = gh.addPull(7, { labels: new Set(['documentation']) });

    const first = await api(schemaBroken, 7);
    expect(first.comment?.action).toBe('created');
    expect(pull.comments).toHaveLength(1);
    const id = pull.comments[0]!.id;
    expect(pull.comments[0]!.body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(pull.comments[0]!.body).toContain('2 problems to fix');
    expect([...pull.labels].sort()).toEqual(['documentation', 'invalid-schema', 'registry-conflict']);
    // Missing labels were created with our colour before being added.
    expect(gh.labels.get('invalid-schema')).toMatchObject({ color: 'd93f0b' });
    const created = gh.writes().filter((r) => r.method === 'POST' && r.path.endsWith('/labels') && !r.path.includes('/issues/'));
    expect(created.map((r) => (r.body as { name: string }).name).sort()).toEqual(['invalid-schema', 'registry-conflict']);
    expect(gh.unexpected).toEqual([]);

    gh.requests.length = 0;
    await api(ruleBroken, 7);
    expect(pull.comments).toHaveLength(1);
    expect(pull.comments[0]!.id).toBe(id);
    expect(pull.comments[0]!.body).toContain('1 problem to fix');
    expect(pull.comments[0]!.body).toContain('rule-remote-url-not-https');
    expect(pull.comments[0]!.body).not.toContain('schema-type');
    expect([...pull.labels].sort()).toEqual(['documentation', 'rule-violation']);
    const writes = gh.writes().map((r) => `${r.method} ${r.path}`);
    expect(writes).toContain(`PATCH /repos/acme/registry/issues/comments/${id}`);
    expect(writes.filter((w) => w.startsWith('POST') && w.endsWith('/comments'))).toEqual([]);
    expect(writes).toEqual(
      expect.arrayContaining([
        'DELETE /repos/acme/registry/issues/7/labels/invalid-schema',
        'DELETE /repos/acme/registry/issues/7/labels/registry-conflict',
      ]),
    );
    expect(writes.some((w) => w.includes('documentation'))).toBe(false);
    expect(gh.unexpected).toEqual([]);
  });

  it('shows ready-to-merge for a clean report and removes the failure labels', async () => {
    const pull = gh.addPull(8);
    await api(ruleBroken, 8);
    await api(clean, 8);
    expect(pull.comments).toHaveLength(1);
    expect(pull.comments[0]!.body).toContain('Ready to merge');
    expect(pull.comments[0]!.body).toContain('<code>io.github.acme/weather</code>');
    expect([...pull.labels]).toEqual(['ready-to-merge']);
    expect(gh.labels.get('ready-to-merge')?.color).toBe('0e8a16');
  });

});

describe('npm run pr-bot', () => {
  it('refuses a report that is not a ValidationReport and writes nothing', async () => {
    gh.addPull(9);
    await expect(cli('{"problems":[{"code":"x","severity":"fatal"}],"publishes":[],"checks":[]}', 9)).rejects.toMatchObject({
      stderr: expect.stringContaining('validation report rejected'),
    });
    await expect(cli(clean, 9, ['--pr', '9; rm -rf /'])).rejects.toMatchObject({ stderr: expect.stringContaining('not a positive integer') });
    expect(gh.writes()).toEqual([]);
  });
});

describe('runPrBot', () => {
  it('finds its comment on page 2, past a human quoting the marker, and edits it', async () => {
    gh.maxPageSize = 3;
    const human = (id: number, body: string) => ({ id, body, user: { login: 'octocat', type: 'User' as const } });
    const pull = gh.addPull(7, {
      comments: [
        human(1, 'looks good'),
        human(2, `${COMMENT_MARKER}\nfake bot comment`),
        human(3, 'third'),
        human(4, 'fourth'),
        { id: 5, body: `${COMMENT_MARKER}\nold result`, user: { login: 'github-actions[bot]', type: 'Bot' } },
        human(6, 'sixth'),
      ],
    });
    const result = await api(clean);
    expect(result.comment).toEqual({ id: 5, action: 'updated' });
    expect(pull.comments).toHaveLength(6);
    expect(pull.comments[1]!.body).toContain('fake bot comment');
    expect(pull.comments[4]!.body).toContain('Ready to merge');
    const pages = gh.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/issues/7/comments')).map((r) => r.query.page ?? '1');
    expect(pages).toEqual(['1', '2']);
    expect(gh.unexpected).toEqual([]);
  });

  it('leaves an unchanged comment alone', async () => {
    const pull = gh.addPull(7);
    await api(clean);
    gh.requests.length = 0;
    const again = await api(clean);
    expect(again.comment?.action).toBe('unchanged');
    expect(gh.writes()).toEqual([]);
    expect(pull.comments).toHaveLength(1);
  });

  it('writes nothing when the PR has moved on to another commit, or is closed', async () => {
    gh.addPull(7, { headSha: 'b'.repeat(40) });
    expect((await api(clean)).skipped).toMatch(/not the validated/);
    gh.addPull(8, { state: 'closed' });
    expect((await api(clean, 8)).skipped).toMatch(/closed/);
    expect(gh.writes()).toEqual([]);
  });

  it('labels needs-maintainer, never ready-to-merge, when GitHub lists files outside entries/', async () => {
    gh.maxPageSize = 1;
    const pull = gh.addPull(7, { files: [{ filename: FILE }, { filename: 'scripts/lib/validate/validate.ts' }] });
    const result = await api(clean);
    expect(result.filesOutsideEntries).toEqual(['scripts/lib/validate/validate.ts']);
    expect([...pull.labels]).toEqual(['needs-maintainer']);
    expect(pull.comments[0]!.body).toContain('Needs a maintainer');
    expect(pull.comments[0]!.body).toContain('<code>scripts/lib/validate/validate.ts</code>');
    expect(pull.comments[0]!.body).not.toContain('Ready to merge');
  });
});

describe('the records line of the bot\'s comment', () => {
  const record = { method: 'github-oidc', owner: 'victim' };
  const block = writeRecords([record]).trimEnd();

  it('is read back only from its fixed place, right after the marker', () => {
    const body = composeComment(`${COMMENT_MARKER}\n## ✅ Ready to merge\n`, [record]);
    expect(body.startsWith(`${COMMENT_MARKER}\n${block}\n`)).toBe(true);
    expect(readRecords(body)).toEqual([record]);
    // The same block anywhere else (quoted by a problem, at the end, after a blank line) is nobody's record.
    expect(readRecords(`${COMMENT_MARKER}\n## ❌ 1 problem to fix\n- at ${block}\n`)).toEqual([]);
    expect(readRecords(`${COMMENT_MARKER}\n\n${block}\n`)).toEqual([]);
    expect(readRecords(`${block}\n${COMMENT_MARKER}\n`)).toEqual([]);
    expect(readRecords(`${COMMENT_MARKER}\n<!-- mcp-static-registry:oidc-records not*base64 -->\n`)).toEqual([]);
  });

  it('refuses to write a comment whose rendered text holds an HTML comment', () => {
    expect(() => composeComment(`${COMMENT_MARKER}\nat ${block}\n`, [])).toThrow(/HTML comment/);
  });
});
