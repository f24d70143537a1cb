/** Line and column (1-based) of a character offset, for pointing a publisher at the exact spot. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1, lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
  return { line, column: offset - lineStart + 1 };
}

/** V8 reports JSON syntax errors with "position N" (and, on newer versions, line and column). */
export function jsonErrorOffset(message: string): number | undefined {
  const m = /position (\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
}
