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

/**
 * What an isolate keeps: the pack index and the packs read so far, up to a memory budget. Only finished reads are
 * kept: a request must never wait on a read another request started, since the runtime cancels a request that
 * waits on I/O it does not own ("your Worker's code had hung").
 */
export class AssetReader {
  private index: PackIndex | undefined;
  private readonly packs = new Map<number, LoadedPack>();
  private cachedBytes = 0;

  constructor(private readonly cacheBytes = PACK_CACHE_BYTES) {}

  /** Reads for one request, through that request's binding; reads it starts are shared within it only. */
  forRequest(assets: AssetsBinding): RequestReads {
    return new RequestReads(this, assets);
  }

  knownIndex(): PackIndex | undefined {
    return this.index;
  }

  rememberIndex(index: PackIndex): void {
    this.index = index;
  }

  knownPack(pack: number): LoadedPack | undefined {
    const loaded = this.packs.get(pack);
    if (loaded) {
      // Most recently used last, so eviction takes the oldest.
      this.packs.delete(pack);
      this.packs.set(pack, loaded);
    }
    return loaded;
  }

  rememberPack(pack: number, loaded: LoadedPack): void {
    if (this.packs.has(pack)) return;
    this.packs.set(pack, loaded);
    this.cachedBytes += loaded.bytes.length;
    for (const [oldest, value] of this.packs) {
      if (this.cachedBytes <= this.cacheBytes || oldest === pack) break;
      this.packs.delete(oldest);
      this.cachedBytes -= value.bytes.length;
    }
  }
}

export class RequestReads {
  private index: Promise<PackIndex> | undefined;
  private readonly packs = new Map<number, Promise<LoadedPack | null>>();

  constructor(private readonly kept: AssetReader, private readonly assets: AssetsBinding) {}

  /**
   * The asset layer decodes each path segment and redirects any request whose path is not exactly its segments
   * re-encoded with encodeURIComponent, so a version with `+` must be asked for as `%2B`.
   */
  private async fetchOk(assetPath: string): Promise<Response | null> {
    const response = await this.assets.fetch(new Request(ASSET_ORIGIN + '/' + assetPath.split('/').map(encodeURIComponent).join('/')));
    if (response.status === 200) return response;
    await response.body?.cancel();
    return null;
  }

  private readIndex(): Promise<PackIndex> {
    const known = this.kept.knownIndex();
    if (known) return Promise.resolve(known);
    this.index ??= this.fetchOk(BUILD_PREFIX + PACK_INDEX).then(async (response) => {
      if (!response) throw new Error(`the deployment has no ${PACK_INDEX}`);
      const index = (await response.json()) as PackIndex;
      this.kept.rememberIndex(index);
      return index;
    });
    return this.index;
  }

  private readPack(pack: number): Promise<LoadedPack | null> {
    const known = this.kept.knownPack(pack);
    if (known) return Promise.resolve(known);
    let loading = this.packs.get(pack);
    if (!loading) {
      loading = this.fetchOk(BUILD_PREFIX + packFile(pack)).then(async (response) => {
        if (!response) return null;
        const bytes = new Uint8Array(await response.arrayBuffer());
        const loaded = { bytes, files: readPackHeader(bytes) };
        this.kept.rememberPack(pack, loaded);
        return loaded;
      });
      this.packs.set(pack, loading);
    }
    return loading;
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
