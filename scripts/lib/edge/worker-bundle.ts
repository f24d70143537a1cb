// Bundles worker-entry.ts, the router and the shared query modules into the one ES module the Worker runs.

import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export async function bundleWorker(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./worker-entry.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    platform: 'neutral',
    legalComments: 'none',
    charset: 'utf8',
  });
  return result.outputFiles[0]!.text;
}
