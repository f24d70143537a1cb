// Reads the built directory for the Node server: parsed row-index files are cached and dropped when a rebuild
// swaps in new files (their modification time is content-derived, so any change shows).

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BuiltFiles } from '../query/list-query.ts';

export function cachedBuiltFiles(dir: string): BuiltFiles {
  const cache = new Map<string, { mtimeMs: number; size: number; value: unknown }>();
  return {
    readText: (file) => readFileSync(path.join(dir, file), 'utf8'),
    readJson(file) {
      const full = path.join(dir, file);
      const stat = statSync(full);
      const hit = cache.get(full);
      if (hit && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit.value;
      const value: unknown = JSON.parse(readFileSync(full, 'utf8'));
      cache.set(full, { mtimeMs: stat.mtimeMs, size: stat.size, value });
      return value;
    },
  };
}
