// The trusted check of a pull request, as pr-comment.yml runs it (scripts/pr-bot.ts is its command line): the
// default branch's validator over the PR's merge fetched as data (pr-tree.ts), ownership from the PR's files read
// through the API, packages, and, with a merge policy, the merge itself (pr-bot.ts).

import path from 'node:path';
import type { Octokit } from '@octokit/rest';
import { checkPullRequestOwnership, type PullRequestRef } from '../ownership/pull-request.ts';
import { statementVerifier } from '../ownership/statement.ts';
import { githubIdentityVerifier, proofVerifier, type ProofVerifierOptions } from '../ownership/verifiers.ts';
import type { MergePolicy } from '../merge-policy.ts';
import { validatePullRequest } from './pr-tree.ts';
import { runPrBot, type PrBotOptions, type PrBotResult, type PullFile } from './pr-bot.ts';

export interface TrustedCheckOptions extends Pick<PrBotOptions, 'owner' | 'repo' | 'pr' | 'untrustedErrors' | 'runUrl' | 'docsBaseUrl' | 'botLogin' | 'log'> {
  octokit: Octokit;
  /** The commit the check is for: nothing is written or merged if the PR is elsewhere. */
  headSha: string;
  /** Where the PR and its base are fetched from (the base repository's URL or path). */
  remote: string;
  /** An empty folder outside the trusted checkout; each attempt checks the PR out in a folder of its own in it. */
  prTree: string;
  /** Sent to an https remote (private repositories). */
  token?: string;
  /** The trusted checkout's registry.yaml. */
  configFile: string;
  /** Check the packages of the versions the PR publishes (network). */
  packages: boolean;
  ownership: boolean;
  /** The registry URL proofs are bound to. */
  registryUrl: string;
  /** With a policy the bot merges what it allows. */
  policy?: MergePolicy;
  /** GitHub's OIDC issuer and keys, fixed in code; only a caller in code (a test's local issuer) sets another. */
  oidc?: ProofVerifierOptions['oidc'];
}

export async function runTrustedCheck(o: TrustedCheckOptions): Promise<PrBotResult> {
  const { octokit, registryUrl } = o;
  const packages = o.packages ? (await import('../packages/verify.ts')).verifyServerPackages : undefined;
  const ownership = o.ownership
    ? (pull: PullRequestRef, files: PullFile[], recorded: unknown[]) => checkPullRequestOwnership({
        octokit, pull, files,
        verifiers: (author) => ({
          author,
          github: githubIdentityVerifier(octokit, author),
          verifyProof: proofVerifier({ registryUrl, recorded, ...(o.oidc ? { oidc: o.oidc } : {}) }),
          verifyStatement: statementVerifier({ registryUrl }),
        }),
      })
    : undefined;
  return runPrBot({
    octokit, owner: o.owner, repo: o.repo, pr: o.pr, headSha: o.headSha, ownership, policy: o.policy,
    // A folder per attempt: the base may move between the check and the merge, and the PR is checked again.
    validate: (pull) => validatePullRequest({
      remote: o.remote, pr: o.pr, headSha: o.headSha, baseRef: pull.baseRef, dir: path.join(o.prTree, `attempt-${pull.attempt}`), token: o.token, configFile: o.configFile, packages,
    }),
    untrustedErrors: o.untrustedErrors, runUrl: o.runUrl, docsBaseUrl: o.docsBaseUrl, botLogin: o.botLogin, log: o.log,
  });
}
