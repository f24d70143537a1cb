// The trusted pull-request job's entry point (.github/workflows/pr-comment.yml, and pr-recheck.yml for /recheck); usage
// below.
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseFlags, runMain, failUsage } from './lib/cli.ts';
import { parsePrNumber, parseValidationReport, REPORT_LIMITS, ReportDataError } from './lib/github/report-data.ts';
import { createOctokit, DEFAULT_API_URL } from './lib/github/pr-bot.ts';
import { runTrustedCheck } from './lib/github/trusted-check.ts';
import { countBySeverity } from './lib/validate/report/summary.ts';
import { githubDocsBaseUrl } from './lib/validate/report/docs-link.ts';
import { labelsFor } from './lib/validate/report/labels.ts';
import { CONFIG_FILE_NAME, loadRegistryConfig } from './lib/sync/config.ts';
import { dispatchDeployments } from './lib/github/deploy-dispatch.ts';
import type { MergePolicy } from './lib/merge-policy.ts';
import { renderPrComment } from './lib/validate/report/pr-comment.ts';
import { handleRecheckComment } from './lib/github/recheck-comment.ts';

const USAGE = `usage: npm run pr-bot -- --repo <owner/name> --pr <n> --head-sha <sha> --pr-tree <empty dir> [options]
       npm run pr-bot -- --repo <owner/name> --recheck-comment <id> --pr-tree <empty dir> [options]
       npm run pr-bot -- --dry-run --report <file.json>
Validates the pull request itself with this checkout's code over its files (its merge with the base, fetched into
--pr-tree as data, never run), then writes (or edits) its validation comment and sets its labels from that result.
Token from GITHUB_TOKEN, API from GITHUB_API_URL (default https://api.github.com).
  --repo <owner/name>     the registry repository (default: GITHUB_REPOSITORY)
  --pr <n>                the pull request number
  --head-sha <sha>        the head commit the checks are for (full SHA); nothing is written if the PR moved on
  --pr-tree <dir>         an empty folder outside this checkout for the PR's files
  --recheck-comment <id>  act on a "/recheck" comment (pr-recheck.yml): read through the API, honoured only from the
                          PR's author or a maintainer, at most registry.yaml's pullRequests.rechecksPerHour an hour;
                          then checks the PR's current head as above (--pr, if given, must be the comment's PR)
  --git-remote <url>      where to fetch the PR from (default <GITHUB_SERVER_URL>/<owner/name>.git)
  --report <file.json>    the PR run's own report: only compared with the trusted result (with --dry-run: rendered)
  --packages              check the packages and remotes of the versions the PR publishes (network)
  --ownership             check namespace ownership of the pull request's files
  --merge                 merge the PR when registry.yaml's pullRequests policy allows (needs --ownership and
                          --packages; only the validated head commit is merged)
  --deploy-workflows <list>  after a merge, dispatch these workflow files on the base branch (comma-separated,
                          e.g. pages.yml,deploy-cloudflare.yml): a merge by GITHUB_TOKEN triggers no push workflow
  --registry-url <url>    the registry URL proofs are bound to (default https://github.com/<repo>)
  --run-url <url>         the workflow run to link to
  --docs-base-url <url>   where docs/errors.md is published
  --bot-login <login>     the bot account whose comment is edited
  --dry-run               print the comment and labels for --report; call no API`;

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
  'pr-tree': { type: 'string' },
  'git-remote': { type: 'string' },
  packages: { type: 'boolean', default: false },
  merge: { type: 'boolean', default: false },
  'deploy-workflows': { type: 'string' },
  'recheck-comment': { type: 'string' },
}, USAGE);


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

/** The PR's own run's report: untrusted, read strictly (report-data.ts); a link is not a plain file. */
function readReport(file: string) {
  const stat = lstatSync(file);
  if (!stat.isFile()) failUsage(`${file} is not a plain file`);
  if (stat.size > REPORT_LIMITS.bytes) failUsage(`${file} is larger than ${REPORT_LIMITS.bytes} bytes`);
  return data(() => parseValidationReport(readFileSync(file, 'utf8')));
}

