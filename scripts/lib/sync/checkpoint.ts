// What survives an interrupted sync, under the state folder (`.sync/`, not committed):
// - `<source>.checkpoint.json` + `<source>.rows.jsonl`: the pages read so far and the cursor to go on from, so a
//   killed read resumes where it stopped;
// - `apply.json`: the file operations of a change set, written before the first of them is carried out, so a
//   killed apply is finished by the next run and entries/ never stays half-changed.

import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FileOp } from './plan.ts';
import type { UpstreamVersion } from './types.ts';

export interface ReadCheckpoint {
  from: string;
  mode: 'full' | 'incremental';
  updatedSince?: string;
  /** Cursors followed so far, in order: the last is where a resumed read goes on (the loop guard carries on too). */
  seenCursors: string[];
  pages: number;
  /** Every page is stored: what is left is planning and applying. */
  complete?: boolean;
}

export interface ApplyJournal {
  source: string;
  ops: FileOp[];
}

/** Writes through a temporary file and a rename: a reader (or a kill) never sees half a file. */
export function writeFileAtomically(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, file);
}

export class SyncState {
  constructor(readonly dir: string) {}

  private checkpointFile(source: string): string {
    return path.join(this.dir, `${source}.checkpoint.json`);
  }

  private rowsFile(source: string): string {
    return path.join(this.dir, `${source}.rows.jsonl`);
  }

  private get journalFile(): string {
    return path.join(this.dir, 'apply.json');
  }

  /** The checkpoint of an interrupted read of `source`, when it was reading the same thing. */
  resumable(source: string, wanted: Pick<ReadCheckpoint, 'from' | 'mode' | 'updatedSince'>): { checkpoint: ReadCheckpoint; versions: UpstreamVersion[] } | undefined {
    const file = this.checkpointFile(source);
    if (!existsSync(file)) return undefined;
    let checkpoint: ReadCheckpoint;
    try {
      checkpoint = JSON.parse(readFileSync(file, 'utf8')) as ReadCheckpoint;
    } catch {
      return undefined;
    }
    if (checkpoint.from !== wanted.from || checkpoint.mode !== wanted.mode || checkpoint.updatedSince !== wanted.updatedSince) return undefined;
    return { checkpoint, versions: this.readRows(source) };
  }

  /** Rows stored so far; a last line cut short by a kill is dropped (its page is read again). */
  private readRows(source: string): UpstreamVersion[] {
    const file = this.rowsFile(source);
    if (!existsSync(file)) return [];
    const rows: UpstreamVersion[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        rows.push(JSON.parse(line) as UpstreamVersion);
      } catch {
        break;
      }
    }
    return rows;
  }

  /** Starts a fresh read: no rows, no cursor. */
  begin(source: string, checkpoint: ReadCheckpoint): void {
    mkdirSync(this.dir, { recursive: true });
    rmSync(this.rowsFile(source), { force: true });
    writeFileAtomically(this.checkpointFile(source), JSON.stringify(checkpoint));
  }

  /** Stores a page's rows, then the cursor after it (in that order: a kill in between reads the page again). */
  savePage(source: string, versions: readonly UpstreamVersion[], checkpoint: ReadCheckpoint): void {
    if (versions.length > 0) appendFileSync(this.rowsFile(source), versions.map((v) => `${JSON.stringify(v)}\n`).join(''));
    writeFileAtomically(this.checkpointFile(source), JSON.stringify(checkpoint));
  }

  clearRead(source: string): void {
    rmSync(this.checkpointFile(source), { force: true });
    rmSync(this.rowsFile(source), { force: true });
  }

  pendingJournal(): ApplyJournal | undefined {
    if (!existsSync(this.journalFile)) return undefined;
    try {
      return JSON.parse(readFileSync(this.journalFile, 'utf8')) as ApplyJournal;
    } catch {
      // Written atomically, so an unreadable journal was never complete and none of its operations ran.
      rmSync(this.journalFile, { force: true });
      return undefined;
    }
  }

  writeJournal(journal: ApplyJournal): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomically(this.journalFile, JSON.stringify(journal));
  }

  clearJournal(): void {
    rmSync(this.journalFile, { force: true });
  }
}

/**
 * Carries out file operations under the entries folder. Each is idempotent (an atomic write, a forced removal), so
 * a journal interrupted halfway is simply carried out again from the start.
 */
export function applyOps(entriesDir: string, ops: readonly FileOp[], onOp?: (done: number) => void): void {
  ops.forEach((op, i) => {
    if ('write' in op) writeFileAtomically(path.join(entriesDir, op.write), op.content);
    else {
      const file = path.join(entriesDir, op.remove);
      rmSync(file, { force: true });
      removeEmptyParents(path.dirname(file), entriesDir);
    }
    onOp?.(i + 1);
  });
}

function removeEmptyParents(dir: string, stop: string): void {
  const root = path.resolve(stop);
  for (let current = path.resolve(dir); current.startsWith(`${root}${path.sep}`); current = path.dirname(current)) {
    try {
      rmdirSync(current);
    } catch {
      return; // not empty (or gone already)
    }
  }
}
