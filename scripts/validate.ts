// npm run validate: every check CI runs on a pull request (usage below). Exit code 1 when there are errors, 0
// otherwise (warnings included).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommandLine, runMain } from './lib/cli.ts';
import { hasErrors } from './lib/problems.ts';

const USAGE = `usage: npm run validate -- [--entries <dir>] [--base <git ref> [--committed] [--author <login>]] [--offline] [--format terminal|json|github] [--output <file>] [paths…]
Every check CI runs on a pull request, packages and remotes included (network); exit 1 on errors, 0 with warnings only.
  --entries <dir>        the entries folder (default: entries)
  --base <git ref>       check the change since this ref: published files never change, nothing outside entries/
  --committed            with --base: the change is what is committed, not also uncommitted or untracked files
                         (for a fresh checkout, as in CI: spares git a pass over every file of the working tree)
  --author <login>       with --base: check namespace ownership for this GitHub login, for real (network)
  --offline              skip the network checks of packages and remotes (CI runs them)
  --packages             accepted for compatibility: package checks run by default
  --format <f>           terminal (default), json, or github (annotations and a job summary)
  --output <file>        also write the report as JSON to this file
  --registry-url <url>   the registry URL ownership proofs are bound to
  paths…                 only these files or folders (and what they collide with)`;

const { values: flags, positionals } = parseCommandLine({
  entries: { type: 'string', default: 'entries' },
  base: { type: 'string' },
  committed: { type: 'boolean', default: false },
  format: { type: 'string', default: 'terminal' },
  output: { type: 'string' },
  author: { type: 'string' },
  offline: { type: 'boolean', default: false },
  // The default since package checks always run; kept so existing scripts and workflows that pass it still work.
  packages: { type: 'boolean', default: false },
  'registry-url': { type: 'string' },
}, USAGE);

const FORMATS = ['terminal', 'json', 'github'];
if (!FORMATS.includes(flags.format!)) {
  console.error(`error: --format must be one of ${FORMATS.join(', ')}, not "${flags.format}"`);
  process.exit(2);
}

runMain(async () => {
  if (flags.committed && !flags.base) {
    console.error('error: --committed needs --base: it says what the change since the base is');
    process.exit(2);
  }
  // Loaded once the command line is known to be good: --help and usage errors answer without loading the checks
  // and their packages (ajv, yaml, markdown-it…), which is most of a start.
  const { entriesLocation, validateRegistry } = await import('./lib/validate/validate.ts');
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
    // Git runs in the repository that holds the entries, which may not be this one; paths are relative to the
    // folder they were typed in, which npm passes as INIT_CWD (it runs scripts at the root).
    root, entriesDir, base: flags.base, committedOnly: flags.committed,
    paths: positionals.length ? positionals.map((p) => path.resolve(process.env.INIT_CWD || process.cwd(), p)) : undefined,
    // Network checks of every package and remote the checked versions point to (scripts/lib/packages/), as the
    // pull request runs them; loaded lazily so an --offline run does not pay for them.
    packages: flags.offline ? undefined : (await import('./lib/packages/verify.ts')).verifyServerPackages,
    ownership: flags.author ? (await import('./lib/ownership/verifiers.ts')).localOwnershipVerifiers(flags.author, flags['registry-url']) : undefined,
  });
  if (flags.offline && flags.format !== 'json') console.error('packages and remotes not checked (--offline); the pull request checks them');
  if (flags.output) writeFileSync(flags.output, JSON.stringify(report, null, 2) + '\n');
  if (flags.format === 'json') process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    const { renderReportForTerminal } = await import('./lib/validate/report/terminal.ts');
    process.stdout.write(renderReportForTerminal(report, { color: process.stdout.isTTY === true }) + '\n');
    // @actions/core is heavy to load; only GitHub runs need it.
    if (flags.format === 'github') await (await import('./lib/validate/report/github.ts')).reportToGitHub(report);
  }
  if (hasErrors(report.problems)) process.exitCode = 1;
});
