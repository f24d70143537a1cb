// The official isLatest rule (official-registry.md §3.5): semver beats non-semver, semver versions compare by
// precedence (build metadata ignored), non-semver versions by publication time; deleted versions only count when
// every version is deleted.

import semver from 'semver';
import { compareBytewise, compareInstants, parseInstant } from '../query/compare.ts';

/** "Semver" as the official registry means it: exactly MAJOR.MINOR.PATCH[-pre][+build], optionally `v`-prefixed. */
export function officialSemver(version: string): string | null {
  const bare = version.startsWith('v') ? version.slice(1) : version;
  // semver.valid would also accept `=1.2.3` and surrounding spaces; Go's x/mod/semver does not.
  if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(bare)) return null;
  return semver.valid(bare);
}

export interface LatestCandidate {
  version: string;
  publishedAt: string;
  deleted: boolean;
}

function publicationOrder(a: LatestCandidate, b: LatestCandidate): number {
  const at = parseInstant(a.publishedAt), bt = parseInstant(b.publishedAt);
  const byTime = at && bt ? compareInstants(at, bt) : 0;
  return byTime || compareBytewise(a.version, b.version);
}

/** > 0 when `challenger`, published after `current`, takes the latest flag from it. */
function takesLatest(challenger: LatestCandidate, current: LatestCandidate): boolean {
  const a = officialSemver(challenger.version), b = officialSemver(current.version);
  if (a && b) return semver.compare(a, b) > 0;
  if (a || b) return a !== null;
  return true; // neither is semver: the later publication wins
}

/**
 * Replays publication in order, as the official registry decides isLatest on each publish. Versions published by
 * the same commit count as published in bytewise version order, so the result never depends on file order.
 */
export function pickLatestVersion(candidates: readonly LatestCandidate[]): string | undefined {
  const live = candidates.filter((c) => !c.deleted);
  const pool = [...(live.length ? live : candidates)].sort(publicationOrder);
  let latest = pool[0];
  for (const candidate of pool.slice(1)) if (latest && takesLatest(candidate, latest)) latest = candidate;
  return latest?.version;
}
