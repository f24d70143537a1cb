// Bad input never crashes the validator and never passes: one test per class of bad file or path, on real files in
// temporary folders (read-json.ts, tree.ts).

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Problem } from '../scripts/lib/problems.ts';
import {
  decodeTextFile, FORBIDDEN_KEYS, MAX_JSON_DEPTH, MAX_KEY_PROBLEMS_PER_FILE, MAX_SERVER_JSON_BYTES, MAX_STATUS_FILE_BYTES,
  parseJsonText, readServerJson,
} from '../scripts/lib/validate/read-json.ts';
import { checkEntryPath, checkPathSegment, MAX_SEGMENT_BYTES, scanEntriesTree } from '../scripts/lib/validate/tree.ts';

const FILE = 'entries/io.github.test/demo/1.0.0/server.json';

function read(text: string | Buffer) {
  return readServerJson(FILE, typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
}

/** code line:column [jsonPath], the compact form the assertions compare. */
function brief(problems: Problem[]): string[] {
  return problems.map((p) => `${p.code}${p.line ? ` ${p.line}:${p.column}` : ''}${p.jsonPath !== undefined ? ` ${p.jsonPath || '(root)'}` : ''}`);
}

const valid = (extra = ''): string => `{\n  "name": "io.github.test/demo",\n  "version": "1.0.0"${extra}\n}\n`;

describe('readServerJson: bad bytes and bad JSON', () => {
  it('reports malformed JSON at the exact spot, and never passes it', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['{\n  "name": "x",\n  "version": "1",\n}\n', 'json-syntax 3:17', /trailing comma/],
      ['{\n  "packages": [1, 2,]\n}', 'json-syntax 2:20', /trailing comma/],
      ['{\n  "name": "x"\n  "version": "1"\n}', 'json-syntax 3:3', /expected ","/],
      ['{\n  "name": "x,\n  "version": "1"\n}', 'json-syntax 2:14', /not closed before the end of the line/],
      ['{\n  "name": "a\tb"\n}', 'json-syntax 2:13', /U\+0009 must be escaped/],
      ['{\n  "name": "a\\qb"\n}', 'json-syntax 2:13', /"\\q" is not a JSON escape/],
      ['{\n  "name": "\\u12G4"\n}', 'json-syntax 2:12', /four hexadecimal digits/],
      ['{\n  // comment\n  "name": "x"\n}', 'json-syntax 2:3', /comments are not allowed/],
      ["{\n  'name': 'x'\n}", 'json-syntax 2:3', /double quotes/],
      ['{\n  name: "x"\n}', 'json-syntax 2:3', /double quotes/],
      ['{\n  "n": NaN\n}', 'json-syntax 2:8', /"NaN"/],
      ['{\n  "n": 01\n}', 'json-syntax 2:9', /expected ","/],
      ['{\n  "n": 1.\n}', 'json-syntax 2:10', /number is incomplete/],
      ['{\n  "n": {"a": 1}\n', 'json-syntax 3:1', /close the object opened at line 1, column 1/],
      ['{"a": 1}\n{"b": 2}\n', 'json-syntax 2:1', /after the end of the JSON value/],
      ['', 'json-syntax 1:1', /empty/],
      ['  \n', 'json-syntax 2:1', /empty/],
    ];
    for (const [text, expected, message] of cases) {
      const { json, problems } = read(text);
      expect(brief(problems), JSON.stringify(text)).toEqual([expected]);
      expect(problems[0]!.message, JSON.stringify(text)).toMatch(message);
      expect(problems[0]!.severity).toBe('error');
      expect(json.value, JSON.stringify(text)).toBeUndefined();
    }
  });

  it('reports a UTF-8 byte-order mark and still checks the rest; refuses UTF-16', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{\n  "a": 1,\n  "a": 2\n}')]);
    const { json, problems } = read(withBom);
    expect(brief(problems)).toEqual(['file-bom 1:1', 'json-duplicate-key 3:3 /a']);
    expect(json.value).toEqual({ a: 2 });
    // A second mark is not silently dropped: U+FEFF is not JSON whitespace.
    expect(brief(read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), Buffer.from('{}')])).problems)).toEqual(['file-bom 1:1', 'json-syntax 1:1']);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')]);
    const r16 = read(utf16);
    expect(brief(r16.problems)).toEqual(['file-bom 1:1']);
    expect(r16.problems[0]!.message).toMatch(/UTF-16 \(little-endian\)/);
    expect(r16.json.value).toBeUndefined();
  });

  it('reports invalid UTF-8 with the line and column of the first bad byte', () => {
    const latin1 = Buffer.concat([Buffer.from('{\n  "name": "x",\n  "description": "caf'), Buffer.from([0xe9]), Buffer.from('"\n}')]);
    const r = read(latin1);
    expect(brief(r.problems)).toEqual(['file-not-utf8 3:22']);
    expect(r.problems[0]!.message).toMatch(/offset 38 \(E9 22 0A 7D\)/);
    expect(r.json.value).toBeUndefined();
    // Columns count characters, not bytes: "ü" is two bytes and one column.
    expect(brief(read(Buffer.concat([Buffer.from('{"ü": "'), Buffer.from([0xff]), Buffer.from('"}')])).problems)).toEqual(['file-not-utf8 1:8']);
    // Overlong encodings, encoded surrogates, code points above U+10FFFF and cut-off sequences are all refused.
    for (const bad of [[0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) {
      const bytes = Buffer.concat([Buffer.from('{"a": "'), Buffer.from(bad)]);
      expect(brief(read(bytes).problems), bad.join(',')).toEqual(['file-not-utf8 1:8']);
    }
    // With a byte-order mark before it, the offset is still the offset in the file.
    const both = read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a": "'), Buffer.from([0xff])]));
    expect(brief(both.problems)).toEqual(['file-bom 1:1', 'file-not-utf8 1:8']);
    expect(both.problems[1]!.message).toMatch(/offset 10 /);
  });

  it('reports duplicate keys at both positions, with the JSON path of the duplicate', () => {
    const text = '{\n  "packages": [\n    {\n      "identifier": "a",\n      "version": "1",\n      "identifier": "b"\n    }\n  ]\n}';
    const { json, problems } = read(text);
    expect(brief(problems)).toEqual(['json-duplicate-key 6:7 /packages/0/identifier']);
    expect(problems[0]!.message).toMatch(/first at line 4, column 7/);
    // The value and locate() agree with JSON.parse: the last one wins.
    expect(json.value).toEqual(JSON.parse(text));
    expect(json.locate('/packages/0/identifier')).toEqual({ line: 6, column: 21 });
    // Same key in different objects is fine; a key that only looks the same after unescaping is a duplicate.
    expect(read('{"a": {"x": 1}, "b": {"x": 1}}').problems).toEqual([]);
    expect(brief(read('{"a/b": 1, "a\\/b": 2}').problems)).toEqual(['json-duplicate-key 1:12 /a~1b']);
    // A third occurrence still points back at the first.
    const three = read('{"k": 1, "k": 2, "k": 3}');
    expect(brief(three.problems)).toEqual(['json-duplicate-key 1:10 /k', 'json-duplicate-key 1:18 /k']);
    expect(three.problems[1]!.message).toMatch(/first at line 1, column 2/);
    expect(three.json.value).toEqual({ k: 3 });
  });

  it('rejects __proto__, constructor and prototype keys anywhere, and never assigns through them', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const text = '{\n  "__proto__": {"polluted": "yes"},\n  "_meta": {"x": {"constructor": {"prototype": {"polluted": "yes"}}}},\n  "list": [{"\\u005f_proto__": {"polluted": "yes"}}],\n  "name": "x"\n}';
    const { json, problems } = read(text);
    expect(brief(problems)).toEqual([
      'json-forbidden-key 2:3 /__proto__',
      'json-forbidden-key 3:19 /_meta/x/constructor',
      'json-forbidden-key 3:35 /_meta/x/constructor/prototype',
      'json-forbidden-key 4:13 /list/0/__proto__',
    ]);
    expect(FORBIDDEN_KEYS).toEqual(['__proto__', 'constructor', 'prototype']);
    // Nothing reached a prototype …
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // … and the value holds plain objects without the forbidden keys.
    const value = json.value as Record<string, any>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['_meta', 'list', 'name']);
    expect(Object.hasOwn(value, '__proto__')).toBe(false);
    expect(value.polluted).toBeUndefined();
    expect(value._meta.x).toEqual({});
    expect(Object.hasOwn(value._meta.x, 'constructor')).toBe(false);
    expect(Object.getPrototypeOf(value.list[0])).toBe(Object.prototype);
    expect(value.list[0].polluted).toBeUndefined();
    expect(value.name).toBe('x');
    // Keys that name inherited members become own data properties, without touching the prototype.
    const inherited = read('{"toString": "a", "hasOwnProperty": 1, "__defineGetter__": true, "valueOf": {"x": 1}}');
    expect(inherited.problems).toEqual([]);
    const v = inherited.json.value as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['toString', 'hasOwnProperty', '__defineGetter__', 'valueOf']);
    expect(v.toString).toBe('a');
    expect(typeof Object.prototype.toString).toBe('function');
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
  });

  it('rejects a 10 MB file on its length alone, fast, without decoding or parsing it', () => {
    // Invalid UTF-8 and invalid JSON throughout: any decoding or parsing would add problems.
    const huge = Buffer.alloc(10 * 1024 * 1024, 0xff);
    const start = performance.now();
    const { json, problems } = read(huge);
    const elapsed = performance.now() - start;
    expect(brief(problems)).toEqual(['file-too-large']);
    expect(problems[0]!.message).toMatch(/256 KiB/);
    expect(json.value).toBeUndefined();
    expect(elapsed).toBeLessThan(50);
    // The limit itself: exactly MAX_SERVER_JSON_BYTES passes the size check, one more byte does not.
    const atLimit = Buffer.from(`{"a": "${'x'.repeat(MAX_SERVER_JSON_BYTES - 9)}"}`);
    expect(atLimit.length).toBe(MAX_SERVER_JSON_BYTES);
    expect(read(atLimit).problems).toEqual([]);
    expect(brief(read(Buffer.concat([atLimit, Buffer.from(' ')])).problems)).toEqual(['file-too-large']);
  });

  it('rejects 100,000-deep nesting with a clear error, without overflowing the stack', () => {
    const shapes = [
      '['.repeat(100_000) + ']'.repeat(100_000),
      '['.repeat(100_000),
      '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000),
      '[{"":'.repeat(50_000),
      // Shapes on which a scanner that does not tokenize exactly like the parser would under-count the depth.
      '/* " */' + '['.repeat(100_000),
      '"\n' + '['.repeat(100_000),
      '[}'.repeat(100_000),
    ];
    for (const text of shapes) {
      const start = performance.now();
      const { json, problems } = parseJsonText(FILE, text);
      const elapsed = performance.now() - start;
      expect(json.value).toBeUndefined();
      expect(problems).toHaveLength(1);
      expect(['json-too-deep', 'json-syntax']).toContain(problems[0]!.code);
      expect(elapsed).toBeLessThan(500);
    }
    const deep = read('['.repeat(100_000) + ']'.repeat(100_000));
    expect(brief(deep.problems).map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual([`json-too-deep 1:${MAX_JSON_DEPTH + 1}`]);
    expect(deep.problems[0]!.message).toMatch(/more than 64 levels/);
    expect(deep.problems[0]!.jsonPath).toBe('/0'.repeat(MAX_JSON_DEPTH - 1));
    // 64 levels are fine, 65 are not.
    const nest = (n: number): string => '{"a":'.repeat(n - 1) + '{}' + '}'.repeat(n - 1);
    expect(read(nest(MAX_JSON_DEPTH)).problems).toEqual([]);
    expect(brief(read(nest(MAX_JSON_DEPTH + 1)).problems)[0]).toMatch(/^json-too-deep 1:321 /);
  });

  it('reports a top-level value that is not an object, and \\u escapes that are half a surrogate pair', () => {
    expect(brief(read('[{"name": "x"}]').problems)).toEqual(['json-not-object 1:1 (root)']);
    expect(brief(read('\n  "x"').problems)).toEqual(['json-not-object 2:3 (root)']);
    expect(brief(read('null').problems)).toEqual(['json-not-object 1:1 (root)']);
    expect(read('[1]').json.value).toEqual([1]);
    expect(brief(read('{"d": "\\ud83d", "ok": "\\ud83d\\ude00", "k\\udc00": 1}').problems)).toEqual([
      'json-lone-surrogate 1:7 /d', 'json-lone-surrogate 1:39 /k\udc00',
    ]);
  });

  it('lists at most a fixed number of key problems per file', () => {
    const text = `{${Array.from({ length: 200 }, () => '"a": 1').join(', ')}}`;
    const { problems } = read(text);
    expect(problems).toHaveLength(MAX_KEY_PROBLEMS_PER_FILE + 1);
    expect(problems.at(-1)).toMatchObject({ code: 'file-problems-truncated', severity: 'warning' });
    expect(problems.at(-1)!.message).toMatch(/^149 more/);
  });

  it('decodes status files with the same rules and their own limit', () => {
    expect(decodeTextFile('s.md', Buffer.from('---\nstatus: deprecated\n---\n'), MAX_STATUS_FILE_BYTES)).toEqual({ text: '---\nstatus: deprecated\n---\n', problems: [] });
    expect(brief(decodeTextFile('s.md', Buffer.alloc(MAX_STATUS_FILE_BYTES + 1, 0x61), MAX_STATUS_FILE_BYTES).problems)).toEqual(['file-too-large']);
  });
});

