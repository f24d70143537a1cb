// Closes failing pull requests nobody has pushed to for a while (.github/workflows/stale-prs.yml); usage below.
import path from 'node:path';
import { parseFlags, runMain, failUsage } from './lib/cli.ts';
import { createOctokit, DEFAULT_API_URL } from './lib/github/pr-bot.ts';
import { closeStalePullRequests, STALE_LABEL } from './lib/github/stale.ts';
import { loadRegistryConfig } from './lib/sync/config.ts';
import { renderProblemsForTerminal } from './lib/problems.ts';

const USAGE = `usage: npm run close-stale -- --repo <owner/name> [options]
Every open pull request labelled ${STALE_LABEL} whose last push (its head commit's committer date, never before
the PR was opened) is older than registry.yaml's pullRequests.closeAfterDays gets a comment on how to carry on, and
is closed. closeAfterDays: 0 closes nothing. Token from GITHUB_TOKEN, API from GITHUB_API_URL
(default https://api.github.com).
  --repo <owner/name>      the registry repository (default: GITHUB_REPOSITORY)
  --config <file>          the registry.yaml to read closeAfterDays from (default ./registry.yaml)
  --files-url <url>        where the repository's files are browsed, for the comment's links
                           (default <GITHUB_SERVER_URL>/<owner/name>/blob/HEAD)
  --dry-run                list what would be closed; write nothing`;

const flags = parseFlags({
  repo: { type: 'string' },
  config: { type: 'string' },
  'files-url': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
}, USAGE);


runMain(async () => {
  const repoName = flags.repo ?? process.env.GITHUB_REPOSITORY;
  if (!repoName || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repoName)) failUsage('--repo <owner/name> is required');
  const token = process.env.GITHUB_TOKEN;
  if (!token) failUsage('GITHUB_TOKEN is not set');
  const { config, problems } = await loadRegistryConfig(path.resolve(flags.config ?? 'registry.yaml'));
  if (problems.some((p) => p.severity === 'error')) {
    console.error(renderProblemsForTerminal(problems));
    process.exit(1);
  }
  const [owner, repo] = repoName.split('/') as [string, string];
  const server = (process.env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const result = await closeStalePullRequests({
    octokit: createOctokit({ token, baseUrl: process.env.GITHUB_API_URL || DEFAULT_API_URL }),
    owner, repo,
    closeAfterDays: config.pullRequests.closeAfterDays,
    filesUrl: flags['files-url'] ?? `${server}/${repoName}/blob/HEAD`,
    dryRun: flags['dry-run'],
    log: (line) => console.log(line),
  });
  const verb = flags['dry-run'] ? 'would close' : 'closed';
  console.log(`${verb} ${result.closed.length} pull request${result.closed.length === 1 ? '' : 's'}${result.closed.length ? ` (${result.closed.map((n) => `#${n}`).join(', ')})` : ''}; kept ${result.kept.length} labelled ${STALE_LABEL}`);
});
