// The other half of a whole registry's check, on the machine's other core (parallel-scan.ts starts it): walks the
// namespace folders it is given, reads and checks every version there, and posts back its part of the tree and each
// version's problems, with what the registry-wide rules need of the version (its remote URLs), not the whole value.

import { parentPort, workerData } from 'node:worker_threads';
import { documentProblems, readDocument, withPosition } from './document.ts';
import { scanEntriesTree } from './tree.ts';
import type { WorkerInput, WorkerOutput, CheckedVersion } from './parallel-scan.ts';

const input = workerData as WorkerInput;
const mine = new Set(input.namespaces);
const tree = scanEntriesTree(input.root, input.entriesDir, undefined, (relative) => mine.has(relative.split('/')[0]!));
const versions: CheckedVersion[] = tree.documents.map((entry) => {
  if (!entry.bytes) return { file: entry.file, pathName: entry.pathName, pathVersion: entry.pathVersion, problems: [], readable: false };
  const { doc, problems } = readDocument(entry, entry.bytes);
  const found = doc.server ? documentProblems(doc) : [];
  const docs = new Map([[doc.file, doc]]);
  const remotes = doc.server && Object.hasOwn(doc.server, 'remotes') && Array.isArray(doc.server.remotes)
    ? (doc.server.remotes as unknown[]).map((remote) => (typeof remote === 'object' && remote !== null && !Array.isArray(remote) && Object.hasOwn(remote, 'url') ? { url: (remote as { url: unknown }).url } : null))
    : undefined;
  return {
    file: entry.file, pathName: entry.pathName, pathVersion: entry.pathVersion, readable: true,
    problems: problems.map((p) => withPosition(p, docs)),
    documentProblems: found.map((p) => withPosition(p, docs)),
    ...(doc.server ? { server: remotes ? { remotes } : {} } : {}),
  };
});
const output: WorkerOutput = { tree: { ...tree, documents: [] }, versions };
parentPort!.postMessage(output);
