// The publisher CLI's command table and help; each command lives in its own module and returns its exit code.

import { helpRequested } from '../cli.ts';
import { INIT_USAGE, runInit } from './init.ts';
import { UsageError, type CommandIo, type ExitCode } from './io.ts';
import { AUTHORIZE_USAGE, KEYGEN_USAGE, runAuthorize, runKeygen, runSign, SIGN_USAGE } from './keys.ts';
import { runSubmit, SUBMIT_USAGE } from './submit.ts';
import { runValidate, VALIDATE_USAGE } from './validate.ts';

type Command = (argv: string[], io: CommandIo, options: { color?: boolean }) => Promise<ExitCode>;

interface CommandSpec {
  usage: string;
  /** What it does, one or more lines indented under the usage. */
  about: string;
  run: Command;
}

const COMMANDS: Record<string, CommandSpec> = {
  init: {
    usage: INIT_USAGE,
    about: `write <out>/<name>/<version>/server.json from your package.json (npm, npx) or pyproject.toml (PyPI, uvx);
never overwrites a file. Without --from, reads the one in the folder you run it from. Paths are relative to that
folder; --out defaults to the registry's entries/`,
    run: runInit,
  },
  keygen: {
    usage: KEYGEN_USAGE,
    about: `make a domain key pair: writes the private key (PEM, mode 0600) to --out, by default
$XDG_CONFIG_HOME/mcp-registry or ~/.config/mcp-registry (never into a repository unless git ignores it, never
over an existing key without --force), and prints the DNS TXT record and the content of
https://<domain>/.well-known/mcp-registry-auth`,
    run: runKeygen,
  },
  sign: {
    usage: SIGN_USAGE,
    about: 'write proof.json beside the server.json: the signature over its name, version and SHA-256 (it proves that publication only)',
    run: runSign,
  },
  authorize: {
    usage: AUTHORIZE_USAGE,
    about: `write <entries>/<namespace>/authorization.json: a statement, signed with the domain's key, that <author> may
change the namespace's owners.json, its servers' status and delete files, in this registry, for --days (7)`,
    run: runAuthorize,
  },
  validate: {
    usage: VALIDATE_USAGE,
    about: `the checks CI runs, packages and remotes included (network; --offline skips them); exit 1 on errors.
A server.json outside the registry's entries/ is checked on its own: file, schema, rules and packages.
Paths are relative to the folder you run it from. With --base and --author, namespace ownership too
(owners ledger, GitHub account with GITHUB_TOKEN, DNS or HTTP record, OIDC token), over the network`,
    run: (argv, io, options) => runValidate(argv, io, options),
  },
  submit: {
    usage: SUBMIT_USAGE,
    about: `fork the registry, commit the files (server.json, proof.json) to publish/<name>-<version> and open the
pull request; GITHUB_TOKEN from the environment, GITHUB_API_URL (default https://api.github.com),
MCP_REGISTRY_REPO instead of --repo`,
    run: (argv, io) => runSubmit(argv, io),
  },
};

const indent = (text: string, by: string): string => text.split('\n').map((line) => by + line).join('\n');

export const HELP = `usage: npm run publisher -- <command> [options]   (<command> --help for one command)

${Object.values(COMMANDS).map((c) => `  ${c.usage}\n${indent(c.about, '      ')}`).join('\n')}

exit codes: 0 done, 1 failed, 2 wrong command line
`;

/** One command's help: its usage with every flag, and what it does. */
export function commandHelp(name: string): string {
  const spec = COMMANDS[name]!;
  return `usage: npm run publisher -- ${spec.usage}\n${indent(spec.about, '  ')}\n\nexit codes: 0 done, 1 failed, 2 wrong command line\n`;
}

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
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`error: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  if (helpRequested(rest)) {
    io.out(commandHelp(name));
    return 0;
  }
  try {
    return await command.run(rest, io, options);
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
