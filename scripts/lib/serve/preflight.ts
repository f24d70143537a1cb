// Checks the commands that serve a build make before they start, so a busy port or a missing build is one line that
// says what to do, not a stack trace (after a full build, for npm start).

import { existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { CliError } from '../cli.ts';

/** The one-line explanation of a failed listen, or undefined when the error is not about the address. */
export function listenErrorMessage(error: unknown, host: string, port: number): string | undefined {
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is in use: pass --port <n> to choose another, or --port 0 to pick a free one`;
    case 'EACCES':
      return `no permission to listen on port ${port} on ${host} (ports below 1024 need privileges): pass --port <n> above 1023, or --port 0 to pick a free one`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine: pass --host 127.0.0.1 or another local address`;
    default:
      return undefined;
  }
}

/** Rethrows a failed listen as a CliError when it is about the address, as it is otherwise. */
export function explainListenError(error: unknown, host: string, port: number): never {
  const message = listenErrorMessage(error, host, port);
  throw message ? new CliError(message) : error;
}

/**
 * Fails with a CliError when `host:port` cannot be listened on now. Port 0 always can. A moment later another
 * process may take it: the real listen explains its own error too; this only lets a command fail before its work.
 */
export function checkPortAvailable(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => {
      try {
        explainListenError(error, host, port);
      } catch (explained) {
        reject(explained);
      }
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** Fails with a CliError unless `dir` holds a build (npm run build writes the API under v0.1/). */
export function checkBuiltDirectory(dir: string): void {
  let built = false;
  try {
    built = statSync(dir).isDirectory() && existsSync(path.join(dir, 'v0.1'));
  } catch {
    built = false;
  }
  if (!built) throw new CliError(`no built registry in ${dir}: run \`npm run build\` first (or pass --dir <the build's folder>)`);
}
