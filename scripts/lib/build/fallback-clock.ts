import { statSync } from 'node:fs';
import path from 'node:path';
import { formatUnixTime } from '../history/entries-history.ts';
import type { FallbackClock } from '../registry/version-times.ts';

/**
 * The clock for files git cannot date (no checkout, uncommitted work): SOURCE_DATE_EPOCH when set, for
 * reproducible builds, else the file's modification time, which stays put between two builds of the same tree.
 */
export function fallbackClock(entriesDir: string, env: NodeJS.ProcessEnv = process.env): FallbackClock {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) {
    const fixed = formatUnixTime(Number(epoch));
    return () => fixed;
  }
  return (file) => formatUnixTime(Math.floor(statSync(path.join(entriesDir, file)).mtimeMs / 1000));
}
