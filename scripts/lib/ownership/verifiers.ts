// The real verifiers behind OwnershipVerifiers, assembled for the command line and the pull-request workflow.

import { Octokit } from '@octokit/rest';
import { verifyGithubNamespace } from './github-identity.ts';
import type { ProofOutcome } from './verify-change.ts';
import type { OwnershipVerifiers } from './change-ownership.ts';
import { buildProofMessage, namespaceIsGranted, proofGrantProblem } from './domain-proof.ts';
import { verifyDnsProof } from './dns-proof.ts';
import { verifyHttpProof, type HttpProofVerifier } from './http-proof.ts';
import { acceptRecordedProof, githubOidcVerifier, verifyOidcProof, type OidcVerifier } from './oidc-proof.ts';
import { PROOF_FILE_NAME, type ProofFile } from './proof-file.ts';
import { statementVerifier } from './statement.ts';

/** GitHub identity as a proof outcome: it grants exactly the namespace it was asked about. */
export function githubIdentityVerifier(octokit: Pick<Octokit, 'rest'>, author: string): (namespace: string, file: string) => Promise<ProofOutcome> {
  return async (namespace, file) => {
    const result = await verifyGithubNamespace({ namespace, author, file }, octokit);
    if (!result.ok) return result;
    const detail = result.via === 'author' ? `${author} is ${namespace}` : `${author} is an Owner of the organisation ${result.login}`;
    return { ok: true, method: 'github', grants: (n) => n === namespace, detail };
  };
}

export interface ProofVerifierOptions {
  /** This registry's URL, bound into GitHub OIDC audiences (the publish action's `registry-url`). */
  registryUrl: string;
  /** DNS servers for TXT look-ups (`host:port`); the system's when absent. */
  dnsServers?: string[];
  /** Replaced only by tests, which point them at local servers. */
  http?: HttpProofVerifier;
  oidc?: OidcVerifier;
  /** Records of earlier verifications (kept by the PR bot in its own comment), accepted once a token expired. */
  recorded?: readonly unknown[];
  /** The clock (tests move it past a token's expiry). */
  now?: () => Date;
}

/** Verifies one proof.json for the server.json beside it: DNS or HTTP signature, or GitHub OIDC token. */
export function proofVerifier(options: ProofVerifierOptions): OwnershipVerifiers['verifyProof'] {
  const http = options.http ?? { verify: verifyHttpProof };
  const oidc = options.oidc ?? githubOidcVerifier();
  return async (proof: ProofFile, target) => {
    const namespace = target.name.split('/')[0]!;
    const proofFile = target.file.slice(0, -'server.json'.length) + PROOF_FILE_NAME;
    if (proof.method === 'github-oidc') {
      const result = await verifyOidcProof({ token: proof.token, serverJsonBytes: target.bytes, registryUrl: options.registryUrl, namespace, proofFile, now: options.now?.() }, oidc);
      if (result.ok) {
        return { ok: true, method: 'github-oidc', grants: (n) => result.grants === n, detail: `GitHub Actions OIDC token from ${result.record.repository}`, record: result.record };
      }
      // Tokens live minutes: an expired one still counts when this registry verified that very token earlier for
      // these bytes (its signature still verifies; its owner, subject and expiry must be the record's).
      if (result.problem.code === 'ownership-oidc-token-expired' && result.expired) {
        for (const record of options.recorded ?? []) {
          const accepted = acceptRecordedProof(record, target.bytes, { registryUrl: options.registryUrl, namespace, token: result.expired });
          if (accepted.ok) {
            return { ok: true, method: 'github-oidc', grants: (n) => accepted.grants === n, detail: `GitHub Actions OIDC token from ${accepted.record.repository}, verified ${accepted.record.verifiedAt}`, record: accepted.record };
          }
        }
      }
      return result;
    }
    const granted = proofGrantProblem(proof, target.name, proofFile);
    if (granted) return { ok: false, problem: granted };
    const input = {
      domain: proof.domain, algorithm: proof.algorithm, signature: proof.signature, serverJson: target.bytes, file: proofFile,
      message: buildProofMessage({ name: target.name, version: target.version, serverJson: target.bytes }),
    };
    const result = proof.method === 'dns'
      ? await verifyDnsProof(input, { resolver: options.dnsServers ? { servers: options.dnsServers } : undefined })
      : await http.verify(input);
    if (!result.ok) return result;
    return {
      ok: true, method: proof.method, grants: (n) => namespaceIsGranted(proof.method, proof.domain, n),
      detail: `${proof.method === 'dns' ? 'DNS TXT record' : 'HTTPS well-known file'} of ${proof.domain} (key ${result.fingerprint})`,
    };
  };
}

/** The registry URL bound into OIDC audiences when none is configured (the publish action's default is the same). */
export const DEFAULT_REGISTRY_URL = 'https://github.com/mcp-static-registry/registry';

/**
 * Ownership verifiers for a publisher's or maintainer's machine, as the pull-request job wires them: the real DNS,
 * HTTPS and OIDC checks, and GitHub identity when GITHUB_TOKEN is set.
 */
export function localOwnershipVerifiers(author: string, registryUrl = process.env.MCP_REGISTRY_URL ?? DEFAULT_REGISTRY_URL, env: NodeJS.ProcessEnv = process.env): OwnershipVerifiers {
  const token = env.GITHUB_TOKEN;
  const octokit = token ? new Octokit({ auth: token, baseUrl: env.GITHUB_API_URL || 'https://api.github.com' }) : undefined;
  return {
    author,
    github: octokit ? githubIdentityVerifier(octokit, author) : undefined,
    verifyProof: proofVerifier({ registryUrl }),
    verifyStatement: statementVerifier({ registryUrl }),
  };
}
