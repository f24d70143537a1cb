// npm start: build the registry from entries/ into dist/ and serve it on localhost. The first line is the URL.
import { buildRegistry } from './lib/build/build-registry.ts';
import { parseFlags, parsePort, runMain } from './lib/cli.ts';
import { renderProblemsForTerminal } from './lib/problems.ts';
import { startRegistryServer } from './lib/serve/node-server.ts';
import { checkPortAvailable, explainListenError } from './lib/serve/preflight.ts';

const USAGE = `usage: npm start -- [--entries <dir>] [--out <dir>] [--port <n>]
Builds the registry, then serves the result with the Node server on 127.0.0.1; the first line printed is the URL.
  --entries <dir>  the entries folder to build (default: entries)
  --out <dir>      where to write the build (default: dist)
  --port <n>       the port (default 8080; 0 picks a free one)`;

const flags = parseFlags({ entries: { type: 'string', default: 'entries' }, out: { type: 'string', default: 'dist' }, port: { type: 'string' } }, USAGE);

const HOST = '127.0.0.1';

runMain(async () => {
  const port = parsePort(flags.port, 8080);
  // Before the build, which can take a while: a busy port is known now.
  await checkPortAvailable(HOST, port);
  const result = await buildRegistry({ entriesDir: flags.entries!, outDir: flags.out!, keepRecords: false });
  if (result.problems.length) console.error(renderProblemsForTerminal(result.problems));
  const running = await startRegistryServer({ dir: flags.out!, port, host: HOST }).catch((error: unknown) => explainListenError(error, HOST, port));
  console.log(running.url);
  console.error(`built ${result.servers} servers (${result.versions} versions); try ${running.url}/v0.1/servers (Ctrl-C to stop)`);
});
