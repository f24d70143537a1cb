// Writing a build's files. A full build writes into a sibling folder and swaps it in only when complete, so a failed
// or interrupted build leaves the previous output as it was; an incremental build (build/incremental.ts) rewrites
// only files whose bytes changed, each one replaced whole by a rename.

import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { closeSync, existsSync, futimesSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { OutputFile } from './api-files.ts';
import { compressBody, CompressionWorker, isCompressible } from './compress.ts';
import { ENCODINGS } from '../serve/encoding.ts';

/**
 * Each file's modification time is derived from its content hash. nginx's ETag is `mtime-size`, so this makes
 * nginx's own ETag (and its 304 handling) content-based, and the Node server computes the same ETag from stat.
 */
export function contentMtime(content: string | Buffer): number {
  return mtimeOfSha1(createHash('sha1').update(content).digest('hex'));
}

/** contentMtime from the content's sha1 (hex), for a writer that has hashed the content already. */
function mtimeOfSha1(sha1: string): number {
  return 1_000_000_000 + (Number.parseInt(sha1.slice(0, 8), 16) % 1_000_000_000);
}

const MAX_IN_FLIGHT = 64;

export interface WriteSummary {
  files: number;
  bytes: number;
  /** `.br` and `.gz` variants written beside the files (not counted in `files` and `bytes`). */
  compressed: number;
}

/**
 * Writes through one descriptor: open, write, set the time, close. Setting the time on the open file (futimes)
 * spares the second path lookup of utimes, which on 300,000 files is measurable.
 */
function writeWithContentMtime(full: string, data: Buffer, mtime = contentMtime(data)): void {
  const fd = openSync(full, 'w');
  try {
    for (let at = 0; at < data.length;) at += writeSync(fd, data, at);
    futimesSync(fd, mtime, mtime);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `full` whole: written beside it, then renamed over it. */
function replaceWithContentMtime(full: string, data: Buffer, mtime = contentMtime(data)): void {
  const temporary = `${full}.tmp-${process.pid}`;
  writeWithContentMtime(temporary, data, mtime);
  renameSync(temporary, full);
}

/**
 * Writes files and their precompressed variants under `root`. Files are written synchronously as they come: on
 * this workload (100,000+ small files) that beats a pool of async writes, and nothing but the current file is held
 * in memory. Compression runs on a second thread meanwhile.
 */
export class OutputFiles {
  private compressorThread: CompressionWorker | undefined;
  private get compressor(): CompressionWorker {
    return (this.compressorThread ??= new CompressionWorker());
  }
  // Variants being compressed, oldest first; bounded so memory stays flat whatever the output size.
  private readonly inFlight: Array<Promise<void>> = [];
  private readonly made = new Set<string>();
  readonly summary: WriteSummary = { files: 0, bytes: 0, compressed: 0 };

  private readonly replace: boolean;
  private readonly compressInline: boolean;

  /**
   * `replace`: each file goes in by a rename (for a folder being served); otherwise written in place. `compress`:
   * on a second thread (the default), or inline on this one (a build thread, when every core already has one).
   */
  constructor(readonly root: string, options: { replace?: boolean; compress?: 'thread' | 'inline' } = {}) {
    this.made.add(root);
    this.replace = options.replace ?? false;
    this.compressInline = options.compress === 'inline';
  }

  /** Writes one file (`sha1`: its content's, if known); returns the paths it writes (the file, and its compressed variants when it gets them). */
  async write(file: { path: string; content: string | Buffer }, sha1?: string): Promise<string[]> {
    const full = path.join(this.root, file.path);
    const dir = path.dirname(full);
    if (!this.made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.made.add(dir);
    }
    const data = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
    const bytes = data.length; // `data` may move to the compression thread
    const put = this.replace ? replaceWithContentMtime : writeWithContentMtime;
    // `sha1`: the content's, when the caller hashed it already (the registry-wide files, tens of MB).
    put(full, data, sha1 === undefined ? undefined : mtimeOfSha1(sha1));
    if (isCompressible(file.path, data.length) && this.compressInline) {
      for (const { name, suffix } of ENCODINGS) put(full + suffix, compressBody(data, name));
      this.summary.compressed += ENCODINGS.length;
    } else if (isCompressible(file.path, data.length)) {
      // Each variant's time comes from its own bytes, so its nginx-style ETag differs from the file's. Bytes encoded
      // here from a string are no one else's: they move to the compressor instead of being copied.
      const job = this.compressor.variants(data, typeof file.content === 'string').then((variants) => {
        for (const [suffix, encoded] of variants) put(full + suffix, encoded);
        this.summary.compressed += variants.length;
      });
      job.catch(() => undefined); // awaited in finish(); this only keeps a failure from counting as unhandled meanwhile
      this.inFlight.push(job);
      if (this.inFlight.length >= MAX_IN_FLIGHT) await this.inFlight.shift();
    }
    this.summary.files++;
    this.summary.bytes += bytes;
    return isCompressible(file.path, bytes) ? [file.path, ...ENCODINGS.map((e) => file.path + e.suffix)] : [file.path];
  }

  /** Removes a file and its compressed variants (an incremental build's files that are no longer produced). */
  remove(relative: string): string[] {
    const removed: string[] = [];
    for (const suffix of ['', ...ENCODINGS.map((e) => e.suffix)]) {
      const full = path.join(this.root, relative + suffix);
      if (!existsSync(full)) continue;
      rmSync(full, { force: true });
      removed.push(relative + suffix);
    }
    return removed;
  }

  /** Waits for every variant; after a failure, stops the worker and rethrows. */
  async finish(): Promise<void> {
    try {
      await Promise.all(this.inFlight);
    } finally {
      await this.close();
    }
  }

  /** Stops compressing: no variant lands after this returns. */
  async close(): Promise<void> {
    await this.compressorThread?.close();
    await Promise.allSettled(this.inFlight);
  }
}

/** Whether a file's bytes are those of `content` (an incremental build rewrites only files that differ). */
export function sameContent(full: string, content: string | Buffer): boolean {
  try {
    const existing = readFileSync(full);
    return existing.length === Buffer.byteLength(content) && existing.equals(typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
  } catch {
    return false;
  }
}

/** A staging folder beside `outDir` that a full build fills and then swaps in. */
export function stagingFolder(outDir: string): string {
  return `${path.resolve(outDir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Writes `files` into a staging folder beside `outDir` with `fill`, then swaps it in; on failure the staging folder
 * is removed and `outDir` is left as it was.
 */
export async function writeOutputAtomically<T>(outDir: string, fill: (output: OutputFiles) => Promise<T>): Promise<T & WriteSummary> {
  const target = path.resolve(outDir);
  const staging = stagingFolder(target);
  mkdirSync(staging, { recursive: true });
  const output = new OutputFiles(staging);
  try {
    const result = await fill(output);
    await output.finish();
    await swapIn(staging, target);
    return { ...result, ...output.summary };
  } catch (error) {
    // No variant may land in the staging folder while it is removed.
    await output.close();
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Puts things right after a build that was killed: the swap is two renames, so a kill between them leaves only
 * `<out>.old-*`, which is moved back; staging folders of builds that are no longer running are removed.
 */
export async function recoverInterruptedBuild(outDir: string): Promise<void> {
  const target = path.resolve(outDir);
  const parent = path.dirname(target), base = path.basename(target);
  const leftovers = existsSync(parent) ? readdirSync(parent).filter((n) => n.startsWith(`${base}.tmp-`) || n.startsWith(`${base}.old-`)) : [];
  for (const name of leftovers) {
    const pid = Number(/^\.(?:tmp|old)-(\d+)-/.exec(name.slice(base.length))?.[1]);
    if (pid !== process.pid && isRunning(pid)) continue; // another build in progress
    if (name.startsWith(`${base}.old-`) && !existsSync(target)) await rename(path.join(parent, name), target);
    else await rm(path.join(parent, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function swapIn(staging: string, target: string): Promise<void> {
  if (!existsSync(target)) return rename(staging, target);
  const retired = `${target}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
  await rename(target, retired);
  await rename(staging, target);
  await removeTree(retired);
}

/**
 * Removes a whole output folder. Node's recursive rm walks 300,000 files with a promise each, which took 7 s and
 * several hundred MB at 100,000 versions; the system's `rm -rf` takes a fraction of both. Elsewhere, Node's. (The
 * benchmark removes its trees with it too.)
 */
export function removeTree(folder: string): Promise<void> {
  if (process.platform === 'win32') return rm(folder, { recursive: true, force: true });
  return new Promise((resolve) => {
    execFile('rm', ['-rf', '--', folder], (error) => {
      if (error) rm(folder, { recursive: true, force: true }).then(resolve, () => resolve());
      else resolve();
    });
  });
}
