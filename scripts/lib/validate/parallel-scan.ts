// A whole registry's walk and per-version checks on two cores: this thread and a worker thread (scan-worker.ts) each
// walk the namespace folders they reach first (scan-claims.ts), then check the versions they read (check-version.ts).
// Reading 100,000 files and checking each is most of what validating a registry costs. The result is the one
// scanEntriesTree and the per-version checks give on one thread; the caller sorts.

import { existsSync, lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compareBytewise } from '../query/compare.ts';
import { scanEntriesTree, type EntriesTree } from './tree.ts';
import { checkVersion, type CheckedVersion } from './check-version.ts';
import { claimedBy, MAIN_THREAD, SCAN_WORKER } from './scan-claims.ts';
import { workerSource } from '../worker-source.ts';

/** Fewer namespace folders than this are checked on one thread: starting a worker costs more than it saves. */
export const MIN_PARALLEL_NAMESPACES = 256;

export interface WorkerInput {
  root: string;
  entriesDir: string;
  /** Every namespace folder, in the order both walks meet them. */
  namespaces: string[];
  /** One Int32 per namespace: the thread walking it (scan-claims.ts), 0 until one reaches it. */
  claims: SharedArrayBuffer;
}

export interface WorkerOutput {
  tree: EntriesTree;
  versions: CheckedVersion[];
}

const WORKER = new URL('./scan-worker.ts', import.meta.url);

/**
 * The entries tree and its checked versions, or undefined when a second thread is not worth it (few namespaces) or
 * not available (its source cannot be bundled): then the caller walks alone, as it always could. A worker that fails
 * leaves its share to this thread. `reserved`: namespaces the worker walks even if this thread reaches them first.
 */
export async function scanInParallel(
  root: string, entriesDir: string, minNamespaces = MIN_PARALLEL_NAMESPACES, options: { reserved?: (index: number) => boolean } = {},
): Promise<{ tree: EntriesTree; checked: CheckedVersion[]; workerNamespaces: number } | undefined> {
  let names: string[];
  try {
    // A link or anything else in place of the folder is the walk's to report, once: one thread then.
    if (!lstatSync(path.resolve(root, entriesDir)).isDirectory()) return undefined;
    names = readdirSync(path.resolve(root, entriesDir), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort(compareBytewise);
  } catch {
    return undefined;
  }
  if (!(names.length >= minNamespaces) || !existsSync(fileURLToPath(WORKER))) return undefined;
  let source: string;
  try {
    source = await workerSource(WORKER);
  } catch {
    return undefined;
  }
  const claims = new SharedArrayBuffer(4 * names.length);
  // Namespaces given to the worker before either walk starts (a test's fixed split; none otherwise).
  const slots = new Int32Array(claims);
  for (let i = 0; i < names.length; i++) if (options.reserved?.(i)) slots[i] = SCAN_WORKER;
  let worker: Worker;
  try {
    worker = new Worker(source, { eval: true, workerData: { root, entriesDir, namespaces: names, claims } satisfies WorkerInput });
  } catch {
    return undefined;
  }
  const result = new Promise<WorkerOutput>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the scan worker exited with ${code}`)));
  });
  const walked = scanEntriesTree(root, entriesDir, undefined, claimedBy(MAIN_THREAD, names, claims));
  const tree: EntriesTree = { ...walked, documents: [] };
  const checked = walked.documents.map(checkVersion);
  let output: WorkerOutput;
  try {
    output = await result;
  } catch {
    // The worker failed (it could not load, say): what it claimed is walked here after all.
    await worker.terminate();
    output = { tree: scanEntriesTree(root, entriesDir, undefined, claimedBy(SCAN_WORKER, names, claims)), versions: [] };
  } finally {
    void worker.terminate();
  }
  const theirs = new Set(names.filter((_, i) => slots[i] === SCAN_WORKER));
  // Both walks checked the folders down to the entries folder and listed its top: problems there (a folder on the
  // way, names that are not UTF-8 or differ only by case) are this thread's to report.
  const inside = path.relative(path.resolve(root), path.resolve(root, entriesDir));
  const prefix = inside.startsWith('..') || path.isAbsolute(inside) ? entriesDir.split(path.sep).join('/') : inside.split(path.sep).join('/');
  const theirProblems = output.tree.problems.filter((p) => {
    const rest = p.file === undefined ? undefined : prefix === '' ? p.file : p.file.startsWith(`${prefix}/`) ? p.file.slice(prefix.length + 1) : undefined;
    if (rest === undefined || !theirs.has(rest.split('/')[0]!)) return false;
    return rest.includes('/') || (p.code !== 'file-name-case-collision' && p.code !== 'file-name-characters');
  });
  // Structured cloning turns a Buffer into a plain Uint8Array: a Buffer again, over the same memory.
  const byFile = <T extends { file: string; bytes: Buffer }>(a: T[], b: T[]): T[] => [...a, ...b.map((f) => ({ ...f, bytes: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength) }))]
    .sort((x, y) => compareBytewise(x.file, y.file));
  return {
    tree: {
      documents: [...tree.documents, ...output.tree.documents].sort((x, y) => compareBytewise(x.file, y.file)),
      statusFiles: byFile(tree.statusFiles, output.tree.statusFiles),
      ledgers: byFile(tree.ledgers, output.tree.ledgers),
      statements: byFile(tree.statements, output.tree.statements),
      proofs: byFile(tree.proofs, output.tree.proofs),
      provenances: byFile(tree.provenances, output.tree.provenances),
      problems: [...tree.problems, ...theirProblems],
    },
    checked: [...checked, ...output.versions],
    workerNamespaces: theirs.size,
  };
}
