// The sync on a terminal: a progress line per source that redraws in place (only on a TTY; logs get one line per
// stage), and the summary table at the end.

import type { SourceSummary, SyncSummary } from './types.ts';
import type { SyncProgress } from './sync.ts';

const BAR_WIDTH = 24;

function bar(done: number, total: number): string {
  const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
}

const number = (n: number): string => n.toLocaleString('en-US');

/** Progress callbacks writing to `stream`; redraws in place when it is a TTY, else prints stage lines. */
export function terminalProgress(stream: NodeJS.WriteStream | { isTTY?: boolean; write(text: string): boolean }): SyncProgress {
  const tty = !!stream.isTTY;
  let lastLine = '';
  const draw = (line: string, final = false): void => {
    if (tty) {
      stream.write(`\r${line.padEnd(lastLine.length)}${final ? '\n' : ''}`);
      lastLine = final ? '' : line;
    } else if (final) stream.write(`${line}\n`);
  };
  return {
    recovering(source, ops) {
      draw(`${source}: finishing an interrupted sync (${number(ops)} file operations)`, true);
    },
    reading(source, read) {
      // The API gives no total ahead of the last page, so reading shows counts; applying shows a bar.
      draw(`${source}: read ${number(read.versions)} versions in ${number(read.pages)} pages, ${number(read.requests)} requests${read.resumed ? ' (resumed)' : ''}`);
    },
    applying(source, done, total) {
      if (tty) draw(`${source}: applying ${bar(done, total)} ${number(done)}/${number(total)} files`, done === total);
      else if (done === total) draw(`${source}: applied ${number(total)} file operations`, true);
    },
    retrying(source, retry) {
      // Its own line, kept on a terminal too: a wait of up to a minute must not look like a hang.
      draw(`${source}: attempt ${retry.attempt} of ${retry.attempts} failed (${retry.reason}); waiting ${(retry.waitMs / 1000).toFixed(1)} s before the next`, true);
    },
    finished() {
      if (lastLine) draw(lastLine, true); // keep the last progress line; the summary follows on stdout
    },
  };
}

export function summaryLine(s: SourceSummary): string {
  const parts = [
    `${number(s.added.length)} added`, `${number(s.updated.length)} updated`, `${number(s.statusChanged.length)} status changed`,
    `${number(s.removed.length)} removed`, `${number(s.skippedByPolicy)} skipped by policy`,
  ];
  if (s.conflicts.length > 0) parts.push(`${number(s.conflicts.length)} conflicts`);
  if (s.problems.length > 0) parts.push(`${number(s.problems.length)} problems`);
  return `${parts.join(', ')} (${s.mode}${s.updatedSince ? ` since ${s.updatedSince}` : ''}, ${number(s.fetched)} versions read, ${number(s.requests)} requests)`;
}

/** The closing report: a line per source, then each conflict and problem with what to do. */
export function renderSyncSummary(summary: SyncSummary): string {
  if (summary.sources.length === 0) return 'No sources configured in registry.yaml: nothing to sync (see docs/sub-registry.md).\n';
  const lines: string[] = [];
  for (const s of summary.sources) {
    lines.push(`${s.id} (${s.from})`);
    lines.push(`  ${summaryLine(s)}`);
    for (const c of s.conflicts) lines.push(`  conflict ${c.name}: ${c.reason}`);
    for (const p of s.problems) lines.push(`  ${p.severity} ${p.code}: ${p.jsonPath ?? p.file ?? ''}: ${p.message}`);
  }
  return `${lines.join('\n')}\n`;
}
