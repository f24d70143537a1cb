// The nginx-side list query code, as bundleNjsListQuery() ships it, under the real `njs` interpreter (the njs that
// nginx's js module embeds): it must load, and answer every query exactly as answerListQuery does in Node.

import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { answerListQuery, readListParams, type ListResponse } from '../scripts/lib/query/list-query.ts';
import { CACHE_CONTROL } from '../scripts/lib/serve/routes.ts';
import { bundleNjsBuildIdentity, bundleNjsListQuery, NJS_BUNDLE_FILE, NJS_IDENTITY_FILE } from '../scripts/lib/serve/njs-bundle.ts';
import { Repo, tempDir } from './support/git-fixture.ts';
import { STRICT_PREREQUISITES } from './support/strict.ts';

const njsVersion = spawnSync('njs', ['-v'], { encoding: 'utf8' });
const HAVE_NJS = njsVersion.status === 0;
/** Named in the test titles, so a skip says why. */
const NEEDS = HAVE_NJS ? '' : ' [skipped: njs is not installed]';

const T = (n: number): string => `2025-05-${String(n).padStart(2, '0')}T10:00:00Z`;

interface NjsAnswer {
  status: number;
  body?: string;
  headers: Record<string, string>;
}

let work: string;
let dist: string;
let bundle: string;

beforeAll(async () => {
  if (!HAVE_NJS) return;
  // 300 rows over more than one query chunk (about 256 rows each), three commits, deprecated and deleted versions.
  const r = Repo.init('njs');
  work = r.root;
  for (let i = 0; i < 120; i++) r.server(`io.github.acme/server-${String(i).padStart(3, '0')}`, '1.0.0', { description: i % 7 === 0 ? `Weather ✓ tool ${i}` : `Tool number ${i}` });
  r.commit(T(1));
  for (let i = 0; i < 120; i += 2) r.server(`io.github.acme/server-${String(i).padStart(3, '0')}`, '1.1.0');
  for (let i = 0; i < 40; i++) r.server(`com.example/zeta-${String(i).padStart(2, '0')}`, `2025-0${1 + (i % 9)}-01`);
  r.commit(T(2));
  for (let i = 0; i < 120; i += 10) r.status(`io.github.acme/server-${String(i).padStart(3, '0')}`, 'versions:\n  "1.1.0":\n    status: deleted');
  for (let i = 0; i < 120; i += 3) r.server(`io.github.acme/server-${String(i).padStart(3, '0')}`, '2.0.0-rc.1');
  r.status('io.github.acme/server-005', 'status: deprecated\nstatusMessage: "use server-006"');
  r.status('com.example/zeta-03', 'status: deleted');
  r.commit(T(3));
  dist = path.join(r.root, '..', `${path.basename(r.root)}-dist`);
  const built = await buildRegistry({ entriesDir: r.entries, outDir: dist, env: {} });
  expect(built.records.length).toBeGreaterThan(256);
  expect(Number(readFileSync(path.join(dist, '_query', 'chunks.json'), 'utf8'))).toBeGreaterThan(1);
  bundle = await bundleNjsListQuery();
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  if (dist) rmSync(dist, { recursive: true, force: true });
});

