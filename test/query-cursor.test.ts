// The list cursor (scripts/lib/query/cursor.ts): round trip, URL safety, one spelling per state, and how
// parseListParams reads ours, the official `name:version` ones and damaged ones.

import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH, type CursorState } from '../scripts/lib/query/cursor.ts';
import { nextCursorAfter, parseListParams, readListParams, type ListQuery } from '../scripts/lib/query/list-query.ts';

const STATES: CursorState[] = [
  { afterName: 'io.github.acme/weather', afterVersion: '1.0.0+build.7', search: '', version: '', updatedSince: '', includeDeleted: false },
  { afterName: 'com.example/x', afterVersion: '2.0.0-rc.1', search: 'a+b /?=&#%', version: 'latest', updatedSince: '2025-08-07T13:15:04.28Z', includeDeleted: true },
  { afterName: 'io.github.é/ü', afterVersion: '1.0.0', search: 'météo ✓ 🌦 "quoted" \\ \u2028', version: '1.0.0', updatedSince: '', includeDeleted: false },
  { afterName: '', afterVersion: '', search: '', version: '', updatedSince: '', includeDeleted: false },
];

function ok(query: string): ListQuery {
  const parsed = parseListParams(readListParams(query));
  if (!parsed.ok) throw new Error(`${query}: ${parsed.body}`);
  return parsed.query;
}

describe('list cursors', () => {
  it.each(STATES)('round-trips $afterName@$afterVersion and needs no encoding in a URL', (state) => {
    const cursor = encodeCursor(state);
    expect(decodeCursor(cursor)).toEqual(state);
    expect(cursor).toMatch(/^_[A-Za-z0-9_-]*$/);
    expect(encodeURIComponent(cursor)).toBe(cursor);
    // Pasted raw into a query string, as VS Code does, it reads back unchanged.
    expect(readListParams(`limit=1&cursor=${cursor}`).cursor).toBe(cursor);
    expect(encodeCursor({ ...state })).toBe(cursor);
  });

  it('is the same for the same query, whatever its spelling, and differs with the row', () => {
    const row = ['io.github.acme/weather', '1.0.0+b', '2025-01-01T00:00:00Z', 1, 0] as [string, string, string, number, number];
    const a = nextCursorAfter(row, ok('search=Weather&updated_since=2025-03-05T09:00:00.000%2B01:00&version=latest'));
    const b = nextCursorAfter(row, ok('version=latest&search=WEATHER&updated_since=2025-03-05T08:00:00Z&include_deleted=true'));
    expect(a).toBe(b);
    expect(nextCursorAfter(['io.github.acme/weather', '1.0.0', '', 1, 0], ok('search=weather'))).not.toBe(nextCursorAfter(row, ok('search=weather')));
  });

  it('carries the query: a page after it answers the same filters whatever the request says', () => {
    const row = ['io.github.acme/weather', '1.0.0+b', '2025-01-01T00:00:00Z', 1, 0] as [string, string, string, number, number];
    const cursor = nextCursorAfter(row, ok('search=Weather&updated_since=2025-03-05T09:00:00%2B01:00&version=latest&limit=50'));
    for (const extra of ['', '&search=other&version=1.0.0&include_deleted=false', '&include_deleted=true']) {
      const query = ok(`limit=7&cursor=${cursor}${extra}`);
      expect(query, extra).toEqual({
        limit: 7, afterName: 'io.github.acme/weather', afterVersion: '1.0.0+b', search: 'weather', version: 'latest',
        updatedSince: ok('updated_since=2025-03-05T08:00:00Z').updatedSince, includeDeleted: true,
      });
    }
    // Without updated_since, include_deleted comes from the cursor as well.
    expect(ok(`cursor=${nextCursorAfter(row, ok(''))}&include_deleted=true`).includeDeleted).toBe(false);
  });

  it('stays bounded: the longest row values the schema allows give a cursor well under the limit', () => {
    // name ≤ 200 (ASCII by its pattern), version ≤ 255, description ≤ 100 (search must be a substring of one, lower-cased).
    const worst = encodeCursor({
      afterName: `${'a'.repeat(100)}/${'b'.repeat(99)}`, afterVersion: '€'.repeat(255), version: '€'.repeat(255),
      search: '\u0001'.repeat(100), updatedSince: '2025-08-07T13:15:04.123456789Z', includeDeleted: true,
    });
    expect(worst.length).toBeLessThan(MAX_CURSOR_LENGTH / 2);
    expect(decodeCursor(worst)).not.toBeNull();
  });

  it('keeps reading official cursors: name:version split on the first colon, a bare name on its own', () => {
    expect(ok('cursor=io.github.acme/weather:1.0.0%2Bbuild:x&search=w')).toMatchObject({ afterName: 'io.github.acme/weather', afterVersion: '1.0.0+build:x', search: 'w' });
    expect(ok('cursor=io.github.acme%2Fweather')).toMatchObject({ afterName: 'io.github.acme/weather' });
    expect(ok('cursor=io.github.acme%2Fweather').afterVersion).toBeUndefined();
  });

  it('refuses damaged cursors of its own form with the 400 problem', () => {
    const good = encodeCursor(STATES[1]!);
    const bad = [
      '_', '_A', '_e30' /* {} */, '_W10' /* [] */, `${good}=`, `${good.slice(0, -1)}`, `${good}AA`, good.replace(/[A-Za-z0-9]/, '.'),
      `_${Buffer.from('["a","b","","","",2]').toString('base64url')}`,
      `_${Buffer.from('["a","b","","","yesterday",1]').toString('base64url')}`,
      `_${Buffer.from('["a","b","","","",1] ').toString('base64url')}`,
      `_${Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d]).toString('base64url')}`,
      `_${'A'.repeat(MAX_CURSOR_LENGTH)}`,
    ];
    for (const cursor of bad) {
      const parsed = parseListParams({ cursor });
      expect(parsed.ok, cursor).toBe(false);
      if (parsed.ok) continue;
      expect(parsed.status, cursor).toBe(400);
      expect(parsed.contentType).toBe('application/problem+json');
      expect(JSON.parse(parsed.body), cursor).toEqual({ title: 'Bad Request', status: 400, detail: 'Invalid cursor parameter' });
    }
    // A non-canonical spelling of a good state (trailing bits set) is refused too: one cursor per state.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const tweaked = good.slice(0, -1) + alphabet.charAt(alphabet.indexOf(good.charAt(good.length - 1)) ^ 1);
    expect(decodeCursor(tweaked)).toBeNull();
  });
});
