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

/** From this many problems of one kind on, a terminal shows them as one block (61 identical blocks hide the rest). */
export const REPEATED_PROBLEMS_MIN = 3;
/** How many places a repeated-problem block lists before "… and N more". */
export const REPEATED_PLACES_SHOWN = 10;

/**
 * Splits problems into those shown one by one and runs of one kind (same severity, code and fix) repeated at least
 * REPEATED_PROBLEMS_MIN times, each run in the order given; runs in the order their first problem comes.
 */
export function groupRepeatedProblems<P extends Problem>(problems: readonly P[]): { single: P[]; repeated: P[][] } {
  const kinds = new Map<string, P[]>();
  for (const p of problems) {
    const key = `${p.severity}\0${p.code}\0${p.hint}`;
    const kind = kinds.get(key);
    if (kind) kind.push(p);
    else kinds.set(key, [p]);
  }
  const repeated = [...kinds.values()].filter((kind) => kind.length >= REPEATED_PROBLEMS_MIN);
  const grouped = new Set(repeated.flat());
  return { single: problems.filter((p) => !grouped.has(p)), repeated };
}

function problemPlace(p: Problem): string {
  const where = [p.file ?? '(registry)', p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''].join('');
  return `${where}${p.jsonPath !== undefined ? ` at ${p.jsonPath || '/'}` : ''}`;
}

/** One problem per block: where, what, how to fix; a kind repeated in many places is one block listing them. */
export function renderProblemsForTerminal(problems: readonly Problem[]): string {
  const { single, repeated } = groupRepeatedProblems(problems);
  const blocks = single.map((p) => `${p.severity} ${p.code}: ${problemPlace(p)}\n  ${p.message}\n  fix: ${p.hint}`);
  for (const kind of repeated) {
    const first = kind[0]!;
    const sameMessage = kind.every((p) => p.message === first.message);
    const places = kind.slice(0, REPEATED_PLACES_SHOWN).map((p) => `  ${problemPlace(p)}${sameMessage ? '' : `: ${p.message}`}`);
    if (kind.length > REPEATED_PLACES_SHOWN) places.push(`  … and ${kind.length - REPEATED_PLACES_SHOWN} more`);
    blocks.push([`${first.severity} ${first.code} in ${kind.length} places${sameMessage ? `: ${first.message}` : ''}`, ...places, `  fix: ${first.hint}`].join('\n'));
  }
  return blocks.join('\n');
}

/** Thrown by a pipeline stage that cannot go on; carries every problem found so far. */
export class ProblemsError extends Error {
  constructor(readonly problems: Problem[]) {
    super(renderProblemsForTerminal(problems));
    this.name = 'ProblemsError';
  }
}
