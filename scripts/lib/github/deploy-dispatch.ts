// Starts the deployments after the bot merged. A merge made with a workflow's GITHUB_TOKEN triggers no `push`
// workflow (GitHub's rule against recursive runs), but it may dispatch one: so the bot asks each deploy workflow
// to run on the branch it merged into.

import type { Octokit } from '@octokit/rest';
import { errorStatus } from './error-status.ts';

/** The workflows started, and those this repository does not have (or has disabled): 404 or 422. */
export async function dispatchDeployments(
  octokit: Pick<Octokit, 'rest'>,
  where: { owner: string; repo: string; ref: string },
  workflows: readonly string[],
): Promise<{ started: string[]; missing: string[] }> {
  const started: string[] = [];
  const missing: string[] = [];
  for (const workflow of workflows) {
    try {
      await octokit.rest.actions.createWorkflowDispatch({ owner: where.owner, repo: where.repo, workflow_id: workflow, ref: where.ref });
      started.push(workflow);
    } catch (error) {
      const status = errorStatus(error);
      if (status !== 404 && status !== 422) throw error;
      missing.push(workflow);
    }
  }
  return { started, missing };
}
