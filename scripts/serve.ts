// npm run serve -- [--dir <dir>] [--port <n>] [--host <address>]; the first line printed is the URL.
import { parseFlags, parsePort, runMain } from './lib/cli.ts';
import { startRegistryServer } from './lib/serve/node-server.ts';
import { checkBuiltDirectory, explainListenError } from './lib/serve/preflight.ts';

const USAGE = `usage: npm run serve -- [--dir <dir>] [--port <n>] [--host <address>]
Serves a built registry with the Node server; the first line printed is the URL.
  --dir <dir>       the built registry (default: dist)
  --port <n>        the port (default 8080; 0 picks a free one)
  --host <address>  the address to listen on (default: 127.0.0.1)`;

const flags = parseFlags({ dir: { type: 'string', default: 'dist' }, port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } }, USAGE);

runMain(async () => {
  const port = parsePort(flags.port, 8080);
  checkBuiltDirectory(flags.dir!);
  const running = await startRegistryServer({ dir: flags.dir!, port, host: flags.host! }).catch((error: unknown) => explainListenError(error, flags.host!, port));
  console.log(running.url);
  console.error(`serving ${flags.dir} (Ctrl-C to stop); try ${running.url}/v0.1/servers`);
});
