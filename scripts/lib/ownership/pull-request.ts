// Ownership of a pull request, computed in the trusted workflow (pr-comment.yml): base-branch code reads the pull
// request's files through the GitHub API as data, never running anything from it. The untrusted validation job
// cannot vouch for ownership, since a pull request may change the validator itself.

import type { Octokit } from '@octokit/rest';
import type { FileChange } from '../validate/rules/changes.ts';
import { checkChangeOwnership, type OwnershipVerifiers } from './change-ownership.ts';
import { PROOF_FILE_NAME } from './proof-file.ts';
import { STATEMENT_FILE_NAME } from './statement.ts';
import { syncBranchName } from '../sync/pull-request.ts';

const SYNC_BRANCH_PREFIX = syncBranchName('');
import type { OwnershipResult } from './verify-change.ts';
import { errorStatus } from '../github/error-status.ts';

/** Largest file read through the API: the validator's own limits are far below it. */
const MAX_FILE_BYTES = 256 * 1024;

export interface PullRequestRef {
  author: string;
  head: { owner: string; repo: string; sha: string; ref?: string };
  base: { owner: string; repo: string; sha: string };
}

async function fileAt(octokit: Pick<Octokit, 'rest'>, where: { owner: string; repo: string; sha: string }, path: string): Promise<Buffer | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner: where.owner, repo: where.repo, path, ref: where.sha });
    if (Array.isArray(data) || data.type !== 'file' || typeof data.content !== 'string' || data.size > MAX_FILE_BYTES) return undefined;
    return Buffer.from(data.content, 'base64');
  } catch (error) {
    if (errorStatus(error) === 404) return undefined;
    throw error;
  }
}

/** GitHub's file list as changes: a rename is the old path deleted and the new one added. */
export function changesFromPullFiles(files: ReadonlyArray<{ filename: string; status: string; previous_filename?: string }>): FileChange[] {
  const changes: FileChange[] = [];
  for (const f of files) {
    if (f.status === 'renamed' && f.previous_filename) changes.push({ kind: 'D', file: f.previous_filename }, { kind: 'A', file: f.filename });
    else changes.push({ kind: f.status === 'added' ? 'A' : f.status === 'removed' ? 'D' : 'M', file: f.filename });
  }
  return changes;
}

export async function checkPullRequestOwnership(input: {
  octokit: Pick<Octokit, 'rest'>;
  pull: PullRequestRef;
  files: ReadonlyArray<{ filename: string; status: string; previous_filename?: string }>;
  entriesDir?: string;
  verifiers: (author: string) => OwnershipVerifiers;
}): Promise<OwnershipResult> {
  const entriesDir = input.entriesDir ?? 'entries';
  const changes = changesFromPullFiles(input.files);
  const added = changes.filter((c) => c.kind === 'A' && c.file.startsWith(`${entriesDir}/`) && c.file.endsWith('/server.json'));
  const serverJson = new Map<string, Buffer>();
  const proofFiles: Array<{ file: string; bytes: Buffer }> = [];
  for (const change of added) {
    const bytes = await fileAt(input.octokit, input.pull.head, change.file);
    if (bytes) serverJson.set(change.file, bytes);
    const proofPath = change.file.slice(0, -'server.json'.length) + PROOF_FILE_NAME;
    const proof = await fileAt(input.octokit, input.pull.head, proofPath);
    if (proof) proofFiles.push({ file: proofPath, bytes: proof });
  }
  // Authorization statements the pull request adds or edits (entries/<namespace>/authorization.json).
  const statementFiles: Array<{ file: string; bytes: Buffer }> = [];
  for (const change of changes) {
    const rest = change.file.slice(entriesDir.length + 1).split('/');
    if (change.kind === 'D' || !change.file.startsWith(`${entriesDir}/`) || rest.length !== 2 || rest[1] !== STATEMENT_FILE_NAME) continue;
    const bytes = await fileAt(input.octokit, input.pull.head, change.file);
    if (bytes) statementFiles.push({ file: change.file, bytes });
  }
  return checkChangeOwnership({
    entriesDir, changes, proofFiles, statementFiles,
    serverJsonBytes: (file) => serverJson.get(file),
    readBaseText: async (file) => (await fileAt(input.octokit, input.pull.base, file))?.toString('utf8'),
    verifiers: { ...input.verifiers(input.pull.author), syncPullRequest: isSyncPullRequest(input.pull) },
  });
}

/** A pull request from a `sync/<source>` branch of the repository itself, as npm run sync-pr opens them. */
export function isSyncPullRequest(pull: PullRequestRef): boolean {
  return pull.head.owner === pull.base.owner && pull.head.repo === pull.base.repo && (pull.head.ref ?? '').startsWith(SYNC_BRANCH_PREFIX);
}
