// `entries/<namespace>/authorization.json`: a domain owner's signed statement that one GitHub user may change the
// namespace in one registry until a date: its owners ledger, its servers' status, deletions (and publications).
// A proof.json signature covers one server.json only, and anyone can copy it into their own pull request; the
// statement names the pull request's author and the registry, so a copy proves nothing for anyone else.

import { problem, type Problem } from '../problems.ts';
import {
  buildStatementMessage,
  domainProblem,
  namespaceIsGranted,
  proofGrantProblem,
  readClosedObject,
  reverseDomain,
  signatureFormatProblem,
  STATEMENT_EXPIRES_PATTERN,
  type ProofAlgorithm,
  type ProofMethod,
} from './domain-proof.ts';
import { verifyDnsProof } from './dns-proof.ts';
import { verifyHttpProof, type HttpProofVerifier } from './http-proof.ts';
import type { ProofOutcome } from './verify-change.ts';

export const STATEMENT_FILE_NAME = 'authorization.json';

/**
 * The longest a statement may still run when it is checked. A statement cannot be revoked except by removing the
 * key's record, so it must not outlive a review by much; `publisher authorize` signs for 7 days by default.
 */
export const MAX_STATEMENT_DAYS = 31;

export interface Statement {
  method: ProofMethod;
  domain: string;
  algorithm: ProofAlgorithm;
  /** The registry's URL, as the checking workflow knows it. */
  registry: string;
  /** The GitHub login that may open the pull request. */
  author: string;
  /** RFC 3339 UTC, to the second. */
  expires: string;
  /** Hex signature over buildStatementMessage. */
  signature: string;
}

const KEYS = ['method', 'domain', 'algorithm', 'registry', 'author', 'expires', 'signature'] as const;
const LOGIN = /^[a-zA-Z0-9-]+$/;

/** Registry URLs compare without trailing slashes (the OIDC audience is built the same way). */
export function normalizeRegistryUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Parses authorization.json strictly; every way it can be wrong is one `ownership-statement-invalid` problem. */
export function parseStatementFile(file: string, text: string): { statement?: Statement; problems: Problem[] } {
  const fail = (message: string, jsonPath = '') => ({
    problems: [problem({
      code: 'ownership-statement-invalid', file, jsonPath,
      message: `${STATEMENT_FILE_NAME} ${message}`,
      hint: 'Write it with `npm run publisher -- authorize` (docs/ownership.md): {"method","domain","algorithm","registry","author","expires","signature"}.',
    })],
  });
  const read = readClosedObject(text, KEYS);
  if ('message' in read) return fail(read.message, read.jsonPath);
  const o = read.object;
  if (o.method !== 'dns' && o.method !== 'http') return fail('has no "method" "dns" or "http"', '/method');
  if (typeof o.domain !== 'string' || domainProblem(o.domain)) return fail(`"domain" ${typeof o.domain === 'string' ? `${JSON.stringify(o.domain)} ${domainProblem(o.domain)}` : 'is missing'}`, '/domain');
  if (o.algorithm !== 'ed25519' && o.algorithm !== 'ecdsap384') return fail('has no "algorithm" "ed25519" or "ecdsap384"', '/algorithm');
  if (typeof o.registry !== 'string' || !/^https:\/\/\S+$/.test(o.registry)) return fail('has no "registry" https URL', '/registry');
  if (typeof o.author !== 'string' || !LOGIN.test(o.author)) return fail('has no "author" GitHub login', '/author');
  if (typeof o.expires !== 'string' || !STATEMENT_EXPIRES_PATTERN.test(o.expires) || Number.isNaN(Date.parse(o.expires))) {
    return fail('has no "expires" UTC time such as 2026-07-01T00:00:00Z', '/expires');
  }
  if (typeof o.signature !== 'string') return fail('has no "signature" string', '/signature');
  const signature = signatureFormatProblem(o.algorithm, o.signature);
  if (signature) return fail(`"signature" ${signature}`, '/signature');
  return { statement: { method: o.method, domain: o.domain, algorithm: o.algorithm, registry: o.registry, author: o.author, expires: o.expires, signature: o.signature }, problems: [] };
}

