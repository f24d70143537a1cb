// npm run nginx -- [--dir <dir>] [--port <n>] [--host <address>] [--print]
// Runs nginx in the foreground on the generated configuration (first line printed: the URL), or prints it.
import path from 'node:path';
import { parseFlags, parsePort, runMain, stopOnSignals } from './lib/cli.ts';
import { renderNginxConfig } from './lib/serve/nginx-config.ts';
import { checkBuiltDirectory, checkPortAvailable } from './lib/serve/preflight.ts';
import { startNginx } from './lib/serve/run-nginx.ts';

const USAGE = `usage: npm run nginx -- [--dir <dir>] [--port <n>] [--host <address>] [--print] [--prefix <dir>]
Runs the system nginx in the foreground on the generated configuration for a built registry; the first line printed
is the URL.
  --dir <dir>       the built registry (default: dist)
  --port <n>        the port (default 8080; 0 picks a free one)
  --host <address>  the address to listen on (default: 127.0.0.1)
  --print           print the configuration instead of running nginx (for self-hosting)
  --prefix <dir>    nginx's working folder in the printed configuration (default: /var/lib/mcp-registry-nginx)`;

const flags = parseFlags({
  dir: { type: 'string', default: 'dist' }, port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' },
  print: { type: 'boolean', default: false }, prefix: { type: 'string', default: '/var/lib/mcp-registry-nginx' },
}, USAGE);

runMain(async () => {
  const port = parsePort(flags.port, 8080);
  if (flags.print) {
    process.stdout.write(renderNginxConfig({ dir: path.resolve(flags.dir!), port, host: flags.host!, prefix: flags.prefix! }));
    return;
  }
  checkBuiltDirectory(flags.dir!);
  // nginx reports a busy port only in its own log, and waiting for the port would find the other server answering.
  await checkPortAvailable(flags.host!, port);
  const nginx = await startNginx({ dir: flags.dir!, port, host: flags.host!, inheritOutput: true });
  console.log(nginx.url);
  console.error(`nginx serving ${flags.dir} (Ctrl-C to stop)`);
  stopOnSignals(() => nginx.stop());
  await new Promise<void>((resolve) => nginx.process.once('exit', () => resolve()));
});
