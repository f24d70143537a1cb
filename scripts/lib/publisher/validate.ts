// publisher validate: the validator CI runs on every pull request, on the publisher's machine.

import { hasErrors } from '../problems.ts';
import { renderReportForTerminal } from '../validate/report/terminal.ts';
import { validateRegistry } from '../validate/validate.ts';
import { parseCommand, type CommandIo, type ExitCode } from './io.ts';

export const VALIDATE_USAGE = 'validate [--entries <dir>] [--base <git ref> [--author <github login>]] [--packages] [paths…]';

export async function runValidate(argv: string[], io: CommandIo, options: { color?: boolean } = {}): Promise<ExitCode> {
  const { values, positionals } = parseCommand({ entries: { type: 'string', default: 'entries' }, base: { type: 'string' }, author: { type: 'string' }, packages: { type: 'boolean', default: false } }, argv);
  // With --base and --author, ownership too, with real network checks (DNS, HTTPS, GitHub), as the PR gets them.
  const ownership = values.author && values.base ? (await import('../ownership/verifiers.ts')).localOwnershipVerifiers(values.author) : undefined;
  const packages = values.packages ? (await import('../packages/verify.ts')).verifyServerPackages : undefined;
  const report = await validateRegistry({ root: io.cwd, entriesDir: values.entries!, base: values.base, paths: positionals.length ? positionals : undefined, ownership, packages });
  io.out(renderReportForTerminal(report, { color: options.color === true }) + '\n');
  return hasErrors(report.problems) ? 1 : 0;
}
