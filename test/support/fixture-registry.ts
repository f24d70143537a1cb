// A small registry in a temporary git repository, written over several dated commits, with the answer the
// official registry would give for every version worked out by hand (not by the project's code).
//
// Commits (committer and author dates fixed, so every timestamp is known):
//   T1 2025-03-01T10:00:00Z  initial import
//   T2 2025-03-02T11:30:00Z  more versions, build metadata, names that sort differently by case
//   T3 2025-03-03T09:15:00Z  a prerelease after its release, v-prefixed, a second build of the same version
//   T4 2025-03-04T14:00:00Z  the highest weather version, non-semver after semver
//   T5 2025-03-05T08:00:00Z  io.github.old/legacy deprecated as a whole; weather 1.0.0 deprecated
//   T6 2025-03-06T12:00:00Z  legacy: new message, same status; weather 1.10.0 (its latest) deleted
//   T7 2025-03-07T16:45:00Z  io.github.gone/vanished: every version deleted; weather 1.0.0: new message only
//
// The rules applied (official-registry.md §1.8, §3.5, §5): publishedAt = commit adding the server.json;
// statusChangedAt = publishedAt until the status value changes; updatedAt = the last publish or status/message
// change, not an isLatest flip; isLatest = highest non-deleted version (semver beats non-semver, build metadata
// ignored so a later equal-precedence build does not take the flag, non-semver versions by publication time),
// or the highest deleted one when all are deleted.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRegistry, type BuildResult } from '../../scripts/lib/build/build-registry.ts';
import { git } from './git-fixture.ts';

export type Status = 'active' | 'deprecated' | 'deleted';

export interface ExpectedRow {
  name: string;
  version: string;
  description: string;
  status: Status;
  statusMessage?: string;
  publishedAt: string;
  updatedAt: string;
  statusChangedAt: string;
  isLatest: boolean;
}

export const T1 = '2025-03-01T10:00:00Z';
export const T2 = '2025-03-02T11:30:00Z';
export const T3 = '2025-03-03T09:15:00Z';
export const T4 = '2025-03-04T14:00:00Z';
export const T5 = '2025-03-05T08:00:00Z';
export const T6 = '2025-03-06T12:00:00Z';
export const T7 = '2025-03-07T16:45:00Z';

const SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

/** Descriptions are chosen for the search tests: only weather and calendar say "forecast"; none has `_` or `%`. */
export const DESCRIPTIONS: Record<string, string> = {
  'com.example/weather': 'Weather forecasts for test suites.',
  'io.github.Zed/editor-mcp': 'Editor integration, upper-case namespace.',
  'io.github.acme-tools/kit': 'Kit from the hyphenated namespace.',
  'io.github.acme.sub/kit': 'Kit from the dotted namespace.',
  'io.github.acme/many': 'A server with many versions.',
  'io.github.alpha/Zeta-server': 'Upper-case server name.',
  'io.github.alpha/beta-server': 'Versions with build metadata.',
  'io.github.alpha/snake_case-mcp': 'Prerelease as latest.',
  'io.github.dates/calendar': 'Holiday FORECASTS and date-named versions.',
  'io.github.dates/mixed': 'Semver and a date version.',
  'io.github.gone/vanished': 'Every version deleted.',
  'io.github.old/legacy': 'Deprecated as a whole.',
  'io.github.zed/editor-mcp': 'Editor integration, lower-case namespace.',
};

type FileChange = { path: string; content: string };

interface Commit {
  date: string;
  message: string;
  /** `name@version` of each server.json this commit adds. */
  publish?: string[];
  /** Status files (path relative to the entries folder) written by this commit. */
  files?: FileChange[];
}

