// publisher validate: the validator CI runs on every pull request, on the publisher's machine. Paths are the ones the
// publisher typed, relative to the folder they typed them in; a server.json outside the registry's entries folder is
// checked on its own (file, schema, rules, packages) rather than passed over, and a path that names nothing fails.

import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { hasErrors, problem, type Problem } from '../problems.ts';
import { SERVER_FILE_NAME } from '../entries/load.ts';
import { MAX_SERVER_JSON_BYTES } from '../validate/read-json.ts';
import { renderReportForTerminal } from '../validate/report/terminal.ts';
import type { ValidationReport } from '../validate/types.ts';
import { validateRegistry, validateServerFile } from '../validate/validate.ts';
import { parseCommand, userDirectory, type CommandIo, type ExitCode } from './io.ts';

export const VALIDATE_USAGE = 'validate [--entries <dir>] [--base <git ref> [--author <github login>]] [--offline] [paths…]';

const inside = (child: string, parent: string): boolean => {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
};

/** A path the publisher named that cannot be checked: it fails the run, it is never passed over. */
function missing(shown: string, where: string, message: string): Problem {
  return problem({
    code: 'file-missing', file: shown, message,
    hint: `Check the path: it is taken relative to the folder you ran the command in (${where}); name a server.json or the version folder holding it.`,
  });
}

/** Reads a loose server.json (at most the size limit + 1 bytes), or says why it cannot. */
function readLoose(absolute: string, shown: string, where: string): { bytes?: Buffer; problem?: Problem } {
  let fd: number | undefined;
  try {
    fd = openSync(absolute, 'r');
    if (!fstatSync(fd).isFile()) return { problem: missing(shown, where, 'this is not a plain file') };
    const buffer = Buffer.alloc(Math.min(fstatSync(fd).size, MAX_SERVER_JSON_BYTES) + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    return { bytes: buffer.subarray(0, length) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { problem: problem({ code: 'file-unreadable', file: shown, message: `could not read the file: ${code}`, hint: 'Check the permissions of the file.' }) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Problems of every part in one report; a check counts as run when any part ran it, passed when all that ran passed. */
function mergeReports(reports: ValidationReport[], extra: Problem[]): ValidationReport {
  const [first] = reports;
  return {
    problems: [...extra, ...reports.flatMap((r) => r.problems)],
    publishes: reports.flatMap((r) => r.publishes),
    checks: (first?.checks ?? []).map((check) => {
      const ran = reports.filter((r) => r.checks.find((c) => c.id === check.id)?.ran);
      return { id: check.id, ran: ran.length > 0, passed: ran.length > 0 && ran.every((r) => r.checks.find((c) => c.id === check.id)!.passed) };
    }),
  };
}

export async function runValidate(argv: string[], io: CommandIo, options: { color?: boolean } = {}): Promise<ExitCode> {
  const { values, positionals } = parseCommand({
    entries: { type: 'string' }, base: { type: 'string' }, author: { type: 'string' }, offline: { type: 'boolean', default: false },
    // Package checks run by default now, as on the pull request; the flag stays accepted for existing scripts.
    packages: { type: 'boolean', default: false },
  }, argv);
  const here = userDirectory(io);
  // The registry checkout is io.cwd (npm runs scripts there); its entries/ unless the publisher names another.
  const entriesAbsolute = values.entries === undefined ? path.join(io.cwd, 'entries') : path.resolve(here, values.entries);
  const root = inside(entriesAbsolute, io.cwd) ? io.cwd : path.dirname(entriesAbsolute);
  const entriesDir = path.relative(root, entriesAbsolute).split(path.sep).join('/');
  // With --base and --author, ownership too, with real network checks (DNS, HTTPS, GitHub), as the PR gets them.
  const ownership = values.author && values.base ? (await import('../ownership/verifiers.ts')).localOwnershipVerifiers(values.author) : undefined;
  const packages = values.offline ? undefined : (await import('../packages/verify.ts')).verifyServerPackages;

  const pathProblems: Problem[] = [];
  const registryPaths: string[] = [];
  const loose: Array<{ shown: string; bytes: Buffer }> = [];
  for (const typed of positionals) {
    const absolute = path.resolve(here, typed);
    if (inside(absolute, entriesAbsolute)) {
      // Inside the registry: the tree check reads it, with the folder rules (and fails on a path naming nothing).
      registryPaths.push(absolute);
      continue;
    }
    let file = absolute;
    try {
      if (statSync(absolute).isDirectory()) file = path.join(absolute, SERVER_FILE_NAME);
      statSync(file);
    } catch {
      pathProblems.push(missing(path.relative(here, file), here, file === absolute ? 'there is no such file' : `there is no ${SERVER_FILE_NAME} in this folder`));
      continue;
    }
    const read = readLoose(file, path.relative(here, file), here);
    if (read.problem) pathProblems.push(read.problem);
    else loose.push({ shown: path.relative(here, file), bytes: read.bytes! });
  }

  const reports: ValidationReport[] = [];
  // The registry itself: when no path was typed, or some typed path lies in it.
  if (positionals.length === 0 || registryPaths.length > 0) {
    reports.push(await validateRegistry({ root, entriesDir, base: values.base, paths: registryPaths.length ? registryPaths : undefined, ownership, packages }));
  }
  for (const file of loose) reports.push(await validateServerFile({ file: file.shown, bytes: file.bytes, packages }));
  const report = mergeReports(reports, pathProblems);
  const entriesShown = path.relative(here, entriesAbsolute) || '.';
  const looseNote = loose.length
    ? `checked on its own, outside the registry's ${entriesShown}: ${loose.map((f) => f.shown).join(', ')} (file, schema, rules${packages ? ', packages' : ''}); to publish, copy it to ${entriesShown}/<name>/<version>/${SERVER_FILE_NAME} and open the pull request`
    : undefined;
  io.out(renderReportForTerminal(report, { color: options.color === true, note: looseNote }) + '\n');
  if (values.offline) io.err('packages and remotes not checked (--offline); the pull request checks them\n');
  return hasErrors(report.problems) || report.checks.some((c) => c.ran && !c.passed) ? 1 : 0;
}
