// npm run static-host -- [--dir dist] [--out pages]: the build laid out for plain file hosts such as GitHub Pages.
import { parseFlags, runMain } from './lib/cli.ts';
import { writeStaticHostLayout } from './lib/deploy/static-host.ts';
import { checkBuiltDirectory } from './lib/serve/preflight.ts';

const USAGE = `usage: npm run static-host -- [--dir <dir>] [--out <dir>]
Lays a built registry out for plain file hosts such as GitHub Pages or S3 (docs/hosting.md).
  --dir <dir>  the built registry (default: dist)
  --out <dir>  the folder to write, replaced (default: pages)`;

const flags = parseFlags({ dir: { type: 'string', default: 'dist' }, out: { type: 'string', default: 'pages' } }, USAGE);

runMain(async () => {
  // Before --out is replaced: a missing build must not leave an empty site behind.
  checkBuiltDirectory(flags.dir!);
  const { files } = await writeStaticHostLayout(flags.dir!, flags.out!);
  console.log(`wrote ${files} files for a plain static host into ${flags.out}`);
});
