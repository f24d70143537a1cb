// The Worker in workerd itself, without miniflare: the deployment's worker.js with its ASSETS binding served by
// workerd's own disk service over the same assets folder. Cloudflare's asset router and asset worker are not in
// front (miniflare runs them in the same single thread as the Worker, and they cost more than the Worker does), so
// this is how the Worker's own throughput is measured; what the deployment does as a whole is tested through
// run-edge.ts. The API paths are the Worker's either way (`run_worker_first`).

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ASSETS_BINDING, ASSETS_DIR, COMPATIBILITY_DATE, WORKER_FILE, writeCloudflareDeployment } from './cloudflare.ts';
import type { RunningEdge } from './run-edge.ts';

const CONFIG_FILE = 'workerd.capnp';

/** The platform's workerd binary, as the workerd package (a dev dependency, pinned with miniflare) resolves it. */
function workerdBinary(): string {
  return (createRequire(import.meta.url)('workerd') as { default: string }).default;
}

/** workerd's configuration: the Worker, its assets as a read-only disk service, one HTTP socket. */
export function renderWorkerdConfig(options: { deploymentDir: string; host: string; port: number }): string {
  const text = (value: string) => JSON.stringify(value);
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "assets", disk = (path = ${text(path.resolve(options.deploymentDir, ASSETS_DIR))}, writable = false)),
  ],
  sockets = [(name = "http", address = ${text(`${options.host}:${options.port}`)}, http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = ${text(WORKER_FILE)}, esModule = embed ${text(WORKER_FILE)})],
  compatibilityDate = ${text(COMPATIBILITY_DATE)},
  bindings = [(name = ${text(ASSETS_BINDING)}, service = "assets")],
);
`;
}

/** Serves the build in `dir` on `host:port` (a port is required: workerd prints nothing when it listens). */
export async function startWorkerd(options: { dir: string; port: number; host?: string }): Promise<RunningEdge & { pid: number }> {
  const host = options.host ?? '127.0.0.1';
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'mcp-registry-workerd-'));
  await writeCloudflareDeployment(options.dir, outDir, 'mcp-static-registry');
  await writeFile(path.join(outDir, CONFIG_FILE), renderWorkerdConfig({ deploymentDir: outDir, host, port: options.port }));
  const child = spawn(workerdBinary(), ['serve', path.join(outDir, CONFIG_FILE)], { stdio: ['ignore', 'inherit', 'inherit'] });
  const url = `http://${host}:${options.port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(outDir, { recursive: true, force: true });
  };
  try {
    await waitForAnswer(`${url}/v0.1/ping`, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, deploymentDir: outDir, pid: child.pid!, stop };
}

async function waitForAnswer(url: string, child: ReturnType<typeof spawn>): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`workerd did not answer ${url} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
