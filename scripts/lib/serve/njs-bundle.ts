// Bundles njs-entry.ts and the shared query modules into one script that nginx's njs 0.7 can load.

import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const NJS_BUNDLE_FILE = '_nginx/list-query.js';

export async function bundleNjsListQuery(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./njs-entry.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    // es2019 lowers `??` and `?.`, which njs 0.7 cannot parse; everything else is kept to its subset by hand.
    target: 'es2019',
    platform: 'neutral',
    external: ['fs'],
    legalComments: 'none',
    charset: 'utf8',
    // The path comments esbuild writes are relative to this folder: fixed, so the bundle does not depend on the
    // folder the build was started in.
    absWorkingDir: fileURLToPath(new URL('../../..', import.meta.url)),
  });
  // njs accepts only `export default <expression>`, not esbuild's `export { x as default }`.
  return result.outputFiles[0]!.text.replace(/export\s*\{\s*(\w+)\s+as\s+default\s*\};?\s*$/, 'export default $1;\n');
}
