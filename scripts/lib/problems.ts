// Every bad input becomes a Problem value; renderers turn a list of them into terminal text or GitHub output.

export type Severity = 'error' | 'warning';

export interface Problem {
  /** Stable code, e.g. `entry-json-invalid`; documented in docs/errors.md. */
  code: string;
  severity: Severity;
  /** File relative to the repository (or the entries root), with `/`. */
  file?: string;
  /** JSON path inside the file, e.g. `/packages/0/version`. */
  jsonPath?: string;
  line?: number;
  column?: number;
  message: string;
  /** How to fix it. */
  hint: string;
}

/** One segment of a JSON pointer (a Problem's jsonPath): `~` → `~0`, `/` → `~1` (RFC 6901). */
export function escapePointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function problem(p: Omit<Problem, 'severity'> & { severity?: Severity }): Problem {
  return { severity: 'error', ...p };
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** One problem per block: where, what, how to fix. */
export function renderProblemsForTerminal(problems: readonly Problem[]): string {
  return problems
    .map((p) => {
      const where = [p.file ?? '(registry)', p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''].join('');
      const path = p.jsonPath !== undefined ? ` at ${p.jsonPath || '/'}` : '';
      return `${p.severity} ${p.code}: ${where}${path}\n  ${p.message}\n  fix: ${p.hint}`;
    })
    .join('\n');
}

/** Thrown by a pipeline stage that cannot go on; carries every problem found so far. */
export class ProblemsError extends Error {
  constructor(readonly problems: Problem[]) {
    super(renderProblemsForTerminal(problems));
    this.name = 'ProblemsError';
  }
}
