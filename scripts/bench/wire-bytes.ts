// Bytes on the wire of list answers, raw and compressed: the body as received (still encoded; node:http does not
// decode), and the Content-Length the host announced, if any (chunked answers have none).

import http from 'node:http';

export type WireEncoding = 'identity' | 'gzip' | 'br';
const ENCODINGS: WireEncoding[] = ['identity', 'gzip', 'br'];

export interface WireAnswer {
  status: number;
  contentEncoding: string | null;
  contentLength: number | null;
  receivedBytes: number;
}

export interface WireFigures {
  path: string;
  raw: WireAnswer;
  gzip: WireAnswer;
  br: WireAnswer;
  /** Received bytes with that Accept-Encoding over received bytes without one. */
  gzipRatio: number | null;
  brRatio: number | null;
}

function receive(url: string, acceptEncoding: WireEncoding): Promise<WireAnswer> {
  return new Promise((resolve, reject) => {
    // `identity` is sent explicitly: with no header at all a host may pick any coding (RFC 9110 §12.5.3).
    const req = http.get(url, { headers: { 'Accept-Encoding': acceptEncoding } }, (res) => {
      let receivedBytes = 0;
      res.on('data', (chunk: Buffer) => (receivedBytes += chunk.length));
      res.on('end', () => {
        const length = res.headers['content-length'];
        resolve({
          status: res.statusCode ?? 0,
          contentEncoding: res.headers['content-encoding'] ?? null,
          contentLength: length === undefined ? null : Number(length),
          receivedBytes,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const ratio = (part: WireAnswer, whole: WireAnswer) =>
  part.status === 200 && whole.status === 200 && whole.receivedBytes > 0 ? Math.round((part.receivedBytes / whole.receivedBytes) * 10000) / 10000 : null;

/** The answer to `path` from the host at `base`, without compression, with gzip and with br. */
export async function measureWire(base: string, path: string): Promise<WireFigures> {
  const answers: Partial<Record<WireEncoding, WireAnswer>> = {};
  for (const encoding of ENCODINGS) answers[encoding] = await receive(base + path, encoding);
  return {
    path,
    raw: answers.identity!,
    gzip: answers.gzip!,
    br: answers.br!,
    gzipRatio: ratio(answers.gzip!, answers.identity!),
    brRatio: ratio(answers.br!, answers.identity!),
  };
}

/** The paths the benchmark measures: the unparameterised list and a 50-row page. */
export const WIRE_PATHS = { list: '/v0.1/servers', page50: '/v0.1/servers?limit=50' } as const;

export type HostWire = Record<keyof typeof WIRE_PATHS, WireFigures>;

export async function measureHostWire(base: string): Promise<HostWire> {
  return { list: await measureWire(base, WIRE_PATHS.list), page50: await measureWire(base, WIRE_PATHS.page50) };
}
