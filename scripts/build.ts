// npm run build -- [--entries <dir>] [--out <dir>] [--cache <dir> | --no-cache] [--full] [--changes <file>]
import { writeFileSync } from 'node:fs';
import { buildRegistry } from './lib/build/build-registry.ts';
import { parseFlags, runMain } from './lib/cli.ts';
import { renderProblemsForTerminal } from './lib/problems.ts';

const USAGE = `usage: npm run build -- [--entries <dir>] [--out <dir>] [--cache <dir> | --no-cache] [--full] [--changes <file>]
Builds the registry's static API and web site; exits 1 and prints every problem when an entry is invalid. With the
cache of the previous build, only the servers that changed since are read and rendered again, and only files whose
bytes changed are written (docs/building.md).
  --entries <dir>   the entries folder to build (default: entries)
  --out <dir>       where to write the build (default: dist); a full build replaces it atomically
  --cache <dir>     the build cache (default: <out>.cache)
  --no-cache        neither read nor write a cache: always a full build
  --full            a full build even when the cache allows an incremental one (the cache is written afresh)
  --changes <file>  write the output paths this build changed and removed as JSON (for CDN purges and uploads)`;

const flags = parseFlags({
  entries: { type: 'string', default: 'entries' },
  out: { type: 'string', default: 'dist' },
  cache: { type: 'string' },
  'no-cache': { type: 'boolean', default: false },
  full: { type: 'boolean', default: false },
  changes: { type: 'string' },
}, USAGE);

runMain(async () => {
  const started = performance.now();
  const result = await buildRegistry({
    entriesDir: flags.entries!, outDir: flags.out!, full: flags.full!, keepRecords: false,
    ...(flags['no-cache'] ? {} : { cache: flags.cache ?? true }),
  });
  if (result.problems.length) console.error(renderProblemsForTerminal(result.problems));
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const mode = result.mode;
  if (flags.changes) {
    const changes = mode.kind === 'incremental' ? { full: false, ...mode.changes } : { full: true, changed: null, removed: null };
    writeFileSync(flags.changes, JSON.stringify(changes, null, 2) + '\n');
  }
  const how = mode.kind === 'incremental'
    ? `incrementally (${mode.servers} changed servers; ${mode.changes.changed.length} paths written, ${mode.changes.removed.length} removed)`
    : `in full${mode.reason ? ` (${mode.reason})` : ''}`;
  console.log(`built ${result.servers} servers, ${result.versions} versions into ${flags.out} ${how}: ${result.files} files, ${result.bytes} bytes in ${seconds}s`);
});
