// npm run build -- [--entries <dir>] [--out <dir>]
import { buildRegistry } from './lib/build/build-registry.ts';
import { parseFlags, runMain } from './lib/cli.ts';
import { renderProblemsForTerminal } from './lib/problems.ts';

const USAGE = `usage: npm run build -- [--entries <dir>] [--out <dir>]
Builds the registry's static API and web site; exits 1 and prints every problem when an entry is invalid.
  --entries <dir>  the entries folder to build (default: entries)
  --out <dir>      where to write the build, replaced atomically (default: dist)`;

const flags = parseFlags({ entries: { type: 'string', default: 'entries' }, out: { type: 'string', default: 'dist' } }, USAGE);

runMain(async () => {
  const started = performance.now();
  const result = await buildRegistry({ entriesDir: flags.entries!, outDir: flags.out! });
  if (result.problems.length) console.error(renderProblemsForTerminal(result.problems));
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  console.log(`built ${result.servers} servers, ${result.records.length} versions into ${flags.out}: ${result.files} files, ${result.bytes} bytes in ${seconds}s`);
});
