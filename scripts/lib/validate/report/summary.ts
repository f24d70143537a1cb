// What every renderer shares: the order problems are shown in, grouping by file, counts, and the checklist.
// The order depends only on the problems themselves (plain code-unit comparison, no locale), never on the order the
// validator found them in or on the machine.

import type { Problem } from '../../problems.ts';
import type { ValidationReport } from '../types.ts';

export type CheckId = ValidationReport['checks'][number]['id'];
export type CheckState = 'passed' | 'failed' | 'not run';

/** The check groups in the order the checklist shows them, with what each covers. */
export const CHECK_GROUPS: ReadonlyArray<{ id: CheckId; title: string; covers: string }> = [
  { id: 'files', title: 'Files', covers: 'readable JSON, UTF-8, size and nesting limits, safe paths, no stray files' },
  { id: 'schema', title: 'Schema', covers: 'server.json against the official schema it names' },
  { id: 'rules', title: 'Registry rules', covers: "the official registry's rules beyond the schema" },
  { id: 'registry', title: 'Registry-wide', covers: 'names and remote URLs against every other server' },
  { id: 'changes', title: 'Changes', covers: 'published files untouched, only entries/ changed' },
  { id: 'ownership', title: 'Ownership', covers: 'the publisher owns the namespace' },
  { id: 'packages', title: 'Packages', covers: 'the packages exist and name this server' },
];

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Problems in display order: by file (problems about no file first), line, column, errors before warnings, code. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) =>
      compareText(a.file ?? '', b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) ||
      compareText(a.code, b.code) ||
      compareText(a.jsonPath ?? '', b.jsonPath ?? '') ||
      compareText(a.message, b.message) ||
      compareText(a.hint, b.hint),
  );
}

export interface FileGroup {
  /** undefined for problems about the registry or the change as a whole. */
  file: string | undefined;
  problems: Problem[];
}

/** Sorted problems, one group per file, in display order. */
export function groupByFile(problems: readonly Problem[]): FileGroup[] {
  const groups: FileGroup[] = [];
  for (const p of sortProblems(problems)) {
    const last = groups.at(-1);
    if (last && last.file === p.file) last.problems.push(p);
    else groups.push({ file: p.file, problems: [p] });
  }
  return groups;
}

export function countBySeverity(problems: readonly Problem[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const p of problems) if (p.severity === 'error') errors++;
  return { errors, warnings: problems.length - errors };
}

/** Each check group's state; a group the report does not mention has not run. */
export function checklist(report: ValidationReport): Array<{ id: CheckId; title: string; covers: string; state: CheckState }> {
  return CHECK_GROUPS.map((group) => {
    const check = report.checks.find((c) => c.id === group.id);
    const state: CheckState = !check || !check.ran ? 'not run' : check.passed ? 'passed' : 'failed';
    return { ...group, state };
  });
}

/** Clean: no errors and no check that ran and failed. Warnings do not block. */
export function isClean(report: ValidationReport): boolean {
  return countBySeverity(report.problems).errors === 0 && !report.checks.some((c) => c.ran && !c.passed);
}

/** What the change publishes, sorted by name then version, without duplicates. */
export function sortedPublishes(report: ValidationReport): ValidationReport['publishes'] {
  const seen = new Set<string>();
  return [...report.publishes]
    .sort((a, b) => compareText(a.name, b.name) || compareText(a.version, b.version) || compareText(a.file, b.file))
    .filter((p) => {
      const key = `${p.name}\u0000${p.version}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Where a problem is: `12:5`, `12`, or '' when the validator has no position for it. */
export function lineColumn(p: Problem): string {
  if (!p.line) return '';
  return p.column ? `${p.line}:${p.column}` : `${p.line}`;
}
