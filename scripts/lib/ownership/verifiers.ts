// The real verifiers behind OwnershipVerifiers, assembled for the command line and the pull-request workflow.

import type { Octokit } from '@octokit/rest';
import { verifyGithubNamespace } from './github-identity.ts';
import type { ProofOutcome } from './verify-change.ts';

/** GitHub identity as a proof outcome: it grants exactly the namespace it was asked about. */
export function githubIdentityVerifier(octokit: Pick<Octokit, 'rest'>, author: string): (namespace: string, file: string) => Promise<ProofOutcome> {
  return async (namespace, file) => {
    const result = await verifyGithubNamespace({ namespace, author, file }, octokit);
    if (!result.ok) return result;
    const detail = result.via === 'author' ? `${author} is ${namespace}` : `${author} is an Owner of the organisation ${result.login}`;
    return { ok: true, method: 'github', grants: (n) => n === namespace, detail };
  };
}