describe('locate()', () => {
  const text = [
    '{',                                        // 1
    '  "name": "io.github.test/demo",',         // 2
    '  "packages": [',                          // 3
    '    {',                                    // 4
    '      "transport": { "type": "stdio" },',  // 5
    '      "arguments": [ "--a", "--b" ]',      // 6
    '    }',                                    // 7
    '  ],',                                     // 8
    '  "a/b": { "m~n": true },',                // 9
    '  "": 1,',                                 // 10
    '  "é😀": "x"',                             // 11
    '}',
  ].join('\r\n');
  const { json, problems } = read(text);

  it('gives the line and column of the value at a JSON pointer', () => {
    expect(problems).toEqual([]);
    expect(json.locate('')).toEqual({ line: 1, column: 1 });
    expect(json.locate('/name')).toEqual({ line: 2, column: 11 });
    expect(json.locate('/packages')).toEqual({ line: 3, column: 15 });
    expect(json.locate('/packages/0')).toEqual({ line: 4, column: 5 });
    expect(json.locate('/packages/0/transport/type')).toEqual({ line: 5, column: 30 });
    expect(json.locate('/packages/0/arguments/1')).toEqual({ line: 6, column: 29 });
    expect(json.locate('/a~1b/m~0n')).toEqual({ line: 9, column: 19 });
    expect(json.locate('/')).toEqual({ line: 10, column: 7 });
    // Columns count UTF-16 code units, as editors do: 😀 takes two.
    expect(json.locate('/é😀')).toEqual({ line: 11, column: 10 });
  });

  it('falls back to the nearest existing parent', () => {
    expect(json.locate('/packages/0/transport/url')).toEqual({ line: 5, column: 20 });
    expect(json.locate('/packages/5/version')).toEqual({ line: 3, column: 15 });
    expect(json.locate('/packages/01')).toEqual({ line: 3, column: 15 });
    expect(json.locate('/name/0')).toEqual({ line: 2, column: 11 });
    expect(json.locate('/missing')).toEqual({ line: 1, column: 1 });
    expect(json.locate('no-slash')).toBeUndefined();
  });

  it('counts \\r\\n, \\n and a lone \\r as line breaks', () => {
    const mixed = read('{"a":\r\n1,\r"b":\n2}').json;
    expect(json.locate('/name')).toEqual({ line: 2, column: 11 });
    expect(mixed.locate('/a')).toEqual({ line: 2, column: 1 });
    expect(mixed.locate('/b')).toEqual({ line: 4, column: 1 });
  });
});

