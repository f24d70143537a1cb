// Times the build after a merge that adds one version: a new version of an existing server is committed to the
// synthetic registry, and `npm run build` runs again on the output and cache of the full build (process start
// included). Reports its time, peak RSS and what it wrote, and checks it really was incremental.

import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { runGit } from '../lib/history/run-git.ts';

export interface IncrementalTiming {
  seconds: number;
  maxRssMiB: number | null;
  exitCode: number | null;
  incremental: boolean;
  changedPaths: number;
  removedPaths: number;
}

type Run = (entriesDir: string, outDir: string, extraArgs: string[]) => Promise<{ seconds: number; maxRssMiB: number | null; exitCode: number | null }>;

export async function measureIncrementalBuild(repo: string, distDir: string, scratch: string, build: Run): Promise<IncrementalTiming> {
  const entries = path.join(repo, 'entries');
  // The middle server by name, so the lists and the row index change around it as they would for any server.
  const namespaces = readdirSync(entries).sort();
  const namespace = namespaces[Math.floor(namespaces.length / 2)]!;
  const server = readdirSync(path.join(entries, namespace)).sort()[0]!;
  const versions = readdirSync(path.join(entries, namespace, server)).filter((v) => v !== 'server.md' && v !== 'upstream.json').sort();
  const template = JSON.parse(readFileSync(path.join(entries, namespace, server, versions[versions.length - 1]!, 'server.json'), 'utf8')) as Record<string, unknown>;
  const version = '999.0.0';
  mkdirSync(path.join(entries, namespace, server, version));
  writeFileSync(path.join(entries, namespace, server, version, 'server.json'), JSON.stringify({ ...template, version }, null, 2) + '\n');
  await runGit(repo, ['add', '--all', 'entries']);
  await runGit(repo, ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '--quiet', '-m', 'publish one version']);
  const changesFile = path.join(scratch, 'incremental-changes.json');
  const run = await build(entries, distDir, ['--changes', changesFile]);
  let changes = { full: true, changed: [] as string[] | null, removed: [] as string[] | null };
  try {
    changes = JSON.parse(readFileSync(changesFile, 'utf8')) as typeof changes;
  } catch {
    // the build failed: reported by exitCode
  }
  return { ...run, incremental: !changes.full, changedPaths: changes.changed?.length ?? 0, removedPaths: changes.removed?.length ?? 0 };
}
