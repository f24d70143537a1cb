// The publisher CLI's command table and help; each command lives in its own module and returns its exit code.

import { INIT_USAGE, runInit } from './init.ts';
import { UsageError, type CommandIo, type ExitCode } from './io.ts';
import { AUTHORIZE_USAGE, KEYGEN_USAGE, runAuthorize, runKeygen, runSign, SIGN_USAGE } from './keys.ts';
import { runSubmit, SUBMIT_USAGE } from './submit.ts';
import { runValidate, VALIDATE_USAGE } from './validate.ts';

export const HELP = `usage: npm run publisher -- <command> [options]

  ${INIT_USAGE}
      write <out>/<name>/<version>/server.json from a package.json (npm, npx) or pyproject.toml (PyPI, uvx);
      never overwrites a file
  ${KEYGEN_USAGE}
      make a domain key pair: writes the private key (PEM, mode 0600) to --out, by default
      $XDG_CONFIG_HOME/mcp-registry or ~/.config/mcp-registry (never into a repository unless git ignores it, never
      over an existing key without --force), and prints the DNS TXT record and the content of
      https://<domain>/.well-known/mcp-registry-auth
  ${SIGN_USAGE}
      write proof.json beside the server.json: the signature over its name, version and SHA-256 (it proves that
      publication only)
  ${AUTHORIZE_USAGE}
      write <entries>/<namespace>/authorization.json: a statement, signed with the domain's key, that <author> may
      change the namespace's owners.json, its servers' status and delete files, in this registry, for --days (7)
  ${VALIDATE_USAGE}
      the checks CI runs on the files; exit 1 on errors. With --base and --author, namespace ownership too
      (owners ledger, GitHub account with GITHUB_TOKEN, DNS or HTTP record, OIDC token), over the network;
      with --packages, that every package exists and names the server back, MCPB hashes and remotes
  ${SUBMIT_USAGE}
      fork the registry, commit the files (server.json, proof.json) to publish/<name>-<version> and open the
      pull request; GITHUB_TOKEN from the environment, GITHUB_API_URL (default https://api.github.com),
      MCP_REGISTRY_REPO instead of --repo

exit codes: 0 done, 1 failed, 2 wrong command line
`;

type Command = (argv: string[], io: CommandIo, options: { color?: boolean }) => Promise<ExitCode>;

const COMMANDS: Record<string, Command> = {
  init: runInit,
  keygen: runKeygen,
  sign: runSign,
  authorize: runAuthorize,
  validate: (argv, io, options) => runValidate(argv, io, options),
  submit: (argv, io) => runSubmit(argv, io),
};

function errorMessage(error: unknown): string | undefined {
  const e = error as { status?: unknown; message?: unknown; response?: { data?: { message?: unknown } } } | null;
  if (typeof e?.status !== 'number' || typeof e.message !== 'string') return undefined;
  // An Octokit RequestError: say what GitHub answered, not the stack.
  return `GitHub answered ${e.status}: ${e.message}`;
}

export async function runCommand(argv: string[], io: CommandIo, options: { color?: boolean } = {}): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.err : io.out)(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`error: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(HELP);
    return 0;
  }
  try {
    return await command(rest, io, options);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n`);
      return 2;
    }
    const message = errorMessage(error);
    if (message === undefined) throw error;
    io.err(`error: ${message}\n`);
    return 1;
  }
}
