// npm run edge -- [--dir <dir>] [--port <n>] [--host <address>] [--out <dir>] [--name <worker>] [--write-only] [--runtime <r>]
// Runs the Cloudflare Worker over a build in the local workerd runtime (first line printed: the URL), or only writes
// the deployment (worker.js, public/, wrangler.jsonc) for `wrangler deploy`.
import path from 'node:path';
import { parseFlags, parsePort, runMain, stopOnSignals } from './lib/cli.ts';
import { CONFIG_FILE, writeCloudflareDeployment } from './lib/edge/cloudflare.ts';
import { startEdge } from './lib/edge/run-edge.ts';
import { startWorkerd } from './lib/edge/run-workerd.ts';
import { freePort } from './lib/serve/run-nginx.ts';
import { checkBuiltDirectory, checkPortAvailable } from './lib/serve/preflight.ts';

const USAGE = `usage: npm run edge -- [--dir <dir>] [--port <n>] [--host <address>] [--out <dir>] [--name <worker>] [--write-only] [--runtime <r>]
Runs the registry's Cloudflare Worker over a built registry in the local workerd runtime (miniflare, offline), behind
Cloudflare's static-assets layer as wrangler.jsonc configures it; the first line printed is the URL.
  --dir <dir>       the built registry (default: dist)
  --port <n>        the port (default 8787; 0 picks a free one)
  --host <address>  the address to listen on (default: 127.0.0.1)
  --out <dir>       where to write the deployment (worker.js, public/, wrangler.jsonc), replaced
                    (default: a temporary folder, removed on exit; with --write-only: cloudflare)
  --name <worker>   the Worker's name in wrangler.jsonc (default: mcp-static-registry)
  --write-only      write the deployment and exit, for \`npx wrangler@4 deploy --config <out>/wrangler.jsonc\`
  --runtime <r>     miniflare (default): the deployment as a whole, behind Cloudflare's asset layer; workerd: the
                    Worker alone in workerd, its assets binding served by workerd's disk service (for throughput
                    figures: miniflare runs the asset layer in the Worker's one thread; no site, no --out)`;

const flags = parseFlags({
  dir: { type: 'string', default: 'dist' }, port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' },
  out: { type: 'string' }, name: { type: 'string', default: 'mcp-static-registry' }, 'write-only': { type: 'boolean', default: false },
  runtime: { type: 'string', default: 'miniflare' },
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
  if (flags.runtime !== 'miniflare' && flags.runtime !== 'workerd') {
    console.error(`error: --runtime must be miniflare or workerd, not "${flags.runtime}"`);
    process.exit(2);
  }
  // workerd reports a busy port only in its own log, and cannot pick one itself.
  await checkPortAvailable(flags.host!, port);
  const edge = flags.runtime === 'workerd'
    ? await startWorkerd({ dir: flags.dir!, port: port || (await freePort()), host: flags.host! })
    : await startEdge({ dir: flags.dir!, port, host: flags.host!, outDir: flags.out, name: flags.name! });
  console.log(edge.url);
  console.error(`the Worker serving ${flags.dir} in workerd (Ctrl-C to stop; restart after a rebuild); try ${edge.url}/v0.1/servers`);
  stopOnSignals(() => edge.stop());
});
