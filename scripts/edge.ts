// npm run edge -- [--dir <dir>] [--port <n>] [--host <address>] [--out <dir>] [--name <worker>] [--write-only]
// Runs the Cloudflare Worker over a build in the local workerd runtime (first line printed: the URL), or only writes
// the deployment (worker.js, public/, wrangler.jsonc) for `wrangler deploy`.
import path from 'node:path';
import { parseFlags, parsePort, runMain, stopOnSignals } from './lib/cli.ts';
import { CONFIG_FILE, writeCloudflareDeployment } from './lib/edge/cloudflare.ts';
import { startEdge } from './lib/edge/run-edge.ts';
import { checkBuiltDirectory, checkPortAvailable } from './lib/serve/preflight.ts';

const USAGE = `usage: npm run edge -- [--dir <dir>] [--port <n>] [--host <address>] [--out <dir>] [--name <worker>] [--write-only]
Runs the registry's Cloudflare Worker over a built registry in the local workerd runtime (miniflare, offline), behind
Cloudflare's static-assets layer as wrangler.jsonc configures it; the first line printed is the URL.
  --dir <dir>       the built registry (default: dist)
  --port <n>        the port (default 8787; 0 picks a free one)
  --host <address>  the address to listen on (default: 127.0.0.1)
  --out <dir>       where to write the deployment (worker.js, public/, wrangler.jsonc), replaced
                    (default: a temporary folder, removed on exit; with --write-only: cloudflare)
  --name <worker>   the Worker's name in wrangler.jsonc (default: mcp-static-registry)
  --write-only      write the deployment and exit, for \`npx wrangler@4 deploy --config <out>/wrangler.jsonc\``;

const flags = parseFlags({
  dir: { type: 'string', default: 'dist' }, port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' },
  out: { type: 'string' }, name: { type: 'string', default: 'mcp-static-registry' }, 'write-only': { type: 'boolean', default: false },
}, USAGE);

runMain(async () => {
  const port = parsePort(flags.port, 8787);
  // Before --out is replaced: a missing build must not leave an empty deployment behind.
  checkBuiltDirectory(flags.dir!);
  if (flags['write-only']) {
    const out = flags.out ?? 'cloudflare';
    const written = await writeCloudflareDeployment(flags.dir!, out, flags.name!);
    console.log(path.join(out, CONFIG_FILE));
    // Cloudflare counts asset files per Worker version (docs/hosting.md): say how many this deployment has.
    const assetFiles = written.siteFiles + written.packs.assets + 1;
    const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    console.error(`${count(assetFiles, 'asset file')}: ${count(written.siteFiles, 'site file')}, ${count(written.packs.packs, 'pack')} and ${count(written.packs.single, 'single file')} of the API and row index, _headers`);
    return;
  }
  // workerd reports a busy port only in its own log.
  await checkPortAvailable(flags.host!, port);
  const edge = await startEdge({ dir: flags.dir!, port, host: flags.host!, outDir: flags.out, name: flags.name! });
  console.log(edge.url);
  console.error(`the Worker serving ${flags.dir} in workerd (Ctrl-C to stop; restart after a rebuild); try ${edge.url}/v0.1/servers`);
  stopOnSignals(() => edge.stop());
});
