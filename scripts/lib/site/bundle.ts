// Bundles the site's browser scripts (browser/main.ts and the search worker) with esbuild, minified.

import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { SITE_CSS } from './style.ts';
import type { SiteAssets } from './render.ts';

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
  });
  return result.outputFiles[0]!.text;
}

export async function bundleSiteAssets(): Promise<SiteAssets> {
  const [js, worker] = await Promise.all([bundle('./browser/main.ts'), bundle('./browser/worker.ts')]);
  return { css: SITE_CSS, js, worker };
}
