// Runs the Cloudflare deployment (cloudflare.ts) in the real workerd runtime through miniflare, with Cloudflare's
// own asset router and asset worker (shipped inside miniflare) in front of it, configured as wrangler.jsonc says.
// Offline: no `cf` object download, no telemetry (miniflare sends none).

import { rmSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import { ASSETS_BINDING, ASSETS_DIR, COMPATIBILITY_DATE, WORKER_FILE, writeCloudflareDeployment, type CloudflareDeployment } from './cloudflare.ts';

export interface RunningEdge {
  url: string;
  /** The folder holding worker.js, public/ and wrangler.jsonc. */
  deploymentDir: string;
  stop(): Promise<void>;
}

/** The miniflare options equivalent to the generated wrangler.jsonc (wrangler makes the same translation). */
export function miniflareAssetsOptions(deployment: CloudflareDeployment, assetsDir: string) {
  const positive = deployment.runWorkerFirst.filter((p) => !p.startsWith('!'));
  const negative = deployment.runWorkerFirst.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return {
    directory: assetsDir,
    binding: ASSETS_BINDING,
    routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: false, static_routing: { user_worker: positive, asset_worker: negative } },
    assetConfig: {
      html_handling: 'none' as const,
      not_found_handling: 'none' as const,
      has_static_routing: true,
      headers: { version: 2 as const, rules: deployment.headers },
    },
  };
}

/**
 * Writes the deployment for `dir` into `outDir` (a temporary folder when omitted, removed on stop) and serves it on
 * `host:port` (port 0 picks a free one). The asset manifest is read at start: restart after a rebuild.
 */
export async function startEdge(options: { dir: string; port?: number; host?: string; outDir?: string; name?: string }): Promise<RunningEdge> {
  const host = options.host ?? '127.0.0.1';
  const temporary = options.outDir === undefined;
  const outDir = options.outDir ?? (await mkdtemp(path.join(os.tmpdir(), 'mcp-registry-edge-')));
  const deployment = await writeCloudflareDeployment(options.dir, outDir, options.name ?? 'mcp-static-registry');
  const mf = new Miniflare({
    name: deployment.name,
    modules: true,
    // The text, not the path: workerd refuses module paths that leave the working folder (`..`).
    script: await readFile(path.join(outDir, WORKER_FILE), 'utf8'),
    compatibilityDate: COMPATIBILITY_DATE,
    assets: miniflareAssetsOptions(deployment, path.resolve(outDir, ASSETS_DIR)),
    cf: false,
    host,
    port: options.port ?? 0,
  });
  // miniflare ends the process itself on SIGINT/SIGTERM (after stopping workerd), before any async cleanup of ours.
  const removeOnExit = (): void => rmSync(outDir, { recursive: true, force: true });
  if (temporary) process.once('exit', removeOnExit);
  // Synchronous: a signal may end the process while an async removal is still running.
  const cleanup = async (): Promise<void> => {
    if (!temporary) return;
    removeOnExit();
    process.off('exit', removeOnExit);
  };
  let url: URL;
  try {
    url = await mf.ready;
  } catch (error) {
    await mf.dispose().catch(() => undefined);
    await cleanup();
    throw error;
  }
  return {
    url: url.origin,
    deploymentDir: outDir,
    stop: async () => {
      await mf.dispose();
      await cleanup();
    },
  };
}