const COMMITS: Commit[] = [
  {
    date: T1, message: 'Initial import',
    publish: [
      'com.example/weather@1.0.0',
      'io.github.acme/many@0.1.0', 'io.github.acme/many@0.2.0', 'io.github.acme/many@0.3.0',
      'io.github.Zed/editor-mcp@v1.0.0',
      'io.github.alpha/beta-server@0.9.0',
      'io.github.dates/calendar@2025-06-18',
      'io.github.old/legacy@1.0.0',
      'io.github.gone/vanished@0.1.0',
    ],
  },
  {
    date: T2, message: 'Publish a second wave',
    publish: [
      'com.example/weather@1.1.0', 'com.example/weather@1.2.0',
      'io.github.acme/many@0.4.0', 'io.github.acme/many@0.5.0', 'io.github.acme/many@0.6.0', 'io.github.acme/many@0.7.0',
      'io.github.alpha/beta-server@1.0.0+build.1',
      'io.github.alpha/Zeta-server@1.0.0',
      'io.github.acme-tools/kit@1.0.0',
      'io.github.acme.sub/kit@1.0.0',
      'io.github.zed/editor-mcp@2.0.0', 'io.github.zed/editor-mcp@2.1.0',
    ],
  },
  {
    date: T3, message: 'Prerelease after release, v-prefixed, second build',
    publish: [
      'com.example/weather@1.2.0-rc.1',
      'io.github.Zed/editor-mcp@v1.1.0', 'io.github.Zed/editor-mcp@1.0.5',
      'io.github.dates/calendar@2025.01.15',
      'io.github.old/legacy@1.1.0',
      'io.github.gone/vanished@0.2.0',
      'io.github.alpha/beta-server@1.0.0+build.2',
    ],
  },
  {
    date: T4, message: 'Highest weather version, non-semver after semver',
    publish: [
      'com.example/weather@1.10.0',
      'io.github.acme/many@0.8.0', 'io.github.acme/many@0.9.0', 'io.github.acme/many@0.10.0', 'io.github.acme/many@0.11.0', 'io.github.acme/many@0.12.0',
      'io.github.dates/mixed@1.0.0',
      'io.github.alpha/snake_case-mcp@0.0.1', 'io.github.alpha/snake_case-mcp@0.0.2-alpha',
      'io.github.zed/editor-mcp@20250301',
    ],
  },
  {
    date: T5, message: 'Deprecate legacy as a whole and weather 1.0.0',
    publish: ['io.github.dates/mixed@2025-07-01'],
    files: [
      { path: 'io.github.old/legacy/server.md', content: statusFile({ status: 'deprecated', statusMessage: 'Use io.github.alpha/Zeta-server instead.' }, '# Legacy\n\nNo longer maintained.\n') },
      { path: 'com.example/weather/server.md', content: statusFile({ versions: { '1.0.0': { status: 'deprecated', statusMessage: 'Upgrade to 1.2.0 or later.' } } }, '# Weather\n') },
    ],
  },
  {
    date: T6, message: 'New deprecation message for legacy; delete weather 1.10.0',
    files: [
      { path: 'io.github.old/legacy/server.md', content: statusFile({ status: 'deprecated', statusMessage: 'Superseded by io.github.alpha/Zeta-server.' }, '# Legacy\n\nNo longer maintained.\n') },
      {
        path: 'com.example/weather/server.md',
        content: statusFile({
          versions: {
            '1.0.0': { status: 'deprecated', statusMessage: 'Upgrade to 1.2.0 or later.' },
            '1.10.0': { status: 'deleted', statusMessage: 'Withdrawn: broken build.' },
          },
        }, '# Weather\n'),
      },
    ],
  },
  {
    date: T7, message: 'Delete vanished; new message for weather 1.0.0; calendar release',
    publish: ['io.github.dates/calendar@2025.02.01'],
    files: [
      { path: 'io.github.gone/vanished/server.md', content: statusFile({ status: 'deleted', statusMessage: "Removed at the publisher's request." }, '') },
      {
        path: 'com.example/weather/server.md',
        content: statusFile({
          versions: {
            '1.0.0': { status: 'deprecated', statusMessage: 'Upgrade to 1.2.0.' },
            '1.10.0': { status: 'deleted', statusMessage: 'Withdrawn: broken build.' },
          },
        }, '# Weather\n'),
      },
    ],
  },
];

function statusFile(front: Record<string, unknown>, body: string): string {
  // JSON is valid YAML, which keeps quoting of messages and version keys unambiguous.
  const lines = Object.entries(front).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  return `---\n${lines.join('\n')}\n---\n${body}`;
}

