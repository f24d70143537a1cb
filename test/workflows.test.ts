// The workflows, linted and held to docs/security.md: action-validator (WASM, from npm; no binary download, no
// network) checks each file against the workflow schema, and the rules below check what a schema cannot: explicit
// least-privilege permissions, no secrets where PR code runs, and a privileged workflow that never touches PR code.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const DIR = path.resolve(import.meta.dirname, '..', '.github', 'workflows');
const FILES = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  permissions?: unknown;
  steps?: Step[];
  uses?: string;
  needs?: string | string[];
  if?: string;
  outputs?: Record<string, string>;
  concurrency?: unknown;
  'timeout-minutes'?: number;
}
interface Workflow {
  on: unknown;
  permissions?: unknown;
  concurrency?: unknown;
  jobs: Record<string, Job>;
}

const text = (file: string) => readFileSync(path.join(DIR, file), 'utf8');
const load = (file: string) => parse(text(file)) as Workflow;
const triggers = (w: Workflow): string[] => (typeof w.on === 'string' ? [w.on] : Array.isArray(w.on) ? w.on : Object.keys(w.on as object));

/** Scopes a permissions value grants write on (`write-all` counts as everything). */
function writes(permissions: unknown): string[] {
  if (permissions === 'write-all') return ['*'];
  if (permissions === 'read-all' || permissions === undefined || permissions === null) return [];
  return Object.entries(permissions as Record<string, string>)
    .filter(([, level]) => level === 'write')
    .map(([scope]) => scope);
}

/** Every job's effective permissions (its own, or the workflow's top-level ones). */
const JOB_PERMISSIONS: Record<string, Record<string, unknown>> = {
  'ci.yml': { test: { contents: 'read' } },
  // Deploys with its own API token (a secret), not a GitHub scope; only the announcement may comment.
  'deploy-cloudflare.yml': { deploy: { contents: 'read' }, announce: { contents: 'read', 'pull-requests': 'write' } },
  'nightly-reverify.yml': { reverify: { contents: 'read', issues: 'write' } },
  // The build runs npm packages: no Pages or OIDC scope there. The deploy job runs only deploy-pages.
  'pages.yml': { build: { contents: 'read' }, deploy: { pages: 'write', 'id-token': 'write' }, announce: { contents: 'read', 'pull-requests': 'write' } },
  'pr-comment.yml': { comment: { actions: 'write', contents: 'write', issues: 'write', 'pull-requests': 'write', statuses: 'write' } },
  // The same check as pr-comment.yml, merge and deployments included.
  'pr-recheck.yml': { recheck: { actions: 'write', contents: 'write', issues: 'write', 'pull-requests': 'write', statuses: 'write' } },
  'stale-prs.yml': { close: { contents: 'read', issues: 'write', 'pull-requests': 'write' } },
  'sync.yml': { sync: { contents: 'write', 'pull-requests': 'write' } },
  'validate-pr.yml': { validate: { contents: 'read' } },
};

/** `<workflow>/<job>` whose checkout keeps the token, because a later step pushes with it (said in a comment there). */
const PUSHING_CHECKOUTS = new Set(['sync.yml/sync']);

it('finds the workflows', () => {
  expect(FILES).toEqual(expect.arrayContaining(['ci.yml', 'pages.yml', 'pr-comment.yml', 'pr-recheck.yml', 'stale-prs.yml', 'sync.yml', 'validate-pr.yml']));
});

