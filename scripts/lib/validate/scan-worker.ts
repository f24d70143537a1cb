// The other half of a whole registry's check, on the machine's other core (parallel-scan.ts starts it): walks the
// namespace folders it reaches first, reads and checks every version there (check-version.ts), and posts back its
// part of the tree and each version's problems.

import { parentPort, workerData } from 'node:worker_threads';
import { checkVersion } from './check-version.ts';
import { scanEntriesTree } from './tree.ts';
import { claimedBy, SCAN_WORKER } from './scan-claims.ts';
import type { WorkerInput, WorkerOutput } from './parallel-scan.ts';

const input = workerData as WorkerInput;
const tree = scanEntriesTree(input.root, input.entriesDir, undefined, claimedBy(SCAN_WORKER, input.namespaces, input.claims));
const versions = tree.documents.map(checkVersion);
const output: WorkerOutput = { tree: { ...tree, documents: [] }, versions };
parentPort!.postMessage(output);
