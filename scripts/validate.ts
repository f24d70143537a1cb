// npm run validate -- [--entries <dir>] [--base <git ref> [--author <github login>]] [--format terminal|json|github]
//                      [--output <file>] [paths…]
// Exit code 1 when there are errors, 0 otherwise (warnings included).
import { writeFileSync } from 'node:fs';
import { parseCommandLine, runMain } from './lib/cli.ts';
import { hasErrors } from './lib/problems.ts';
import { reportToGitHub } from './lib/validate/report/github.ts';
import { renderReportForTerminal } from './lib/validate/report/terminal.ts';
import { validateRegistry } from './lib/validate/validate.ts';
import type { OwnershipVerifiers } from './lib/ownership/change-ownership.ts';
import { githubIdentityVerifier, proofVerifier } from './lib/ownership/verifiers.ts';
import { createOctokit, DEFAULT_API_URL } from './lib/github/pr-bot.ts';

const { values: flags, positionals } = parseCommandLine({
  entries: { type: 'string', default: 'entries' },
  base: { type: 'string' },
  format: { type: 'string', default: 'terminal' },
  output: { type: 'string' },
  author: { type: 'string' },
  'registry-url': { type: 'string' },
});

const FORMATS = ['terminal', 'json', 'github'];
if (!FORMATS.includes(flags.format!)) {
  console.error(`error: --format must be one of ${FORMATS.join(', ')}, not "${flags.format}"`);
  process.exit(2);
}

/** Who may make the change, checked locally as the pull-request job does (network: DNS, HTTPS, GitHub). */
function ownershipVerifiers(author: string, registryUrl = process.env.MCP_REGISTRY_URL): OwnershipVerifiers {
  const token = process.env.GITHUB_TOKEN;
  const octokit = token ? createOctokit({ token, baseUrl: process.env.GITHUB_API_URL || DEFAULT_API_URL }) : undefined;
  return {
    author,
    github: octokit ? githubIdentityVerifier(octokit, author) : undefined,
    verifyProof: proofVerifier({ registryUrl: registryUrl ?? 'https://github.com/mcp-static-registry/registry' }),
  };
}

runMain(async () => {
  if (flags.author && !flags.base) {
    console.error('error: --author needs --base: ownership is checked for what a change adds');
    process.exit(2);
  }
  const report = await validateRegistry({
    root: process.cwd(), entriesDir: flags.entries!, base: flags.base, paths: positionals.length ? positionals : undefined,
    ownership: flags.author ? ownershipVerifiers(flags.author, flags['registry-url']) : undefined,
  });
  if (flags.output) writeFileSync(flags.output, JSON.stringify(report, null, 2) + '\n');
  if (flags.format === 'json') process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    process.stdout.write(renderReportForTerminal(report, { color: process.stdout.isTTY === true }) + '\n');
    if (flags.format === 'github') await reportToGitHub(report);
  }
  if (hasErrors(report.problems)) process.exitCode = 1;
});
