// The pure parts of the sync: registry.yaml parsing, the policy, and the change-set planner, on plain data.

import { describe, expect, it } from 'vitest';
import type { ServerEntry, ServerJson, Status } from '../scripts/lib/model.ts';
import { parseRegistryConfig } from '../scripts/lib/sync/config.ts';
import { compilePolicy, policySubject } from '../scripts/lib/sync/policy.ts';
import { planSourceSync, type PlanInput } from '../scripts/lib/sync/plan.ts';
import { laterInstant, parseInstant } from '../scripts/lib/query/compare.ts';
import type { Policy, UpstreamState, UpstreamVersion } from '../scripts/lib/sync/types.ts';

const T1 = '2025-09-16T16:43:44.243434Z';
const T2 = '2025-09-17T08:00:00.5Z';
const T3 = '2025-09-18T08:00:00Z';

function server(name: string, version: string, extra: Partial<ServerJson> = {}): ServerJson {
  return { name, version, description: `${name} ${version}`, packages: [{ registryType: 'npm', identifier: name, version, transport: { type: 'stdio' } }], ...extra };
}

function state(status: Status = 'active', at = T1, extra: Partial<UpstreamState> = {}): UpstreamState {
  return { status, statusChangedAt: at, publishedAt: T1, updatedAt: at, ...extra };
}

const up = (s: ServerJson, st?: UpstreamState): UpstreamVersion => (st ? { server: s, state: st } : { server: s });

function mirrored(name: string, versions: Array<[string, UpstreamState, Partial<ServerJson>?]>, source = 'official'): ServerEntry {
  return {
    name,
    versions: versions.map(([version, , extra]) => ({ file: `${name}/${version}/server.json`, version, server: server(name, version, extra) })),
    provenance: { file: `${name}/upstream.json`, source, from: 'https://up.example', versions: Object.fromEntries(versions.map(([v, st]) => [v, st])) },
  };
}

function plan(partial: Partial<PlanInput> & Pick<PlanInput, 'versions'>) {
  return planSourceSync({
    source: { id: 'official', from: 'https://up.example' }, mode: 'incremental', servers: [], policy: { allow: [], deny: [] }, entriesPrefix: 'entries', ...partial,
  });
}

describe('registry.yaml', () => {
  it('reads sources, policy and metaKey', async () => {
    const { config, problems } = await parseRegistryConfig('/repo/registry.yaml', [
      'metaKey: com.acme.registry/annotations',
      'sources:',
      '  - id: official',
      '    url: https://registry.modelcontextprotocol.io/',
      '  - id: partners',
      '    file: upstream/partners.json',
      'policy:',
      '  allow:',
      '    - namespace: ["io.github.*", com.acme]',
      '  deny:',
      '    - { registryType: oci, kind: local }',
      '    - status: deleted',
    ].join('\n'));
    expect(problems).toEqual([]);
    expect(config.metaKey).toBe('com.acme.registry/annotations');
    expect(config.sources).toEqual([{ id: 'official', url: 'https://registry.modelcontextprotocol.io' }, { id: 'partners', file: 'upstream/partners.json' }]);
    expect(config.policy).toEqual({ allow: [{ namespace: ['io.github.*', 'com.acme'] }], deny: [{ registryType: ['oci'], kind: ['local'] }, { status: ['deleted'] }] });
  });

  it('names the file, the path and the fix for every mistake', async () => {
    const { problems } = await parseRegistryConfig('/repo/registry.yaml', [
      'metaKey: io.modelcontextprotocol.registry/mine',
      'source: []',
      'sources:',
      '  - id: Official',
      '    url: https://x.example',
      '  - id: two',
      '    url: ftp://x.example',
      '  - id: three',
      '    url: https://x.example',
      '    file: a.json',
      '  - id: four',
      '    file: ../outside.json',
      'policy:',
      '  deny:',
      '    - kind: hosted',
      '    - colour: red',
    ].join('\n'));
    expect(problems.map((p) => [p.file, p.jsonPath])).toEqual([
      ['registry.yaml', '/source'],
      ['registry.yaml', '/metaKey'],
      ['registry.yaml', '/sources/0/id'],
      ['registry.yaml', '/sources/1/url'],
      ['registry.yaml', '/sources/2'],
      ['registry.yaml', '/sources/3/file'],
      ['registry.yaml', '/policy/deny/0/kind'],
      ['registry.yaml', '/policy/deny/1/colour'],
    ]);
    expect(problems.every((p) => p.code === 'config-invalid' && p.hint.length > 20)).toBe(true);
    expect(problems[1]!.hint).toMatch(/never under io\.modelcontextprotocol\.registry/);
    const yaml = await parseRegistryConfig('/repo/registry.yaml', 'sources:\n  - id: a\n   url: x\n');
    expect(yaml.problems[0]).toMatchObject({ code: 'config-yaml', file: 'registry.yaml', line: 3 });
  });
});

