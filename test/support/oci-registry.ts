// A real OCI distribution registry for tests: Debian's `docker-registry` (CNCF distribution) on 127.0.0.1, and images
// built here as OCI image layouts (tiny tar.gz layer, config with or without labels, manifest, optional index) and
// pushed with `skopeo copy`. Both are system packages; `ociToolsMissing()` says which is absent.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { freePort } from '../../scripts/lib/serve/run-nginx.ts';

export function ociToolsMissing(): string | null {
  const missing = ['docker-registry', 'skopeo'].filter((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0);
  return missing.length ? `${missing.join(' and ')} not installed (apt-get install docker-registry skopeo)` : null;
}

export { freePort };

export interface RunningRegistry {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>`, for docker:// references. */
  host: string;
  stop(): Promise<void>;
}

/** Starts docker-registry with filesystem storage in a temp dir, no auth, on a free loopback port. */
export async function startDockerRegistry(): Promise<RunningRegistry> {
  const dir = mkdtempSync(path.join(tmpdir(), 'oci-registry-'));
  const port = await freePort();
  const config = path.join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${url}/v2/`);
      if (res.status === 200) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not answer on ${url} within 10 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    host: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// OCI image layouts

export interface Blob {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Buffer;
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function blob(mediaType: string, bytes: Buffer): Blob {
  return { mediaType, digest: sha256(bytes), size: bytes.length, bytes };
}

/** A ustar archive holding one regular file. */
export function tarOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const put = (offset: number, length: number, value: string) => header.write(value, offset, length, 'ascii');
  const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, '0') + '\0';
  put(0, 100, name);
  put(100, 8, octal(0o644, 8));
  put(108, 8, octal(0, 8));
  put(116, 8, octal(0, 8));
  put(124, 12, octal(content.length, 12));
  put(136, 12, octal(0, 12));
  put(148, 8, '        ');
  put(156, 1, '0');
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  let sum = 0;
  for (const b of header) sum += b;
  put(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

export interface ImageSpec {
  labels?: Record<string, string> | null;
  architecture?: string;
  os?: string;
  /** Distinguishes otherwise equal images. */
  content?: string;
}

export interface BuiltImage {
  manifest: Blob;
  config: Blob;
  layer: Blob;
  platform: { os: string; architecture: string };
}

export function buildImage(spec: ImageSpec = {}): BuiltImage {
  const tar = tarOneFile('hello.txt', Buffer.from(spec.content ?? 'hello from a test image\n'));
  const layer = blob('application/vnd.oci.image.layer.v1.tar+gzip', gzipSync(tar));
  const os = spec.os ?? 'linux';
  const architecture = spec.architecture ?? 'amd64';
  const config = blob(
    'application/vnd.oci.image.config.v1+json',
    Buffer.from(
      JSON.stringify({
        created: '2026-01-01T00:00:00Z',
        architecture,
        os,
        config: { Cmd: ['/hello'], ...(spec.labels === null ? {} : { Labels: spec.labels ?? {} }) },
        rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
      }),
    ),
  );
  const desc = (b: Blob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });
  const manifest = blob(
    'application/vnd.oci.image.manifest.v1+json',
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: desc(config), layers: [desc(layer)] })),
  );
  return { manifest, config, layer, platform: { os, architecture } };
}

export function buildIndex(images: BuiltImage[]): Blob {
  return blob(
    'application/vnd.oci.image.index.v1+json',
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: images.map((i) => ({ mediaType: i.manifest.mediaType, digest: i.manifest.digest, size: i.manifest.size, platform: i.platform })),
      }),
    ),
  );
}

/** Writes an OCI image layout whose index.json names `top` (a manifest or an index) with the tag. */
export function writeLayout(dir: string, tag: string, top: Blob, blobs: Blob[]): void {
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const b of [top, ...blobs]) writeFileSync(path.join(dir, 'blobs', 'sha256', b.digest.slice('sha256:'.length)), b.bytes);
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: top.mediaType, digest: top.digest, size: top.size, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
}

/** Pushes `oci:<dir>:<tag>` to `docker://<host>/<name>:<tag>` with skopeo (all manifests of an index). */
export function skopeoPush(dir: string, tag: string, host: string, name: string): void {
  const policy = path.join(dir, '..', `policy-${path.basename(dir)}.json`);
  writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const args = ['copy', '--quiet', '--policy', policy, '--all', '--dest-tls-verify=false', '--dest-no-creds', `oci:${dir}:${tag}`, `docker://${host}/${name}:${tag}`];
  const r = spawnSync('skopeo', args, { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`skopeo ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.error ? String(r.error) : ''}`);
}

let layoutCounter = 0;

/** Builds a layout for one image (or an index of several) in a fresh dir under `root` and pushes it. */
export function pushImage(root: string, host: string, name: string, tag: string, images: BuiltImage | BuiltImage[]): { digest: string } {
  const dir = path.join(root, `layout-${++layoutCounter}`);
  if (Array.isArray(images)) {
    const index = buildIndex(images);
    writeLayout(dir, tag, index, images.flatMap((i) => [i.manifest, i.config, i.layer]));
    skopeoPush(dir, tag, host, name);
    return { digest: index.digest };
  }
  writeLayout(dir, tag, images.manifest, [images.config, images.layer]);
  skopeoPush(dir, tag, host, name);
  return { digest: images.manifest.digest };
}
