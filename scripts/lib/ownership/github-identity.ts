// GitHub identity: `io.github.<login>/…` may be published by the pull request's author when <login> is the author,
// or an organisation the author is an Owner of (the official registry's rule since it moved to org roles).
// Read with @octokit/rest; an organisation's private memberships are only visible to a token with `read:org`.

import type { Octokit } from '@octokit/rest';
import { problem, type Problem } from '../problems.ts';
import { errorStatus } from '../github/error-status.ts';

export const GITHUB_NAMESPACE_PREFIX = 'io.github.';
const LOGIN = /^[a-zA-Z0-9-]+$/;

export type GithubIdentityResult =
  | { ok: true; namespace: string; via: 'author' | 'org-owner'; login: string }
  | { ok: false; problem: Problem };

function fail(code: string, file: string | undefined, message: string, hint: string): GithubIdentityResult {
  return { ok: false, problem: problem({ code, file, jsonPath: '/name', message, hint }) };
}

/** Who may publish under a `io.github.*` namespace, checked for one pull-request author. */
export async function verifyGithubNamespace(
  input: { namespace: string; author: string; file?: string },
  octokit: Pick<Octokit, 'rest'>,
): Promise<GithubIdentityResult> {
  const { namespace, author, file } = input;
  if (!namespace.startsWith(GITHUB_NAMESPACE_PREFIX)) {
    return fail('ownership-github-not-github-namespace', file, `${namespace} is not a GitHub namespace`, 'Prove a domain namespace with a DNS or HTTP proof (docs/ownership.md).');
  }
  const login = namespace.slice(GITHUB_NAMESPACE_PREFIX.length);
  if (!LOGIN.test(login)) {
    return fail('ownership-github-namespace-invalid', file, `"${login}" cannot be a GitHub login (letters, digits and "-" only)`, 'Use io.github.<your GitHub login>, exactly as GitHub spells it.');
  }
  if (login === author) return { ok: true, namespace, via: 'author', login };

  let account: { login: string; type: string };
  try {
    account = (await octokit.rest.users.getByUsername({ username: login })).data as { login: string; type: string };
  } catch (error) {
    if (errorStatus(error) === 404) {
      return fail('ownership-github-account-missing', file, `there is no GitHub user or organisation named "${login}"`, `Use io.github.${author} (your login), or the login of an organisation you are an Owner of.`);
    }
    throw error;
  }
  if (account.login !== login) {
    return fail('ownership-github-casing', file,
      `the namespace spells the login "${login}", but GitHub spells it "${account.login}"; namespaces are matched case-sensitively`,
      `Use the namespace io.github.${account.login}: rename the folder and set "name" to "io.github.${account.login}/…".`);
  }
  if (account.type !== 'Organization') {
    return fail('ownership-github-not-author', file,
      `io.github.${login}/… can only be published by the GitHub user ${login}; this pull request is by ${author}`,
      `Publish under io.github.${author}/…, ask ${login} to open the pull request, or prove the namespace another way (docs/ownership.md).`);
  }
  try {
    const membership = (await octokit.rest.orgs.getMembershipForUser({ org: login, username: author })).data;
    if (membership.state !== 'active') {
      return fail('ownership-github-org-pending', file, `${author}'s invitation to the organisation ${login} is not accepted yet`, `Accept the invitation at https://github.com/orgs/${login}/invitation, then re-run the check.`);
    }
    if (membership.role !== 'admin') {
      return fail('ownership-github-org-not-owner', file,
        `${author} is a member of ${login} but not an Owner; only Owners may publish for an organisation`,
        `Ask an Owner of ${login} to open the pull request, or to add ${author} to the namespace's owners ledger.`);
    }
    return { ok: true, namespace, via: 'org-owner', login };
  } catch (error) {
    if (errorStatus(error) === 404) {
      return fail('ownership-github-org-not-member', file,
        `${author} is not a member of the organisation ${login} (or the membership is private and the check's token cannot see it)`,
        `Ask an Owner of ${login} to open the pull request. If you are an Owner, make your membership public, or ask the registry's maintainers whether the check's token has read:org.`);
    }
    throw error;
  }
}
