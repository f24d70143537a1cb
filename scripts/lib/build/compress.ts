// Precompressed variants of the served text files (`<file>.br`, `<file>.gz`), so hosts send compressed bytes without
// compressing per request: nginx with gzip_static/brotli_static, the Node server through encoding.ts.

import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
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
// and gzip 6 to 9 give sizes within 0.5% of each other (brotli 3.2 MB, gzip 3.57 MB), so the cheaper level of each
// wins; quality 11 costs many times the whole build for a few percent. Writing the extra files costs about as much
// as compressing them (docs/hosting.md, "Compression"). The size hint lets brotli fit its window to the input; gzip's
// header has no mtime and no name (node:zlib writes neither), so the same input always gives the same bytes.
const BROTLI_QUALITY = 5;
const GZIP_LEVEL = 6;

export function compressBody(data: Buffer, encoding: ContentEncoding): Buffer {
  if (encoding === 'br') {
    return brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    });
  }
  return gzipSync(data, { level: GZIP_LEVEL });
}

/** The variants to write beside a file, `[suffix, bytes]`; none for small or unserved files. */
export function precompressed(file: string, data: Buffer): Array<[string, Buffer]> {
  if (!isCompressible(file, data.length)) return [];
  return ENCODINGS.map(({ name, suffix }) => [suffix, compressBody(data, name)]);
}
