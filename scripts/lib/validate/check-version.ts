// One version of a whole registry's check, read and checked on whichever thread walked it (parallel-scan.ts): its
// problems, with what the registry-wide rules need of its value (its remote URLs), not the whole value.

import type { Problem } from '../problems.ts';
import { documentProblems, readDocument, withPosition } from './document.ts';
import type { ScannedDocument } from './tree.ts';

/** A version read and checked: its problems, and of its value only what the registry-wide rules read. */
export interface CheckedVersion {
  file: string;
  pathName: string;
  pathVersion: string;
  readable: boolean;
  /** Reading problems (size, encoding, JSON), with positions. */
  problems: Problem[];
  /** Schema and rule problems (documentProblems), with positions; absent when the file is not a JSON object. */
  documentProblems?: Problem[];
  /** `remotes` (each remote's `url` only), when the file is a JSON object. */
  server?: Record<string, unknown>;
}

export function checkVersion(entry: ScannedDocument): CheckedVersion {
  if (!entry.bytes) return { file: entry.file, pathName: entry.pathName, pathVersion: entry.pathVersion, problems: [], readable: false };
  const { doc, problems } = readDocument(entry, entry.bytes);
  const found = doc.server ? documentProblems(doc) : [];
  const docs = new Map([[doc.file, doc]]);
  const remotes = doc.server && Object.hasOwn(doc.server, 'remotes') && Array.isArray(doc.server.remotes)
    ? (doc.server.remotes as unknown[]).map((remote) => (typeof remote === 'object' && remote !== null && !Array.isArray(remote) && Object.hasOwn(remote, 'url') ? { url: (remote as { url: unknown }).url } : null))
    : undefined;
  return {
    file: entry.file, pathName: entry.pathName, pathVersion: entry.pathVersion, readable: true,
    problems: problems.map((p) => withPosition(p, docs)),
    documentProblems: found.map((p) => withPosition(p, docs)),
    ...(doc.server ? { server: remotes ? { remotes } : {} } : {}),
  };
}
