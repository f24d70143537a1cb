// Bundles the njs modules (njs-entry.ts with the shared query modules, njs-build-identity.ts) into scripts that
// nginx's njs 0.7 can load.

import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { OutputFile } from '../build/api-files.ts';

export const NJS_BUNDLE_FILE = '_nginx/list-query.js';
/** `$registry_build` (njs-build-identity.ts), apart from the list-query bundle so that it is cheap to run. */
export const NJS_IDENTITY_FILE = '_nginx/build-identity.js';
/** The folder of both: nginx's code, not content (no host serves it). */
export const NJS_FOLDER = '_nginx';

async function bundleNjs(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
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

export function bundleNjsListQuery(): Promise<string> {
  return bundleNjs('./njs-entry.ts');
}

export function bundleNjsBuildIdentity(): Promise<string> {
  return bundleNjs('./njs-build-identity.ts');
}

/** Both files, as the build writes them. */
export async function bundleNjsFiles(): Promise<OutputFile[]> {
  const [listQuery, identity] = await Promise.all([bundleNjsListQuery(), bundleNjsBuildIdentity()]);
  return [{ path: NJS_BUNDLE_FILE, content: listQuery }, { path: NJS_IDENTITY_FILE, content: identity }];
}
