// Entry point of .github/actions/publish (runs in the PUBLISHER's workflow, with `npx tsx`): reads the inputs from
// the environment the action sets, requests the content-bound OIDC token, and opens the publishing PR.
//
//   INPUT_SERVER_JSON          path of the server.json, relative to GITHUB_WORKSPACE (or absolute)
//   INPUT_REGISTRY_REPOSITORY  the registry, owner/name
//   INPUT_REGISTRY_URL         the registry URL in the audience (default https://github.com/<registry-repository>)
//   INPUT_GITHUB_TOKEN         token that may fork the registry and open PRs (not the workflow's GITHUB_TOKEN)
//   INPUT_FORK                 "false" to push a branch to the registry itself (default "true")
//   ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN   set by the runner with `id-token: write`
//   GITHUB_API_URL, GITHUB_OUTPUT, GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID   set by the runner
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseFlags, runMain } from './lib/cli.ts';
import { createOctokit, DEFAULT_API_URL } from './lib/github/pr-bot.ts';
import { openPublishPr, prepareOidcPublication, publishBranchName, PublishActionError } from './lib/ownership/oidc-action.ts';
import { registryUrlForRepository, sha256Hex } from './lib/ownership/oidc-proof.ts';

const env = (name: string) => (process.env[name] ?? '').trim();

// The action passes its inputs in the environment; the command line takes nothing but --help.
parseFlags({}, `usage: npx tsx scripts/publish-action.ts   (run by .github/actions/publish; no flags)
Requests the publisher workflow's content-bound OIDC token and opens the publishing pull request. Inputs, from the
environment the action sets:
  INPUT_SERVER_JSON           the server.json, relative to GITHUB_WORKSPACE (or absolute)
  INPUT_REGISTRY_REPOSITORY   the registry, owner/name
  INPUT_REGISTRY_URL          the registry URL in the audience (default https://github.com/<registry-repository>)
  INPUT_GITHUB_TOKEN          a token that may fork the registry and open pull requests
  INPUT_FORK                  "false" to push a branch to the registry itself (default "true")`);

function fail(message: string): never {
  console.error(`::error::${message}`);
  process.exit(1);
}

runMain(async () => {
  const serverJson = env('INPUT_SERVER_JSON');
  const repository = env('INPUT_REGISTRY_REPOSITORY');
  const githubToken = env('INPUT_GITHUB_TOKEN');
  if (!serverJson) fail('input server-json is required');
  if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repository)) fail(`input registry-repository must be "owner/name", not "${repository}"`);
  if (!githubToken) fail('input github-token is required (a token that may fork the registry and open a PR)');
  const registryUrl = env('INPUT_REGISTRY_URL') || registryUrlForRepository(repository);

  const file = path.resolve(env('GITHUB_WORKSPACE') || process.cwd(), serverJson);
  const bytes = new Uint8Array(readFileSync(file));
  try {
    const publication = await prepareOidcPublication({
      serverJsonBytes: bytes,
      registryUrl,
      requestUrl: env('ACTIONS_ID_TOKEN_REQUEST_URL'),
      requestToken: env('ACTIONS_ID_TOKEN_REQUEST_TOKEN'),
    });
    console.log(`publishing ${publication.name} ${publication.version} (server.json SHA-256 ${sha256Hex(bytes)}) to ${repository}`);
    console.log(`OIDC audience: ${publication.audience}`);
    const run = env('GITHUB_RUN_ID') ? `${env('GITHUB_SERVER_URL') || 'https://github.com'}/${env('GITHUB_REPOSITORY')}/actions/runs/${env('GITHUB_RUN_ID')}` : '';
    const pr = await openPublishPr({
      octokit: createOctokit({ token: githubToken, baseUrl: env('GITHUB_API_URL') || DEFAULT_API_URL }),
      repository,
      files: publication.files,
      branch: publishBranchName(publication.name, publication.version),
      title: `Publish ${publication.name} ${publication.version}`,
      body: [
        `Publishes \`${publication.name}\` version \`${publication.version}\`.`,
        '',
        `Ownership: GitHub Actions OIDC token in \`proof.json\`, audience \`${publication.audience}\`${run ? `, from ${run}` : ''}.`,
        'Do not edit the server.json in this PR: the token is bound to its exact bytes.',
      ].join('\n'),
      fork: env('INPUT_FORK') !== 'false',
      log: (line) => console.log(line),
    });
    console.log(`pull request: ${pr.url}`);
    const output = env('GITHUB_OUTPUT');
    if (output) appendFileSync(output, `pr-url=${pr.url}\npr-number=${pr.number}\naudience=${publication.audience}\n`);
  } catch (error) {
    if (error instanceof PublishActionError) fail(error.message);
    throw error;
  }
});