/** Runs `fn` of the bundle under njs once per query string; returns njs's answers in order. */
function runUnderNjs(fn: 'answer' | 'rejectIncludeDeleted', queries: string[]): NjsAnswer[] {
  const dir = tempDir('njs-run');
  try {
    writeFileSync(path.join(dir, 'list-query.mjs'), bundle);
    writeFileSync(path.join(dir, 'queries.json'), JSON.stringify(queries));
    const results = path.join(dir, 'results.json');
    // njs 0.7 syntax only: var, function expressions, no arrows.
    writeFileSync(path.join(dir, 'driver.mjs'), `import fs from 'fs';
import handler from 'list-query.mjs';
var queries = JSON.parse(fs.readFileSync(${JSON.stringify(path.join(dir, 'queries.json'))}, 'utf8'));
var answers = [];
for (var i = 0; i < queries.length; i++) {
  var answer = { status: 0, headers: {} };
  var request = {
    variables: { document_root: ${JSON.stringify(dist)}, args: queries[i] },
    headersOut: answer.headers,
    return: function (status, body) { answer.status = status; if (body !== undefined) answer.body = body; },
  };
  handler.${fn}(request);
  answers.push(answer);
}
fs.writeFileSync(${JSON.stringify(results)}, JSON.stringify(answers));
`);
    const run = spawnSync('njs', ['-p', dir, path.join(dir, 'driver.mjs')], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr + run.stdout, 'njs failed').not.toMatch(/Error/);
    expect(run.status).toBe(0);
    return JSON.parse(readFileSync(results, 'utf8')) as NjsAnswer[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function answerInNode(query: string): ListResponse {
  return answerListQuery(readListParams(query), {
    readText: (file) => readFileSync(path.join(dist, file), 'utf8'),
    readJson: (file) => JSON.parse(readFileSync(path.join(dist, file), 'utf8')),
  });
}

describe('the njs list-query bundle', () => {
  if (!HAVE_NJS && STRICT_PREREQUISITES) {
    it('needs njs, which CI installs', () => {
      throw new Error(`njs is not installed (apt-get install njs): ${njsVersion.error?.message ?? njsVersion.stderr}`);
    });
  }

  it.skipIf(!HAVE_NJS)(`is what the build ships, and loads under njs${NEEDS}`, () => {
    expect(readFileSync(path.join(dist, NJS_BUNDLE_FILE), 'utf8')).toBe(bundle);
    expect(bundle).toMatch(/export default \w+;\s*$/);
    expect(runUnderNjs('answer', [''])).toHaveLength(1);
  });

  it.skipIf(!HAVE_NJS)(`answers every list query exactly as Node does${NEEDS}`, () => {
    // Follow the cursor through every page in Node first, so njs gets the cursors a client would send.
    const cursors: string[] = [];
    for (let query = 'limit=37&include_deleted=true'; ;) {
      const next = (JSON.parse(answerInNode(query).body) as { metadata: { nextCursor?: string } }).metadata.nextCursor;
      if (!next) break;
      cursors.push(next);
      query = `limit=37&include_deleted=true&cursor=${encodeURIComponent(next)}`;
    }
    expect(cursors.length).toBeGreaterThan(6);
    // A search chain (non-ASCII, so the cursor's UTF-8 is exercised) followed without the search, as VS Code does.
    const searchCursors: string[] = [];
    for (let query = 'search=%E2%9C%93&limit=4&updated_since=2025-04-30T12:00:00%2B02:00'; ;) {
      const next = (JSON.parse(answerInNode(query).body) as { metadata: { nextCursor?: string } }).metadata.nextCursor;
      if (!next) break;
      searchCursors.push(next);
      query = `limit=4&cursor=${next}`;
    }
    expect(searchCursors.length).toBeGreaterThan(2);

    const queries = [
      '', 'limit=5', 'limit=100', 'limit=1', 'limit=+7', 'limit=07',
      ...cursors.map((c) => `limit=37&include_deleted=true&cursor=${encodeURIComponent(c)}`),
      ...searchCursors.map((c) => `limit=4&cursor=${c}`), ...searchCursors.map((c) => `search=tool&version=latest&limit=4&cursor=${c}`),
      'cursor=io.github.acme%2Fserver-050', 'cursor=io.github.acme/server-050:1.0.0&limit=3', 'cursor=zzz', 'cursor=%ZZ&limit=2',
      `cursor=${searchCursors[0]!.slice(0, -2)}`, 'cursor=_W10', 'cursor=_%FF', 'cursor=_',
      'search=weather', 'search=WEATHER', 'search=%E2%9C%93', 'search=tool+number+1', 'search=zeta&include_deleted=true', 'search=nothing-matches',
      'version=latest', 'version=latest&include_deleted=true&limit=100', 'version=1.0.0&limit=100', 'version=2.0.0-rc.1', 'version=2025-03-01',
      'include_deleted=true&limit=100', 'include_deleted=false', 'include_deleted=1', 'include_deleted=True',
      `updated_since=${encodeURIComponent(T(2))}`, `updated_since=${encodeURIComponent('2025-05-02T10:00:00.5+01:00')}&limit=100`,
      'updated_since=2025-05-01T00:00:00Z&version=latest', 'updated_since=2025-05-03T10:00:00Z',
      'limit=3&limit=4', 'limit=&search=acme', 'unknown=1&limit=2',
      // refused requests
      'limit=0', 'limit=101', 'limit=-1', 'limit=abc', 'limit=1.5', 'include_deleted=maybe', 'include_deleted=yes',
      'updated_since=yesterday', 'updated_since=2025-05-02', 'updated_since=2025-05-02T10:00:00Z&include_deleted=false',
    ];
    const fromNjs = runUnderNjs('answer', queries);
    expect(fromNjs).toHaveLength(queries.length);
    const statuses = new Set<number>();
    queries.forEach((query, i) => {
      const node = answerInNode(query);
      const njs = fromNjs[i]!;
      statuses.add(node.status);
      expect({ status: njs.status, body: njs.body }, query).toEqual({ status: node.status, body: node.body });
      expect(njs.headers['Content-Type'], query).toBe(node.contentType);
      expect(njs.headers['Cache-Control'], query).toBe(node.status === 200 ? CACHE_CONTROL.list : CACHE_CONTROL.error);
      expect(njs.headers['X-Content-Type-Options'], query).toBe('nosniff');
    });
    expect([...statuses].sort()).toEqual([200, 400, 422]);
  });

  it.skipIf(!HAVE_NJS)(`refuses a bad include_deleted on detail paths as the list does, and passes good ones on${NEEDS}`, () => {
    const [bad, good, absent] = runUnderNjs('rejectIncludeDeleted', ['include_deleted=maybe', 'include_deleted=true', '']);
    const node = answerInNode('include_deleted=maybe');
    expect(bad).toMatchObject({ status: 422, body: node.body });
    expect(bad!.headers['Content-Type']).toBe('application/problem+json');
    expect(good!.status).toBe(500);
    expect(absent!.status).toBe(500);
  });

  it.skipIf(!HAVE_NJS)(`ships the build's identity for nginx's list cache: the folder's device, inode and change time${NEEDS}`, async () => {
    const identity = await bundleNjsBuildIdentity();
    expect(readFileSync(path.join(dist, NJS_IDENTITY_FILE), 'utf8')).toBe(identity);
    const dir = tempDir('njs-identity');
    try {
      writeFileSync(path.join(dir, 'build-identity.mjs'), identity);
      writeFileSync(path.join(dir, 'driver.mjs'), `import identity from 'build-identity.mjs';
console.log(identity.buildIdentity({ variables: { document_root: ${JSON.stringify(dist)} } }));
console.log(identity.buildIdentity({ variables: { document_root: ${JSON.stringify(path.join(dir, 'missing'))} } }));
`);
      const run = spawnSync('njs', ['-p', dir, path.join(dir, 'driver.mjs')], { encoding: 'utf8', timeout: 20_000 });
      expect(run.status, run.stderr).toBe(0);
      const [present, missing] = run.stdout.trim().split('\n');
      const top = statSync(dist), rows = statSync(path.join(dist, '_query'));
      expect(present).toBe(`${top.dev}:${top.ino}:${top.ctimeMs}:${rows.ino}:${rows.ctimeMs}`);
      expect(missing).toMatch(/^unreadable:/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

if (!HAVE_NJS && !STRICT_PREREQUISITES) {
  // Visible in the output, not only as a skipped count.
  console.warn('njs-bundle.test.ts: njs is not installed (apt-get install njs); the njs tests are skipped');
}
