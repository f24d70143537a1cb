// Who may make a change: everything a pull request changes in a namespace (a new version, a status change, its
// owners ledger, a deletion) must be proven for the pull request's author: by the base's owners ledger (not for the
// ledger itself), by GitHub identity for io.github.* namespaces, by an authorization statement signed for the author
// and this registry (authorization.json), or, for a new version only, by the proof committed beside it (DNS, HTTP,
// GitHub OIDC), which proves that publication and nothing else.

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
  /**
   * publish: a new server.json; status: an edited or new server.md; ledger: owners.json; delete: a file removed;
   * change: another file of a published version edited (its proof.json).
   */
  why: 'publish' | 'status' | 'ledger' | 'delete' | 'change';
}

export interface OwnershipInput {
  author: string;
  touched: TouchedNamespace[];
  /** Ledgers as in the base, by namespace. */
  baseLedgers: ReadonlyMap<string, Ledger>;
  /**
   * Results of the proofs committed beside new versions, by proof file, with the server.json each one signs: a
   * proof grants exactly that publication, since anyone can copy it into another pull request.
   */
  proofs: ReadonlyArray<{ file: string; serverFile?: string; outcome: ProofOutcome }>;
  /** Results of the authorization statements (authorization.json), bound to the author and the registry. */
  statements?: ReadonlyArray<{ file: string; namespace: string; outcome: ProofOutcome }>;
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

const WHAT: Record<TouchedNamespace['why'], string> = {
  publish: 'publish',
  status: 'change the status',
  ledger: 'change the owners ledger',
  delete: 'delete files',
  change: 'change published files',
};

export async function verifyChangeOwnership(input: OwnershipInput): Promise<OwnershipResult> {
  const problems: Problem[] = [];
  const proven: OwnershipResult['proven'] = [];
  const ledgerSuggestions: OwnershipResult['ledgerSuggestions'] = [];
  const byNamespace = new Map<string, TouchedNamespace[]>();
  for (const t of input.touched) byNamespace.set(t.namespace, [...(byNamespace.get(t.namespace) ?? []), t]);

  for (const [namespace, touches] of [...byNamespace].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const failures: Problem[] = [];
    const changesLedger = touches.some((t) => t.why === 'ledger');
    const inLedger = ledgerAllows(input.baseLedgers.get(namespace), input.author);
    // What proves the whole namespace for this author: a statement signed for them, or their GitHub identity.
    let whole: ProofOutcome | undefined;
    for (const statement of input.statements ?? []) {
      if (statement.namespace !== namespace) continue;
      if (statement.outcome.ok && statement.outcome.grants(namespace)) whole ??= statement.outcome;
      else if (!statement.outcome.ok) failures.push(statement.outcome.problem);
    }
    // A publication is proven by the proof beside it; the ledger vouches for its owners' publications, status
    // changes and deletions, but never for a change to itself.
    const proofFor = (t: TouchedNamespace) => input.proofs.find((p) => p.serverFile === t.file && p.outcome.ok && p.outcome.grants(namespace))?.outcome;
    const coveredByParts = (t: TouchedNamespace) => (t.why === 'ledger' ? false : inLedger || (t.why === 'publish' && proofFor(t) !== undefined));
    if (!whole && !touches.every(coveredByParts) && namespace.startsWith('io.github.') && input.github) {
      const github = await input.github(namespace, touches[0]!.file);
      if (github.ok && github.grants(namespace)) whole = github;
      else if (!github.ok) failures.push(github.problem);
    }
    if (whole?.ok) {
      proven.push({ namespace, method: whole.method, detail: whole.detail });
    } else if (touches.every(coveredByParts)) {
      if (inLedger) proven.push({ namespace, method: 'ledger', detail: `${input.author} is in the namespace's owners ledger` });
      else {
        const proofs = touches.map(proofFor).filter((o): o is Extract<ProofOutcome, { ok: true }> => o?.ok === true);
        const methods = [...new Set(proofs.map((o) => o.method))];
        proven.push({ namespace, method: methods[0]!, detail: `${proofs.map((o) => o.detail).filter((d, i, a) => a.indexOf(d) === i).join('; ')} (for the version${proofs.length === 1 ? '' : 's'} signed)` });
      }
    } else {
      for (const proof of input.proofs) if (!proof.outcome.ok) failures.push(proof.outcome.problem);
      problems.push(...failures);
      problems.push(unprovenProblem(input, namespace, touches.filter((t) => !coveredByParts(t)), touches.some((t) => proofFor(t) !== undefined)));
      continue;
    }
    // The ledger to add, where the proof that was given would also prove adding it.
    if (!input.baseLedgers.has(namespace) && !changesLedger && whole?.ok) {
      const file = `${touches[0]!.file.split('/')[0]}/${namespace}/${LEDGER_FILE_NAME}`;
      ledgerSuggestions.push({ namespace, file, owners: [input.author] });
    }
  }
  const records = input.proofs.flatMap((p) => (p.outcome.ok && p.outcome.record !== undefined ? [p.outcome.record] : []));
  return { problems, proven, records, ledgerSuggestions };
}

function unprovenProblem(input: OwnershipInput, namespace: string, unproven: readonly TouchedNamespace[], signedVersions: boolean): Problem {
  const what = (Object.keys(WHAT) as Array<TouchedNamespace['why']>).filter((why) => unproven.some((t) => t.why === why)).map((why) => WHAT[why]).join(' and ');
  const files = unproven.length > 1 ? ` (${unproven.map((t) => t.file).join(', ')})` : '';
  const github = namespace.startsWith('io.github.');
  const login = namespace.slice('io.github.'.length);
  // A signed version proves its own publication, nothing more: a copy of someone's proof.json must not carry
  // their ledger, status or deletions into another person's pull request.
  const onlyPublication = signedVersions
    ? ' The proof.json signatures in this pull request prove only the versions they sit beside, not changes to the owners ledger, to a status or deletions.'
    : '';
  let hint: string;
  if (github && !input.github) {
    // Without a token the check cannot ask GitHub who the author is, even for the author's own namespace.
    hint = login === input.author
      ? `GitHub identity was not checked because GITHUB_TOKEN is not set: export a GitHub token (e.g. GITHUB_TOKEN=$(gh auth token)) and run again; the pull request's own check has one.`
      : `GitHub identity was not checked because GITHUB_TOKEN is not set: export a GitHub token (e.g. GITHUB_TOKEN=$(gh auth token)) and run again. Only ${login} (or an Owner of that organisation), the registry's publish action (OIDC) for new versions, or an owner listed in owners.json may change ${namespace}.`;
  } else if (github) {
    hint = `Open the pull request as ${login} (or an Owner of that organisation), publish from its GitHub Actions with the registry's publish action (OIDC; it proves new versions only), or ask an owner listed in the namespace's owners.json to add you.`;
  } else if (unproven.every((t) => t.why === 'publish')) {
    hint = 'Add a DNS or HTTP proof beside each new version: npm run publisher -- keygen, publish the record, then npm run publisher -- sign (docs/ownership.md); or add an authorization statement (npm run publisher -- authorize).';
  } else {
    hint = `Changes to the owners ledger, to a status, and deletions need an authorization statement signed with the domain's key for ${input.author} and this registry: npm run publisher -- authorize --author ${input.author} ${namespace} writes entries/${namespace}/authorization.json (docs/ownership.md); or ask an owner listed in owners.json (status changes and deletions).`;
  }
  return problem({
    code: 'ownership-unproven', file: unproven[0]!.file,
    message: `nothing in this pull request proves that ${input.author} may ${what} under ${namespace}${files}.${onlyPublication}`,
    hint,
  });
}
