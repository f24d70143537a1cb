// Precompressed variants of the served text files (`<file>.br`, `<file>.gz`), so hosts send compressed bytes without
// compressing per request: nginx with gzip_static/brotli_static, the Node server through encoding.ts.

import { Worker } from 'node:worker_threads';
import { brotliCompressSync, constants, gzipSync, type BrotliOptions, type ZlibOptions } from 'node:zlib';
import { DELETED_ROOT, API_ROOT } from '../query/layout.ts';
import { SITE_ROOT } from '../serve/routes.ts';
import { ENCODINGS, mayHaveVariants, type ContentEncoding } from '../serve/encoding.ts';

/** Below this, compression saves less than a packet and the header overhead can make the body larger. */
export const MIN_COMPRESS_BYTES = 1024;

// Only what a host serves: the row index (`_query/`) and the njs bundle are read by our own code, never sent.
const SERVED_ROOTS = [`${API_ROOT}/`, `${DELETED_ROOT}/`, `${SITE_ROOT}/`];

export function isCompressible(file: string, bytes: number): boolean {
  return bytes > MIN_COMPRESS_BYTES && mayHaveVariants(file) && SERVED_ROOTS.some((root) => file.startsWith(root));
}

// Levels, measured on a synthetic build of 4,000 versions (3,545 files over 1 KB, 14 MB): brotli quality 5 and 6
// give the same size (3.2 MB) for the same time, qualities 4 and 3 are 7% and 14% larger for little time saved;
// gzip 6 to 9 lie within 0.5% (3.56–3.57 MB), so the default level 6. Writing the extra files costs about as much
// CPU as compressing them (docs/hosting.md, "Compression"). The size hint lets brotli fit its window to the input;
// gzip's header has no mtime and no name (node:zlib writes neither), so the same input always gives the same bytes.
const BROTLI_QUALITY = 5;
const GZIP_LEVEL = 6;

/** Plain data (numbers only), so the same options reach the compression worker by message. */
function zlibOptions(size: number): { br: BrotliOptions; gzip: ZlibOptions } {
  return {
    br: { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: size, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } },
    gzip: { level: GZIP_LEVEL },
  };
}

export function compressBody(data: Buffer, encoding: ContentEncoding): Buffer {
  const options = zlibOptions(data.length);
  return encoding === 'br' ? brotliCompressSync(data, options.br) : gzipSync(data, options.gzip);
}

// Plain JavaScript, so the worker needs no TypeScript loader; it only applies the options it is sent.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
parentPort.on('message', ({ id, data, options }) => {
  parentPort.postMessage({ id, br: zlib.brotliCompressSync(data, options.br), gzip: zlib.gzipSync(data, options.gzip) });
});
`;

/**
 * Compresses on a second thread while the build renders and writes on the first: compressing costs about as
 * much CPU as writing the files, and overlapping the two keeps the build's wall time close to what it was.
 */
export class CompressionWorker {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  private readonly waiting = new Map<number, { resolve(variants: Array<[string, Buffer]>): void; reject(error: unknown): void }>();
  private nextId = 0;
  private failure: unknown = null;

  constructor() {
    this.worker.on('message', ({ id, br, gzip }: { id: number; br: Uint8Array; gzip: Uint8Array }) => {
      const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
      const byName = { br: asBuffer(br), gzip: asBuffer(gzip) };
      this.waiting.get(id)?.resolve(ENCODINGS.map(({ name, suffix }) => [suffix, byName[name]]));
      this.waiting.delete(id);
    });
    const fail = (error: unknown): void => {
      this.failure ??= error;
      for (const job of this.waiting.values()) job.reject(error);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the compression worker exited with code ${code}`)));
  }

  /**
   * `[suffix, bytes]` of each encoding (ENCODINGS order), byte for byte what compressBody gives. With `move`, `data`
   * is the caller's no longer: when it holds its memory alone (not a slice of Node's pool), the memory moves to the
   * thread and `data` is left empty; else it is copied, as it always is without `move`.
   */
  variants(data: Buffer, move = false): Promise<Array<[string, Buffer]>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const alone = move && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, data, options: zlibOptions(data.length) }, alone ? [data.buffer as ArrayBuffer] : []);
    });
  }

  /** Stops the worker; jobs still waiting are rejected. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
