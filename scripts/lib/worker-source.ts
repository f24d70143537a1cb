// A worker thread's code as one CommonJS text, bundled by esbuild from its TypeScript entry and started with
// `new Worker(source, { eval: true })`. Worker threads do not inherit the loader that runs our TypeScript (tsx in
// development, or nothing: the command lines run esbuild bundles, scripts/run.mjs), so a worker started from a `.ts`
// path works in one and not the other; from source text it works the same in both. Each file's `import.meta.url`,
// `dirname` and `filename` become that file's own, as they would be unbundled. Bundling takes about 0.1 s.

import { build, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ownImportMeta: Plugin = {
  name: 'own-import-meta',
  setup(bundle) {
    bundle.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const contents = text
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path));
      return { contents, loader: 'ts' };
    });
  },
};

const cache = new Map<string, Promise<string>>();

/** The bundled source of the worker module at `entry` (a file URL), made once per process. */
export function workerSource(entry: URL): Promise<string> {
  let source = cache.get(entry.href);
  if (!source) {
    source = build({
      entryPoints: [fileURLToPath(entry)], bundle: true, write: false, format: 'cjs', platform: 'node', target: 'node20',
      legalComments: 'none', logLevel: 'silent', plugins: [ownImportMeta],
      // ES module builds first: a UMD build (jsonc-parser's) requires its own files at run time, which a bundle lacks.
      mainFields: ['module', 'main'],
    }).then((result) => result.outputFiles[0]!.text);
    cache.set(entry.href, source);
  }
  return source;
}
