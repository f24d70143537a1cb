// usage: node scripts/run.mjs <script> [args…]   runs scripts/<script>.ts, as `npm run <script>` does
//
// Plain JavaScript, unlike everything else in scripts/: this launcher exists so that a command starts without
// compiling TypeScript (tsx spends about a second on that at every start), so it must run on bare Node itself.
//
// It runs an esbuild bundle of the entry point, cached under node_modules/.cache/mcp-static-registry/ and keyed by
// the content hash of every file the bundle was built from (recorded in a manifest beside it) plus package.json,
// the lock files, tsconfig.json and this launcher. The first run, or the first after an edit, builds it (about as
// long as one tsx start); later runs only hash the sources and import the bundle, in this same process (so exit
// codes, signals, stdin and the TTY are the script's own). Packages stay outside the bundle, imported from
// node_modules at the very files Node would pick for the sources. `import.meta.url`, `.filename`, `.dirname` and
// `import.meta.resolve('<literal>')` are replaced in each source by that source's own values, so paths computed
// from them (schemas, the site and Worker sources bundled at build time, the repository root) are the same as
// under tsx. MCP_REGISTRY_TSX=1 runs the TypeScript through tsx instead (development), as `npx tsx scripts/x.ts`
// still does; so does any failure to build or cache the bundle, which never fails the command.

