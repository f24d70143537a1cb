// The isLatest rule of official-registry.md §3.5, case by case: which version of a server carries the flag given
// each version's publication time and whether it is deleted. Every case is also checked in every input order, so
// the answer never depends on the order the files were read in.

import { describe, expect, it } from 'vitest';
import { compareOfficialSemver, officialSemver, pickLatestVersion, type LatestCandidate } from '../scripts/lib/versions/latest.ts';

/** Day `n` of January 2025, as an RFC 3339 publication time. */
const day = (n: number): string => `2025-01-${String(n).padStart(2, '0')}T00:00:00Z`;

/** A version published on day `n`; `deleted` marks it deleted. */
type Row = [version: string, publishedOnDay: number, deleted?: 'deleted'];

interface Case {
  name: string;
  versions: Row[];
  latest: string | undefined;
}

const cases: Case[] = [
  // build metadata
  { name: 'build metadata is ignored: the first published of equal precedence stays latest', versions: [['1.0.0+a', 1], ['1.0.0+b', 2]], latest: '1.0.0+a' },
  { name: 'build metadata, other publication order', versions: [['1.0.0+b', 1], ['1.0.0+a', 2]], latest: '1.0.0+b' },
  { name: 'build metadata does not make a release beat a higher patch', versions: [['1.0.1', 1], ['1.0.0+zzz', 2]], latest: '1.0.1' },
  // prereleases
  { name: 'a prerelease published after its release is not latest', versions: [['1.2.3', 1], ['1.2.3-1', 2]], latest: '1.2.3' },
  { name: 'a release published after its prerelease is latest', versions: [['1.2.3-1', 1], ['1.2.3', 2]], latest: '1.2.3' },
  { name: 'a prerelease of a higher major beats an older release', versions: [['1.9.9', 1], ['2.0.0-rc.1', 2]], latest: '2.0.0-rc.1' },
  { name: 'a release published after a prerelease of a higher major does not take the flag', versions: [['2.0.0-rc.1', 1], ['1.9.9', 2]], latest: '2.0.0-rc.1' },
  { name: 'numeric prerelease identifiers compare as numbers', versions: [['1.0.0-beta.11', 1], ['1.0.0-beta.2', 2]], latest: '1.0.0-beta.11' },
  { name: 'alphanumeric prerelease identifiers outrank numeric ones', versions: [['1.0.0-alpha', 1], ['1.0.0-1', 2]], latest: '1.0.0-alpha' },
  { name: 'a longer prerelease outranks its prefix', versions: [['1.0.0-alpha.1', 1], ['1.0.0-alpha', 2]], latest: '1.0.0-alpha.1' },
  {
    name: 'the semver precedence example list, published in scrambled order',
    versions: [['1.0.0-beta.11', 1], ['1.0.0-alpha', 2], ['1.0.0-rc.1', 3], ['1.0.0-alpha.beta', 4], ['1.0.0-beta', 5], ['1.0.0-alpha.1', 6], ['1.0.0-beta.2', 7]],
    latest: '1.0.0-rc.1',
  },
  // `v` prefixes
  { name: 'v1.2.3 is semver and compares as 1.2.3', versions: [['v1.2.3', 1], ['1.2.2', 2]], latest: 'v1.2.3' },
  { name: 'v1.2.3 loses to a higher unprefixed version', versions: [['1.2.4', 1], ['v1.2.3', 2]], latest: '1.2.4' },
  { name: 'v1.2 is not semver, so any semver version beats it', versions: [['v1.2', 1], ['0.0.1', 2]], latest: '0.0.1' },
  { name: 'v1.2 published after a semver version does not take the flag', versions: [['0.0.1', 1], ['v1.2', 2]], latest: '0.0.1' },
  // date-like versions
  { name: 'dashed dates are not semver: the later publication wins', versions: [['2025-06-18', 1], ['2025-01-01', 2]], latest: '2025-01-01' },
  { name: 'dotted dates with leading zeros are not semver: the later publication wins', versions: [['2025.06.18', 1], ['2025.01.01', 2]], latest: '2025.01.01' },
  { name: '2025.6.18 is semver and compares by precedence', versions: [['2025.6.18', 1], ['2025.1.1', 2]], latest: '2025.6.18' },
  { name: 'non-semver: the last of three publications wins', versions: [['b', 1], ['c', 2], ['a', 3]], latest: 'a' },
  // mixed
  { name: 'semver beats a later non-semver version', versions: [['1.0.0', 1], ['2025-06-18', 2]], latest: '1.0.0' },
  { name: 'a semver version published after non-semver ones takes the flag', versions: [['2025-06-18', 1], ['0.0.1', 2]], latest: '0.0.1' },
  { name: 'mixed history: the highest semver wins whatever was published around it', versions: [['snapshot-1', 1], ['1.0.0', 2], ['snapshot-2', 3], ['0.9.0', 4], ['snapshot-3', 5]], latest: '1.0.0' },
  // leading zeros
  { name: '01.2.3 is not semver', versions: [['01.2.3', 1], ['0.0.1', 2]], latest: '0.0.1' },
  { name: 'a numeric prerelease identifier with a leading zero is not semver', versions: [['1.2.3-01', 1], ['0.0.1', 2]], latest: '0.0.1' },
  // numbers beyond 2^53, which Go compares exactly
  { name: 'a major version beyond 2^53 is still semver', versions: [['99999999999999999999.0.0', 1], ['1.0.0', 2]], latest: '99999999999999999999.0.0' },
  { name: 'long numeric prerelease identifiers compare exactly', versions: [['1.0.0-rc.9007199254740993', 1], ['1.0.0-rc.9007199254740992', 2]], latest: '1.0.0-rc.9007199254740993' },
  { name: 'long numeric prerelease identifiers, other publication order', versions: [['1.0.0-rc.9007199254740992', 1], ['1.0.0-rc.9007199254740993', 2]], latest: '1.0.0-rc.9007199254740993' },
  // deleted versions
  { name: 'a deleted version is passed over', versions: [['1.0.0', 1], ['2.0.0', 2, 'deleted']], latest: '1.0.0' },
  { name: 'a deleted non-semver version is passed over', versions: [['2025-01-01', 1], ['2025-06-18', 2, 'deleted']], latest: '2025-01-01' },
  { name: 'a live non-semver version beats deleted semver ones', versions: [['1.0.0', 1, 'deleted'], ['nightly', 2]], latest: 'nightly' },
  { name: 'when every version is deleted, the highest deleted keeps the flag', versions: [['1.0.0', 1, 'deleted'], ['2.0.0', 2, 'deleted'], ['1.5.0', 3, 'deleted']], latest: '2.0.0' },
  { name: 'when every non-semver version is deleted, the last published keeps the flag', versions: [['b', 1, 'deleted'], ['a', 2, 'deleted']], latest: 'a' },
  // same publication time: versions count as published in bytewise order
  { name: 'same time, non-semver: the bytewise later version counts as published later', versions: [['b', 1], ['a', 1]], latest: 'b' },
  { name: 'same time, dates: "2025.06.18" sorts after "2025-06-18" bytewise', versions: [['2025.06.18', 1], ['2025-06-18', 1]], latest: '2025.06.18' },
  { name: 'same time, equal precedence: the bytewise first version counts as published first', versions: [['1.0.0+b', 1], ['1.0.0+a', 1]], latest: '1.0.0+a' },
  { name: 'same time, semver: precedence decides, not byte order', versions: [['1.10.0', 1], ['1.9.0', 1]], latest: '1.10.0' },
  { name: 'bytewise means uppercase before lowercase', versions: [['a', 1], ['B', 1]], latest: 'a' },
  // degenerate inputs
  { name: 'one version', versions: [['0.1.0', 1]], latest: '0.1.0' },
  { name: 'no versions', versions: [], latest: undefined },
];

