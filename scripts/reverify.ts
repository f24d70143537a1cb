// npm run reverify -- [--entries <dir>] [--format json|markdown] [--output <file>] [--concurrency <n>]
// Re-verifies the packages and remotes of the latest non-deleted version of every server and reports drift.
// Exit code 0 whether or not anything drifted (drift is a result); 1 only when the run itself fails; 2 for a bad
// command line. With --output the report goes to the file and a one-line summary to stdout; under GitHub Actions
// the step output `drift` is set to `true` or `false`.
import { verifyServerPackages } from './lib/packages/verify.ts';
import { appendFileSync, writeFileSync } from 'node:fs';
import { parseFlags, runMain } from './lib/cli.ts';
import { hasDrift, renderDriftJson, renderDriftMarkdown, reverifyEntries, REVERIFY_CONCURRENCY, type ServerPackagesVerifier } from './lib/packages/drift.ts';

const USAGE = `usage: npm run reverify -- [--entries <dir>] [--format markdown|json] [--output <file>] [--concurrency <n>]
Re-checks the packages and remotes of every server's latest version (network) and reports drift; exit 0 with drift.
  --entries <dir>     the entries folder (default: entries)
  --format <f>        markdown (default) or json
  --output <file>     write the report to this file and print a one-line summary
  --concurrency <n>   servers checked at once, 1 to 64 (default ${REVERIFY_CONCURRENCY})`;

const flags = parseFlags({
  entries: { type: 'string', default: 'entries' },
  format: { type: 'string', default: 'markdown' },
  output: { type: 'string' },
  concurrency: { type: 'string' },
}, USAGE);

const FORMATS = ['markdown', 'json'];
if (!FORMATS.includes(flags.format!)) {
  console.error(`error: --format must be one of ${FORMATS.join(', ')}, not "${flags.format}"`);
  process.exit(2);
}
const concurrency = flags.concurrency === undefined ? REVERIFY_CONCURRENCY : Number(flags.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
  console.error(`error: --concurrency must be a whole number from 1 to 64, not "${flags.concurrency}"`);
  process.exit(2);
}

/** The real verifier lives in scripts/lib/packages/verify.ts (`verifyServerPackages`). */


runMain(async () => {
  const verify: ServerPackagesVerifier = verifyServerPackages;
  const report = await reverifyEntries({ entriesDir: flags.entries!, verify, concurrency });
  const text = flags.format === 'json' ? renderDriftJson(report) : renderDriftMarkdown(report);
  const drift = hasDrift(report);
  if (flags.output) {
    writeFileSync(flags.output, text);
    const drifted = report.entries.filter((e) => e.problems.length > 0).length;
    process.stdout.write(`reverify: checked ${report.checked} latest versions, ${drifted} with problems${report.loadProblems.length ? `, ${report.loadProblems.length} unreadable` : ''}; report in ${flags.output}\n`);
  } else process.stdout.write(text);
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `drift=${drift}\n`);
});
