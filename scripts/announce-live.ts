// The deploy workflows' last step (.github/workflows/pages.yml, deploy-cloudflare.yml); usage below.
import path from 'node:path';
import { parseFlags, runMain, failUsage } from './lib/cli.ts';
import { createOctokit, DEFAULT_API_URL } from './lib/github/pr-bot.ts';
import { announceLive, DEPLOYMENT_NAME } from './lib/github/announce-live.ts';
import { listFoldersAtCommit, readFileAtCommit } from './lib/history/run-git.ts';
import { MAX_SERVER_JSON_BYTES } from './lib/validate/read-json.ts';

const USAGE = `usage: npm run announce-live -- --base-url <url> [options]
After a deployment: finds the merged pull requests of the deployed commit, waits until each version they added
answers 200 at <base-url>/v0.1/servers/<name>/versions/<version> (and each version whose status they changed shows
it), and says so in one comment per pull request (edited on later runs), with the time from the merge.
Exits 1 when a version is not live in time.
Token from GITHUB_TOKEN, API from GITHUB_API_URL (default https://api.github.com).
  --base-url <url>        where the deployment serves the registry (a Pages site's page_url, a Worker's URL)
  --repo <owner/name>     the registry repository (default: GITHUB_REPOSITORY)
  --sha <sha>             the deployed commit (default: GITHUB_SHA)
  --dir <path>            the git checkout the versions are read from (default: .)
  --deployment <name>     names the deployment in the comment, one comment each (default: site)
  --interval <seconds>    between two requests to one URL (default 5)
  --timeout <seconds>     how long to wait for every version (default 900)
  --run-url <url>         the deployment run, linked when a version is not live in time
  --bot-login <login>     the bot account whose comment is edited`;

const flags = parseFlags({
  'base-url': { type: 'string' },
  repo: { type: 'string' },
  sha: { type: 'string' },
  dir: { type: 'string', default: '.' },
  deployment: { type: 'string', default: 'site' },
  interval: { type: 'string', default: '5' },
  timeout: { type: 'string', default: '900' },
  'run-url': { type: 'string' },
  'bot-login': { type: 'string' },
}, USAGE);


function positiveSeconds(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) failUsage(`--${flag} must be a positive number of seconds, not "${text}"`);
  return value * 1000;
}

runMain(async () => {
  const repoName = flags.repo ?? process.env.GITHUB_REPOSITORY;
  if (!repoName || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repoName)) failUsage('--repo <owner/name> is required');
  const sha = flags.sha ?? process.env.GITHUB_SHA;
  if (!sha || !/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(sha)) failUsage('--sha must be a full commit SHA (default: GITHUB_SHA)');
  const baseUrl = flags['base-url'];
  if (!baseUrl || !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(baseUrl)) failUsage('--base-url <http(s) URL> is required');
  if (!DEPLOYMENT_NAME.test(flags.deployment)) failUsage('--deployment must be a lower-case word (letters, digits, -)');
  const intervalMs = positiveSeconds('interval', flags.interval);
  const timeoutMs = positiveSeconds('timeout', flags.timeout);
  const token = process.env.GITHUB_TOKEN;
  if (!token) failUsage('GITHUB_TOKEN is not set');
  const [owner, repo] = repoName.split('/') as [string, string];
  const dir = path.resolve(flags.dir);

  const result = await announceLive({
    octokit: createOctokit({ token, baseUrl: process.env.GITHUB_API_URL || DEFAULT_API_URL }),
    owner,
    repo,
    sha,
    baseUrl,
    deployment: flags.deployment,
    readFile: (file) => readFileAtCommit(dir, sha, file, MAX_SERVER_JSON_BYTES),
    listFolders: (folder) => listFoldersAtCommit(dir, sha, folder),
    intervalMs,
    timeoutMs,
    runUrl: flags['run-url'],
    botLogin: flags['bot-login'],
    log: (line) => console.log(line),
  });
  if (result.notLive) {
    console.error(`error: ${result.notLive} version${result.notLive === 1 ? ' is' : 's are'} not live after ${timeoutMs / 1000} s`);
    process.exit(1);
  }
});
