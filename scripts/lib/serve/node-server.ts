// A small HTTP server over a built directory that carries out the router's decisions, with the full query
// semantics. For local use, tests and previews; production hosts serve the same files with nginx or a CDN.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { answerListQuery } from '../query/list-query.ts';
import { cachedBuiltFiles } from './built-files.ts';
import { problemAnswer, problemHeaders, routeRequest, type Headers } from './router.ts';
import { siteContentType } from './routes.ts';
import { encodingCandidates, negotiateEncoding, type Candidate } from './encoding.ts';
import { compressBody, MIN_COMPRESS_BYTES } from '../build/compress.ts';

/** nginx's ETag format, `"<hex mtime>-<hex size>"`, so both hosts send the same validator for the same file. */
export function etagFor(mtimeMs: number, size: number): string {
  return `"${Math.floor(mtimeMs / 1000).toString(16)}-${size.toString(16)}"`;
}

function send(res: ServerResponse, method: string, status: number, headers: Headers, body?: Buffer | string): void {
  const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  res.writeHead(status, { ...headers, ...(bytes ? { 'Content-Length': String(bytes.length) } : {}) });
  res.end(method === 'HEAD' ? undefined : bytes);
}

/** Reads the first existing file; null when none exists. Only regular files inside `dir` are served. */
async function readFirst(dir: string, candidates: Candidate[]): Promise<{ body: Buffer; etag: string; candidate: Candidate } | null> {
  for (const candidate of candidates) {
    const full = path.join(dir, candidate.file);
    if (!full.startsWith(dir + path.sep)) continue;
    const handle = await open(full, 'r').catch(() => null);
    if (!handle) continue;
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) continue;
      // A variant's time is derived from its own bytes (write-output.ts), so its ETag differs per encoding, as nginx's.
      return { body: await handle.readFile(), etag: etagFor(stat.mtimeMs, stat.size), candidate };
    } finally {
      await handle.close();
    }
  }
  return null;
}

export function createRegistryServer(distDir: string): Server {
  const dir = path.resolve(distDir);
  const files = cachedBuiltFiles(dir);
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const decision = routeRequest(method, req.url ?? '/');
    switch (decision.type) {
      case 'empty':
        return send(res, method, decision.status, decision.headers);
      case 'problem':
        return send(res, method, decision.status, decision.headers, decision.body);
      case 'list-query': {
        const answer = answerListQuery(decision.params, files);
        if (answer.status !== 200) return send(res, method, answer.status, problemHeaders(), answer.body);
        // Pages are computed per request; above 1 KB they are compressed on the fly (a 100-row page of 93 KB
        // becomes 4 KB of brotli in under a millisecond), as nginx's gzip filter does for its njs answers.
        const body = Buffer.from(answer.body, 'utf8');
        const encoding = body.length > MIN_COMPRESS_BYTES ? negotiateEncoding(req.headers['accept-encoding']) : null;
        if (!encoding) return send(res, method, 200, decision.headers, body);
        return send(res, method, 200, { ...decision.headers, 'Content-Encoding': encoding }, compressBody(body, encoding));
      }
      case 'file': {
        const found = await readFirst(dir, encodingCandidates(decision.files, req.headers['accept-encoding']));
        if (!found) return send(res, method, decision.notFound.status, decision.notFound.headers, decision.notFound.body);
        const { identity, encoding } = found.candidate;
        const headers = {
          ...decision.headers, ...(decision.typeByExtension ? { 'Content-Type': siteContentType(identity) } : {}),
          ...(encoding ? { 'Content-Encoding': encoding } : {}), ETag: found.etag,
        };
        if (req.headers['if-none-match'] === found.etag) return send(res, method, 304, headers);
        return send(res, method, 200, headers, found.body);
      }
    }
  }
  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error(error);
      if (!res.headersSent) {
        const failure = problemAnswer(500, 'Failed to answer the request');
        send(res, req.method ?? 'GET', 500, failure.headers, failure.body);
      } else res.destroy();
    });
  });
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Listens on `host:port` (port 0 picks a free one) and resolves with the URL it serves. */
export function startRegistryServer(options: { dir: string; port: number; host?: string }): Promise<RunningServer> {
  const server = createRegistryServer(options.dir);
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        server,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}
