// Glue between a validated change and the ownership rules: which namespaces the change touches, the base's
// ledgers, and the outcome of each proof committed with a new version.

import { execFileSync } from 'node:child_process';
import { problem, type Problem } from '../problems.ts';
import type { FileChange } from '../validate/rules/changes.ts';
import { LEDGER_FILE_NAME, ledgerFile, parseLedger, type Ledger } from './ledger.ts';
import { parseProofFile, PROOF_FILE_NAME, type ProofFile } from './proof-file.ts';
import { PROVENANCE_FILE_NAME } from '../sync/types.ts';
import { STATUS_FILE_NAME } from '../entries/status-file.ts';
import { verifyChangeOwnership, type OwnershipResult, type ProofOutcome, type TouchedNamespace } from './verify-change.ts';
import { parseStatementFile, STATEMENT_FILE_NAME, type StatementVerifier } from './statement.ts';

/** The network-facing verifiers, injected so that the CLI wires real ones and tests local ones. */
export interface OwnershipVerifiers {
  author: string;
  /** Verifies one proof.json for the server.json bytes beside it. */
  verifyProof(proof: ProofFile, target: { file: string; name: string; version: string; bytes: Buffer }): Promise<ProofOutcome>;
  /**
   * Verifies an authorization statement (authorization.json) for this registry and author; without it, statements
   * are refused, so ledger changes, status changes and deletions need the ledger or GitHub identity.
   */
  verifyStatement?: StatementVerifier;
  /** GitHub identity of the author for an io.github.* namespace. */
  github?: (namespace: string, file: string) => Promise<ProofOutcome>;
  /**
   * The change is a pull request of `npm run sync-pr` (a `sync/<source>` branch of this repository, which only
   * people with write access and the sync workflow can push): it may change mirrored servers.
   */
  syncPullRequest?: boolean;
}

/**
 * Namespaces a change touches, and why: new versions, status changes, ledger changes, deletions and edits of a
 * published version's files need proof; a proof.json beside a new version and an authorization.json carry their
 * own signatures and do not.
 */
export function touchedNamespaces(changes: readonly FileChange[], entriesDir: string): TouchedNamespace[] {
  const touched: TouchedNamespace[] = [];
  const prefix = `${entriesDir}/`;
  const added = new Set(changes.filter((c) => c.kind === 'A').map((c) => c.file));
  for (const change of changes) {
    if (!change.file.startsWith(prefix)) continue;
    const rest = change.file.slice(prefix.length).split('/');
    // A file directly in the entries folder (its .gitkeep) belongs to no namespace.
    if (rest.length < 2) continue;
    const namespace = rest[0]!;
    const name = rest[rest.length - 1]!;
    const why: TouchedNamespace['why'] | undefined =
      rest.length === 2 && name === STATEMENT_FILE_NAME ? undefined
      : rest.length === 2 && name === LEDGER_FILE_NAME ? 'ledger'
      : change.kind === 'D' ? 'delete'
      : rest.length === 3 && name === STATUS_FILE_NAME ? 'status'
      : rest.length === 4 && name === 'server.json' && change.kind === 'A' ? 'publish'
      : rest.length === 4 && name === PROOF_FILE_NAME && change.kind === 'A' && added.has(change.file.slice(0, -PROOF_FILE_NAME.length) + 'server.json') ? undefined
      : 'change';
    if (why) touched.push({ namespace, file: change.file, why });
  }
  return touched;
}

/** The owners ledger of each namespace as it is in the base (a missing file is no ledger). */
export async function readBaseLedgers(entriesDir: string, namespaces: Iterable<string>, readBaseText: (file: string) => Promise<string | undefined>): Promise<{ ledgers: Map<string, Ledger>; problems: Problem[] }> {
  const ledgers = new Map<string, Ledger>();
  const problems: Problem[] = [];
  for (const namespace of new Set(namespaces)) {
    const file = ledgerFile(entriesDir, namespace);
    const text = await readBaseText(file);
    if (text === undefined) continue;
    const parsed = parseLedger(file, text);
    problems.push(...parsed.problems);
    if (parsed.ledger) ledgers.set(namespace, parsed.ledger);
  }
  return { ledgers, problems };
}

