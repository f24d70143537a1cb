// Writes the build's API and row-index files as packs (asset-packs.ts) into the Worker's assets folder.

import { copyFile, link, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { etagFor } from '../serve/node-server.ts';
import { ASSET_MAX_BYTES, PACK_BYTES, PACK_INDEX, packFile, planPacks, renderPack, type PackIndex } from './asset-packs.ts';

export interface BuiltFileStat {
  /** Path inside the build. */
  path: string;
  size: number;
  mtimeMs: number;
}

export interface PackSummary {
  packs: number;
  single: number;
  /** Asset files written: packs, single files and the index. */
  assets: number;
}

export async function placeFile(source: string, target: string): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  // Hard links cost no space; fall back to copies across filesystems.
  await link(source, target).catch(() => copyFile(source, target));
}

/**
 * Packs `files` of `distDir` into `targetDir`. ETags are the ones nginx and the Node server send for the same file
 * (the build sets each file's time from its content), so a client's validator holds across hosts.
 */
export async function writePacks(distDir: string, targetDir: string, files: readonly BuiltFileStat[], packBytes = PACK_BYTES): Promise<PackSummary> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const etagOf = (file: string): string => etagFor(byPath.get(file)!.mtimeMs, byPath.get(file)!.size);
  const tooLarge = files.find((f) => f.size > ASSET_MAX_BYTES);
  if (tooLarge) {
    throw new Error(
      `${tooLarge.path}: ${tooLarge.size} bytes, over Cloudflare's ${ASSET_MAX_BYTES} bytes per asset; ` +
        'a registry this large needs a host without that limit (nginx, docs/hosting.md)',
    );
  }
  const plan = planPacks(files, packBytes);
  await mkdir(path.join(targetDir, path.dirname(PACK_INDEX)), { recursive: true });
  const index: PackIndex = { first: plan.packs.map((pack) => pack[0]!), single: {} };
  for (const file of plan.single) {
    await placeFile(path.join(distDir, file), path.join(targetDir, file));
    index.single[file] = etagOf(file);
  }
  for (const [i, pack] of plan.packs.entries()) {
    const bodies = await Promise.all(pack.map((file) => readFile(path.join(distDir, file))));
    const entries = pack.map((file, j) => ({ path: file, etag: etagOf(file), body: bodies[j]! }));
    await writeFile(path.join(targetDir, packFile(i)), renderPack(entries));
  }
  await writeFile(path.join(targetDir, PACK_INDEX), JSON.stringify(index));
  return { packs: plan.packs.length, single: plan.single.length, assets: plan.packs.length + plan.single.length + 1 };
}
