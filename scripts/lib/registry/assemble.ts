// Stage 3 of the build: entries plus history become registry rows, each with its official metadata (and this
// registry's annotations under its own `_meta` key).

import type { EntriesHistory } from '../history/entries-history.ts';
import type { RegistryRecord, ServerEntry } from '../model.ts';
import { pickLatestVersion } from '../versions/latest.ts';
import { resolveVersionStates, type FallbackClock } from './version-times.ts';

/** Rows ordered by name then version, bytewise, as the official list orders them. */
export function assembleRegistry(servers: readonly ServerEntry[], history: EntriesHistory, clock: FallbackClock, metaKey?: string): RegistryRecord[] {
  const records: RegistryRecord[] = [];
  for (const server of servers) {
    const annotations = server.statusFile?.annotations;
    const meta = metaKey && annotations ? { [metaKey]: annotations } : undefined;
    const states = resolveVersionStates(server, history, clock);
    const latest = pickLatestVersion(server.versions.map((v) => {
      const state = states.get(v.version)!;
      return { version: v.version, publishedAt: state.publishedAt, deleted: state.status === 'deleted' };
    }));
    for (const version of server.versions) {
      const state = states.get(version.version)!;
      records.push({
        name: server.name,
        version: version.version,
        server: version.server,
        official: {
          status: state.status,
          statusChangedAt: state.statusChangedAt,
          ...(state.statusMessage !== undefined ? { statusMessage: state.statusMessage } : {}),
          publishedAt: state.publishedAt,
          updatedAt: state.updatedAt,
          isLatest: version.version === latest,
        },
        ...(meta ? { meta } : {}),
      });
    }
  }
  return records;
}
