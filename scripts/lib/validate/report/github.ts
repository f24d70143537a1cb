// The report inside GitHub Actions: an annotation on the exact line of each problem and a job summary with the
// checklist and a table of every problem. The PR comment is written by another workflow (see pr-comment.ts and
// scripts/lib/github/pr-bot.ts), because this one runs the PR's code and holds no write token.

import * as actionsCore from '@actions/core';
import type { AnnotationProperties } from '@actions/core';
import type { ValidationReport } from '../types.ts';
import { docsLink, githubDocsBaseUrl } from './docs-link.ts';
import { labelsFor } from './labels.ts';
import { checklist, countBySeverity, isClean, lineColumn, plural, sortProblems, sortedPublishes } from './summary.ts';
import { htmlText, markdownCode } from './text.ts';

export interface Annotation {
  level: 'error' | 'warning';
  message: string;
  properties: AnnotationProperties;
}

/** The subset of @actions/core used here, so tests can pass a recorder. */
export interface ActionsCoreLike {
  error(message: string, properties?: AnnotationProperties): void;
  warning(message: string, properties?: AnnotationProperties): void;
  summary: {
    addHeading(text: string, level?: number | string): unknown;
    addRaw(text: string, addEOL?: boolean): unknown;
    addTable(rows: Array<Array<string | { data: string; header?: boolean }>>): unknown;
    write(options?: { overwrite?: boolean }): Promise<unknown>;
  };
}

/** GitHub shows only the first annotations of a step (10 of each level, 50 per job); the summary lists them all. */
export function annotationsFor(report: ValidationReport, docsBaseUrl?: string): Annotation[] {
  return sortProblems(report.problems).map((p) => {
    const properties: AnnotationProperties = { title: `${p.code}${p.jsonPath ? ` at ${p.jsonPath}` : ''}` };
    if (p.file !== undefined) properties.file = p.file;
    if (p.file !== undefined && p.line) {
      properties.startLine = p.line;
      if (p.column) properties.startColumn = p.column;
    }
    // @actions/core escapes newlines and `%` in the message and `:`/`,` in the properties: nothing in a message
    // can start a workflow command of its own.
    const message = `${p.message}\nfix: ${p.hint}\n${docsLink(p.code, docsBaseUrl)}`;
    return { level: p.severity, message, properties };
  });
}

/** The rows of the job summary's table of problems; cells are HTML (the summary is HTML), escaped. */
export function summaryTable(report: ValidationReport, docsBaseUrl?: string): Array<Array<string | { data: string; header: true }>> {
  // @actions/core leaves a tag unclosed when its content is empty: no cell is empty.
  const header = [' ', 'File', 'Line', 'Code', 'Problem', 'Fix'].map((data) => ({ data, header: true as const }));
  const rows = sortProblems(report.problems).map((p) => [
    p.severity === 'error' ? '❌' : '⚠️',
    p.file === undefined ? '<em>registry</em>' : `<code>${htmlText(p.file)}</code>`,
    lineColumn(p) || '–',
    `<a href="${htmlText(docsLink(p.code, docsBaseUrl))}"><code>${htmlText(p.code)}</code></a>`,
    htmlText(p.message) + (p.jsonPath ? ` <sub>at <code>${htmlText(p.jsonPath)}</code></sub>` : '') || '–',
    htmlText(p.hint) || '–',
  ]);
  return [header, ...rows];
}

/** The Markdown above the table: headline, checklist, labels, what the change publishes. */
export function summaryHeader(report: ValidationReport): string {
  const { errors, warnings } = countBySeverity(report.problems);
  const lines: string[] = [];
  lines.push(isClean(report) ? `✅ No errors, ${plural(warnings, 'warning')}.` : `❌ ${plural(errors, 'error')}, ${plural(warnings, 'warning')}.`, '');
  for (const c of checklist(report)) lines.push(`- ${c.state === 'passed' ? '✅' : c.state === 'failed' ? '❌' : '⏭️'} **${c.title}**: ${c.state}`);
  lines.push('', `Labels: ${labelsFor(report).map((l) => `\`${l}\``).join(' ')}`, '');
  const publishes = sortedPublishes(report);
  lines.push(publishes.length ? `Publishes: ${publishes.map((p) => `${markdownCode(p.name)} ${markdownCode(p.version)}`).join(', ')}` : 'Publishes no server version.', '');
  return lines.join('\n');
}

/** Bytes of table the job summary may hold (GitHub's limit is 1 MiB for the whole summary). */
export const SUMMARY_TABLE_LIMIT = 900_000;

function rowSize(row: ReadonlyArray<string | { data: string }>): number {
  return row.reduce((n, cell) => n + Buffer.byteLength(typeof cell === 'string' ? cell : cell.data) + 9, 9);
}

export interface GitHubOptions {
  core?: ActionsCoreLike;
  /** Defaults to docs/errors.md at the commit being validated (from the Actions environment). */
  docsBaseUrl?: string;
  /** Write the job summary; by default when `GITHUB_STEP_SUMMARY` is set (inside Actions). */
  summary?: boolean;
}

/** Emits the annotations and writes the job summary. The caller sets the exit code (1 on errors). */
export async function reportToGitHub(report: ValidationReport, options: GitHubOptions = {}): Promise<void> {
  const core = options.core ?? (actionsCore as unknown as ActionsCoreLike);
  const docsBaseUrl = options.docsBaseUrl ?? githubDocsBaseUrl();
  for (const a of annotationsFor(report, docsBaseUrl)) core[a.level](a.message, a.properties);
  if (!(options.summary ?? Boolean(process.env.GITHUB_STEP_SUMMARY))) return;
  core.summary.addHeading('Validation of server entries', 2);
  core.summary.addRaw(summaryHeader(report), true);
  if (report.problems.length) {
    // GitHub drops a job summary over 1 MiB: as many rows as fit, then a count of the rest.
    const [header, ...rows] = summaryTable(report, docsBaseUrl);
    let size = 0;
    let shown = 0;
    while (shown < rows.length && size + rowSize(rows[shown]!) < SUMMARY_TABLE_LIMIT) size += rowSize(rows[shown++]!);
    core.summary.addTable([header!, ...rows.slice(0, shown)]);
    if (shown < rows.length) core.summary.addRaw(`\n… and ${plural(rows.length - shown, 'more problem')}: run \`npm run validate\` to see them all.\n`, true);
  }
  await core.summary.write();
}
