// The hosts every API test runs against: the Node server, nginx + njs on the generated configuration, and the
// Cloudflare Worker in the real workerd runtime behind Cloudflare's asset layer (miniflare, from npm).
// nginx is a system package; when it is missing, its tests fail in strict mode (.ci/run) and are skipped, visibly, elsewhere.

import { request, Agent } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, it } from 'vitest';
import { startRegistryServer } from '../../scripts/lib/serve/node-server.ts';
import { nginxMissing, startNginx } from '../../scripts/lib/serve/run-nginx.ts';
import { startEdge } from '../../scripts/lib/edge/run-edge.ts';
import { STRICT_PREREQUISITES } from './strict.ts';

export interface RunningHost {
  url: string;
  stop(): Promise<void>;
}

export interface Host {
  name: string;
  /** Why this host cannot run here, or null. */
  missing(): string | null;
  start(dir: string): Promise<RunningHost>;
}

export const hosts: Host[] = [
  {
    name: 'node',
    missing: () => null,
    async start(dir) {
      const running = await startRegistryServer({ dir, port: 0 });
      return { url: running.url, stop: () => running.close() };
    },
  },
  {
    name: 'nginx',
    missing: nginxMissing,
    async start(dir) {
      const running = await startNginx({ dir });
      return { url: running.url, stop: () => running.stop() };
    },
  },
  {
    name: 'worker',
    missing: () => null,
    async start(dir) {
      const running = await startEdge({ dir });
      return { url: running.url, stop: () => running.stop() };
    },
  },
];

/**
 * `describe.each` over the hosts. A host that cannot run becomes a failing test in strict mode (.ci/run), and a skipped
 * suite with the reason in its title (and on stderr) otherwise.
 */
export function describeEachHost(title: string, body: (host: Host) => void): void {
  for (const host of hosts) {
    const missing = host.missing();
    if (!missing) {
      describe.each([host])(`${title} [$name]`, body);
    } else if (STRICT_PREREQUISITES) {
      describe(`${title} [${host.name}]`, () => {
        it(`needs ${host.name}`, () => {
          throw new Error(`${host.name} is required in strict mode: ${missing}`);
        });
      });
    } else {
      console.warn(`SKIPPED ${title} [${host.name}]: ${missing}`);
      describe.skip(`${title} [${host.name}] (skipped: ${missing})`, () => body(host));
    }
  }
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body's bytes as sent (still encoded when the answer has a Content-Encoding). */
  bytes: Buffer;
  /** Parsed body when it is JSON. */
  json(): any;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/**
 * One HTTP request with the request target sent exactly as given (no URL normalisation, no redirect following),
 * so tests control every byte of the path: `%2F` vs `%2f` vs `/`, `+` vs `%2B`, `%252F`.
 */
export function http(base: string, target: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname, port: url.port, method: options.method ?? 'GET', path: target, headers: options.headers, agent,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const body = bytes.toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          bytes,
          json: () => {
            try {
              return JSON.parse(body);
            } catch {
              throw new Error(`${options.method ?? 'GET'} ${target}: body is not JSON (status ${res.statusCode}): ${body.slice(0, 200)}`);
            }
          },
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The body as the server meant it: `bytes` decoded by the answer's Content-Encoding (br, gzip or none). */
export function decodedBody(answer: HttpAnswer): Buffer {
  const encoding = answer.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(answer.bytes);
  if (encoding === 'gzip') return gunzipSync(answer.bytes);
  if (encoding === undefined) return answer.bytes;
  throw new Error(`unexpected Content-Encoding ${String(encoding)}`);
}
