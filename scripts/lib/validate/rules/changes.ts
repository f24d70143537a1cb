// Rules about what a pull request changes, checked against its base: published files are immutable, and a
// publishing PR touches nothing outside entries/.

import { problem, type Problem } from '../../problems.ts';

export interface FileChange {
  /** A = added, M = modified, D = deleted (renames arrive as D + A), T = type changed. */
  kind: 'A' | 'M' | 'D' | 'T';
  /** Repository-relative path. */
  file: string;
}

/** Parses `git diff --name-status -z --no-renames` output. */
export function parseNameStatus(out: string): FileChange[] {
  const tokens = out.split('\0').filter((t) => t.length > 0);
  const changes: FileChange[] = [];
  for (let i = 0; i + 1 < tokens.length; i += 2) {
    const kind = tokens[i]!.charAt(0);
    changes.push({ kind: (kind === 'A' || kind === 'D' || kind === 'T' ? kind : 'M') as FileChange['kind'], file: tokens[i + 1]! });
  }
  return changes;
}

/** `<namespace>/<server>/<version>/server.json` inside the entries folder (which may be nested, e.g. `registry/entries`). */
const SERVER_JSON = /^[^/]+\/[^/]+\/[^/]+\/server\.json$/;

/**
 * Problems with a change set: edits to published server.json files, and changes outside the entries folder.
 * Servers mirrored from an upstream (`isMirrored(<entries>/<ns>/<server>)`) change as their upstream does: the
 * sync's pull request updates and removes their files, and review of that pull request is the check.
 */
export function checkChanges(changes: readonly FileChange[], entriesDir: string, isMirrored: (serverDir: string) => boolean = () => false): Problem[] {
  const problems: Problem[] = [];
  const prefix = `${entriesDir.replace(/\/+$/, '')}/`;
  for (const change of changes) {
    if (!change.file.startsWith(prefix)) {
      problems.push(problem({
        code: 'change-outside-entries', file: change.file,
        message: `this pull request changes ${change.file}, outside ${prefix}`,
        hint: `A publishing pull request may only add files under ${prefix}. Move other changes to a separate pull request for a maintainer to review.`,
      }));
      continue;
    }
    const match = SERVER_JSON.exec(change.file.slice(prefix.length));
    if (!match || change.kind === 'A') continue;
    if (isMirrored(change.file.split('/').slice(0, -2).join('/'))) continue;
    const verb = change.kind === 'D' ? 'deletes (or renames)' : 'modifies';
    problems.push(problem({
      code: 'change-published-file', file: change.file, jsonPath: '',
      message: `this pull request ${verb} a published server.json; published versions never change`,
      hint: 'Restore the file. To fix a mistake, publish a new version; to retract this one, set its status in the server\'s server.md (deprecated or deleted).',
    }));
  }
  return problems;
}
