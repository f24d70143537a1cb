// A whole registry's walk and per-version checks on two cores: this thread takes every other namespace folder (and
// everything else at the top of the entries folder), a worker thread (scan-worker.ts) the rest. Reading 100,000
// files and checking each is most of what validating a registry costs, and one core of two sat idle.
// The result is the one scanEntriesTree and the per-version checks give on one thread; the caller sorts.

import { existsSync, lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compareBytewise } from '../query/compare.ts';
import type { Problem } from '../problems.ts';
import { scanEntriesTree, type EntriesTree } from './tree.ts';
import { workerSource } from '../worker-source.ts';

/** Fewer namespace folders than this are checked on one thread: starting a worker costs more than it saves. */
export const MIN_PARALLEL_NAMESPACES = 256;

export interface WorkerInput {
  root: string;
  entriesDir: string;
  namespaces: string[];
}

/** A version the worker read and checked: its problems, and of its value only what the registry-wide rules read. */
export interface CheckedVersion {
  file: string;
  pathName: string;
  pathVersion: string;
  readable: boolean;
  /** Reading problems (size, encoding, JSON), with positions. */
  problems: Problem[];
  /** Schema and rule problems (documentProblems), with positions; absent when the file is not a JSON object. */
  documentProblems?: Problem[];
  /** `remotes` (each remote's `url` only), when the file is a JSON object. */
  server?: Record<string, unknown>;
}

export interface WorkerOutput {
  tree: EntriesTree;
  versions: CheckedVersion[];
}

const WORKER = new URL('./scan-worker.ts', import.meta.url);

/**
 * The entries tree and the worker's checked versions, or undefined when a second thread is not worth it (few
 * namespaces) or not available (its source cannot be bundled): then the caller walks
 * alone, as it always could. A worker that fails leaves its half to this thread.
 */
export async function scanInParallel(root: string, entriesDir: string, minNamespaces = MIN_PARALLEL_NAMESPACES): Promise<{ tree: EntriesTree; checked: CheckedVersion[] } | undefined> {
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
  const theirs = new Set(names.filter((_, i) => i % 2 === 1));
  let worker: Worker;
  try {
    worker = new Worker(source, { eval: true, workerData: { root, entriesDir, namespaces: [...theirs] } satisfies WorkerInput });
  } catch {
    return undefined;
  }
  const result = new Promise<WorkerOutput>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the scan worker exited with ${code}`)));
  });
  const tree = scanEntriesTree(root, entriesDir, undefined, (relative) => !theirs.has(relative.split('/')[0]!));
  let output: WorkerOutput;
  try {
    output = await result;
  } catch {
    // The worker failed (it could not load, say): its half here after all.
    output = { tree: scanEntriesTree(root, entriesDir, undefined, (relative) => theirs.has(relative.split('/')[0]!)), versions: [] };
  } finally {
    void worker.terminate();
  }
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
    checked: output.versions,
  };
}
