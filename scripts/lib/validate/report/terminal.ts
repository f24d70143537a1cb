// The validator's report for a person at a terminal: problems grouped by file, each with where, what, how to fix
// and where to read more; a kind repeated in many places (same code and fix) as one block listing the places; then
// one summary line. GitHub annotations stay one per place (github.ts).
//
//   entries/io.github.acme/weather/1.0.0/server.json
//     3:14  error    schema-type  /version must be string
//           fix: write the version as a JSON string, e.g. "1.0.0"
//           docs/errors.md#schema-type
//
//   ✖ 1 error, 0 warnings · publishes nothing until the errors are fixed (1 server version in this change)

import { groupRepeatedProblems, REPEATED_PLACES_SHOWN, type Problem } from '../../problems.ts';
import type { ValidationReport } from '../types.ts';
import { docsLink } from './docs-link.ts';
import { countBySeverity, groupByFile, isClean, lineColumn, plural, sortedPublishes, sortProblems } from './summary.ts';
import { plainLine } from './text.ts';

export interface TerminalOptions {
  /** ANSI colours; pass `process.stdout.isTTY && !process.env.NO_COLOR` or similar. */
  color: boolean;
  /** Address of docs/errors.md; defaults to the relative path. */
  docsBaseUrl?: string;
  /** What was checked, when it is not the registry: printed before the summary, which then names no publication. */
  note?: string;
}

/** The heading of problems that belong to no single file. */
export const NO_FILE = '(registry)';

type Paint = (text: string) => string;

function painter(color: boolean) {
  const sgr =
    (open: number, close: number): Paint =>
    (text) =>
      color ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return { bold: sgr(1, 22), dim: sgr(2, 22), underline: sgr(4, 24), red: sgr(31, 39), yellow: sgr(33, 39), green: sgr(32, 39), cyan: sgr(36, 39) };
}

export function renderReportForTerminal(report: ValidationReport, options: TerminalOptions): string {
  const paint = painter(options.color);
  const out: string[] = [];
  // A kind of problem repeated in many places (same code and fix) is one block listing the places, after the rest.
  const { single, repeated } = groupRepeatedProblems(sortProblems(report.problems));
  for (const group of groupByFile(single)) {
    out.push(paint.underline(paint.bold(group.file === undefined ? NO_FILE : plainLine(group.file))));
    const whereWidth = Math.max(...group.problems.map((p) => lineColumn(p).length));
    for (const p of group.problems) out.push(...renderProblem(p, whereWidth, paint, options.docsBaseUrl));
    out.push('');
  }
  for (const kind of repeated) out.push(...renderRepeated(kind, paint, options.docsBaseUrl), '');
  if (options.note) out.push(plainLine(options.note));
  out.push(summaryLine(report, paint, options.note !== undefined && report.publishes.length === 0));
  return out.join('\n');
}

function renderProblem(p: Problem, whereWidth: number, paint: ReturnType<typeof painter>, docsBaseUrl: string | undefined): string[] {
  const where = lineColumn(p).padEnd(whereWidth);
  const severity = p.severity === 'error' ? paint.red('error  ') : paint.yellow('warning');
  const at = p.jsonPath !== undefined ? paint.dim(` (at ${plainLine(p.jsonPath || '/')})`) : '';
  const indent = ' '.repeat(2 + (whereWidth ? whereWidth + 2 : 2));
  return [
    `  ${whereWidth ? `${paint.dim(where)}  ` : ''}${severity}  ${paint.bold(plainLine(p.code))}  ${plainLine(p.message)}${at}`,
    `${indent}${paint.green('fix:')} ${plainLine(p.hint)}`,
    `${indent}${paint.cyan(docsLink(p.code, docsBaseUrl))}`,
  ];
}

function renderRepeated(kind: Problem[], paint: ReturnType<typeof painter>, docsBaseUrl: string | undefined): string[] {
  const first = kind[0]!;
  const severity = first.severity === 'error' ? paint.red('error  ') : paint.yellow('warning');
  const sameMessage = kind.every((p) => p.message === first.message);
  const places = kind.slice(0, REPEATED_PLACES_SHOWN).map((p) => {
    const where = `${plainLine(p.file ?? NO_FILE)}${lineColumn(p) ? `:${lineColumn(p)}` : ''}`;
    const at = p.jsonPath !== undefined ? paint.dim(` (at ${plainLine(p.jsonPath || '/')})`) : '';
    return `    ${where}${sameMessage ? '' : `  ${plainLine(p.message)}`}${at}`;
  });
  if (kind.length > REPEATED_PLACES_SHOWN) places.push(`    … and ${kind.length - REPEATED_PLACES_SHOWN} more`);
  return [
    `${severity}  ${paint.bold(plainLine(first.code))}  ${sameMessage ? `${plainLine(first.message)} ` : ''}${paint.dim(`(${kind.length} places)`)}`,
    ...places,
    `  ${paint.green('fix:')} ${plainLine(first.hint)}`,
    `  ${paint.cyan(docsLink(first.code, docsBaseUrl))}`,
  ];
}

function summaryLine(report: ValidationReport, paint: ReturnType<typeof painter>, noted = false): string {
  const { errors, warnings } = countBySeverity(report.problems);
  const publishes = sortedPublishes(report);
  const counts = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  const versions = publishes.map((p) => `${plainLine(p.name)} ${plainLine(p.version)}`).join(', ');
  if (isClean(report)) {
    const what = publishes.length ? `publishes ${plural(publishes.length, 'server version')}: ${versions}` : 'publishes no server version';
    return `${paint.green('✔')} ${paint.bold(counts)}${noted ? '' : ` · ${what}`}`;
  }
  const failed = report.checks.filter((c) => c.ran && !c.passed).map((c) => c.id);
  const why = errors === 0 && failed.length ? ` · failed checks: ${failed.join(', ')}` : '';
  const held = publishes.length ? ` · publishes nothing until the errors are fixed (${plural(publishes.length, 'server version')} in this change: ${versions})` : '';
  return `${paint.red('✖')} ${paint.bold(counts)}${why}${held}`;
}
