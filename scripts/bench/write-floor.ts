// The "floor" for a build: how long a minimal Node script takes just to read the same input files (every file of the
// entries folder) and create the same tree (same relative paths, same file sizes) on the same disk. A build cannot
// beat it, so build/floor says how much time goes to real work.
import { execFileSync, spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TreeEntry {
  rel: string; // path relative to the scanned root, "/"-separated
  size: number; // bytes of a regular file; 0 for symlinks
  link?: string; // symlink target, verbatim
}

export interface TreeStats {
  files: number; // regular files
  symlinks: number;
  bytes: number; // sum of regular file sizes
}

export interface FloorResult extends TreeStats {
  seconds: number; // read loop + mkdir + write loop, timed inside the child
  readSeconds: number; // the read loop alone
  inputFiles: number; // files read
  processSeconds: number; // whole child process, including Node start-up and reading the manifest
}

export function scanTree(root: string): { entries: TreeEntry[]; stats: TreeStats } {
  const entries: TreeEntry[] = [];
  const stats: TreeStats = { files: 0, symlinks: 0, bytes: 0 };
  const walk = (dir: string, rel: string): void => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, d.name);
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) walk(abs, r);
      else if (d.isSymbolicLink()) {
        entries.push({ rel: r, size: 0, link: readlinkSync(abs) });
        stats.symlinks++;
      } else if (d.isFile()) {
        const size = lstatSync(abs).size;
        entries.push({ rel: r, size });
        stats.files++;
        stats.bytes += size;
      }
    }
  };
  walk(root, '');
  return { entries, stats };
}

// Flush dirty pages so a timed phase does not pay for the previous phase's write-back.
export function flushDisk(): void {
  execFileSync('sync');
}

// Runs in a fresh `node` so the bench process's heap and GC do not slow it. Zero-filled buffers of the right size:
// the file system does not care about content. One mkdir per distinct directory, parents first (sorted).
const FLOOR_SCRIPT = `
const fs = require("node:fs");
const path = require("node:path");
const [manifestFile, inputDir, outDir] = process.argv.slice(1);
const entries = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
const dirs = [...new Set(entries.map((e) => path.posix.dirname(e.rel)))].sort();
let max = 0;
for (const e of entries) if (e.size > max) max = e.size;
const buf = Buffer.alloc(max);
const t0 = process.hrtime.bigint();
let inputs = 0;
const read = (dir) => {
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) read(full);
    else if (d.isFile()) { fs.readFileSync(full); inputs++; }
  }
};
if (inputDir) read(inputDir);
const t1 = process.hrtime.bigint();
for (const d of dirs) fs.mkdirSync(path.join(outDir, d), { recursive: true });
for (const e of entries) {
  const file = path.join(outDir, e.rel);
  if (e.link !== undefined) fs.symlinkSync(e.link, file);
  else fs.writeFileSync(file, buf.subarray(0, e.size));
}
const t2 = process.hrtime.bigint();
process.stdout.write(JSON.stringify({ seconds: Number(t2 - t0) / 1e9, readSeconds: Number(t1 - t0) / 1e9, inputs }));
`;

/** `inputDir`: the entries the build read (the floor reads every file under it), or '' for a write-only floor. */
export async function measureWriteFloor(builtDir: string, inputDir = ''): Promise<FloorResult> {
  const { entries, stats } = scanTree(builtDir);
  // Sibling of the built directory: same file system, so the floor pays the same disk costs.
  const work = mkdtempSync(path.join(path.dirname(path.resolve(builtDir)), '.write-floor-'));
  try {
    const manifest = path.join(work, 'manifest.json');
    writeFileSync(manifest, JSON.stringify(entries));
    flushDisk();
    const started = performance.now();
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', FLOOR_SCRIPT, manifest, inputDir, path.join(work, 'out')], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(stdout) : reject(new Error(`write-floor child exited ${code}`)),
      );
    });
    const timed = JSON.parse(out) as { seconds: number; readSeconds: number; inputs: number };
    return { ...stats, seconds: timed.seconds, readSeconds: timed.readSeconds, inputFiles: timed.inputs, processSeconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