type Row = Omit<ExpectedRow, 'description'>;
const active = (name: string, version: string, at: string, isLatest = false): Row =>
  ({ name, version, status: 'active', publishedAt: at, updatedAt: at, statusChangedAt: at, isLatest });

/** Worked out by hand from COMMITS; see the rules at the top of the file. */
const EXPECTED: Row[] = [
  // 1.10.0 was latest until deleted at T6; the flag moves to 1.2.0 (the prerelease 1.2.0-rc.1 ranks below 1.2.0),
  // whose updatedAt stays T2. 1.0.0: status changed at T5, message only at T7.
  { name: 'com.example/weather', version: '1.0.0', status: 'deprecated', statusMessage: 'Upgrade to 1.2.0.', publishedAt: T1, updatedAt: T7, statusChangedAt: T5, isLatest: false },
  active('com.example/weather', '1.1.0', T2),
  active('com.example/weather', '1.2.0', T2, true),
  active('com.example/weather', '1.2.0-rc.1', T3),
  { name: 'com.example/weather', version: '1.10.0', status: 'deleted', statusMessage: 'Withdrawn: broken build.', publishedAt: T4, updatedAt: T6, statusChangedAt: T6, isLatest: false },
  // v1.1.0 is semver (v-prefix allowed) and beats 1.0.5 published with it.
  active('io.github.Zed/editor-mcp', 'v1.0.0', T1),
  active('io.github.Zed/editor-mcp', 'v1.1.0', T3, true),
  active('io.github.Zed/editor-mcp', '1.0.5', T3),
  active('io.github.acme-tools/kit', '1.0.0', T2, true),
  active('io.github.acme.sub/kit', '1.0.0', T2, true),
  active('io.github.acme/many', '0.1.0', T1),
  active('io.github.acme/many', '0.2.0', T1),
  active('io.github.acme/many', '0.3.0', T1),
  active('io.github.acme/many', '0.4.0', T2),
  active('io.github.acme/many', '0.5.0', T2),
  active('io.github.acme/many', '0.6.0', T2),
  active('io.github.acme/many', '0.7.0', T2),
  active('io.github.acme/many', '0.8.0', T4),
  active('io.github.acme/many', '0.9.0', T4),
  active('io.github.acme/many', '0.10.0', T4),
  active('io.github.acme/many', '0.11.0', T4),
  active('io.github.acme/many', '0.12.0', T4, true),
  active('io.github.alpha/Zeta-server', '1.0.0', T2, true),
  // 1.0.0+build.2 has the same precedence as 1.0.0+build.1, so it does not take the flag.
  active('io.github.alpha/beta-server', '0.9.0', T1),
  active('io.github.alpha/beta-server', '1.0.0+build.1', T2, true),
  active('io.github.alpha/beta-server', '1.0.0+build.2', T3),
  active('io.github.alpha/snake_case-mcp', '0.0.1', T4),
  active('io.github.alpha/snake_case-mcp', '0.0.2-alpha', T4, true),
  // None is semver (leading zeros, dashes): the latest publication wins.
  active('io.github.dates/calendar', '2025-06-18', T1),
  active('io.github.dates/calendar', '2025.01.15', T3),
  active('io.github.dates/calendar', '2025.02.01', T7, true),
  // Semver beats non-semver, even one published later.
  active('io.github.dates/mixed', '1.0.0', T4, true),
  active('io.github.dates/mixed', '2025-07-01', T5),
  // Every version deleted: the highest deleted keeps the flag.
  { name: 'io.github.gone/vanished', version: '0.1.0', status: 'deleted', statusMessage: "Removed at the publisher's request.", publishedAt: T1, updatedAt: T7, statusChangedAt: T7, isLatest: false },
  { name: 'io.github.gone/vanished', version: '0.2.0', status: 'deleted', statusMessage: "Removed at the publisher's request.", publishedAt: T3, updatedAt: T7, statusChangedAt: T7, isLatest: true },
  // Status changed at T5; the message alone changed at T6.
  { name: 'io.github.old/legacy', version: '1.0.0', status: 'deprecated', statusMessage: 'Superseded by io.github.alpha/Zeta-server.', publishedAt: T1, updatedAt: T6, statusChangedAt: T5, isLatest: false },
  { name: 'io.github.old/legacy', version: '1.1.0', status: 'deprecated', statusMessage: 'Superseded by io.github.alpha/Zeta-server.', publishedAt: T3, updatedAt: T6, statusChangedAt: T5, isLatest: true },
  // 20250301 is not semver and never beats 2.1.0.
  active('io.github.zed/editor-mcp', '2.0.0', T2),
  active('io.github.zed/editor-mcp', '2.1.0', T2, true),
  active('io.github.zed/editor-mcp', '20250301', T4),
];

