// Shared shape of the command-line entry points: parse flags, run, print problems once, exit with a code.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ProblemsError, renderProblemsForTerminal } from './problems.ts';

/**
 * True when the command line asks for help (`-h` or `--help` before any `--`). Checked before the strict parse, so
 * help works whatever else is on the line, and before any work is done.
 */
export function helpRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/**
 * Every entry point's usage text lives beside its flag definitions and goes through here: on -h/--help it is printed
 * to stdout and the process exits 0 without doing anything else. The text starts with `usage: …` and lists every flag.
 */
export function exitOnHelp(usage: string, argv: readonly string[] = process.argv.slice(2)): void {
  if (!helpRequested(argv)) return;
  process.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
  process.exit(0);
}

function usageError(message: string): never {
  console.error(`error: ${message}\n(--help prints the usage)`);
  process.exit(2);
}

/** Flags only: a positional argument is a mistake (exit code 2). `usage` is printed on -h/--help. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(options: T, usage: string, argv = process.argv.slice(2)) {
  const parsed = parseCommandLine(options, usage, argv);
  if (parsed.positionals.length) usageError(`unexpected argument "${parsed.positionals[0]}"`);
  return parsed.values;
}

/** Flags and positional arguments; a bad command line exits with code 2 and the parser's message. */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig['options']>>(options: T, usage: string, argv = process.argv.slice(2)) {
  if (helpRequested(argv)) {
    // A flag the usage does not mention is the script's own bug: fail loudly, so the --help test catches it.
    const unlisted = Object.keys(options).filter((name) => !usage.includes(`--${name}`));
    if (unlisted.length) throw new Error(`usage text omits ${unlisted.map((n) => `--${n}`).join(', ')}`);
    exitOnHelp(usage, argv);
  }
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    usageError((error as Error).message);
  }
}

/**
 * A failure the user can fix from the message alone (a busy port, a missing build): printed as one `error:` line,
 * without a stack, exit code 1.
 */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Runs a command; known problems are printed as such, anything else with its stack. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof ProblemsError) console.error(renderProblemsForTerminal(error.problems));
    else if (error instanceof CliError) console.error(`error: ${error.message}`);
    else console.error(error);
    process.exit(1);
  });
}

/** A command line that cannot run (a missing or wrong flag): the reason on stderr, exit code 2. */
export function failUsage(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    failUsage(`--port must be a whole number from 0 to 65535, not "${text}"`);
  }
  return port;
}

/**
 * Stops a server on Ctrl-C or SIGTERM, then exits 0. Repeated signals (a second Ctrl-C, a supervisor's retry) must
 * not kill this process before the server it started has stopped.
 */
export function stopOnSignals(stop: () => Promise<unknown>): void {
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) return;
    stopping = true;
    void stop().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
