// Packs: how the Worker's deployment stores the build's API and row-index files. Cloudflare allows 100,000 asset
// files per Worker version (20,000 on the free plan) and 25 MiB per file, and a registry of 100,000 versions builds
// ~140,000 such files; packed, it is a few hundred. Files are sorted by path (bytewise) and cut into packs of about
// PACK_BYTES, so a list page, whose rows are consecutive names, reads one or two packs instead of one asset per row.
// A file larger than a pack stays a single asset of its own, streamed as it is.
//
// Written by hand: no packaging library reads a slice of an in-memory archive without a runtime of its own, and the
// format is two lines of JSON plus bytes.
// - index: {"first":[first path of each pack], "single":{path: etag}}
// - pack: one line of JSON, [[path, offset, length, etag], …], then the files' bytes (offsets count from the line's
//   end), in the index's order.

import { compareBytewise } from '../query/compare.ts';

export const PACK_FOLDER = '_packs';
export const PACK_INDEX = `${PACK_FOLDER}/index.json`;
/** A page of details spans two or three packs; a detail read on a cold isolate fetches 128 KB, not a whole server range. */
export const PACK_BYTES = 128 * 1024;
/** Cloudflare's limit on one asset. */
export const ASSET_MAX_BYTES = 25 * 1024 * 1024;

export function packFile(pack: number): string {
  return `${PACK_FOLDER}/${String(pack + 100000).slice(1)}.bin`;
}

export interface PackIndex {
  first: string[];
  single: Record<string, string>;
}

export interface PackedFile {
  path: string;
  size: number;
}

/** Which files go in which pack: in path order, a new pack when the next file would pass `packBytes`. */
export function planPacks(files: readonly PackedFile[], packBytes = PACK_BYTES): { packs: string[][]; single: string[] } {
  const sorted = [...files].sort((a, b) => compareBytewise(a.path, b.path));
  const packs: string[][] = [];
  const single: string[] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const file of sorted) {
    if (file.size > packBytes) {
      single.push(file.path);
      continue;
    }
    if (current.length && bytes + file.size > packBytes) {
      packs.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file.path);
    bytes += file.size;
  }
  if (current.length) packs.push(current);
  return { packs, single };
}

export interface PackEntry {
  path: string;
  etag: string;
  body: Uint8Array;
}

export function renderPack(entries: readonly PackEntry[]): Uint8Array {
  let offset = 0;
  const header = entries.map((e) => {
    const row = [e.path, offset, e.body.length, e.etag];
    offset += e.body.length;
    return row;
  });
  const head = new TextEncoder().encode(JSON.stringify(header) + '\n');
  const out = new Uint8Array(head.length + offset);
  out.set(head, 0);
  let at = head.length;
  for (const e of entries) {
    out.set(e.body, at);
    at += e.body.length;
  }
  return out;
}

export interface PackSlice {
  offset: number;
  length: number;
  etag: string;
}

/** The files of a pack by path, with offsets into the pack's bytes. */
export function readPackHeader(pack: Uint8Array): Map<string, PackSlice> {
  const newline = pack.indexOf(10);
  if (newline < 0) throw new Error('pack without a header line');
  const rows = JSON.parse(new TextDecoder().decode(pack.subarray(0, newline))) as [string, number, number, string][];
  const start = newline + 1;
  const files = new Map<string, PackSlice>();
  for (const [path, offset, length, etag] of rows) files.set(path, { offset: start + offset, length, etag });
  return files;
}

/** The pack that would hold `path` (the last whose first path is not after it), or -1 before the first. */
export function packOf(index: PackIndex, path: string): number {
  let low = 0, high = index.first.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (compareBytewise(index.first[mid]!, path) <= 0) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}
