// Every entry point answers --help: usage with every flag on stdout, exit 0, and nothing done (run in an empty
// folder, which must stay empty: no dist/, pages/ or entries/ written, no server left listening). Through the
// launcher the npm scripts use (scripts/run.mjs, a bundle of the script), it answers exactly as through tsx.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScript } from './support/run-script.ts';

const PROJECT = path.resolve(import.meta.dirname, '..');
const SCRIPTS = readdirSync(path.join(PROJECT, 'scripts')).filter((f) => f.endsWith('.ts')).sort();
const PUBLISHER_COMMANDS = ['init', 'keygen', 'sign', 'validate', 'submit'];

const cwd = mkdtempSync(path.join(os.tmpdir(), 'cli-help-'));
// The launcher's bundles built here, from the sources as they are now, not found in the checkout's cache.
const cache = mkdtempSync(path.join(os.tmpdir(), 'cli-help-cache-'));
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

/** No token, no API: a script that ignored --help and went on would fail rather than reach a network. */
const run = (script: string, args: string[], launcher = false) =>
  runScript(script, args, { cwd, launcher, env: { ...process.env, GITHUB_TOKEN: '', GITHUB_API_URL: 'http://127.0.0.1:9', INIT_CWD: cwd, MCP_REGISTRY_TSX: '', MCP_REGISTRY_CACHE_DIR: cache } });

describe('--help', () => {
  it('covers the scripts this test knows to exist', () => {
    expect(SCRIPTS).toEqual(expect.arrayContaining(['build.ts', 'serve.ts', 'start.ts', 'nginx.ts', 'static-host.ts', 'validate.ts', 'sync.ts', 'sync-pr.ts', 'publisher.ts', 'pr-bot.ts', 'reverify.ts', 'bench.ts', 'schemas.ts', 'publish-action.ts', 'announce-live.ts']));
  });

  for (const script of SCRIPTS) {
    it(`${script} --help prints its usage, exits 0 and does nothing`, async () => {
      for (const flag of ['--help', '-h']) {
        const result = await run(script, [flag]);
        expect(result, `${script} ${flag}`).toMatchObject({ code: 0, err: '' });
        expect(result.out).toMatch(/^usage: /);
        expect(await run(script, [flag], true), `${script} ${flag} through scripts/run.mjs`).toEqual(result);
      }
      expect(readdirSync(cwd)).toEqual([]);
    }, 120_000);
  }

  it('help wins over a wrong command line', async () => {
    const result = await run('build.ts', ['--nope', 'x', '--help']);
    expect(result).toMatchObject({ code: 0, out: expect.stringMatching(/^usage: npm run build -- /) });
    const wrong = await run('build.ts', ['--nope']);
    expect(wrong).toMatchObject({ code: 2, err: expect.stringContaining('--help prints the usage') });
    expect(await run('build.ts', ['--nope'], true)).toEqual(wrong);
    expect(readdirSync(cwd)).toEqual([]);
  }, 120_000);

  for (const command of PUBLISHER_COMMANDS) {
    it(`publisher ${command} --help prints that command's usage`, async () => {
      const result = await run('publisher.ts', [command, '--help']);
      expect(result).toMatchObject({ code: 0, err: '' });
      expect(await run('publisher.ts', [command, '--help'], true)).toEqual(result);
      expect(result.out).toMatch(new RegExp(`^usage: npm run publisher -- ${command} `));
      expect(readdirSync(cwd)).toEqual([]);
    }, 120_000);
  }

  it('publisher validate --help names every flag it accepts', async () => {
    const { out } = await run('publisher.ts', ['validate', '--help']);
    for (const flag of ['--entries', '--base', '--author', '--offline']) expect(out).toContain(flag);
  }, 120_000);
});
