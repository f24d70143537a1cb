// The official isLatest rule (official-registry.md §3.5): semver beats non-semver, semver versions compare by
// precedence (build metadata ignored), non-semver versions by publication time; deleted versions only count when
// every version is deleted.

import { compareBytewise, compareInstants, parseInstant } from '../query/compare.ts';

// Go's golang.org/x/mod/semver, which the official registry uses: numeric parts without leading zeros and of any
// size (compared by length, then digit by digit), dot-separated prerelease identifiers, build metadata ignored.
const NUMBER = '(?:0|[1-9][0-9]*)';
const PRERELEASE_ID = '(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)';
const SEMVER = new RegExp(`^(${NUMBER}\\.${NUMBER}\\.${NUMBER}(?:-${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*)?)(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`);

/**
 * "Semver" as the official registry means it: exactly MAJOR.MINOR.PATCH[-pre][+build], optionally `v`-prefixed.
 * Returns the version without its `v` and build metadata, or null. (The npm `semver` package is not used: it
 * rejects numbers above 2^53 and rounds long numeric prerelease identifiers, where Go's package does neither.)
 */
export function officialSemver(version: string): string | null {
  const bare = version.startsWith('v') ? version.slice(1) : version;
  const m = SEMVER.exec(bare);
  return m ? m[1]! : null;
}

const isNumeric = (id: string): boolean => /^[0-9]+$/.test(id);

function compareNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Precedence of two results of officialSemver, as Go's semver.Compare orders them. */
export function compareOfficialSemver(a: string, b: string): number {
  const dashA = a.indexOf('-'), dashB = b.indexOf('-');
  const coreA = (dashA < 0 ? a : a.slice(0, dashA)).split('.'), coreB = (dashB < 0 ? b : b.slice(0, dashB)).split('.');
  for (let i = 0; i < 3; i++) {
    const byPart = compareNumbers(coreA[i]!, coreB[i]!);
    if (byPart) return byPart;
  }
  if (dashA < 0 || dashB < 0) return dashA < 0 ? (dashB < 0 ? 0 : 1) : -1; // a release outranks its prereleases
  const preA = a.slice(dashA + 1).split('.'), preB = b.slice(dashB + 1).split('.');
  for (let i = 0; i < preA.length && i < preB.length; i++) {
    const x = preA[i]!, y = preB[i]!;
    if (x === y) continue;
    const xNum = isNumeric(x), yNum = isNumeric(y);
    if (xNum && yNum) return compareNumbers(x, y);
    if (xNum || yNum) return xNum ? -1 : 1; // numeric identifiers sort before alphanumeric ones
    return x < y ? -1 : 1;
  }
  return preA.length === preB.length ? 0 : preA.length < preB.length ? -1 : 1;
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
  if (a && b) return compareOfficialSemver(a, b) > 0;
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
