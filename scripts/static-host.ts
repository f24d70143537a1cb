// npm run static-host -- [--dir dist] [--out pages]: the build laid out for plain file hosts such as GitHub Pages.
import { parseFlags, runMain } from './lib/cli.ts';
import { writeStaticHostLayout } from './lib/deploy/static-host.ts';

const flags = parseFlags({ dir: { type: 'string', default: 'dist' }, out: { type: 'string', default: 'pages' } });

runMain(async () => {
  const { files } = await writeStaticHostLayout(flags.dir!, flags.out!);
  console.log(`wrote ${files} files for a plain static host into ${flags.out}`);
});
