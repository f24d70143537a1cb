// What a publisher may put into the commands and configurations that clients run: shared by validation
// (rules/server-json.ts) and the install snippets (site/client-config.ts), so the page never offers what the
// validator refuses.

type Json = Record<string, unknown>;

/**
 * The program that runs a package of each registry type. `runtimeHint` is only a hint (the official schema: "A hint
 * to help clients determine the appropriate runtime for the package", examples npx, uvx, docker, dnx), and VS Code
 * ignores it, starting npx, uvx, docker or dnx by registry type (microsoft/vscode,
 * src/vs/platform/mcp/common/mcpManagementService.ts, getCommandName). The snippets do the same.
 */
export const DEFAULT_RUNNER: Readonly<Record<string, string>> = { npm: 'npx', pypi: 'uvx', oci: 'docker', nuget: 'dnx', cargo: 'cargo' };

/**
 * The hints accepted per registry type: its runner, and for PyPI the other two Python runners (`python` appears in
 * the official registry's own seed; `pipx run` is the other common way to start a PyPI package). mcpb bundles are
 * opened by the client itself and take none. Anything else (a shell, curl, another type's runner) would make a client
 * that honours the hint run a program other than the package the listing names.
 */
export const ALLOWED_RUNTIME_HINTS: Readonly<Record<string, readonly string[]>> = {
  npm: ['npx'], pypi: ['uvx', 'python', 'pipx'], oci: ['docker'], nuget: ['dnx'], cargo: ['cargo'], mcpb: [],
};

/** Why a package's runtimeHint is refused, or undefined when it is absent, allowed, or the type is unknown. */
export function runtimeHintProblem(registryType: string, hint: string): string | undefined {
  const allowed = ALLOWED_RUNTIME_HINTS[registryType];
  if (!allowed || allowed.includes(hint)) return undefined;
  return allowed.length === 0
    ? `${registryType} packages are opened by the client and take no runtimeHint`
    : `${JSON.stringify(hint)} is not a runner for ${registryType} packages (allowed: ${allowed.join(', ')})`;
}

/**
 * `${…}` is variable syntax in the clients' configuration files: VS Code expands `${env:NAME}`, `${input:id}`,
 * `${workspaceFolder}`, `${userHome}`, `${config:…}` and `${command:…}` (which runs a command) anywhere in mcp.json,
 * keys included; Cursor expands `${env:NAME}`, `${userHome}`, `${workspaceFolder}`, `${workspaceFolderBasename}` and
 * `${pathSeparator}`. There is no escape for it, so a publisher value holding it would read the user's secrets into
 * an argument, header or URL of the publisher's choosing. The registry's own placeholders are the only variables a
 * snippet may hold.
 */
export const CLIENT_VARIABLE = /\$\{/;

/** Keys whose values are only shown to people, never written where a client expands variables. */
const DISPLAY_ONLY = new Set(['description']);

/**
 * JSON pointer segments of every string (value or key) under `value` that holds variable syntax, except
 * descriptions. Used on a package or a remote.
 */
export function clientVariablePaths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value === 'string') return CLIENT_VARIABLE.test(value) ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => clientVariablePaths(item, [...at, i]));
  if (typeof value !== 'object' || value === null) return [];
  const found: Array<Array<string | number>> = [];
  for (const [key, item] of Object.entries(value as Json)) {
    if (CLIENT_VARIABLE.test(key)) found.push([...at, key]);
    if (!DISPLAY_ONLY.has(key)) found.push(...clientVariablePaths(item, [...at, key]));
  }
  return found;
}

/** True when a package or remote holds variable syntax anywhere a snippet could carry it. */
export function holdsClientVariable(value: unknown): boolean {
  return clientVariablePaths(value).length > 0;
}
