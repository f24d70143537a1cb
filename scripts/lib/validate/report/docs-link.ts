// Every rendered problem links to its section of docs/errors.md: one section per code, headed by the code itself.

/** Where docs/errors.md lives when no absolute URL is known: relative to the repository root. */
export const DOCS_FILE = 'docs/errors.md';

/**
 * The anchor GitHub gives the heading `## <code>`: lower case, spaces to `-`, punctuation other than `-` and `_`
 * dropped. Codes are kebab-case, so for them this is the code itself.
 */
export function docsAnchor(code: string): string {
  return code
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/**
 * The link to a code's section: `docs/errors.md#<code>` by default, or `<baseUrl>#<code>` where `baseUrl` is the
 * address of errors.md itself (e.g. `https://github.com/o/r/blob/<sha>/docs/errors.md`). A trailing `#…` on
 * `baseUrl` is replaced.
 */
export function docsLink(code: string, baseUrl: string = DOCS_FILE): string {
  const base = baseUrl.replace(/#.*$/, '');
  return `${base}#${docsAnchor(code)}`;
}

/**
 * The address of docs/errors.md on GitHub for the commit a workflow runs on, from the variables every Actions job
 * has (`GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`, `GITHUB_SHA`); undefined outside Actions.
 */
export function githubDocsBaseUrl(env: NodeJS.ProcessEnv = process.env, ref = env.GITHUB_SHA): string | undefined {
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const repo = env.GITHUB_REPOSITORY;
  if (!repo || !ref) return undefined;
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo)) return undefined;
  return `${server.replace(/\/+$/, '')}/${repo}/blob/${ref.split('/').map(encodeURIComponent).join('/')}/${DOCS_FILE}`;
}
