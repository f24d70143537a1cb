// npm run pr-bot -- --report <file.json> --repo <owner/name> --pr <n> [--head-sha <sha>] [--run-url <url>]
//                   [--docs-base-url <url>] [--bot-login <login>] [--dry-run] [--ownership [--registry-url <url>]]
// Writes (or edits) the PR's validation comment and sets its labels. Token from GITHUB_TOKEN, API from GITHUB_API_URL
// (default https://api.github.com). --dry-run prints the comment and labels and calls no API.
import { readFileSync, statSync } from 'node:fs';
import { parseFlags, runMain } from './lib/cli.ts';
import { parsePrNumber, parseValidationReport, REPORT_LIMITS, ReportDataError } from './lib/github/report-data.ts';
import { createOctokit, DEFAULT_API_URL, runPrBot, type PullFile } from './lib/github/pr-bot.ts';
import { checkPullRequestOwnership, type PullRequestRef } from './lib/ownership/pull-request.ts';
import { githubIdentityVerifier, proofVerifier } from './lib/ownership/verifiers.ts';
import { githubDocsBaseUrl } from './lib/validate/report/docs-link.ts';
import { labelsFor } from './lib/validate/report/labels.ts';
import { renderPrComment } from './lib/validate/report/pr-comment.ts';

const USAGE = `usage: npm run pr-bot -- --report <file.json> --repo <owner/name> --pr <n> [options]
Writes (or edits) the pull request's validation comment and sets its labels. Token from GITHUB_TOKEN, API from
GITHUB_API_URL (default https://api.github.com).
  --report <file.json>    the report of npm run validate -- --output (required)
  --repo <owner/name>     the registry repository (default: GITHUB_REPOSITORY)
  --pr <n>                the pull request number
  --head-sha <sha>        the commit the report is for (full SHA)
  --run-url <url>         the workflow run to link to
  --docs-base-url <url>   where docs/errors.md is published
  --bot-login <login>     the bot account whose comment is edited
  --dry-run               print the comment and labels; call no API
  --ownership             check namespace ownership of the pull request's files
  --registry-url <url>    the registry URL proofs are bound to (default https://github.com/<repo>)`;

const flags = parseFlags({
  report: { type: 'string' },
  repo: { type: 'string' },
  pr: { type: 'string' },
  'head-sha': { type: 'string' },
  'run-url': { type: 'string' },
  'docs-base-url': { type: 'string' },
  'bot-login': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  ownership: { type: 'boolean', default: false },
  'registry-url': { type: 'string' },
}, USAGE);

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

/** Untrusted input that does not pass: one line saying why, exit code 1, nothing written. */
function data<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ReportDataError)) throw error;
    console.error(`error: ${error.message}`);
    process.exit(1);
  }
}

runMain(async () => {
  if (!flags.report) fail('--report <file.json> is required');
  const stat = statSync(flags.report);
  if (!stat.isFile()) fail(`${flags.report} is not a plain file`);
  if (stat.size > REPORT_LIMITS.bytes) fail(`${flags.report} is larger than ${REPORT_LIMITS.bytes} bytes`);
  const report = data(() => parseValidationReport(readFileSync(flags.report!, 'utf8')));
  const repoName = flags.repo ?? process.env.GITHUB_REPOSITORY;
  const docsBaseUrl =
    flags['docs-base-url'] ?? githubDocsBaseUrl() ?? (repoName ? `https://github.com/${repoName}/blob/HEAD/docs/errors.md` : undefined);
  const runUrl = flags['run-url'];
  const headSha = flags['head-sha'];
  if (headSha !== undefined && !/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(headSha)) fail('--head-sha must be a full commit SHA');

  if (flags['dry-run']) {
    process.stdout.write(renderPrComment(report, { runUrl, docsBaseUrl, headSha }));
    console.log(`\nlabels: ${labelsFor(report).join(', ')}`);
    return;
  }

  if (!repoName || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repoName)) fail('--repo <owner/name> is required');
  if (!flags.pr) fail('--pr <number> is required');
  const pr = data(() => parsePrNumber(flags.pr!));
  const token = process.env.GITHUB_TOKEN;
  if (!token) fail('GITHUB_TOKEN is not set');
  const [owner, repo] = repoName.split('/') as [string, string];
  const octokit = createOctokit({ token, baseUrl: process.env.GITHUB_API_URL || DEFAULT_API_URL });
  // Ownership runs here, in base-branch code, over the PR's files fetched as data (docs/security.md).
  const registryUrl = flags['registry-url'] ?? `https://github.com/${repoName}`;
  const ownership = flags.ownership
    ? (pull: PullRequestRef, files: PullFile[], recorded: unknown[]) => checkPullRequestOwnership({
        octokit, pull, files,
        verifiers: (author) => ({ author, github: githubIdentityVerifier(octokit, author), verifyProof: proofVerifier({ registryUrl, recorded }) }),
      })
    : undefined;

  const result = await runPrBot({
    octokit,
    ownership,
    owner,
    repo,
    pr,
    report,
    headSha,
    runUrl,
    docsBaseUrl,
    botLogin: flags['bot-login'],
    log: (line) => console.log(line),
  });
  if (result.skipped) console.log(`skipped: ${result.skipped}`);
  else console.log(`PR #${pr}: labels ${result.labels!.wanted.join(', ')}`);
});