/** PostgreSQL C-collation order: UTF-8 bytes. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function compareRows(a: { name: string; version: string }, b: { name: string; version: string }): number {
  return compareBytes(a.name, b.name) || compareBytes(a.version, b.version);
}

export function serverJson(name: string, version: string): Record<string, unknown> {
  return {
    $schema: SCHEMA,
    name,
    description: DESCRIPTIONS[name]!,
    version,
    packages: [{ registryType: 'npm', identifier: `@fixture/${name.split('/')[1]}`, version, transport: { type: 'stdio' } }],
  };
}

export interface FixtureRegistry {
  root: string;
  entriesDir: string;
  /** Every version, sorted by (name, version) bytewise. */
  expected: ExpectedRow[];
  /** The server.json each version was published with. */
  published: Map<string, Record<string, unknown>>;
  remove(): void;
}

export const rowKey = (name: string, version: string): string => `${name}@${version}`;

/** A temporary git repository holding `entries/`, committed one commit per step with the given dates. */
export function createGitEntries(steps: Array<{ date: string; message: string; files: FileChange[] }>): { root: string; entriesDir: string; remove(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-registry-fixture-'));
  const entriesDir = path.join(root, 'entries');
  mkdirSync(entriesDir);
  git(root, ['init', '-q', '-b', 'main']);
  for (const step of steps) {
    for (const file of step.files) {
      const full = path.join(entriesDir, file.path);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, file.content);
    }
    git(root, ['add', '-A']);
    git(root, ['commit', '-q', '--no-verify', '-m', step.message], step.date);
  }
  return { root, entriesDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export function createFixtureRegistry(): FixtureRegistry {
  const published = new Map<string, Record<string, unknown>>();
  const steps = COMMITS.map((commit) => ({
    date: commit.date,
    message: commit.message,
    files: [
      ...(commit.publish ?? []).map((id) => {
        const at = id.indexOf('@');
        const name = id.slice(0, at), version = id.slice(at + 1);
        const server = serverJson(name, version);
        published.set(rowKey(name, version), server);
        return { path: `${name}/${version}/server.json`, content: JSON.stringify(server, null, 2) + '\n' };
      }),
      ...(commit.files ?? []),
    ],
  }));
  const repo = createGitEntries(steps);
  const expected = EXPECTED.map((row) => ({ ...row, description: DESCRIPTIONS[row.name]! })).sort(compareRows);
  // The hand-written table must cover exactly what was committed.
  const committed = [...published.keys()].sort();
  const listed = expected.map((r) => rowKey(r.name, r.version)).sort();
  if (JSON.stringify(committed) !== JSON.stringify(listed)) {
    repo.remove();
    throw new Error(`fixture table out of step with its commits:\n${committed.join(' ')}\n${listed.join(' ')}`);
  }
  return { ...repo, expected, published };
}

export interface BuiltFixture {
  fixture: FixtureRegistry;
  outDir: string;
  result: BuildResult;
  remove(): void;
}

/** Builds a registry (the fixture by default) into a fresh temporary folder. */
export async function buildFixture(fixture: FixtureRegistry = createFixtureRegistry()): Promise<BuiltFixture> {
  const outParent = mkdtempSync(path.join(os.tmpdir(), 'mcp-registry-out-'));
  const outDir = path.join(outParent, 'dist');
  try {
    const result = await buildRegistry({ entriesDir: fixture.entriesDir, outDir, env: {} });
    return { fixture, outDir, result, remove: () => { rmSync(outParent, { recursive: true, force: true }); fixture.remove(); } };
  } catch (error) {
    rmSync(outParent, { recursive: true, force: true });
    fixture.remove();
    throw error;
  }
}