describe('registry.yaml, what users get wrong', () => {
  it('takes an API URL with /v0.1 as its base, refuses credentials in URLs and checks tokenEnv', async () => {
    const { config, problems } = await parseRegistryConfig('/r/registry.yaml', 'sources:\n  - id: a\n    url: https://reg.example/v0.1/\n    tokenEnv: UPSTREAM_TOKEN\n');
    expect(problems).toEqual([]);
    expect(config.sources).toEqual([{ id: 'a', url: 'https://reg.example', tokenEnv: 'UPSTREAM_TOKEN' }]);
    const bad = await parseRegistryConfig('/r/registry.yaml', 'sources:\n  - id: a\n    url: https://me:secret@reg.example\n  - id: b\n    url: https://reg.example\n    tokenEnv: "ghp_abc-123"\n');
    expect(bad.problems.map((p) => p.jsonPath)).toEqual(['/sources/0/url', '/sources/1/tokenEnv']);
    expect(bad.problems[0]!.hint).toMatch(/tokenEnv/);
    expect(JSON.stringify(bad.problems)).not.toContain('secret');
  });

  it('reports an unquoted * pattern and unknown registry types or transports instead of failing', async () => {
    const alias = await parseRegistryConfig('/r/registry.yaml', 'policy:\n  allow:\n    - namespace: *.acme\n');
    expect(alias.problems.map((p) => p.code)).toEqual(['config-yaml']);
    expect(alias.problems[0]!.hint).toMatch(/Quote patterns/);
    const values = await parseRegistryConfig('/r/registry.yaml', 'policy:\n  deny:\n    - registryType: docker\n    - transport: http\n');
    expect(values.problems.map((p) => [p.jsonPath, p.message])).toEqual([
      ['/policy/deny/0/registryType', expect.stringContaining('"docker" is not one of npm, pypi')],
      ['/policy/deny/1/transport', expect.stringContaining('"http" is not one of stdio, streamable-http, sse')],
    ]);
  });
});

describe('policy', () => {
  const decide = (policy: Policy, s: ServerJson, status: Status = 'active') => compilePolicy(policy)(policySubject(s, status));
  const remote = server('com.acme/hosted', '1.0.0', { packages: undefined, remotes: [{ type: 'streamable-http', url: 'https://a.example/mcp' }] });
  const oci = server('io.github.bob/img', '1.0.0', { packages: [{ registryType: 'oci', identifier: 'ghcr.io/bob/img', transport: { type: 'stdio' } }] });

  it('admits everything without rules, and only allowed versions with allow rules', () => {
    expect(decide({ allow: [], deny: [] }, oci).admitted).toBe(true);
    const allow: Policy = { allow: [{ namespace: ['io.github.*'] }, { name: ['com.acme/*'], kind: ['remote'] }], deny: [] };
    expect(decide(allow, oci).admitted).toBe(true);
    expect(decide(allow, remote).admitted).toBe(true);
    expect(decide(allow, server('com.acme/local', '1.0.0'))).toEqual({ admitted: false, reason: 'no policy.allow rule' });
    expect(decide(allow, server('io.githubber/x', '1.0.0')).admitted).toBe(false);
  });

  it('lets a deny win over an allow, matching every field of the rule', () => {
    const policy: Policy = { allow: [{ namespace: ['io.github.*'] }], deny: [{ registryType: ['oci'], transport: ['stdio'] }, { status: ['deprecated', 'deleted'] }] };
    expect(decide(policy, oci)).toEqual({ admitted: false, reason: 'policy.deny[0]' });
    expect(decide(policy, server('io.github.bob/npm', '1.0.0')).admitted).toBe(true);
    expect(decide(policy, server('io.github.bob/npm', '1.0.0'), 'deprecated')).toEqual({ admitted: false, reason: 'policy.deny[1]' });
    expect(decide({ allow: [], deny: [{ transport: ['streamable-http'] }] }, remote).admitted).toBe(false);
  });
});

