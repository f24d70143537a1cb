// Writes the build into a sibling folder and swaps it in only when complete, so a failed or interrupted build
// leaves the previous output as it was.

import { createHash, randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OutputFile } from './api-files.ts';
import { CompressionWorker, isCompressible } from './compress.ts';

/**
 * Each file's modification time is derived from its content hash. nginx's ETag is `mtime-size`, so this makes
 * nginx's own ETag (and its 304 handling) content-based, and the Node server computes the same ETag from stat.
 */
export function contentMtime(content: string | Buffer): number {
  const hash = createHash('sha1').update(content).digest();
  return 1_000_000_000 + (hash.readUInt32BE(0) % 1_000_000_000);
}

const MAX_IN_FLIGHT = 64;

export interface WriteSummary {
  files: number;
  bytes: number;
  /** `.br` and `.gz` variants written beside the files (not counted in `files` and `bytes`). */
  compressed: number;
}

function writeWithContentMtime(full: string, data: Buffer): void {
  writeFileSync(full, data);
  const mtime = contentMtime(data);
  utimesSync(full, mtime, mtime);
}

/**
 * Writes `files` into a staging folder beside `outDir`, then swaps it in. Files are written one by one with
 * synchronous calls as the generator yields them: on this workload (100,000+ small files) that beats a pool of
 * async writes, and nothing but the current file is held in memory.
 */
export async function writeOutputAtomically(outDir: string, files: Iterable<OutputFile>): Promise<WriteSummary> {
  const target = path.resolve(outDir);
  const staging = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const compressor = new CompressionWorker();
  // Variants being compressed on the worker, oldest first; bounded so memory stays flat whatever the output size.
  const inFlight: Array<Promise<void>> = [];
  try {
    mkdirSync(staging, { recursive: true });
    const made = new Set<string>([staging]);
    let count = 0, bytes = 0, compressed = 0;
    for (const file of files) {
      const full = path.join(staging, file.path);
      const dir = path.dirname(full);
      if (!made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      const data = Buffer.from(file.content, 'utf8');
      writeWithContentMtime(full, data);
      if (isCompressible(file.path, data.length)) {
        // Each variant's time comes from its own bytes, so its nginx-style ETag differs from the file's.
        const job = compressor.variants(data).then((variants) => {
          for (const [suffix, encoded] of variants) writeWithContentMtime(full + suffix, encoded);
          compressed += variants.length;
        });
        job.catch(() => undefined); // awaited below; this only keeps a failure from counting as unhandled meanwhile
        inFlight.push(job);
        if (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
      }
      count++;
      bytes += data.length;
    }
    await Promise.all(inFlight);
    await swapIn(staging, target);
    return { files: count, bytes, compressed };
  } catch (error) {
    // No variant may land in the staging folder while it is removed.
    await compressor.close();
    await Promise.allSettled(inFlight);
    await rm(staging, { recursive: true, force: true });
    throw error;
  } finally {
    await compressor.close();
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
  await rm(retired, { recursive: true, force: true });
}