runMain(async () => {
  const repoName = flags.repo ?? process.env.GITHUB_REPOSITORY;
  const docsBaseUrl =
    flags['docs-base-url'] ?? githubDocsBaseUrl() ?? (repoName ? `https://github.com/${repoName}/blob/HEAD/docs/errors.md` : undefined);
  const runUrl = flags['run-url'];
  let headSha = flags['head-sha'];
  if (headSha !== undefined && !/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(headSha)) failUsage('--head-sha must be a full commit SHA');

  if (flags['dry-run']) {
    if (!flags.report) failUsage('--dry-run needs --report <file.json>');
    const report = readReport(flags.report);
    process.stdout.write(renderPrComment(report, { runUrl, docsBaseUrl, headSha }));
    console.log(`\nlabels: ${labelsFor(report).join(', ')}`);
    return;
  }

  if (!repoName || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repoName)) failUsage('--repo <owner/name> is required');
  const recheckComment = flags['recheck-comment'];
  if (recheckComment !== undefined) {
    if (!/^[1-9][0-9]{0,15}$/.test(recheckComment)) failUsage('--recheck-comment must be a comment id (a positive integer)');
    if (headSha !== undefined || flags.report !== undefined) failUsage('--recheck-comment checks the PR\'s current head: no --head-sha or --report');
  } else {
    if (!flags.pr) failUsage('--pr <number> is required');
    if (!headSha) failUsage('--head-sha <sha> is required: the commit that was validated');
  }
  if (!flags['pr-tree']) failUsage('--pr-tree <dir> is required: an empty folder, outside this checkout, for the PR\'s files');
  const prTree = path.resolve(flags['pr-tree']);
  if (!path.relative(process.cwd(), prTree).startsWith('..')) failUsage('--pr-tree must be outside this checkout');
  let pr = flags.pr === undefined ? undefined : data(() => parsePrNumber(flags.pr!));
  const untrustedErrors = flags.report ? countBySeverity(readReport(flags.report).problems).errors : undefined;
  const token = process.env.GITHUB_TOKEN;
  if (!token) failUsage('GITHUB_TOKEN is not set');
  const [owner, repo] = repoName.split('/') as [string, string];
  const octokit = createOctokit({ token, baseUrl: process.env.GITHUB_API_URL || DEFAULT_API_URL });
  // The trusted checkout's policy: a PR cannot change the rules it is merged (or rechecked) by.
  let pullRequests: MergePolicy | undefined;
  if (flags.merge || recheckComment !== undefined) {
    const loaded = await loadRegistryConfig(path.resolve(CONFIG_FILE_NAME));
    if (loaded.problems.length) failUsage(`registry.yaml: ${loaded.problems.map((p) => `${p.jsonPath} ${p.message}`).join('; ')}`);
    pullRequests = loaded.config.pullRequests;
  }
  // With a policy the trusted check merges what it allows: only with --merge.
  const policy = flags.merge ? pullRequests : undefined;
  if (recheckComment !== undefined) {
    const outcome = await handleRecheckComment({
      octokit, owner, repo, commentId: Number(recheckComment), perHour: pullRequests!.rechecksPerHour,
      botLogin: flags['bot-login'], expectedPr: pr, log: (line) => console.log(line),
    });
    if ('done' in outcome) {
      console.log(`recheck: ${outcome.done}`);
      return;
    }
    pr = outcome.run.pr;
    headSha = outcome.run.headSha;
  }
  if (pr === undefined || headSha === undefined) throw new Error('unreachable: no PR or head to check');
  const remote = flags['git-remote'] ?? `${(process.env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')}/${repoName}.git`;
  const registryUrl = flags['registry-url'] ?? `https://github.com/${repoName}`;


  // Ownership and packages run here, in base-branch code, over the PR's files fetched as data (docs/security.md);
  // the PR's folder holds only data to check, and this checkout's registry.yaml applies.
  const result = await runTrustedCheck({
    octokit, owner, repo, pr, headSha, remote, prTree, token, configFile: path.resolve(CONFIG_FILE_NAME),
    packages: flags.packages!, ownership: flags.ownership!, registryUrl, policy,
    untrustedErrors, runUrl, docsBaseUrl, botLogin: flags['bot-login'], log: (line) => console.log(line),
  });
  if (result.skipped) console.log(`skipped: ${result.skipped}`);
  else {
    console.log(`PR #${pr}: labels ${result.labels!.wanted.join(', ')}`);
    if (result.merged) {
      console.log(`PR #${pr}: merged as ${result.merged.sha}`);
      const workflows = (flags['deploy-workflows'] ?? '').split(',').map((w) => w.trim()).filter(Boolean);
      const deployed = await dispatchDeployments(octokit, { owner, repo, ref: result.baseRef! }, workflows);
      if (deployed.started.length) console.log(`deployments started: ${deployed.started.join(', ')}`);
      if (deployed.missing.length) console.log(`no such workflow to start: ${deployed.missing.join(', ')}`);
    }
    else if (result.decision) console.log(`PR #${pr}: not merged (${result.decision.action}): ${result.decision.reasons.join('; ')}`);
  }
});
