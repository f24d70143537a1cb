// npm run validate -- [--entries <dir>] [--base <git ref> [--author <github login>]] [--packages] [--format terminal|json|github]
//                      [--output <file>] [paths…]
// Exit code 1 when there are errors, 0 otherwise (warnings included).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommandLine, runMain } from './lib/cli.ts';
import { hasErrors } from './lib/problems.ts';
import { renderReportForTerminal } from './lib/validate/report/terminal.ts';
import { entriesLocation, validateRegistry } from './lib/validate/validate.ts';

const { values: flags, positionals } = parseCommandLine({
  entries: { type: 'string', default: 'entries' },
  base: { type: 'string' },
  format: { type: 'string', default: 'terminal' },
  output: { type: 'string' },
  author: { type: 'string' },
  packages: { type: 'boolean', default: false },
  'registry-url': { type: 'string' },
});

const FORMATS = ['terminal', 'json', 'github'];
if (!FORMATS.includes(flags.format!)) {
  console.error(`error: --format must be one of ${FORMATS.join(', ')}, not "${flags.format}"`);
  process.exit(2);
}

runMain(async () => {
  if (flags.author && !flags.base) {
    console.error('error: --author needs --base: ownership is checked for what a change adds');
    process.exit(2);
  }
  // Git runs in the repository that holds the entries, which may not be this one.
  const { root, entriesDir, inGit } = entriesLocation(flags.entries!, process.cwd());
  if (flags.base && !inGit) {
    console.error(`error: --base needs the entries folder ${flags.entries} inside a git repository`);
    process.exit(2);
  }
  const report = await validateRegistry({
    root, entriesDir, base: flags.base, paths: positionals.length ? positionals.map((p) => path.resolve(p)) : undefined,
    // Loaded only when asked for: the network verifiers pull in octokit and jose, which a plain run does not need.
    // Network checks of every package and remote the checked versions point to (scripts/lib/packages/).
    packages: flags.packages ? (await import('./lib/packages/verify.ts')).verifyServerPackages : undefined,
    ownership: flags.author ? (await import('./lib/ownership/verifiers.ts')).localOwnershipVerifiers(flags.author, flags['registry-url']) : undefined,
  });
  if (flags.output) writeFileSync(flags.output, JSON.stringify(report, null, 2) + '\n');
  if (flags.format === 'json') process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    process.stdout.write(renderReportForTerminal(report, { color: process.stdout.isTTY === true }) + '\n');
    // @actions/core is heavy to load; only GitHub runs need it.
    if (flags.format === 'github') await (await import('./lib/validate/report/github.ts')).reportToGitHub(report);
  }
  if (hasErrors(report.problems)) process.exitCode = 1;
});
