// How the Worker reads a built file through the static-assets binding: site files are assets of their own, every
// other file is a slice of a pack or, when larger than a pack, a single asset (asset-packs.ts). Packs are kept for
// the isolate's life, up to a memory budget: a deployment's assets never change.

import { assetPathOf, BUILD_FOLDER } from './asset-layout.ts';
import { PACK_INDEX, packFile, packOf, readPackHeader, type PackIndex, type PackSlice } from './asset-packs.ts';

/** The part of Cloudflare's `Fetcher` (the assets binding) the Worker uses. */
export interface AssetsBinding {
  fetch(request: Request): Promise<Response>;
}

export interface FoundFile {
  /** A slice of a pack, or the stream of a single asset (not read into memory). */
  body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>;
  etag: string | null;
}

interface LoadedPack {
  bytes: Uint8Array<ArrayBuffer>;
  files: Map<string, PackSlice>;
}

// The binding ignores the host; the path is what names the asset.
const ASSET_ORIGIN = 'https://assets.local';
const BUILD_PREFIX = BUILD_FOLDER + '/';
/** Well under the isolate's 128 MB, beside the row index the list queries keep (worker-entry.ts). */
const PACK_CACHE_BYTES = 32 * 1024 * 1024;

export class AssetReader {
  private index: Promise<PackIndex> | undefined;
  private readonly packs = new Map<number, Promise<LoadedPack | null>>();
  private readonly packBytes = new Map<number, number>();
  private cachedBytes = 0;

  constructor(private readonly assets: AssetsBinding, private readonly cacheBytes = PACK_CACHE_BYTES) {}

  /**
   * The asset layer decodes each path segment and redirects any request whose path is not exactly its segments
   * re-encoded with encodeURIComponent, so a version with `+` must be asked for as `%2B`.
   */
  private fetchAsset(assetPath: string): Promise<Response> {
    return this.assets.fetch(new Request(ASSET_ORIGIN + '/' + assetPath.split('/').map(encodeURIComponent).join('/')));
  }

  /** The answer's body when it is 200, else null (the body is released). */
  private async fetchOk(assetPath: string): Promise<Response | null> {
    const response = await this.fetchAsset(assetPath);
    if (response.status === 200) return response;
    await response.body?.cancel();
    return null;
  }

  private readIndex(): Promise<PackIndex> {
    this.index ??= this.fetchOk(BUILD_PREFIX + PACK_INDEX).then(async (response) => {
      if (!response) throw new Error(`the deployment has no ${PACK_INDEX}`);
      return (await response.json()) as PackIndex;
    });
    // A failed read is not remembered: the next request tries again.
    this.index.catch(() => (this.index = undefined));
    return this.index;
  }

  private readPack(pack: number): Promise<LoadedPack | null> {
    const known = this.packs.get(pack);
    if (known) {
      // Most recently used last, so eviction takes the oldest.
      this.packs.delete(pack);
      this.packs.set(pack, known);
      return known;
    }
    const loading = this.fetchOk(BUILD_PREFIX + packFile(pack)).then(async (response) => {
      if (!response) return null;
      const bytes = new Uint8Array(await response.arrayBuffer());
      this.remember(pack, bytes.length);
      return { bytes, files: readPackHeader(bytes) };
    });
    loading.catch(() => this.forget(pack));
    this.packs.set(pack, loading);
    return loading;
  }

  private remember(pack: number, bytes: number): void {
    this.packBytes.set(pack, bytes);
    this.cachedBytes += bytes;
    for (const oldest of this.packs.keys()) {
      if (this.cachedBytes <= this.cacheBytes || oldest === pack) break;
      this.forget(oldest);
    }
  }

  private forget(pack: number): void {
    this.packs.delete(pack);
    this.cachedBytes -= this.packBytes.get(pack) ?? 0;
    this.packBytes.delete(pack);
  }

  /** A built file (a path inside the build), or null when the build has none. */
  async open(file: string): Promise<FoundFile | null> {
    const assetPath = assetPathOf(file);
    if (assetPath === null) return null;
    if (!assetPath.startsWith(BUILD_PREFIX)) {
      const response = await this.fetchOk(assetPath);
      return response && { body: response.body ?? new Uint8Array(0), etag: response.headers.get('ETag') };
    }
    const index = await this.readIndex();
    const singleEtag = index.single[file];
    if (singleEtag !== undefined) {
      const response = await this.fetchOk(assetPath);
      return response && { body: response.body ?? new Uint8Array(0), etag: singleEtag };
    }
    const pack = packOf(index, file);
    if (pack < 0) return null;
    const loaded = await this.readPack(pack);
    const slice = loaded?.files.get(file);
    if (!loaded || !slice) return null;
    return { body: loaded.bytes.subarray(slice.offset, slice.offset + slice.length), etag: slice.etag };
  }

  /** A built file as text, or null when the build has none. */
  async readText(file: string): Promise<string | null> {
    const found = await this.open(file);
    if (!found) return null;
    const bytes = found.body instanceof Uint8Array ? found.body : new Uint8Array(await new Response(found.body).arrayBuffer());
    return new TextDecoder().decode(bytes);
  }
}