/** A file as it is in a git ref of a local repository, or undefined when it is not there. */
export function gitBaseReader(root: string, base: string): (file: string) => Promise<string | undefined> {
  return async (file) => {
    try {
      return execFileSync('git', ['show', `${base}:${file}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return undefined;
    }
  };
}

const MIRRORED_FILE = /^(.+\/[^/]+\/[^/]+)\/(?:upstream\.json|[^/]+\/server\.json)$/;

/**
 * Splits off the changes to mirrored servers (those with an upstream.json in the base, or that the change gives
 * one): their server.json and upstream.json files, and their server.md (the fork's own status and annotations).
 */
async function splitMirroredChanges(changes: readonly FileChange[], entriesDir: string, readBaseText: (file: string) => Promise<string | undefined>): Promise<{ mirrored: FileChange[]; statusFiles: FileChange[]; own: FileChange[] }> {
  const dirs = new Map<string, boolean>();
  const provenanceGiven = new Set(changes.filter((c) => c.kind !== 'D' && c.file.endsWith(`/${PROVENANCE_FILE_NAME}`)).map((c) => c.file));
  const mirrored: FileChange[] = [];
  const statusFiles: FileChange[] = [];
  const own: FileChange[] = [];
  for (const change of changes) {
    const isStatusFile = change.file.endsWith(`/${STATUS_FILE_NAME}`);
    const dir = !change.file.startsWith(`${entriesDir}/`) ? undefined : isStatusFile ? change.file.slice(0, -STATUS_FILE_NAME.length - 1) : MIRRORED_FILE.exec(change.file)?.[1];
    if (dir === undefined || dir.split('/').length !== entriesDir.split('/').length + 2) {
      own.push(change);
      continue;
    }
    let isMirrored = dirs.get(dir);
    if (isMirrored === undefined) {
      const provenance = `${dir}/${PROVENANCE_FILE_NAME}`;
      isMirrored = provenanceGiven.has(provenance) || (await readBaseText(provenance)) !== undefined;
      dirs.set(dir, isMirrored);
    }
    (!isMirrored ? own : isStatusFile ? statusFiles : mirrored).push(change);
  }
  return { mirrored, statusFiles, own };
}

/** The whole ownership check of a pull request finishes within this, whatever the network does. */
export const OWNERSHIP_DEADLINE_MS = 30_000;

function withDeadline(work: Promise<ProofOutcome>, ms: number, file: string): Promise<ProofOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ProofOutcome>((resolve) => {
    timer = setTimeout(() => resolve({
      ok: false,
      problem: problem({ code: 'ownership-timeout', file, message: `verifying this proof took longer than ${ms / 1000} s`, hint: 'Check that the DNS record or the well-known file answers quickly, then re-run the check.' }),
    }), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Checks who may make the change: proofs beside new versions, the base's ledgers, GitHub identity. */
export async function checkChangeOwnership(input: {
  /** Reads a file as it is in the base (the ledger must come from there, never from the change). */
  readBaseText: (file: string) => Promise<string | undefined>;
  entriesDir: string;
  changes: readonly FileChange[];
  proofFiles: ReadonlyArray<{ file: string; bytes: Buffer }>;
  /** The authorization.json files of the change (others are ignored), as they are in the change. */
  statementFiles?: ReadonlyArray<{ file: string; bytes: Buffer }>;
  serverJsonBytes: (file: string) => Buffer | undefined;
  verifiers: OwnershipVerifiers;
  /** Overall limit for verifying the proofs (default OWNERSHIP_DEADLINE_MS). */
  deadlineMs?: number;
}): Promise<OwnershipResult> {
  const mirror = await splitMirroredChanges(input.changes, input.entriesDir, input.readBaseText);
  const mirrorProblems: Problem[] = input.verifiers.syncPullRequest ? [] : mirror.mirrored.map((change) => problem({
    code: 'ownership-mirrored-change', file: change.file,
    message: 'this server is mirrored from an upstream registry (it has an upstream.json); its files change only through the sync\'s pull requests',
    hint: 'Leave the file as it is. To change what this registry serves for the server, set its status or annotations in its server.md; to change the server itself, publish upstream.',
  }));
  // The fork's own server.md of a mirrored server (status override, annotations): no namespace to prove, since the
  // namespace belongs to the upstream's publisher; the maintainers who merge decide.
  mirrorProblems.push(...mirror.statusFiles.filter((c) => c.kind !== 'D').map((change) => problem({
    severity: 'warning', code: 'ownership-mirrored-status', file: change.file,
    message: 'the status or annotations of a mirrored server: this registry\'s own decision, not proven by namespace ownership',
    hint: 'A maintainer reviews it before merging; nothing to prove.',
  })));
  const touched = touchedNamespaces(mirror.own, input.entriesDir);
  const { ledgers, problems } = await readBaseLedgers(input.entriesDir, touched.map((t) => t.namespace), input.readBaseText);
  const added = new Set(input.changes.filter((c) => c.kind === 'A').map((c) => c.file));
  // Proofs are verified concurrently, under one deadline for the whole check (each network step has its own too).
  const pending: Array<Promise<{ file: string; outcome: ProofOutcome }>> = [];
  for (const proofFile of input.proofFiles) {
    const serverFile = proofFile.file.slice(0, -PROOF_FILE_NAME.length) + 'server.json';
    const bytes = input.serverJsonBytes(serverFile);
    // A proof counts only beside a version this change publishes: it signs those exact bytes.
    if (!added.has(serverFile) || !bytes) continue;
    const parsed = parseProofFile(proofFile.file, proofFile.bytes.toString('utf8'));
    if (!parsed.proof) {
      pending.push(Promise.resolve({ file: proofFile.file, outcome: { ok: false, problem: parsed.problems[0]! } }));
      continue;
    }
    const [namespace, server, version] = serverFile.slice(input.entriesDir.length + 1).split('/');
    const target = { file: serverFile, name: `${namespace}/${server}`, version: version!, bytes };
    pending.push(withDeadline(input.verifiers.verifyProof(parsed.proof, target), input.deadlineMs ?? OWNERSHIP_DEADLINE_MS, proofFile.file).then((outcome) => ({ file: proofFile.file, serverFile, outcome })));
  }
  // Statements count only where this change adds or edits them: a statement is the author's for this pull request.
  const changed = new Set(input.changes.filter((c) => c.kind !== 'D').map((c) => c.file));
  const statements: Array<Promise<{ file: string; namespace: string; outcome: ProofOutcome }>> = [];
  for (const statementFile of input.statementFiles ?? []) {
    const rest = statementFile.file.slice(input.entriesDir.length + 1).split('/');
    if (!changed.has(statementFile.file) || rest.length !== 2 || rest[1] !== STATEMENT_FILE_NAME) continue;
    const namespace = rest[0]!;
    const parsed = parseStatementFile(statementFile.file, statementFile.bytes.toString('utf8'));
    const verify = input.verifiers.verifyStatement;
    const outcome: Promise<ProofOutcome> = !parsed.statement
      ? Promise.resolve({ ok: false, problem: parsed.problems[0]! })
      : !verify
        ? Promise.resolve({ ok: false, problem: problem({ code: 'ownership-statement-unchecked', file: statementFile.file, message: 'this check was run without a verifier for authorization statements, so the statement proves nothing here', hint: 'The pull request\'s ownership check verifies it; locally, npm run validate -- --base <ref> --author <login> does too.' }) })
        : withDeadline(verify(parsed.statement, { file: statementFile.file, namespace, author: input.verifiers.author }), input.deadlineMs ?? OWNERSHIP_DEADLINE_MS, statementFile.file);
    statements.push(outcome.then((o) => ({ file: statementFile.file, namespace, outcome: o })));
  }
  const proofs = await Promise.all(pending);
  const result = await verifyChangeOwnership({ author: input.verifiers.author, touched, baseLedgers: ledgers, proofs, statements: await Promise.all(statements), github: input.verifiers.github });
  const seen = new Set<string>();
  const unique = [...mirrorProblems, ...problems, ...result.problems].filter((p) => {
    const key = `${p.code}\0${p.file}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { ...result, problems: unique };
}
