// The trusted re-validation of a pull request (docs/security.md): the privileged job must not take the word of the
// report that the PR's own run uploaded, since that run executed the PR's code. So the default branch's validator
// checks the PR itself, over the PR's files read as data:
//
//   1. a fresh repository in a folder of its own, with no hooks, no system or global git configuration, and
//      attributes that turn off every filter, diff or merge driver and line-ending conversion an in-tree
//      .gitattributes could ask for;
//   2. fetch the base branch and refs/pull/<n>/head from the base repository, and insist that the head is the
//      commit GitHub says was validated;
//   3. merge them in git's object store (`git merge-tree`, as GitHub's test merge does) and check the result out:
//      the tree the validate job saw, without running anything from it;
//   4. run validateRegistry on that folder against the base tip, with the registry.yaml of the trusted checkout.
//
// Nothing in the folder is executed, installed or imported; git writes symbolic links as links, never through
// them, and the validator reports links instead of following them (validate/tree.ts).

import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { problem } from '../problems.ts';
import { runGit } from '../history/run-git.ts';
import { validateRegistry, type ValidateOptions } from '../validate/validate.ts';
import type { ValidationReport } from '../validate/types.ts';

export interface PullRequestTreeOptions {
  /** The base repository (URL or path): it holds the base branch and refs/pull/<n>/head, also for forks. */
  remote: string;
  pr: number;
  /** The commit GitHub says was validated (and the PR's head, checked by the caller through the API). */
  headSha: string;
  /** The PR's base branch, as GitHub names it. */
  baseRef: string;
  /** An empty or missing folder, outside the trusted checkout, for the PR's files. */
  dir: string;
  /** Sent as the basic-auth header to an https remote (private repositories). Never written to disk. */
  token?: string;
}

export type PullRequestTree =
  | { ok: true; root: string; base: string; merge: string }
  | { ok: false; skipped: string }
  | { ok: false; conflict: string; base: string };

/** Overrides in-tree .gitattributes: no filters, drivers, conversions or encodings, for every path. */
const NEUTRAL_ATTRIBUTES = '* -text -filter -diff -merge -ident -export-subst !eol !working-tree-encoding\n';

/** Git for the PR's folder: nothing configured but what is set here; no prompts, no LFS downloads. */
function isolatedGitEnv(options: PullRequestTreeOptions): NodeJS.ProcessEnv {
  const config: Array<[string, string]> = [
    ['core.hooksPath', '/dev/null'],
    ['core.symlinks', 'true'],
    ['core.autocrlf', 'false'],
    ['core.fsmonitor', 'false'],
    ['core.protectNTFS', 'true'],
    ['core.protectHFS', 'true'],
    ['fetch.recurseSubmodules', 'false'],
    ['submodule.recurse', 'false'],
  ];
  if (options.token && /^https:\/\//.test(options.remote)) {
    config.push(['http.extraheader', `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${options.token}`).toString('base64')}`]);
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    // Inside .git, which no file of the PR can be: git reads nothing from it with GIT_CONFIG_GLOBAL set.
    HOME: path.join(options.dir, '.git'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_LFS_SKIP_SMUDGE: '1',
    GIT_AUTHOR_NAME: 'mcp-static-registry', GIT_AUTHOR_EMAIL: 'pr-bot@invalid', GIT_COMMITTER_NAME: 'mcp-static-registry', GIT_COMMITTER_EMAIL: 'pr-bot@invalid',
    GIT_CONFIG_COUNT: String(config.length),
  };
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

/** Fetches the PR and its base into `dir` and checks out their merge there, without running anything from it. */
export async function checkOutPullRequest(options: PullRequestTreeOptions): Promise<PullRequestTree> {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(options.headSha)) throw new Error('the head must be a full commit SHA');
  if (!/^[A-Za-z0-9._/-]+$/.test(options.baseRef) || options.baseRef.includes('..') || options.baseRef.startsWith('-')) {
    throw new Error(`the base branch name ${JSON.stringify(options.baseRef)} is not one this job fetches`);
  }
  if (existsSync(options.dir) && readdirSync(options.dir).length) throw new Error(`${options.dir} is not empty`);
  mkdirSync(options.dir, { recursive: true });
  const env = isolatedGitEnv(options);
  const git = (args: string[]) => runGit(options.dir, args, { env });
  await git(['init', '--quiet', '--template=', '.']);
  mkdirSync(path.join(options.dir, '.git', 'info'), { recursive: true });
  writeFileSync(path.join(options.dir, '.git', 'info', 'attributes'), NEUTRAL_ATTRIBUTES);
  if (options.remote.startsWith('-')) throw new Error('the remote must be a URL or a path');
  await git(['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', options.remote,
    `+refs/heads/${options.baseRef}:refs/trusted/base`, `+refs/pull/${options.pr}/head:refs/trusted/head`]);
  const [base, head] = (await git(['rev-parse', 'refs/trusted/base^{commit}', 'refs/trusted/head^{commit}'])).trim().split('\n');
  if (head !== options.headSha) return { ok: false, skipped: `PR #${options.pr} is now at ${head!.slice(0, 12)}, not the validated ${options.headSha.slice(0, 12)}: a newer run will report` };
  let tree: string;
  try {
    tree = (await git(['merge-tree', '--write-tree', '--no-messages', base!, head!])).split('\n')[0]!.trim();
  } catch (error) {
    return { ok: false, conflict: (error as Error).message.split('\n')[0]!, base: base! };
  }
  const merge = (await git(['commit-tree', tree, '-p', base!, '-p', head!, '-m', `merge of PR #${options.pr} into ${options.baseRef}`])).trim();
  await git(['checkout', '--quiet', '--detach', merge]);
  return { ok: true, root: options.dir, base: base!, merge };
}

export interface TrustedValidationOptions extends PullRequestTreeOptions {
  /** The trusted checkout's registry.yaml (the PR's own is never read: it may be a link out of its folder). */
  configFile: string;
  packages?: ValidateOptions['packages'];
}

/** The default branch's validator over the PR's merged files: the report the labels and checklist come from. */
export async function validatePullRequest(options: TrustedValidationOptions): Promise<{ report: ValidationReport; base?: string } | { skipped: string }> {
  const tree = await checkOutPullRequest(options);
  if (!tree.ok && 'skipped' in tree) return { skipped: tree.skipped };
  if (!tree.ok) {
    const conflict = problem({
      code: 'change-merge-conflict',
      message: `this pull request cannot be merged into ${options.baseRef} without conflicts, so what it would publish cannot be checked (${tree.conflict})`,
      hint: `Update the branch from ${options.baseRef} (merge or rebase) and resolve the conflicts, then push again.`,
    });
    return { report: { problems: [conflict], publishes: [], checks: [{ id: 'changes', ran: true, passed: false }] }, base: tree.base };
  }
  // The folder is a fresh checkout of the merge: what is committed is all there is.
  const report = await validateRegistry({ root: tree.root, entriesDir: 'entries', base: tree.base, committedOnly: true, configFile: options.configFile, packages: options.packages });
  return { report, base: tree.base };
}