export interface StatementVerifierOptions {
  /** This registry's URL (the checking workflow's configuration, never the pull request's). */
  registryUrl: string;
  dnsServers?: string[];
  /** Replaced only by tests, which point it at a local server. */
  http?: HttpProofVerifier;
  now?: () => Date;
}

export interface StatementTarget {
  /** The authorization.json path. */
  file: string;
  /** The namespace whose folder holds it. */
  namespace: string;
  /** The pull request's author. */
  author: string;
}

export type StatementVerifier = (statement: Statement, target: StatementTarget) => Promise<ProofOutcome>;

/** Checks a parsed statement: registry, author, expiry and namespace first (no network), then the signature. */
export function statementVerifier(options: StatementVerifierOptions): StatementVerifier {
  const http = options.http ?? { verify: verifyHttpProof };
  return async (statement, target) => {
    const fail = (code: string, jsonPath: string, message: string, hint: string): ProofOutcome => ({ ok: false, problem: problem({ code, file: target.file, jsonPath, message, hint }) });
    const registry = normalizeRegistryUrl(options.registryUrl);
    if (normalizeRegistryUrl(statement.registry) !== registry) {
      return fail('ownership-statement-wrong-registry', '/registry',
        `the statement is for the registry ${statement.registry}, not this one (${registry})`,
        `Sign a statement for this registry: npm run publisher -- authorize --registry ${registry} … (a statement for one registry is never valid in another).`);
    }
    if (statement.author !== target.author) {
      return fail('ownership-statement-wrong-author', '/author',
        `the statement authorizes the GitHub user ${statement.author}, but this pull request is by ${target.author}`,
        `A statement is valid only in pull requests by the user it names (as GitHub spells the login). ${target.author} needs a statement signed for ${target.author}; ask the domain's owner to sign one with npm run publisher -- authorize --author ${target.author}.`);
    }
    const now = options.now?.() ?? new Date();
    const expires = Date.parse(statement.expires);
    if (expires <= now.getTime()) {
      return fail('ownership-statement-expired', '/expires',
        `the statement expired at ${statement.expires}`,
        'Sign a new statement with npm run publisher -- authorize (7 days by default) and commit it in place of this one.');
    }
    if (expires > now.getTime() + MAX_STATEMENT_DAYS * 86_400_000) {
      return fail('ownership-statement-expiry-too-far', '/expires',
        `the statement runs until ${statement.expires}, more than ${MAX_STATEMENT_DAYS} days from now; a statement cannot be revoked, so it must be short-lived`,
        `Sign it again for at most ${MAX_STATEMENT_DAYS} days: npm run publisher -- authorize --days 7 ….`);
    }
    const granted = proofGrantProblem(statement, `${target.namespace}/`, target.file);
    if (granted) return { ok: false, problem: granted };
    const message = buildStatementMessage({ registry: normalizeRegistryUrl(statement.registry), author: statement.author, namespace: target.namespace, expires: statement.expires });
    const input = { domain: statement.domain, algorithm: statement.algorithm, signature: statement.signature, message, file: target.file };
    const result = statement.method === 'dns'
      ? await verifyDnsProof(input, { resolver: options.dnsServers ? { servers: options.dnsServers } : undefined })
      : await http.verify(input);
    if (!result.ok) return result;
    return {
      ok: true, method: statement.method, grants: (n) => n === target.namespace && namespaceIsGranted(statement.method, statement.domain, n),
      detail: `authorization statement for ${statement.author} until ${statement.expires}, signed with the key ${result.fingerprint} of ${statement.method === 'dns' ? 'the DNS TXT record' : 'the HTTPS well-known file'} of ${statement.domain}`,
    };
  };
}

/** The domain a namespace's statement is signed for by default: the namespace reversed. */
export function defaultStatementDomain(namespace: string): string {
  return reverseDomain(namespace);
}
