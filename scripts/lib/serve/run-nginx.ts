// Starts the system nginx on a generated configuration in a private prefix folder, and stops it again.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { renderNginxConfig, NJS_MODULE_PATH } from './nginx-config.ts';

export const NGINX_BINARY = process.env.NGINX_BINARY ?? '/usr/sbin/nginx';

/** Says what is missing, with the Debian packages that bring it, or null when nginx can run. */
export function nginxMissing(): string | null {
  if (!existsSync(NGINX_BINARY)) return `nginx not found at ${NGINX_BINARY}: apt-get install nginx libnginx-mod-http-js`;
  if (!existsSync(NJS_MODULE_PATH)) return `njs module not found at ${NJS_MODULE_PATH}: apt-get install libnginx-mod-http-js`;
  return null;
}

/** nginx cannot be told to pick a port, so one is picked here and handed over. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, host: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null) return reject(new Error(`nginx exited with code ${child.exitCode}`));
      const socket = connect(port, host);
      socket.once('connect', () => { socket.destroy(); resolve(); });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nginx did not listen on ${host}:${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

export interface RunningNginx {
  url: string;
  config: string;
  process: ChildProcess;
  /** What nginx wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

export async function startNginx(options: { dir: string; port?: number; host?: string; inheritOutput?: boolean }): Promise<RunningNginx> {
  const missing = nginxMissing();
  if (missing) throw new Error(missing);
  const host = options.host ?? '127.0.0.1';
  const port = options.port || (await freePort(host));
  const prefix = await mkdtemp(path.join(os.tmpdir(), 'mcp-registry-nginx-'));
  const user = process.getuid?.() === 0 ? 'root' : undefined;
  const config = renderNginxConfig({ dir: path.resolve(options.dir), port, host, prefix, user });
  const configFile = path.join(prefix, 'nginx.conf');
  await writeFile(configFile, config);
  let stderr = '';
  const child = spawn(NGINX_BINARY, ['-p', prefix, '-c', configFile, '-e', 'stderr'], { stdio: ['ignore', 'inherit', options.inheritOutput ? 'inherit' : 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGQUIT');
    await exited;
    await rm(prefix, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, host, child, 10_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return { url: `http://${host}:${port}`, config, process: child, stderr: () => stderr, stop };
}
