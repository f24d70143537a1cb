// A registry host in the middle of a deployment, on 127.0.0.1: for its first `pending` requests it answers what the
// old deployment (or a CDN's cached miss) answers, then it passes every request on to the real server behind it.
// Every request is recorded with the headers that matter to caches.

import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  /** Path and query exactly as sent. */
  url: string;
  cacheControl: string | undefined;
}

export interface DeployingHost {
  url: string;
  requests: SeenRequest[];
  /** Requests still to answer as before the deployment (Infinity: never deployed). */
  pending: number;
  stop(): Promise<void>;
}

/**
 * `before`: `not-found` is a 404 problem answer (the version does not exist yet); `catch-all` is a 200 HTML page,
 * what a host with a single-page-app fallback answers for any path; a URL is the old deployment, passed on to.
 */
function pass(req: IncomingMessage, res: ServerResponse, target: string): void {
  const upstream = request(new URL(req.url!, target), { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
    res.writeHead(answer.statusCode!, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

export async function startDeployingHost(target: string, options: { pending: number; before?: 'not-found' | 'catch-all' | URL }): Promise<DeployingHost> {
  const host = { requests: [] as SeenRequest[], pending: options.pending };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    host.requests.push({ method: req.method!, url: req.url!, cacheControl: req.headers['cache-control'] });
    if (host.pending > 0) {
      host.pending--;
      if (options.before instanceof URL) return pass(req, res, options.before.href);
      if (options.before === 'catch-all') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<!doctype html><title>registry</title>');
      }
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      return res.end(JSON.stringify({ title: 'Not Found', status: 404, detail: 'Server not found' }));
    }
    pass(req, res, target);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(host, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  });
}
