// npm run sync-pr -- [--source <id>]… [--base <branch>] [--remote <name>] [--full] [--config <file>] [--entries <dir>]
// Syncs each upstream source of registry.yaml on its own, from a clean checkout of --base (default: the current
// branch), and proposes what changed as that source's pull request: commit on `sync/<id>`, force-push, open the pull
// request or update the open one. The working tree is reset to --base after every source. Token from GITHUB_TOKEN,
// repository from GITHUB_REPOSITORY, API from GITHUB_API_URL (default https://api.github.com). One line per source on
// stdout; exit 1 when a source failed (the others still ran), 2 for a bad command line or a dirty working tree.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { parseFlags, runMain, failUsage } from './lib/cli.ts';
import { createOctokit, DEFAULT_API_URL } from './lib/github/pr-bot.ts';
import { runGit } from './lib/history/run-git.ts';
import { hasErrors, ProblemsError } from './lib/problems.ts';
import { CONFIG_FILE_NAME, loadRegistryConfig } from './lib/sync/config.ts';
import {
  closedUnmergedPullAt, commitSyncChanges, openOrUpdateSyncPullRequest, plural, pushBranch, remoteCommitWithSameChange,
  syncBranchName, syncChanges, syncPullBody, syncPullTitle, type GitIdentity,
} from './lib/sync/pull-request.ts';
import { syncRegistry } from './lib/sync/sync.ts';
import { terminalProgress } from './lib/sync/terminal.ts';

const USAGE = `usage: npm run sync-pr -- [--source <id>]… [--base <branch>] [--remote <name>] [--full] [--config <file>] [--entries <dir>]
Syncs each upstream source of registry.yaml and opens or updates its sync/<id> pull request. Token from GITHUB_TOKEN,
repository from GITHUB_REPOSITORY, API from GITHUB_API_URL (default https://api.github.com).
  --source <id>     only this source (repeatable; default: every configured source)
  --base <branch>   the branch to sync from and open pull requests against (default: the current branch)
  --remote <name>   the remote to push sync/<id> branches to (default: origin)
  --full            read every source whole, not only what changed since the last sync
  --config <file>   the registry configuration (default: registry.yaml)
  --entries <dir>   the entries folder (default: entries)`;

const flags = parseFlags({
  source: { type: 'string', multiple: true },
  base: { type: 'string' },
  remote: { type: 'string', default: 'origin' },
  full: { type: 'boolean', default: false },
  config: { type: 'string' },
  entries: { type: 'string' },
}, USAGE);

/** Commits made in a workflow with no git identity configured are the Actions bot's. */
const ACTIONS_BOT: GitIdentity = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };


async function configuredIdentity(root: string): Promise<GitIdentity | undefined> {
  try {
    const [name, email] = await Promise.all([runGit(root, ['config', 'user.name']), runGit(root, ['config', 'user.email'])]);
    return name.trim() && email.trim() ? undefined : ACTIONS_BOT;
  } catch {
    return ACTIONS_BOT;
  }
}

/** Back to the base commit: the clean start was checked, so everything untracked now is the sync's. */
async function resetToBase(root: string): Promise<void> {
  await runGit(root, ['reset', '--quiet', '--hard', 'HEAD']);
  await runGit(root, ['clean', '--quiet', '-d', '--force']);
}

