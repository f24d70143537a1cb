// Shared shape of the command-line entry points: parse flags, run, print problems once, exit with a code.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ProblemsError, renderProblemsForTerminal } from './problems.ts';

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(options: T, argv = process.argv.slice(2)) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
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
