// The search client's substring index (scripts/lib/search/substring-index.ts): the same documents, with the same
// name flag, as String#indexOf over every name and description, for queries of every length and character class.

import { describe, expect, it } from 'vitest';
import { SubstringIndex } from '../scripts/lib/search/substring-index.ts';

const NAMES = [
  'io.github.acme/files-sync',
  'com.example/weather',
  'io.github.alice/weather-tools',
  'ai.acme/über-tool',
  'io.github.bob/a~b|c',
  'net.x/y',
  'org.z/aaa',
];
const DESCRIPTIONS = [
  'Keeps folders in step between machines.',
  'Forecasts and alerts for any city.',
  'Weather helpers for scripts, with a filesystem cache.',
  'Größte Werkzeuge — für alle 🚀 Fälle.',
  'Tilde~and|pipe <angle> `tick` \\ back\u0000slash',
  '',
  'aaaa aaa aa a',
].map((d) => d.toLowerCase());

function brute(raw: string): Array<[number, boolean]> {
  const out: Array<[number, boolean]> = [];
  NAMES.forEach((name, pos) => {
    if (name.indexOf(raw) >= 0) out.push([pos, true]);
    else if (DESCRIPTIONS[pos]!.indexOf(raw) >= 0) out.push([pos, false]);
  });
  return out;
}

function viaIndex(index: SubstringIndex, raw: string, skip: (pos: number) => boolean = () => false): Array<[number, boolean]> {
  const out: Array<[number, boolean]> = [];
  index.matches(raw, Uint8Array.from(NAMES, (_, pos) => (skip(pos) ? 1 : 0)), (pos, inName) => out.push([pos, inName]));
  return out;
}

describe('SubstringIndex', () => {
  const index = new SubstringIndex(NAMES, DESCRIPTIONS);

  it('finds what indexOf finds, in document order, for every substring of the texts and some that are not', () => {
    const queries = new Set<string>(['', ' ', 'zz', 'qqq', 'nothing at all', 'weather-toolsx', 'ü', 'ö', '🚀', '\u0000', 'k\u0000s', '~', '|', '<a', 'a~b|c']);
    for (const text of [...NAMES, ...DESCRIPTIONS]) {
      for (let at = 0; at < text.length; at++) for (let length = 1; length <= 6 && at + length <= text.length; length++) queries.add(text.slice(at, at + length));
    }
    for (const q of queries) expect(viaIndex(index, q), JSON.stringify(q)).toEqual(brute(q));
  });

  it('passes over the documents the caller skips', () => {
    const odd = (pos: number): boolean => pos % 2 === 1;
    for (const q of ['a', 'we', 'io.', 'weather', 'für', 'a~b']) expect(viaIndex(index, q, odd), q).toEqual(brute(q).filter(([pos]) => !odd(pos)));
  });

  it('answers an empty corpus', () => {
    expect(viaIndex(new SubstringIndex([], []), 'a')).toEqual([]);
    expect(viaIndex(new SubstringIndex([], []), 'abcd')).toEqual([]);
  });
});
