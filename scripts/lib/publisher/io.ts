// What a publisher command gets from its caller: the command line, where it runs, the environment and two output
// streams. The entry point (scripts/publisher.ts) passes the process's own; tests pass their own and read them back.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CommandIo {
  cwd: string;
  env: Record<string, string | undefined>;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** A command's result: its exit code (0 done, 1 failed, 2 the command line was wrong). */
export type ExitCode = 0 | 1 | 2;

/** A wrong command line or a request the command refuses before doing anything: exit code 2 with this message. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command's flags and positional arguments, strict: an unknown flag or a missing value is a UsageError. */
export function parseCommand<T extends NonNullable<ParseArgsConfig['options']>>(options: T, argv: string[]) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function noPositionals(positionals: readonly string[]): void {
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
}

/**
 * The folder the publisher typed the command in, which their paths are relative to: npm runs a script in the
 * package's folder and passes the caller's as INIT_CWD; run directly (tsx), that is the working directory itself.
 */
export function userDirectory(io: Pick<CommandIo, 'cwd' | 'env'>): string {
  return io.env.INIT_CWD || io.cwd;
}