describe('scanEntriesTree: the entries folder', () => {
  let repo: string;
  let entries: string;
  const put = (file: string, text: string = valid()): void => {
    const full = path.join(entries, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  };
  const scan = () => scanEntriesTree(repo);
  /** code file (relative to entries/), for compact assertions. */
  const where = (problems: Problem[]): string[] => problems.map((p) => `${p.code} ${p.file?.replace(/^entries\//, '')}`);

  beforeEach(() => {
    repo = mkdtempSync(path.join(tmpdir(), 'msr-input-'));
    entries = path.join(repo, 'entries');
    mkdirSync(entries);
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('reads a valid tree in bytewise order, with no problems', () => {
    put('io.github.b/zz/1.0.0/server.json');
    put('io.github.b/zz/server.md', '---\nstatus: active\n---\n');
    put('io.github.a/yy/2.0.0/server.json');
    put('io.github.a/yy/10.0.0/server.json');
    put('io.github.a/Y-upper/1.0.0/server.json');
    const tree = scan();
    expect(tree.problems).toEqual([]);
    expect(tree.documents.map((d) => [d.file, d.pathName, d.pathVersion])).toEqual([
      ['entries/io.github.a/Y-upper/1.0.0/server.json', 'io.github.a/Y-upper', '1.0.0'],
      ['entries/io.github.a/yy/10.0.0/server.json', 'io.github.a/yy', '10.0.0'],
      ['entries/io.github.a/yy/2.0.0/server.json', 'io.github.a/yy', '2.0.0'],
      ['entries/io.github.b/zz/1.0.0/server.json', 'io.github.b/zz', '1.0.0'],
    ]);
    expect(tree.documents[0]!.bytes!.toString()).toBe(valid());
    expect(tree.statusFiles.map((s) => s.file)).toEqual(['entries/io.github.b/zz/server.md']);
    expect(scanEntriesTree(repo, './entries/').documents).toHaveLength(4);
  });

  it('reports a missing entries folder', () => {
    rmSync(entries, { recursive: true });
    expect(where(scan().problems)).toEqual(['file-entries-missing entries']);
  });

  it('reports symbolic links to files and to folders, inside and outside, and never follows them', () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'msr-outside-'));
    try {
      mkdirSync(path.join(outside, 'pkg', '9.9.9'), { recursive: true });
      writeFileSync(path.join(outside, 'pkg', '9.9.9', 'server.json'), valid());
      writeFileSync(path.join(outside, 'secret.json'), '{"secret": true}');
      put('io.github.a/real/1.0.0/server.json');
      mkdirSync(path.join(entries, 'io.github.a', 'real', '1.0.1'));
      symlinkSync('../1.0.0/server.json', path.join(entries, 'io.github.a', 'real', '1.0.1', 'server.json')); // to a file inside
      mkdirSync(path.join(entries, 'io.github.a', 'real', '1.0.2'));
      symlinkSync(path.join(outside, 'secret.json'), path.join(entries, 'io.github.a', 'real', '1.0.2', 'server.json')); // to a file outside
      symlinkSync('1.0.0', path.join(entries, 'io.github.a', 'real', '1.0.3')); // to a folder inside
      symlinkSync(path.join(outside, 'pkg'), path.join(entries, 'io.github.a', 'outside')); // to a folder outside
      symlinkSync(outside, path.join(entries, 'io.github.evil')); // a namespace outside
      symlinkSync('/nonexistent/target', path.join(entries, 'io.github.a', 'real', 'server.md')); // dangling
      const tree = scan();
      expect(where(tree.problems)).toEqual([
        'file-symlink io.github.a/outside',
        'file-symlink io.github.a/real/1.0.1/server.json',
        'file-symlink io.github.a/real/1.0.2/server.json',
        'file-symlink io.github.a/real/1.0.3',
        'file-symlink io.github.a/real/server.md',
        'file-symlink io.github.evil',
      ]);
      expect(tree.documents.map((d) => d.file)).toEqual(['entries/io.github.a/real/1.0.0/server.json']);
      expect(tree.statusFiles).toEqual([]);

      // The entries folder itself, or a folder on the way to it, as a link.
      const repo2 = mkdtempSync(path.join(tmpdir(), 'msr-input-'));
      try {
        symlinkSync(path.join(outside), path.join(repo2, 'entries'));
        expect(where(scanEntriesTree(repo2).problems)).toEqual(['file-symlink entries']);
        mkdirSync(path.join(repo2, 'data'));
        symlinkSync(outside, path.join(repo2, 'data', 'link'));
        expect(scanEntriesTree(repo2, 'data/link/pkg').problems.map((p) => `${p.code} ${p.file}`)).toEqual(['file-symlink data/link']);
      } finally {
        rmSync(repo2, { recursive: true, force: true });
      }
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('reports FIFOs and sockets without opening them', async () => {
    put('io.github.a/srv/1.0.0/server.json');
    mkdirSync(path.join(entries, 'io.github.a', 'srv', '1.0.1'));
    execFileSync('mkfifo', [path.join(entries, 'io.github.a', 'srv', '1.0.1', 'server.json')]);
    execFileSync('mkfifo', [path.join(entries, 'io.github.a', 'srv', 'server.md')]);
    // A Unix socket (the path must stay short: sockets have a ~100-byte path limit).
    const socketDir = mkdtempSync(path.join(tmpdir(), 's-'));
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(socketDir, 's'), resolve));
    try {
      execFileSync('mv', [path.join(socketDir, 's'), path.join(entries, 'io.github.a', 'srv', '1.0.0', 'sock')]);
      const start = performance.now();
      const tree = scan();
      expect(performance.now() - start).toBeLessThan(2000); // opening a FIFO for reading would block forever
      expect(where(tree.problems)).toEqual([
        'file-not-regular io.github.a/srv/1.0.0/sock',
        'file-not-regular io.github.a/srv/1.0.1/server.json',
        'file-not-regular io.github.a/srv/server.md',
      ]);
      expect(tree.problems[0]!.message).toMatch(/socket/);
      expect(tree.problems[1]!.message).toMatch(/fifo/);
      expect(tree.documents.map((d) => d.pathVersion)).toEqual(['1.0.0']);
    } finally {
      server.close();
      rmSync(socketDir, { recursive: true, force: true });
    }
  });

  it('keeps path traversal in names from going anywhere', () => {
    // From git diff (names are data): `..` and `.` segments are refused, and nothing is resolved.
    for (const file of ['entries/../etc/passwd', 'entries/io.github.a/../../x/1.0.0/server.json', 'entries/io.github.a/srv/../server.json', 'entries/./x/1/server.json', 'entries/io.github.a//1/server.json']) {
      const info = checkEntryPath(file);
      expect(info.problems.map((p) => p.code), file).toContain('file-name-dot');
    }
    expect(checkEntryPath('entries/io.github.a/srv/../server.json').kind).toBe('document');
    expect(checkEntryPath('scripts/build.ts')).toEqual({ kind: 'outside', problems: [] });
    expect(checkEntryPath('entries-other/a/b/1/server.json').kind).toBe('outside');
    expect(checkPathSegment('..', 'version').map((p) => p.code)).toEqual(['file-name-dot']);
    // On disk, a folder cannot be called `..`; names that mean traversal elsewhere are refused and stay put.
    put('io.github.a/srv/..\\..\\..\\etc/server.json');
    put('io.github.a/srv/%2e%2e/server.json');
    const tree = scan();
    // (`%2e%2e` is only a name on a file system; it means `..` to URL decoders, which never see it.)
    expect(where(tree.problems)).toEqual(['file-name-characters io.github.a/srv/..\\..\\..\\etc']);
    // The documents are read from where they are, never from a resolved path.
    expect(tree.documents.map((d) => d.pathVersion)).toEqual(['%2e%2e', '..\\..\\..\\etc']);
  });

  it('reports stray files and folders, and version folders without server.json', () => {
    put('io.github.a/srv/1.0.0/server.json');
    put('io.github.a/srv/1.0.0/.DS_Store', 'x');
    put('io.github.a/srv/1.0.0/README.md', '# hi');
    put('io.github.a/srv/1.0.0/extra/server.json');
    put('io.github.a/srv/1.0.1/Server.json');
    mkdirSync(path.join(entries, 'io.github.a', 'srv', '1.0.2'));
    put('io.github.a/srv/server.json');
    put('io.github.a/srv/notes.txt', 'x');
    put('io.github.a/README.md', '# ns');
    put('README.md', '# entries');
    put('.gitkeep', ''); // allowed at the root only: it keeps an empty entries/ in git
    put('io.github.a/.gitkeep', '');
    mkdirSync(path.join(entries, 'io.github.empty'));
    mkdirSync(path.join(entries, 'io.github.a', 'empty'));
    const tree = scan();
    expect(where(tree.problems)).toEqual([
      'file-stray README.md',
      'file-stray io.github.a/.gitkeep',
      'file-stray io.github.a/README.md',
      'file-folder-empty io.github.a/empty',
      'file-stray io.github.a/srv/1.0.0/.DS_Store',
      'file-stray io.github.a/srv/1.0.0/README.md',
      'file-nesting-too-deep io.github.a/srv/1.0.0/extra',
      'file-stray io.github.a/srv/1.0.1/Server.json',
      'file-version-empty io.github.a/srv/1.0.1',
      'file-version-empty io.github.a/srv/1.0.2',
      'file-stray io.github.a/srv/notes.txt',
      'file-stray io.github.a/srv/server.json',
      'file-folder-empty io.github.empty',
    ]);
    const hints = Object.fromEntries(tree.problems.map((p) => [p.file, p.hint]));
    expect(hints['entries/io.github.a/srv/1.0.0/.DS_Store']).toMatch(/global \.gitignore/);
    expect(hints['entries/io.github.a/srv/1.0.1/Server.json']).toMatch(/all lower case/);
    expect(hints['entries/io.github.a/srv/server.json']).toMatch(/into a version folder/);
    expect(tree.problems.find((p) => p.code === 'file-folder-empty')!.severity).toBe('warning');
    expect(tree.documents.map((d) => d.file)).toEqual(['entries/io.github.a/srv/1.0.0/server.json']);
    // The same rules on paths from git diff.
    expect(checkEntryPath('entries/io.github.a/srv/1.0.0/README.md').problems.map((p) => p.code)).toEqual(['file-stray']);
    expect(checkEntryPath('entries/io.github.a/srv/1.0.0/extra/server.json').problems.map((p) => p.code)).toEqual(['file-nesting-too-deep']);
    expect(checkEntryPath('entries/README.md').problems.map((p) => p.code)).toEqual(['file-stray']);
    expect(checkEntryPath('entries/io.github.a/srv/server.md')).toMatchObject({ kind: 'status', pathName: 'io.github.a/srv', problems: [] });
    expect(checkEntryPath('entries/io.github.a/srv/1.0.0/server.json')).toEqual({ kind: 'document', pathName: 'io.github.a/srv', pathVersion: '1.0.0', problems: [] });
  });

  it('reports every kind of unsafe name', () => {
    const versions: Array<[string, string]> = [
      ['CON', 'file-name-reserved'], ['nul.1.0', 'file-name-reserved'], ['com1', 'file-name-reserved'], ['LPT9.x', 'file-name-reserved'],
      ['COM¹', 'file-name-reserved'], ['aux .1', 'file-name-reserved'],
      ['1.0:beta', 'file-name-characters'], ['1<2', 'file-name-characters'], ['1>2', 'file-name-characters'], ['"1"', 'file-name-characters'],
      ['1|2', 'file-name-characters'], ['1?', 'file-name-characters'], ['1*', 'file-name-characters'], ['1\\2', 'file-name-characters'],
      ['1\u00012', 'file-name-characters'], ['1\t2', 'file-name-characters'], ['1\u007f', 'file-name-characters'],
      ['1.0.', 'file-name-trailing'], ['1.0 ', 'file-name-trailing'],
      ['1'.repeat(MAX_SEGMENT_BYTES + 1), 'file-name-too-long'], ['é'.repeat(126), 'file-name-too-long'],
    ];
    for (const [version] of versions) put(`io.github.a/srv/${version}/server.json`);
    put('io github/srv/1.0.0/server.json'); // a namespace that is not a namespace
    put('io.github.a/-x/1.0.0/server.json'); // a server name starting with "-"
    put('io.github.a/x_/1.0.0/server.json'); // … ending with "_"
    put('aux.example/srv/1.0.0/server.json'); // a valid namespace pattern that Windows reserves
    put(`io.github.${'n'.repeat(180)}/${'s'.repeat(40)}/1.0.0/server.json`); // name longer than 200
    put(`io.github.${'n'.repeat(150)}/${'s'.repeat(100)}/${'9'.repeat(250)}/server.json`); // path longer than 500 bytes
    const tree = scan();
    const codes = new Map<string, string[]>();
    for (const p of tree.problems) {
      const key = p.file!.replace(/^entries\//, '');
      codes.set(key, [...(codes.get(key) ?? []), p.code]);
    }
    for (const [version, code] of versions) expect(codes.get(`io.github.a/srv/${version}`), JSON.stringify(version)).toEqual([code]);
    expect(codes.get('io github')).toEqual(['file-name-pattern']);
    expect(codes.get('io.github.a/-x')).toEqual(['file-name-pattern']);
    expect(codes.get('io.github.a/x_')).toEqual(['file-name-pattern']);
    expect(codes.get('aux.example')).toEqual(['file-name-reserved']);
    expect(codes.get(`io.github.${'n'.repeat(180)}/${'s'.repeat(40)}`)).toEqual(['file-name-too-long']);
    // Only reachable with a name that is already too long: a valid entry path is at most 463 bytes.
    const longPath = `io.github.${'n'.repeat(150)}/${'s'.repeat(100)}/${'9'.repeat(250)}/server.json`;
    expect(codes.get(longPath)).toEqual(['file-path-too-long']);
    expect(codes.get(`io.github.${'n'.repeat(150)}/${'s'.repeat(100)}`)).toEqual(['file-name-too-long']);
    expect(checkEntryPath(`entries/${longPath}`).problems.map((p) => p.code)).toEqual(['file-path-too-long', 'file-name-too-long']);
    // Checked the same way for paths from git diff, one segment at a time.
    expect(checkPathSegment('CON', 'version').map((p) => p.code)).toEqual(['file-name-reserved']);
    expect(checkPathSegment('1.0.0', 'version')).toEqual([]);
    expect(checkPathSegment('con', 'file', 'entries/con')[0]).toMatchObject({ code: 'file-name-reserved', file: 'entries/con' });
    expect(checkEntryPath('entries/io.github.a/srv/1.0:beta/server.json').problems.map((p) => p.code)).toEqual(['file-name-characters']);
    expect(checkEntryPath('entries/io.github.a/srv/ 1/server.json').problems).toEqual([]);
  });

  it('reports a name that is not valid UTF-8, without reading under it', () => {
    const bad = Buffer.concat([Buffer.from(path.join(entries, 'io.github.a', 'srv') + path.sep), Buffer.from([0x31, 0xff, 0x32])]);
    try {
      mkdirSync(path.join(entries, 'io.github.a', 'srv'), { recursive: true });
      mkdirSync(bad);
      writeFileSync(Buffer.concat([bad, Buffer.from('/server.json')]), valid());
    } catch {
      return; // a file system that refuses such names cannot hold them either
    }
    const tree = scan();
    expect(where(tree.problems)).toEqual(['file-name-characters io.github.a/srv/1\ufffd2']);
    expect(tree.problems[0]!.message).toMatch(/31ff32/);
    expect(tree.documents).toEqual([]);
  });

  it('reports names that differ only by case or Unicode normalization in the same folder', () => {
    put('io.github.Foo/srv/1.0.0/server.json');
    put('io.github.foo/srv/1.0.0/server.json');
    put('io.github.a/srv/1.0.0-RC1/server.json');
    put('io.github.a/srv/1.0.0-rc1/server.json');
    put('io.github.a/srv/1.0.0-\u00e9/server.json'); // é, composed
    put('io.github.a/srv/1.0.0-e\u0301/server.json'); // é, decomposed
    put('io.github.a/yy/1.0.0/server.json');
    put('io.github.a/YY/2.0.0/server.json');
    const tree = scan();
    expect(where(tree.problems)).toEqual([
      'file-name-case-collision io.github.foo',
      'file-name-case-collision io.github.a/yy',
      'file-name-case-collision io.github.a/srv/1.0.0-rc1',
      'file-name-case-collision io.github.a/srv/1.0.0-\u00e9',
    ]);
    expect(tree.problems[1]!.message).toMatch(/differs from "YY" in the same folder only by case;/);
    expect(tree.problems[3]!.message).toMatch(/or Unicode normalization/);
    // Both sides are still read, so each is checked in full.
    expect(tree.documents).toHaveLength(8);
  });

  it('reads a 10 MB server.json only up to the limit and rejects it fast', () => {
    put('io.github.a/srv/1.0.0/server.json', `{"description": "${'x'.repeat(10 * 1024 * 1024)}"}`);
    const start = performance.now();
    const tree = scan();
    const [doc] = tree.documents;
    const { problems } = readServerJson(doc!.file, doc!.bytes!);
    const elapsed = performance.now() - start;
    expect(tree.problems).toEqual([]);
    expect(doc!.bytes!.length).toBe(MAX_SERVER_JSON_BYTES + 1);
    expect(brief(problems)).toEqual(['file-too-large']);
    expect(elapsed).toBeLessThan(200);
  });
});

describe('docs/errors.md', () => {
  it('has a section for every code read-json.ts and tree.ts emit', () => {
    const docs = readFileSync(path.join(import.meta.dirname, '..', 'docs', 'errors.md'), 'utf8');
    const sources = ['read-json.ts', 'tree.ts'].map((f) => readFileSync(path.join(import.meta.dirname, '..', 'scripts', 'lib', 'validate', f), 'utf8')).join('\n');
    const codes = new Set([...sources.matchAll(/(?:code: |push\()'((?:file|json)-[a-z0-9-]+)'/g)].map((m) => m[1]!));
    expect(codes.size).toBeGreaterThan(20);
    for (const code of codes) expect(docs, code).toContain(`\n### ${code}\n`);
  });
});
