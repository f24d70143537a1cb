// Who may make a change: every namespace a pull request touches (a new version, a status change, its owners
// ledger) must be proven for the pull request's author, by the base's owners ledger, by GitHub identity for
// io.github.* namespaces, or by a proof committed beside a new version (DNS, HTTP, GitHub OIDC).

import { problem, type Problem } from '../problems.ts';
import { LEDGER_FILE_NAME, ledgerAllows, type Ledger } from './ledger.ts';

export type ProofMethod = 'ledger' | 'github' | 'dns' | 'http' | 'github-oidc';

/** What one proof establishes: the namespaces it grants, or why it fails. */
export type ProofOutcome =
  /** `record`: what a verified GitHub OIDC token leaves behind, so a re-run after it expires stays green. */
  | { ok: true; method: ProofMethod; grants: (namespace: string) => boolean; detail: string; record?: unknown }
  | { ok: false; problem: Problem };

/** A namespace the change touches, with the file that makes it need proof. */
export interface TouchedNamespace {
  namespace: string;
  file: string;
  why: 'publish' | 'status' | 'ledger';
}

export interface OwnershipInput {
  author: string;
  touched: TouchedNamespace[];
  /** Ledgers as in the base, by namespace. */
  baseLedgers: ReadonlyMap<string, Ledger>;
  /** Results of the proofs committed beside new versions, by proof file. */
  proofs: ReadonlyArray<{ file: string; outcome: ProofOutcome }>;
  /** GitHub identity for io.github.* namespaces (undefined when no token is available). */
  github?: (namespace: string, file: string) => Promise<ProofOutcome>;
}

export interface OwnershipResult {
  problems: Problem[];
  /** How each namespace was proven, for the PR comment. */
  proven: Array<{ namespace: string; method: ProofMethod; detail: string }>;
  /** Records of the verified OIDC proofs (see ProofOutcome). */
  records: unknown[];
  /** Namespaces proven here that have no owners ledger yet: the ledger to add, so later PRs need no new proof. */
  ledgerSuggestions: Array<{ namespace: string; file: string; owners: string[] }>;
}

export async function verifyChangeOwnership(input: OwnershipInput): Promise<OwnershipResult> {
  const problems: Problem[] = [];
  const proven: OwnershipResult['proven'] = [];
  const ledgerSuggestions: OwnershipResult['ledgerSuggestions'] = [];
  const byNamespace = new Map<string, TouchedNamespace[]>();
  for (const t of input.touched) byNamespace.set(t.namespace, [...(byNamespace.get(t.namespace) ?? []), t]);

  for (const [namespace, touches] of [...byNamespace].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const failures: Problem[] = [];
    const changesLedger = touches.some((t) => t.why === 'ledger');
    // The ledger vouches for its owners' publications and status changes, but not for a change to itself.
    if (!changesLedger && ledgerAllows(input.baseLedgers.get(namespace), input.author)) {
      proven.push({ namespace, method: 'ledger', detail: `${input.author} is in the namespace's owners ledger` });
      continue;
    }
    let outcome: ProofOutcome | undefined;
    for (const proof of input.proofs) {
      if (proof.outcome.ok && proof.outcome.grants(namespace)) {
        outcome = proof.outcome;
        break;
      }
    }
    if (!outcome && namespace.startsWith('io.github.') && input.github) {
      const github = await input.github(namespace, touches[0]!.file);
      if (github.ok && github.grants(namespace)) outcome = github;
      else if (!github.ok) failures.push(github.problem);
    }
    if (outcome?.ok) {
      proven.push({ namespace, method: outcome.method, detail: outcome.detail });
      if (!input.baseLedgers.has(namespace) && !changesLedger) {
        const file = `${touches[0]!.file.split('/')[0]}/${namespace}/${LEDGER_FILE_NAME}`;
        ledgerSuggestions.push({ namespace, file, owners: [input.author] });
      }
      continue;
    }
    for (const proof of input.proofs) if (!proof.outcome.ok) failures.push(proof.outcome.problem);
    problems.push(...failures);
    problems.push(problem({
      code: 'ownership-unproven', file: touches[0]!.file,
      message: `nothing in this pull request proves that ${input.author} may ${touches.map((t) => (t.why === 'publish' ? 'publish' : t.why === 'status' ? 'change the status' : 'change the owners ledger')).filter((w, i, a) => a.indexOf(w) === i).join(' and ')} under ${namespace}`,
      hint: namespace.startsWith('io.github.')
        ? `Open the pull request as ${namespace.slice('io.github.'.length)} (or an Owner of that organisation), publish from its GitHub Actions with the registry's publish action (OIDC), or ask an owner listed in the namespace's owners.json to add you.`
        : `Add a DNS or HTTP proof: npm run publisher -- keygen, publish the record, then npm run publisher -- sign (docs/ownership.md).`,
    }));
  }
  const records = input.proofs.flatMap((p) => (p.outcome.ok && p.outcome.record !== undefined ? [p.outcome.record] : []));
  return { problems, proven, records, ledgerSuggestions };
}