function candidates(rows: Row[]): LatestCandidate[] {
  return rows.map(([version, n, deleted]) => ({ version, publishedAt: day(n), deleted: deleted === 'deleted' }));
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('pickLatestVersion', () => {
  it.each(cases)('$name', ({ versions, latest }) => {
    expect(pickLatestVersion(candidates(versions))).toBe(latest);
  });

  it.each(cases.filter((c) => c.versions.length >= 2 && c.versions.length <= 5))('does not depend on input order: $name', ({ versions, latest }) => {
    for (const order of permutations(candidates(versions))) expect(pickLatestVersion(order)).toBe(latest);
  });

  it('orders publication by instant, not by the text of the timestamp', () => {
    // 23:00 at -02:00 is 01:00 UTC the next day: later than 00:30 UTC, though it sorts first as text.
    const picked = pickLatestVersion([
      { version: 'x', publishedAt: '2025-01-02T00:30:00Z', deleted: false },
      { version: 'y', publishedAt: '2025-01-01T23:00:00-02:00', deleted: false },
    ]);
    expect(picked).toBe('y');
  });
});

describe('officialSemver', () => {
  const table: Array<[string, string | null]> = [
    ['1.2.3', '1.2.3'],
    ['0.0.0', '0.0.0'],
    ['v1.2.3', '1.2.3'],
    ['v1.2', null],
    ['1.2', null],
    ['1', null],
    ['1.2.3.4', null],
    ['V1.2.3', null],
    ['vv1.2.3', null],
    ['=1.2.3', null],
    [' 1.2.3', null],
    ['1.2.3 ', null],
    ['latest', null],
    ['2025-06-18', null],
    ['2025.06.18', null],
    ['2025.6.18', '2025.6.18'],
    ['01.2.3', null],
    ['1.02.3', null],
    ['1.2.03', null],
    ['1.2.3-0', '1.2.3-0'],
    ['1.2.3-01', null],
    ['1.2.3-0a', '1.2.3-0a'],
    ['1.2.3-rc.1', '1.2.3-rc.1'],
    ['1.2.3-x-y-z.--', '1.2.3-x-y-z.--'],
    ['1.2.3-', null],
    ['1.2.3-alpha..1', null],
    ['1.2.3-ü', null],
    ['1.0.0+a', '1.0.0'],
    ['1.0.0+001', '1.0.0'],
    ['1.2.3-rc.1+build.5', '1.2.3-rc.1'],
    ['v1.2.3-rc.1+build.5', '1.2.3-rc.1'],
    ['1.0.0+', null],
    ['1.0.0+a..b', null],
    ['1.0.0+a+b', null],
    ['99999999999999999999.0.0', '99999999999999999999.0.0'],
  ];
  it.each(table)('%j → %j', (version, expected) => {
    expect(officialSemver(version)).toBe(expected);
  });
});

describe('compareOfficialSemver', () => {
  it('follows the precedence list of semver 2.0.0 §11', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '1.10.0', '2.0.0', '10.0.0'];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(Math.sign(compareOfficialSemver(ordered[i]!, ordered[j]!)), `${ordered[i]} vs ${ordered[j]}`).toBe(Math.sign(i - j));
      }
    }
  });

  it('compares numbers of any length exactly', () => {
    expect(compareOfficialSemver('9007199254740993.0.0', '9007199254740992.0.0')).toBe(1);
    expect(compareOfficialSemver('1.0.0-9007199254740993', '1.0.0-9007199254740992')).toBe(1);
    expect(compareOfficialSemver('100000000000000000000.0.0', '99999999999999999999.0.0')).toBe(1);
  });
});
