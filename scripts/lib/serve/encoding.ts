// Content negotiation for the precompressed variants the build writes beside served text files (build/compress.ts).
// Pure functions on header values and file names, so every host that runs our code (the Node server, a Worker)
// picks the same variant for the same Accept-Encoding.

export type ContentEncoding = 'br' | 'gzip';

/** In order of preference: brotli is smaller, so it wins when the client accepts both equally. */
export const ENCODINGS: ReadonlyArray<{ name: ContentEncoding; suffix: string }> = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
];

/** Sent with every answer that has (or could have) variants, so caches keep one copy per encoding. */
export const VARY_ENCODING = 'Accept-Encoding';

/**
 * The encoding to answer with for an `Accept-Encoding` header (RFC 9110 §12.5.3): the highest q-value among br and
 * gzip, br on a tie, none when neither is acceptable (q=0, absent, or only `identity`). `*` stands for any coding
 * not listed. The q-value of identity does not matter: identity is always available as the fallback.
 */
export function negotiateEncoding(acceptEncoding: string | string[] | undefined): ContentEncoding | null {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : acceptEncoding;
  if (!header) return null;
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [token, ...params] = part.split(';').map((s) => s.trim());
    if (!token) continue;
    let q = 1;
    for (const param of params) {
      const m = /^q\s*=\s*([0-9.]+)$/i.exec(param);
      if (m) q = Math.min(1, Number(m[1]) || 0);
    }
    const name = token.toLowerCase() === 'x-gzip' ? 'gzip' : token.toLowerCase();
    weights.set(name, Math.max(q, weights.get(name) ?? 0));
  }
  let best: ContentEncoding | null = null, bestQ = 0;
  for (const { name } of ENCODINGS) {
    const q = weights.get(name) ?? weights.get('*') ?? 0;
    if (q > bestQ) { best = name; bestQ = q; }
  }
  return best;
}

/** The file holding `file` in `encoding`. */
export function encodedFile(file: string, encoding: ContentEncoding): string {
  return file + ENCODINGS.find((e) => e.name === encoding)!.suffix;
}

/** Whether the build writes variants for files of this name (text types); whether they exist depends on size. */
export function mayHaveVariants(file: string): boolean {
  return /\.(json|html|js|css)$/.test(file);
}

export interface Candidate {
  /** The file to read. */
  file: string;
  /** The file it encodes (its name gives the Content-Type), or `file` itself. */
  identity: string;
  encoding: ContentEncoding | null;
}

/**
 * The files to try, in order, for a router decision's `files` and a request's Accept-Encoding: before each file, its
 * variant in the negotiated encoding. The build writes variants only beside existing files, so the first existing
 * candidate is what nginx's try_files then gzip_static/brotli_static would send.
 */
export function encodingCandidates(files: readonly string[], acceptEncoding: string | string[] | undefined): Candidate[] {
  const encoding = negotiateEncoding(acceptEncoding);
  return files.flatMap((file): Candidate[] => [
    ...(encoding && mayHaveVariants(file) ? [{ file: encodedFile(file, encoding), identity: file, encoding }] : []),
    { file, identity: file, encoding: null },
  ]);
}
