// Writes the build into a sibling folder and swaps it in only when complete, so a failed or interrupted build
// leaves the previous output as it was.

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { mapConcurrent } from '../concurrency.ts';
import type { OutputFile } from './api-files.ts';

/**
 * Each file's modification time is derived from its content hash. nginx's ETag is `mtime-size`, so this makes
 * nginx's own ETag (and its 304 handling) content-based, and the Node server computes the same ETag from stat.
 */
export function contentMtime(content: string | Buffer): number {
  const hash = createHash('sha1').update(content).digest();
  return 1_000_000_000 + (hash.readUInt32BE(0) % 1_000_000_000);
}

export interface WriteSummary {
  files: number;
  bytes: number;
}

export async function writeOutputAtomically(outDir: string, files: Iterable<OutputFile>): Promise<WriteSummary> {
  const target = path.resolve(outDir);
  const staging = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const list = [...files];
  try {
    const dirs = new Set<string>();
    for (const file of list) dirs.add(path.dirname(path.join(staging, file.path)));
    await mkdir(staging, { recursive: true });
    // Parents before children, so each mkdir is one syscall.
    for (const dir of [...dirs].sort()) await mkdir(dir, { recursive: true });
    let bytes = 0;
    await mapConcurrent(list, 64, async (file) => {
      const full = path.join(staging, file.path);
      const data = Buffer.from(file.content, 'utf8');
      bytes += data.length;
      await writeFile(full, data);
      const mtime = contentMtime(data);
      await utimes(full, mtime, mtime);
    });
    await swapIn(staging, target);
    return { files: list.length, bytes };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

async function swapIn(staging: string, target: string): Promise<void> {
  if (!existsSync(target)) return rename(staging, target);
  const retired = `${target}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
  await rename(target, retired);
  await rename(staging, target);
  await rm(retired, { recursive: true, force: true });
}
