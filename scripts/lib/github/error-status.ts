// The HTTP status of a failed GitHub API call (octokit's RequestError carries it), or undefined for other errors.

export function errorStatus(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : undefined;
}
