// Accept-Encoding negotiation (scripts/lib/serve/encoding.ts), the part every host running our code shares; the
// hosts themselves are checked end to end in api-conformance.test.ts.

import { describe, expect, it } from 'vitest';
import { encodingCandidates, negotiateEncoding } from '../scripts/lib/serve/encoding.ts';

describe('negotiateEncoding', () => {
  it.each([
    [undefined, null], ['', null], ['identity', null], ['deflate', null], ['compress, zstd', null],
    ['br', 'br'], ['gzip', 'gzip'], ['x-gzip', 'gzip'], ['gzip, deflate, br', 'br'], ['br;q=1.0, gzip;q=1.0', 'br'],
    // q-values decide before preference; q=0 refuses; ties go to br.
    ['br;q=0.5, gzip', 'gzip'], ['br;q=0.9, gzip;q=0.8', 'br'], ['gzip;q=0, br;q=0', null], ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0.000', null], ['BR;Q=0.3, GZIP;Q=0.2', 'br'], [' gzip ; q=0.5 , identity', 'gzip'],
    // `*` stands for whatever is not named.
    ['*', 'br'], ['*;q=0', null], ['br;q=0, *', 'gzip'], ['*;q=0, gzip', 'gzip'],
    [['gzip', 'br;q=0.1'], 'gzip'],
  ] as const)('%j → %s', (header, expected) => {
    expect(negotiateEncoding(header as string | string[] | undefined)).toBe(expected);
  });
});

describe('encodingCandidates', () => {
  it('tries the negotiated variant of each text file before the file, and only the file otherwise', () => {
    expect(encodingCandidates(['_include_deleted/a.json', 'v0.1/a.json'], 'gzip, br').map((c) => [c.file, c.identity, c.encoding])).toEqual([
      ['_include_deleted/a.json.br', '_include_deleted/a.json', 'br'], ['_include_deleted/a.json', '_include_deleted/a.json', null],
      ['v0.1/a.json.br', 'v0.1/a.json', 'br'], ['v0.1/a.json', 'v0.1/a.json', null],
    ]);
    expect(encodingCandidates(['site/logo.png'], 'br').map((c) => c.file)).toEqual(['site/logo.png']);
    expect(encodingCandidates(['site/index.html'], 'identity').map((c) => c.file)).toEqual(['site/index.html']);
  });
});
