// Shared shape of the command-line entry points: parse flags, run, print problems once, exit with a code.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ProblemsError, renderProblemsForTerminal } from './problems.ts';

/** Flags only: a positional argument is a mistake (exit code 2). */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(options: T, argv = process.argv.slice(2)) {
  const parsed = parseCommandLine(options, argv);
  if (parsed.positionals.length) {
    console.error(`error: unexpected argument "${parsed.positionals[0]}"`);
    process.exit(2);
  }
  return parsed.values;
}

/** Flags and positional arguments; a bad command line exits with code 2 and the parser's message. */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig['options']>>(options: T, argv = process.argv.slice(2)) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    process.exit(2);
  }
}

/** Runs a command; known problems are printed as such, anything else with its stack. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof ProblemsError) console.error(renderProblemsForTerminal(error.problems));
    else console.error(error);
    process.exit(1);
  });
}

export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`error: --port must be a whole number from 0 to 65535, not "${text}"`);
    process.exit(2);
  }
  return port;
}