import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const SCRIPTS = path.dirname(SELF);
const ROOT = path.dirname(SCRIPTS);
// Bumped when the bundle's shape changes in a way the hashed files do not show.
const FORMAT = 'run.mjs/1';
// Besides the bundle's own inputs: what changes how they resolve and compile. node_modules/.package-lock.json is
// npm's record of what is actually installed, so an install that changes a package rebuilds too.
const CONTEXT_FILES = ['package.json', 'package-lock.json', 'node_modules/.package-lock.json', 'tsconfig.json', 'scripts/run.mjs'];
// A bundle of an older version of the sources is deleted when a newer one is written, once it is a day old: a
// server started from it before the edit may still be running and import one of its chunks.
const PRUNE_AFTER_MS = 24 * 3_600_000;
// What the bundle replaces in each source file by that file's own values (bundleWithEsbuild).
const META = /\bimport\.meta\.(url|filename|dirname)\b/g;
const META_RESOLVE = /\bimport\.meta\.resolve\(\s*(['"])([^'"\n]+)\1\s*\)/g;
const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json' };

const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z0-9][a-z0-9-]*$/.test(name) || !isFile(path.join(SCRIPTS, `${name}.ts`))) {
  const known = readdirSync(SCRIPTS).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
  process.stderr.write(`usage: node scripts/run.mjs <script> [args…]   (script: ${known.join(', ')})\n`);
  process.exit(2);
}
const entry = path.join(SCRIPTS, `${name}.ts`);
// What the script sees is what it would see under tsx: its own path as argv[1], its arguments after it.
process.argv = [process.argv[0], entry, ...args];

if (process.env.MCP_REGISTRY_TSX === '1') await runWithTsx();
else {
  const bundle = findBundle() ?? (await buildBundle());
  if (!bundle) await runWithTsx();
  else {
    // tsx turns them on too: stack traces name the .ts lines.
    process.setSourceMapsEnabled(true);
    try {
      await import(pathToFileURL(bundle).href);
    } catch (error) {
      // The bundle deleted between finding and importing it (pruned by a build of newer sources): build again.
      // Anything else is the script's own failure, thrown as it would be without the launcher.
      if (error?.code !== 'ERR_MODULE_NOT_FOUND' || isFile(bundle) || !String(error.message).includes(bundle)) throw error;
      const again = await buildBundle();
      if (again) await import(pathToFileURL(again).href);
      else await runWithTsx();
    }
  }
}

async function runWithTsx() {
  // The same loader `node --import tsx` registers, registered in this process before the script is imported.
  await import('tsx');
  await import(pathToFileURL(entry).href);
}

function isFile(file) {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function readOrEmpty(file) {
  try {
    return readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}

/** Hash of the context files and of `inputs` (path relative to ROOT → bytes). */
function keyOf(inputs) {
  const hash = createHash('sha256').update(`${FORMAT}\0${ROOT}\0`);
  const add = (rel, bytes) => hash.update(`${rel}\0${bytes.length}\0`).update(bytes);
  for (const rel of CONTEXT_FILES) add(rel, readOrEmpty(path.join(ROOT, rel)));
  for (const [rel, bytes] of [...inputs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) add(rel, bytes);
  return hash.digest('hex').slice(0, 32);
}

/**
 * Candidate cache folders, the first writable one used for building. One folder per checkout (several worktrees may
 * share one node_modules): a bundle holds its checkout's absolute paths.
 */
function cacheDirs() {
  const tag = createHash('sha256').update(ROOT).digest('hex').slice(0, 16);
  const primary = process.env.MCP_REGISTRY_CACHE_DIR || path.join(ROOT, 'node_modules', '.cache', 'mcp-static-registry');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return [path.join(primary, tag), path.join(os.tmpdir(), `mcp-static-registry-${uid}`, tag)];
}

/** The cached bundle's entry file, when its manifest's inputs still hash to its key. */
function findBundle() {
  for (const dir of cacheDirs()) {
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8'));
    } catch {
      continue;
    }
    if (manifest.format !== FORMAT || !Array.isArray(manifest.inputs) || (isTemporary(dir) && !privateDir(dir))) continue;
    const inputs = new Map(manifest.inputs.map((rel) => [rel, readOrEmpty(path.join(ROOT, rel))]));
    const bundle = bundleEntry(dir, manifest.key);
    if (keyOf(inputs) === manifest.key && isFile(bundle)) return bundle;
  }
  return undefined;
}

function bundleEntry(dir, key) {
  return path.join(dir, `${name}.${key}`, `${name}.mjs`);
}

function isTemporary(dir) {
  return dir.startsWith(os.tmpdir() + path.sep);
}

/** The shared temporary folder is used only where this user alone can write (another could plant code there). */
function privateDir(dir) {
  try {
    for (const d of [path.dirname(dir), dir]) {
      const stat = lstatSync(d);
      if (!stat.isDirectory() || (typeof process.getuid === 'function' && stat.uid !== process.getuid()) || (stat.mode & 0o022) !== 0) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Builds and caches the bundle; undefined (the caller falls back to tsx) when it cannot be built or written. */
async function buildBundle() {
  let built;
  try {
    built = await bundleWithEsbuild();
  } catch (error) {
    // A syntax error in the sources, say: tsx reports it the way a developer expects.
    debug(`bundling ${name} failed, running through tsx: ${error?.message ?? error}`);
    return undefined;
  }
  for (const dir of cacheDirs()) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (isTemporary(dir) && !privateDir(dir)) continue;
      const bundle = bundleEntry(dir, built.key);
      // Written whole under a temporary name, then renamed: a concurrent run sees all of it or none of it. The
      // manifest, which later runs look up, is written last.
      const temp = path.join(dir, `.${name}.${built.key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      try {
        mkdirSync(temp);
        for (const [file, text] of built.files) writeFileSync(path.join(temp, file), text);
        renameSync(temp, path.dirname(bundle));
      } catch (error) {
        rmSync(temp, { recursive: true, force: true });
        // A concurrent first run renamed its identical bundle into place first.
        if (!isFile(bundle)) throw error;
      }
      writeAtomically(path.join(dir, `${name}.json`), JSON.stringify({ format: FORMAT, key: built.key, inputs: built.inputs }));
      prune(dir, path.basename(path.dirname(bundle)));
      return bundle;
    } catch (error) {
      debug(`cannot cache in ${dir}: ${error?.message ?? error}`);
    }
  }
  return undefined;
}

function debug(message) {
  if (process.env.MCP_REGISTRY_DEBUG) process.stderr.write(`run.mjs: ${message}\n`);
}

function writeAtomically(file, data) {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Deletes this script's bundles of other source versions, and what a killed build left. */
function prune(dir, keep) {
  const now = Date.now();
  for (const file of readdirSync(dir)) {
    const old = file !== keep && file.startsWith(`${name}.`) && !file.endsWith('.json');
    if (!old && !file.endsWith('.tmp')) continue;
    try {
      if (now - statSync(path.join(dir, file)).mtimeMs > PRUNE_AFTER_MS) rmSync(path.join(dir, file), { recursive: true, force: true });
    } catch {
      // Another run pruned it first.
    }
  }
}

/** The bundle's files (name → text), the inputs it was built from and their key. */
async function bundleWithEsbuild() {
  // Loaded only when building: a warm start never pays for esbuild.
  const esbuild = await import('esbuild');
  // Every file the bundle holds, as read for it: the key is computed from exactly these bytes.
  const inputs = new Map();
  const outdir = path.join(ROOT, 'node_modules', '.cache', name); // names the output only: write is false
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outdir,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    write: false,
    bundle: true,
    // A module the script imports lazily (`await import('./lib/…')`) stays in a chunk of its own, loaded when it is
    // imported, with the packages only it needs: `validate --offline` never loads the package checkers.
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'silent',
    plugins: [{
      name: 'mcp-static-registry-run',
      setup(build) {
        // Packages are not bundled: each is imported by the file URL Node resolves it to from the sources (all
        // under this root, without node_modules of their own, so from anywhere in them it resolves the same), so
        // the bundle may live anywhere, a temporary folder included.
        build.onResolve({ filter: /^[^./]/ }, (args) => {
          if (isBuiltin(args.path)) return { path: args.path, external: true };
          return { path: import.meta.resolve(args.path), external: true };
        });
        build.onLoad({ filter: /.*/, namespace: 'file' }, (args) => {
          const bytes = readFileSync(args.path);
          inputs.set(path.relative(ROOT, args.path).split(path.sep).join('/'), bytes);
          const fileUrl = pathToFileURL(args.path).href;
          const own = { url: fileUrl, filename: args.path, dirname: path.dirname(args.path) };
          const contents = bytes.toString('utf8')
            .replace(META, (_, key) => JSON.stringify(own[key]))
            .replace(META_RESOLVE, (_, __, specifier) => JSON.stringify(specifier.startsWith('.') ? new URL(specifier, fileUrl).href : import.meta.resolve(specifier)));
          return { contents, loader: LOADERS[path.extname(args.path)] ?? 'default' };
        });
      },
    }],
  });
  const files = new Map();
  for (const file of result.outputFiles) {
    const rel = path.relative(outdir, file.path);
    if (rel.endsWith('.map')) {
      // Source paths made absolute, so the maps are right wherever the bundle is cached.
      const map = JSON.parse(file.text);
      map.sources = map.sources.map((s) => pathToFileURL(path.resolve(outdir, s)).href);
      files.set(rel, JSON.stringify(map));
    } else {
      // Anything import.meta left would be the bundle's own location, not the source's: refuse rather than differ.
      if (file.text.includes('import.meta')) throw new Error(`import.meta left in ${rel} (only url, filename, dirname and resolve('<literal>') are replaced)`);
      files.set(rel, file.text);
    }
  }
  return { key: keyOf(inputs), files, inputs: [...inputs.keys()].sort() };
}