runMain(async () => {
  const root = process.cwd();
  const token = process.env.GITHUB_TOKEN;
  if (!token) failUsage('GITHUB_TOKEN is not set: a token that may push branches and open pull requests');
  const repoName = process.env.GITHUB_REPOSITORY ?? '';
  if (!/^[\w.-]+\/[\w.-]+$/.test(repoName)) failUsage('GITHUB_REPOSITORY must be <owner>/<name>: the repository the pull requests are opened in');
  const [owner, repo] = repoName.split('/') as [string, string];

  if ((await runGit(root, ['status', '--porcelain'])).trim()) {
    failUsage('the working tree has changes or untracked files: commit or stash them first (every source is synced from a clean checkout, which is reset afterwards)');
  }
  const current = (await runGit(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '')).trim();
  const base = flags.base ?? current;
  if (!base) failUsage('HEAD is detached: pass --base <branch>');
  if (base !== current) await runGit(root, ['checkout', '--quiet', base]);

  const configFile = path.resolve(root, flags.config ?? CONFIG_FILE_NAME);
  const { config, problems } = await loadRegistryConfig(configFile);
  if (hasErrors(problems)) throw new ProblemsError(problems);
  const configured = config.sources.map((s) => s.id);
  const ids = flags.source?.length ? flags.source : configured;
  const unknown = ids.filter((id) => !configured.includes(id));
  if (unknown.length) failUsage(`no source ${unknown.map((id) => `"${id}"`).join(', ')} in ${path.relative(root, configFile)} (configured: ${configured.join(', ') || 'none'})`);
  if (!ids.length) return console.log(`sync-pr: ${path.relative(root, configFile)} configures no sources`);

  const octokit = createOctokit({ token, baseUrl: process.env.GITHUB_API_URL || DEFAULT_API_URL });
  const author = await configuredIdentity(root);
  // Only the unusual is logged: the one-line results are the output (a page-by-page log of a full read is noise).
  const { retrying } = terminalProgress(process.stderr);
  const progress = { recovering: (source: string, ops: number) => console.error(`${source}: finishing an interrupted apply of ${ops} file operations`), retrying };
  let failed = 0;

  for (const id of ids) {
    try {
      const summary = await syncRegistry({ root, entriesDir: flags.entries, configFile, sourceIds: [id], full: flags.full, progress });
      const source = summary.sources.find((s) => s.id === id);
      if (!source) throw new Error('the sync reported nothing for this source');
      const title = syncPullTitle(source);
      const branch = syncBranchName(id);
      const made = source.files.length ? await commitSyncChanges(root, { branch, base, files: source.files, message: `${title}\n\nFrom ${source.from}.`, author }) : undefined;
      if (!made) {
        const notes = [source.conflicts.length && plural(source.conflicts.length, 'conflict'), source.problems.length && plural(source.problems.length, 'problem')].filter(Boolean);
        console.log(`${id}: up to date (${source.fetched} fetched${notes.length ? `; ${notes.join(', ')}` : ''})`);
        continue;
      }
      const body = syncPullBody(source);
      if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `## ${title}\n\n${body}\n`);

      // The same change already on the branch: no push (a push would re-run CI and notify the reviewers), and no
      // new pull request when the reviewers closed exactly this one.
      const onRemote = await remoteCommitWithSameChange(root, flags.remote!, branch, made.commit);
      if (onRemote) {
        const declined = await closedUnmergedPullAt({ octokit, owner, repo, branch, headSha: onRemote });
        if (declined) {
          console.log(`${id}: ${syncChanges(source)} → unchanged since pull request #${declined.number} was closed without merging; not reopened (${declined.url})`);
          continue;
        }
      } else await pushBranch(root, flags.remote!, branch);
      const pull = await openOrUpdateSyncPullRequest({ octokit, owner, repo, base, branch, title, body });
      console.log(`${id}: ${syncChanges(source)} → ${pull.created ? 'opened' : 'updated'} pull request #${pull.number} ${pull.url}`);
    } catch (error) {
      failed++;
      const forbidden = (error as { status?: number }).status === 403;
      console.error(`${id}: failed: ${error instanceof ProblemsError ? `\n${error.message}` : (error as Error).message}`);
      if (forbidden) console.error(`${id}: the token may not open pull requests: give the workflow contents: write and pull-requests: write, and allow "GitHub Actions to create and approve pull requests" in the repository's Actions settings (or use a SYNC_TOKEN secret)`);
    } finally {
      await resetToBase(root);
    }
  }
  if (failed) process.exitCode = 1;
});
