import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { OutputFiles } from '../scripts/lib/build/write-output.ts';
import { tempDir } from './support/git-fixture.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('OutputFiles', () => {
  it('compresses on its thread text it encoded itself (moved there) and bytes the caller keeps (copied)', async () => {
    const dir = tempDir('write-output');
    dirs.push(dir);
    const output = new OutputFiles(dir);
    // Large enough for bytes of their own, not a slice of Node's shared pool.
    const text = JSON.stringify({ servers: Array.from({ length: 2000 }, (_, i) => ({ name: `io.github.x/server-${i}` })) });
    const bytes = Buffer.from(text.replaceAll('server-', 'mcp-'));
    const small = 'é'.repeat(1500); // over the 1 KB threshold, inside the pool
    await output.write({ path: 'v0.1/servers.json', content: text });
    await output.write({ path: 'v0.1/bytes.json', content: bytes });
    await output.write({ path: 'v0.1/small.json', content: small });
    await output.finish();
    const kept = Buffer.from(text.replaceAll('server-', 'mcp-'));
    expect(bytes.equals(kept)).toBe(true); // the caller's bytes are whole after the thread compressed them
    for (const [file, content] of [['v0.1/servers.json', Buffer.from(text)], ['v0.1/bytes.json', kept], ['v0.1/small.json', Buffer.from(small)]] as const) {
      const full = path.join(dir, file);
      expect(readFileSync(full).equals(content), file).toBe(true);
      expect(brotliDecompressSync(readFileSync(`${full}.br`)).equals(content), `${file}.br`).toBe(true);
      expect(gunzipSync(readFileSync(`${full}.gz`)).equals(content), `${file}.gz`).toBe(true);
    }
    expect(output.summary).toEqual({ files: 3, bytes: Buffer.byteLength(text) + kept.length + Buffer.byteLength(small), compressed: 6 });
  });
});
