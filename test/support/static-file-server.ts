// A stock static file server (Python's http.server, as shipped with Debian), standing in for plain file hosts
// such as GitHub Pages: it ignores query strings, decodes %2F into folders, redirects folders to `<path>/`, serves
// index.html there, and types extensionless files as application/octet-stream.

import { spawn } from 'node:child_process';
import { freePort } from '../../scripts/lib/serve/run-nginx.ts';

export async function startStaticFileServer(dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await fetch(`${url}/`);
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('python3 -m http.server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    stop: () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill(); }),
  };
}
