// Reads server versions from a local JSON file named in registry.yaml: a list response ({"servers": [...]}) saved
// from a registry, a bare array of its items, or an array of plain server.json documents (which then carry no
// upstream timestamps and are dated by this repository's history like local entries).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { problem, ProblemsError, type Problem } from '../problems.ts';
import { parseListItem } from './api-source.ts';
import type { UpstreamVersion } from './types.ts';

export function readFileSource(root: string, file: string): { versions: UpstreamVersion[]; problems: Problem[] } {
  let text: string;
  try {
    text = readFileSync(path.join(root, file), 'utf8');
  } catch (error) {
    throw new ProblemsError([problem({ code: 'sync-source-file', file, message: `cannot read the source file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, hint: 'Check the file: path of the source in registry.yaml (relative to the repository root).' })]);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ProblemsError([problem({ code: 'sync-source-file', file, jsonPath: '', message: `not valid JSON: ${(error as Error).message}`, hint: 'Fix the JSON syntax of the source file.' })]);
  }
  const items = Array.isArray(body) ? body : (body as { servers?: unknown } | null)?.servers;
  if (!Array.isArray(items)) {
    throw new ProblemsError([problem({ code: 'sync-source-file', file, jsonPath: '', message: 'expected {"servers": [...]} or an array of server versions', hint: 'Save a list response of a registry, or write an array of server.json documents.' })]);
  }
  const versions: UpstreamVersion[] = [];
  const problems: Problem[] = [];
  const prefix = Array.isArray(body) ? '' : '/servers';
  items.forEach((item, i) => {
    const bare = item && typeof item === 'object' && !('server' in item);
    const parsed = parseListItem(bare ? { server: item } : item);
    if (typeof parsed === 'string') {
      const at = bare ? parsed.replace(/^\/server/, '') : parsed;
      problems.push(problem({ code: 'sync-item-invalid', file, jsonPath: `${prefix}/${i}${at}`, message: 'not a server version (a server.json, or {"server": …, "_meta": …})', hint: 'Fix or remove the item; it is skipped.' }));
    } else versions.push(parsed);
  });
  return { versions, problems };
}