describe.each(FILES)('%s', (file) => {
  it('passes action-validator', () => {
    const result = validateWorkflow(text(file));
    expect(result.errors, JSON.stringify(result.errors, null, 2)).toEqual([]);
  });

  it('sets permissions explicitly at the top, and every job ends up with explicit permissions, never write-all', () => {
    const w = load(file);
    expect(w.permissions, 'top-level permissions').toBeDefined();
    expect(w.permissions).not.toBe('write-all');
    for (const [name, job] of Object.entries(w.jobs)) {
      expect(job.permissions ?? w.permissions, `job ${name}`).toBeDefined();
      expect(job.permissions, `job ${name}`).not.toBe('write-all');
    }
  });

  it('pins every action to a full commit SHA, with the version it is in a comment', () => {
    for (const job of Object.values(load(file).jobs))
      for (const step of job.steps ?? []) if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    for (const line of text(file).split('\n').filter((l) => /^\s*(-\s+)?uses:/.test(l))) expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it('uses the same commit for the same action everywhere', () => {
    const pins = new Map<string, string>();
    for (const other of FILES)
      for (const job of Object.values(load(other).jobs))
        for (const step of job.steps ?? []) {
          if (!step.uses) continue;
          const [action, sha] = step.uses.split('@') as [string, string];
          expect(pins.get(action) ?? sha, `${other}: ${action}`).toBe(sha);
          pins.set(action, sha);
        }
  });

  it('gives each job exactly the permissions it needs', () => {
    const w = load(file);
    for (const [name, job] of Object.entries(w.jobs)) {
      expect({ [name]: job.permissions ?? w.permissions }).toEqual({ [name]: JOB_PERMISSIONS[file]?.[name] });
    }
  });

  it('keeps no token in any checkout, except where a step pushes with it', () => {
    for (const [name, job] of Object.entries(load(file).jobs))
      for (const step of job.steps ?? []) {
        if (!step.uses?.startsWith('actions/checkout@')) continue;
        if (PUSHING_CHECKOUTS.has(`${file}/${name}`)) expect(step.with?.['persist-credentials'], `${file} ${name}`).toBeUndefined();
        else expect(step.with?.['persist-credentials'], `${file} ${name}`).toBe(false);
      }
  });

  it('puts no event value inside a run script (titles, branch names and comments reach the shell only through env)', () => {
    for (const job of Object.values(load(file).jobs))
      for (const step of job.steps ?? []) expect(step.run ?? '').not.toMatch(/\$\{\{[^}]*\b(github\.event|github\.head_ref|inputs\.)/);
  });

  it('runs no comment-triggered job on PR code: no checkout of anything but the default branch', () => {
    const w = load(file);
    if (!triggers(w).some((t) => t === 'issue_comment' || t === 'pull_request_review_comment')) return;
    for (const job of Object.values(w.jobs))
      for (const step of job.steps ?? [])
        if (step.uses?.startsWith('actions/checkout@')) expect(step.with?.ref).toBe('${{ github.event.repository.default_branch }}');
  });

  it('never uses pull_request_target, and gives runs of PR code no secrets and no write scope', () => {
    const w = load(file);
    expect(triggers(w)).not.toContain('pull_request_target');
    if (!triggers(w).includes('pull_request')) return;
    expect(text(file)).not.toMatch(/secrets\./);
    expect(text(file)).not.toMatch(/github\.token|GITHUB_TOKEN/);
    expect(writes(w.permissions)).toEqual([]);
    for (const job of Object.values(w.jobs)) expect(writes(job.permissions)).toEqual([]);
  });
});

describe('validate-pr.yml', () => {
  const w = load('validate-pr.yml');
  const steps = w.jobs.validate!.steps!;

  it('runs on pull_request with contents: read only', () => {
    expect(triggers(w)).toEqual(['pull_request']);
    expect(w.permissions).toEqual({ contents: 'read' });
    expect(w.jobs.validate!.permissions).toEqual({ contents: 'read' });
  });

  it('checks out full history without keeping the token, validates against the base, uploads the report with the PR number', () => {
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'))!;
    expect(checkout.with).toMatchObject({ 'fetch-depth': 0, 'persist-credentials': false });
    const validate = steps.find((s) => s.run?.includes('npm run -s validate'))!;
    expect(validate.run).toContain('--base "origin/$BASE_REF" --committed --packages --format github --output');
    expect(validate.env).toEqual({ BASE_REF: '${{ github.base_ref }}' });
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.with?.name).toBe('validation-report');
    expect(String(upload.with?.path)).toContain('pr-number');
    expect(steps.find((s) => s.run?.includes('pr-number'))?.env).toEqual({ PR_NUMBER: '${{ github.event.pull_request.number }}' });
  });
});

describe('pr-comment.yml', () => {
  const w = load('pr-comment.yml');
  const job = w.jobs.comment!;
  const steps = job.steps!;

  it('runs on workflow_run of "Validate PR" with no default permissions and only what commenting, labelling, the ownership status, merging and dispatching the deployments need', () => {
    expect(w.on).toEqual({ workflow_run: { workflows: ['Validate PR'], types: ['completed'] } });
    expect(load('validate-pr.yml')).toMatchObject({ name: 'Validate PR' });
    expect(w.permissions).toEqual({});
    expect(job.permissions).toEqual({ actions: 'write', contents: 'write', issues: 'write', 'pull-requests': 'write', statuses: 'write' });
  });

  it('never checks out the PR where anything runs: only the default branch, from this repository, without keeping the token', () => {
    const checkouts = steps.filter((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkouts).toHaveLength(1);
    expect(checkouts[0]!.with).toEqual({ ref: '${{ github.event.repository.default_branch }}', 'persist-credentials': false });
    // Nothing in the workflow refers to the PR's code by ref: no head ref or SHA reaches a checkout, a fetch or a
    // run. pr-bot fetches the PR itself, as data, into a folder outside the checkout (next test).
    for (const step of steps) {
      const where = JSON.stringify({ with: step.with, run: step.run });
      expect(where).not.toMatch(/head_sha|head_branch|head\.ref|head\.sha|refs\/pull|pull\/[^/]+\/head|merge_commit/);
      expect(step.run ?? '').not.toMatch(/\bgit\s+(fetch|checkout|switch|worktree|pull)\b/);
    }
  });

  it('installs before the artifact arrives, extracts it outside the workspace, and uses PR-derived values only through env', () => {
    const install = steps.findIndex((s) => s.run?.startsWith('npm ci'));
    const download = steps.findIndex((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(download).toBeGreaterThan(install);
    expect(steps[download]!.with).toMatchObject({ path: '${{ runner.temp }}/validation', 'run-id': '${{ github.event.workflow_run.id }}' });
    for (const step of steps) expect(step.run ?? '', 'no ${{ }} inside run scripts').not.toContain('${{');
    const setupNode = steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!;
    expect(setupNode.with?.cache).toBeUndefined();
  });

  it('checks the PR number is an integer that matches the run, and binds the bot to the validated commit', () => {
    const check = steps.find((s) => s.run?.includes('PR_FILE'))!;
    expect(check.run).toContain('^[1-9][0-9]{0,9}$');
    expect(check.env?.RUN_PR).toBe('${{ github.event.workflow_run.pull_requests[0].number }}');
    const bot = steps.find((s) => s.run?.includes('npm run -s pr-bot'))!;
    expect(bot.run).toContain('--head-sha "$HEAD_SHA"');
    // The labels come from the bot's own validation of the PR's files, fetched outside the workspace.
    expect(bot.run).toContain('--pr-tree "$RUNNER_TEMP/pr-tree"');
    // It merges (the exact validated head) only with every check that decides a merge, and starts the deployments.
    expect(bot.run).toMatch(/--packages --ownership\s+--merge --deploy-workflows pages\.yml,deploy-cloudflare\.yml/);
    for (const file of ['pages.yml', 'deploy-cloudflare.yml']) expect(Object.keys(load(file).on as object)).toContain('workflow_dispatch');
    expect(bot.env).toMatchObject({ GITHUB_TOKEN: '${{ github.token }}', HEAD_SHA: '${{ github.event.workflow_run.head_sha }}', PR: '${{ steps.pr.outputs.number }}' });
  });
});

describe('pr-recheck.yml', () => {
  const w = load('pr-recheck.yml');
  const job = w.jobs.recheck!;
  const steps = job.steps!;
  const bot = steps.find((s) => s.run?.includes('npm run -s pr-bot'))!;

  it('runs on new comments of pull requests that mention /recheck, not a bot\'s, one at a time per PR', () => {
    expect(w.on).toEqual({ issue_comment: { types: ['created'] } });
    expect(w.permissions).toEqual({});
    const condition = String((job as { if?: unknown }).if);
    expect(condition).toContain('github.event.issue.pull_request');
    expect(condition).toContain("github.event.comment.user.type != 'Bot'");
    expect(condition).toContain("contains(github.event.comment.body, '/recheck')");
    // On the job: a run for an ordinary comment, skipped by the condition, must not take a pending recheck's place.
    expect(w.concurrency).toBeUndefined();
    expect((job as { concurrency?: unknown }).concurrency).toEqual({ group: 'pr-recheck-${{ github.event.issue.number }}', 'cancel-in-progress': false });
  });

  it('never checks out or fetches the PR: only the default branch, without keeping the token, and no npm cache', () => {
    const checkouts = steps.filter((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkouts).toHaveLength(1);
    expect(checkouts[0]!.with).toEqual({ ref: '${{ github.event.repository.default_branch }}', 'persist-credentials': false });
    for (const step of steps) {
      const where = JSON.stringify({ with: step.with, run: step.run, env: step.env });
      expect(where).not.toMatch(/head_sha|head_branch|head\.ref|head\.sha|refs\/pull|pull\/[^/]+\/head|merge_commit|comment\.body/);
      expect(step.run ?? '').not.toMatch(/\bgit\s+(fetch|checkout|switch|worktree|pull)\b/);
      expect(step.run ?? '', 'no ${{ }} inside run scripts').not.toContain('${{');
    }
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!.with?.cache).toBeUndefined();
    expect(steps.findIndex((s) => s.run?.startsWith('npm ci'))).toBeLessThan(steps.indexOf(bot));
  });

  it('hands the bot only GitHub\'s ids through env: the comment is read again through the API, the head commit too', () => {
    expect(bot.env).toEqual({
      GITHUB_TOKEN: '${{ github.token }}',
      REPO: '${{ github.repository }}',
      PR: '${{ github.event.issue.number }}',
      COMMENT_ID: '${{ github.event.comment.id }}',
      RUN_URL: '${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}',
    });
    expect(bot.run).toContain('--recheck-comment "$COMMENT_ID"');
    expect(bot.run).toContain('--pr-tree "$RUNNER_TEMP/pr-tree"');
    expect(bot.run).not.toContain('--head-sha');
    expect(bot.run).not.toContain('--report');
    // Exactly the check pr-comment.yml runs: every check that decides a merge, the merge, the deployments.
    const comment = load('pr-comment.yml').jobs.comment!.steps!.find((s) => s.run?.includes('npm run -s pr-bot'))!;
    const tail = (run: string) => run.slice(run.indexOf('--pr-tree'));
    expect(tail(bot.run!)).toBe(tail(comment.run!).replace(' --report "$RUNNER_TEMP/validation/report.json"', ''));
    expect(bot.run).toMatch(/--packages --ownership\s+--merge --deploy-workflows pages\.yml,deploy-cloudflare\.yml/);
  });
});

describe('stale-prs.yml', () => {
  const w = load('stale-prs.yml');
  const steps = w.jobs.close!.steps!;

  it('runs daily and by hand (optionally dry), never for pull requests or comments, one at a time', () => {
    expect(triggers(w).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const on = w.on as { schedule: Array<{ cron: string }>; workflow_dispatch: { inputs: Record<string, { type: string; default: unknown }> } };
    expect(on.schedule).toHaveLength(1);
    expect(on.schedule[0]!.cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(on.workflow_dispatch.inputs).toEqual({ 'dry-run': expect.objectContaining({ type: 'boolean', default: false }) });
    expect(w.permissions).toEqual({ contents: 'read' });
    expect(w.concurrency).toEqual({ group: 'stale-prs', 'cancel-in-progress': false });
  });

  it('installs, then runs close-stale with values only through env', () => {
    const install = steps.findIndex((s) => s.run?.startsWith('npm ci'));
    const close = steps.findIndex((s) => s.run?.includes('npm run -s close-stale'));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(close).toBeGreaterThan(install);
    expect(steps[close]!.env).toEqual({ GITHUB_TOKEN: '${{ github.token }}', REPO: '${{ github.repository }}', DRY_RUN: '${{ inputs.dry-run }}' });
    expect(steps[close]!.run).toContain('if [ "$DRY_RUN" = "true" ]; then set -- --dry-run; fi');
    for (const step of steps) expect(step.run ?? '', 'no ${{ }} inside run scripts').not.toContain('${{');
  });
});

describe('sync.yml', () => {
  const w = load('sync.yml');
  const job = w.jobs.sync!;
  const steps = job.steps!;

  it('runs on a schedule and by hand (with an optional full read), never for pull requests', () => {
    expect(triggers(w).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const on = w.on as { schedule: Array<{ cron: string }>; workflow_dispatch: { inputs: Record<string, { type: string; default: unknown }> } };
    expect(on.schedule).toHaveLength(1);
    expect(on.schedule[0]!.cron).toMatch(/^\d+ \* \* \* \*$/);
    expect(on.workflow_dispatch.inputs).toEqual({ full: expect.objectContaining({ type: 'boolean', default: false }) });
  });

  it('reads by default and writes only contents and pull requests, in the one job', () => {
    expect(w.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(w.jobs)).toEqual(['sync']);
    expect(job.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
  });

  it('never runs two syncs at once, and never cancels one halfway', () => {
    expect(w.concurrency).toEqual({ group: 'sync-upstream', 'cancel-in-progress': false });
  });

  it('checks out full history with a token that can push, installs, and runs sync-pr with --full only when asked', () => {
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'))!;
    expect(checkout.with).toMatchObject({ 'fetch-depth': 0 });
    expect(checkout.with?.['persist-credentials']).not.toBe(false);
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!.with).toMatchObject({ 'node-version': 20, cache: 'npm' });
    const install = steps.findIndex((s) => s.run?.startsWith('npm ci'));
    const sync = steps.findIndex((s) => s.run?.includes('npm run -s sync-pr'));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(sync).toBeGreaterThan(install);
    expect(steps[sync]!.env).toEqual({ GITHUB_TOKEN: '${{ secrets.SYNC_TOKEN || github.token }}', FULL: '${{ inputs.full }}' });
    expect(steps[sync]!.run).toContain('if [ "$FULL" = "true" ]; then set -- --full; fi');
    for (const step of steps) expect(step.run ?? '', 'no ${{ }} inside run scripts').not.toContain('${{');
  });
});

describe.each([
  { file: 'pages.yml', deployment: 'pages', baseUrl: ['BASE_URL', '${{ needs.deploy.outputs.page_url }}'] },
  { file: 'deploy-cloudflare.yml', deployment: 'cloudflare', baseUrl: ['REGISTRY_URL', '${{ vars.REGISTRY_URL }}'] },
] as const)('$file: the live announcement', ({ file, deployment, baseUrl }) => {
  const w = load(file);
  const job = w.jobs.announce!;
  const steps = job.steps!;
  const announce = steps.at(-1)!;

  it('is a job of its own after the deployment, the only one that may write to pull requests', () => {
    expect(job.needs).toBe('deploy');
    expect(job.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    for (const [name, other] of Object.entries(w.jobs)) if (name !== 'announce') expect(writes(other.permissions ?? w.permissions)).not.toContain('pull-requests');
    expect(Object.values(w.jobs).some((other) => [other.needs ?? []].flat().includes('announce'))).toBe(false);
  });

  it('runs announce-live last, over the pushed commit, with the deployment\'s URL, every value through env', () => {
    expect(announce.run).toBe(`npm run -s announce-live -- --base-url "$${baseUrl[0]}" --sha "$SHA" --deployment ${deployment} --run-url "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID"`);
    expect(announce.env).toEqual({ GITHUB_TOKEN: '${{ github.token }}', [baseUrl[0]]: baseUrl[1], SHA: '${{ github.sha }}' });
    for (const step of steps) expect(step.run ?? '', 'no ${{ }} inside run scripts').not.toContain('${{');
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'))!;
    expect(checkout.with).toEqual({ 'persist-credentials': false });
    expect(steps.findIndex((s) => s.run?.startsWith('npm ci'))).toBeLessThan(steps.length - 1);
  });

  it('gives up within the job\'s time limit (the script waits 900 s at most by default)', () => {
    expect(announce.run).not.toContain('--timeout');
    expect(job['timeout-minutes']! * 60).toBeGreaterThan(900);
  });
});

describe('deploy-cloudflare.yml', () => {
  const w = load('deploy-cloudflare.yml');

  it('keeps deployments in order without making the next one wait for an announcement', () => {
    expect(w.concurrency).toBeUndefined();
    expect(w.jobs.deploy!.concurrency).toEqual({ group: 'cloudflare', 'cancel-in-progress': false });
    expect(w.jobs.announce!.concurrency).toBeUndefined();
  });

  it('announces only when it deployed, and says so when REGISTRY_URL is not set', () => {
    expect(w.jobs.deploy!.outputs).toEqual({ configured: '${{ steps.secrets.outputs.configured }}' });
    expect(w.jobs.announce!.if).toBe("needs.deploy.outputs.configured == 'true'");
    const check = w.jobs.announce!.steps![0]!;
    expect(check.env).toEqual({ REGISTRY_URL: '${{ vars.REGISTRY_URL }}' });
    expect(check.run).toContain('::notice::');
    for (const step of w.jobs.announce!.steps!.slice(1)) expect((step as { if?: string }).if).toBe("steps.url.outputs.configured == 'true'");
  });
});

describe('pages.yml', () => {
  it('passes the deployed site\'s URL on to the announcement', () => {
    expect(load('pages.yml').jobs.deploy!.outputs).toEqual({ page_url: '${{ steps.deployment.outputs.page_url }}' });
  });
});