describe('planSourceSync', () => {
  it('adds new servers with their upstream state, and skips what the policy keeps out', () => {
    const result = plan({
      versions: [up(server('io.github.a/one', '1.0.0'), state()), up(server('io.github.a/one', '1.1.0'), state('active', T2)), up(server('com.b/img', '2.0.0', { packages: [{ registryType: 'oci', identifier: 'x', transport: { type: 'stdio' } }] }), state())],
      policy: { allow: [], deny: [{ registryType: ['oci'] }] },
    });
    expect(result.summary.added).toEqual([{ name: 'io.github.a/one', version: '1.0.0' }, { name: 'io.github.a/one', version: '1.1.0' }]);
    expect(result.summary.skippedByPolicy).toBe(1);
    expect(result.ops.map((op) => ('write' in op ? `write ${op.write}` : `remove ${op.remove}`))).toEqual([
      'write io.github.a/one/1.0.0/server.json', 'write io.github.a/one/1.1.0/server.json', 'write io.github.a/one/upstream.json',
    ]);
    const provenance = JSON.parse((result.ops[2] as { content: string }).content);
    expect(provenance).toEqual({ source: 'official', from: 'https://up.example', versions: { '1.0.0': state(), '1.1.0': state('active', T2) } });
    expect(result.summary.files).toEqual(['entries/io.github.a/one/1.0.0/server.json', 'entries/io.github.a/one/1.1.0/server.json', 'entries/io.github.a/one/upstream.json']);
  });

  it('keeps local entries and names from earlier sources, and reports the conflict once per name', () => {
    const local: ServerEntry = { name: 'io.github.a/mine', versions: [{ file: 'x', version: '1.0.0', server: server('io.github.a/mine', '1.0.0') }] };
    const other = mirrored('io.github.a/theirs', [['1.0.0', state()]], 'partners');
    const result = plan({
      servers: [local, other],
      versions: [up(server('io.github.a/mine', '1.0.0'), state()), up(server('io.github.a/mine', '2.0.0'), state()), up(server('io.github.a/theirs', '1.0.0'), state()), up(server('IO.github.a/Mine', '1.0.0'), state())],
    });
    expect(result.ops).toEqual([]);
    expect(result.summary.conflicts).toEqual([
      { name: 'io.github.a/mine', reason: 'a local entry of the same name (local entries win)' },
      { name: 'io.github.a/theirs', reason: 'mirrored from source "partners", which comes first' },
      { name: 'IO.github.a/Mine', reason: 'differs only in letter case from io.github.a/mine, already in entries/' },
    ]);
  });

  it('applies status changes and deletions, even where the policy keeps deleted versions out', () => {
    const existing = mirrored('io.github.a/one', [['1.0.0', state()], ['1.1.0', state()]]);
    const result = plan({
      servers: [existing],
      policy: { allow: [], deny: [{ status: ['deleted'] }] },
      versions: [up(server('io.github.a/one', '1.0.0'), state('deleted', T3, { statusMessage: 'gone' })), up(server('io.github.a/one', '1.1.0'), state('deprecated', T2))],
    });
    expect(result.summary.statusChanged).toEqual([
      { name: 'io.github.a/one', version: '1.0.0', from: 'active', to: 'deleted' },
      { name: 'io.github.a/one', version: '1.1.0', from: 'active', to: 'deprecated' },
    ]);
    expect(result.ops).toHaveLength(1);
    const provenance = JSON.parse((result.ops[0] as { content: string }).content);
    expect(provenance.versions['1.0.0']).toEqual(state('deleted', T3, { statusMessage: 'gone' }));
  });

  it('updates a changed document, leaves an unchanged one alone, and removes what the policy no longer admits', () => {
    const existing = mirrored('io.github.a/one', [['1.0.0', state()], ['2.0.0', state(), { packages: [{ registryType: 'oci', identifier: 'x', transport: { type: 'stdio' } }] }]]);
    const untouched = mirrored('io.github.a/same', [['1.0.0', state()]]);
    const result = plan({
      servers: [existing, untouched],
      policy: { allow: [], deny: [{ registryType: ['oci'] }] },
      versions: [up(server('io.github.a/one', '1.0.0', { description: 'edited upstream' }), state('active', T2)), up(server('io.github.a/same', '1.0.0'), state())],
    });
    expect(result.summary.updated).toEqual([{ name: 'io.github.a/one', version: '1.0.0' }]);
    expect(result.summary.removed).toEqual([{ name: 'io.github.a/one', version: '2.0.0' }]);
    expect(result.ops.map((op) => ('write' in op ? `write ${op.write}` : `remove ${op.remove}`))).toEqual([
      'write io.github.a/one/1.0.0/server.json', 'remove io.github.a/one/2.0.0/server.json', 'write io.github.a/one/upstream.json',
    ]);
  });

  it('removes in a full read what the source no longer has, and the provenance with the last version', () => {
    const existing = mirrored('io.github.a/one', [['1.0.0', state()]]);
    const kept = mirrored('io.github.a/two', [['1.0.0', state()]]);
    const result = plan({ mode: 'full', servers: [existing, kept], versions: [up(server('io.github.a/two', '1.0.0'), state())] });
    expect(result.summary.removed).toEqual([{ name: 'io.github.a/one', version: '1.0.0' }]);
    expect(result.ops).toEqual([{ remove: 'io.github.a/one/1.0.0/server.json' }, { remove: 'io.github.a/one/upstream.json' }]);
    expect(plan({ mode: 'incremental', servers: [existing, kept], versions: [] }).ops).toEqual([]);
  });

  it('removes the fork\'s server.md with the last version of a server (it would be an orphan)', () => {
    const existing: ServerEntry = { ...mirrored('io.github.a/one', [['1.0.0', state()]]), statusFile: { file: 'io.github.a/one/server.md', versions: {}, body: '', annotations: { approval: 'approved' } } };
    const result = plan({ servers: [existing], policy: { allow: [], deny: [{ namespace: ['io.github.a'] }] }, versions: [] });
    expect(result.ops).toEqual([{ remove: 'io.github.a/one/1.0.0/server.json' }, { remove: 'io.github.a/one/upstream.json' }, { remove: 'io.github.a/one/server.md' }]);
  });

  it('skips, with a warning, versions that cannot be folders', () => {
    const result = plan({ versions: [up(server('io.github.a/one', '1.0/beta'), state()), up(server('io.github.a/one', 'CON'), state())] });
    expect(result.ops).toEqual([]);
    expect(result.summary.problems.map((p) => [p.code, p.severity, p.jsonPath])).toEqual([
      ['sync-version-unstorable', 'warning', 'io.github.a/one@1.0/beta'],
      ['sync-version-unstorable', 'warning', 'io.github.a/one@CON'],
    ]);
  });

  it('skips, with a warning, versions the build would refuse (latest, a web file extension, hidden characters)', () => {
    const versions = ['latest', '2.0.html', '1.0.0\u202e1'];
    const result = plan({ versions: versions.map((v) => up(server('io.github.a/one', v), state())) });
    expect(result.ops).toEqual([]);
    expect(result.summary.problems.map((p) => [p.code, p.severity, p.jsonPath])).toEqual(
      versions.map((v) => ['sync-version-unstorable', 'warning', `io.github.a/one@${v}`]),
    );
  });

  it('takes the last copy of a version read twice (a resumed read)', () => {
    const result = plan({ versions: [up(server('io.github.a/one', '1.0.0'), state()), up(server('io.github.a/one', '1.0.0'), state('deprecated', T2))] });
    expect(result.summary.added).toEqual([{ name: 'io.github.a/one', version: '1.0.0' }]);
    expect(JSON.parse((result.ops[1] as { content: string }).content).versions['1.0.0'].status).toBe('deprecated');
  });
});

describe('instants', () => {
  it('orders RFC 3339 times beyond milliseconds and across offsets', () => {
    expect(laterInstant('2025-09-16T16:43:44Z', '2025-09-16T16:43:44.5Z')).toBe('2025-09-16T16:43:44.5Z');
    expect(laterInstant('2025-09-16T16:43:44.243434Z', '2025-09-16T16:43:44.243433Z')).toBe('2025-09-16T16:43:44.243434Z');
    expect(laterInstant('2025-09-16T18:43:44+02:00', '2025-09-16T16:43:44Z')).toBe('2025-09-16T18:43:44+02:00'); // a tie: the first
    expect(parseInstant('2025-09-16 16:43:44')).toBeNull();
  });
});
