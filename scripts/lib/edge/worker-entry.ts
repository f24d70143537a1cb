// The Cloudflare Worker: the one router (serve/router.ts) and the shared list-query code, reading the build through
// the static-assets binding instead of a file system. Bundled by worker-bundle.ts; the platform runs it first for
// the API paths (cloudflare.ts) and serves every other existing file itself.

import { answerListQuery, type BuiltFiles, type ListResponse } from '../query/list-query.ts';
import { QUERY_ROOT } from '../query/layout.ts';
import { chunkFile, countFile, headFile, searchFile } from '../query/row-index.ts';
import { problemAnswer, problemHeaders, routeRequest, type Headers } from '../serve/router.ts';
import { siteContentType } from '../serve/routes.ts';
import { assetPathOf } from './asset-layout.ts';

/** The part of Cloudflare's `Fetcher` (the assets binding) the Worker uses. */
export interface AssetsBinding {
  fetch(request: Request): Promise<Response>;
}

export interface WorkerEnv {
  ASSETS: AssetsBinding;
}

// The binding ignores the host; the path is what names the asset.
const ASSET_ORIGIN = 'https://assets.local';

/**
 * The asset layer decodes each path segment and redirects any request whose path is not exactly its segments
 * re-encoded with encodeURIComponent, so a version with `+` must be asked for as `%2B`.
 */
function assetRequest(assetPath: string): Request {
  return new Request(ASSET_ORIGIN + '/' + assetPath.split('/').map(encodeURIComponent).join('/'));
}

/** The bytes and ETag of a built file, or null when the build has none (any answer other than 200). */
async function readAsset(env: WorkerEnv, file: string): Promise<{ body: ArrayBuffer; etag: string | null } | null> {
  const assetPath = assetPathOf(file);
  if (assetPath === null) return null;
  const response = await env.ASSETS.fetch(assetRequest(assetPath));
  if (response.status !== 200) {
    await response.body?.cancel();
    return null;
  }
  return { body: await response.arrayBuffer(), etag: response.headers.get('ETag') };
}

function send(method: string, status: number, headers: Headers, body?: string | ArrayBuffer): Response {
  return new Response(method === 'HEAD' || body === undefined ? null : body, { status, headers });
}

/** A read of a file not fetched yet: the run stops, the Worker fetches it, and runs the query again. */
class NotFetched extends Error {}

const MAX_ROUNDS = 64;
/** Stands in for a text file not fetched yet, so one run can ask for every detail file of a page at once. */
const PLACEHOLDER = '\n';

/**
 * Row-index files, kept for the isolate's life as text and once parsed: a deployment's assets never change
 * (`npm run edge` is restarted after a rebuild), and every query reads the same few. Bounded by text size, so a
 * scan of a large index cannot exhaust memory (at 100,000 versions the whole index is 14 MB of text).
 */
const indexCache = new Map<string, string>();
const indexParsed = new Map<string, unknown>();
let indexCacheBytes = 0;
const INDEX_CACHE_BYTES = 24 * 1024 * 1024;

function remember(file: string, text: string): void {
  if (!file.startsWith(QUERY_ROOT + '/') || indexCacheBytes + text.length > INDEX_CACHE_BYTES) return;
  indexCache.set(file, text);
  indexCacheBytes += text.length;
}

const CHUNK_FILES = [headFile, chunkFile, searchFile];
const READ_AHEAD = 32;

/**
 * A scan reads a chunk's head, rows and search text in order: when chunk c is lacking and c - 1's head was read, the
 * next chunks' files of the same kind are fetched in the same round, so a sparse filter over a large index takes
 * a few rounds rather than one per chunk. The binary search on the cursor jumps, and gets no read-ahead.
 */
function readAhead(file: string, known: (file: string) => boolean, chunks: number | undefined): string[] {
  const digits = /(\d+)\.json$/.exec(file);
  if (!digits || chunks === undefined) return [];
  const chunk = parseInt(digits[1]!, 10) % 100000;
  for (const name of CHUNK_FILES) {
    if (name(chunk) !== file) continue;
    if (chunk === 0 || !known(headFile(chunk - 1))) return [];
    const ahead: string[] = [];
    for (let c = chunk + 1; c < chunks && c <= chunk + READ_AHEAD; c++) ahead.push(name(c));
    return ahead;
  }
  return [];
}

/**
 * Runs the synchronous list-query code over files fetched on demand. Each run records the files it lacked; they are
 * fetched together and the query runs again, until a run needs nothing new. Only that complete run's answer is
 * used, so a run that went astray on a placeholder costs a round, never a wrong answer.
 */
export async function answerListQueryFromAssets(env: WorkerEnv, params: Parameters<typeof answerListQuery>[0]): Promise<ListResponse> {
  const texts = new Map<string, string | null>();
  const parsed = new Map<string, unknown>();
  const lookup = (file: string): string | null | undefined => texts.get(file) ?? indexCache.get(file);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const lacking = new Set<string>();
    const text = (file: string): string | undefined => {
      const known = lookup(file);
      if (known === null) throw new Error(`built file missing: ${file}`);
      if (known === undefined) lacking.add(file);
      return known;
    };
    const files: BuiltFiles = {
      readText: (file) => text(file) ?? PLACEHOLDER,
      readJson(file) {
        let value = parsed.get(file) ?? indexParsed.get(file);
        if (value === undefined) {
          const known = text(file);
          if (known === undefined) throw new NotFetched(file);
          value = JSON.parse(known) as unknown;
          parsed.set(file, value);
          // The query code only reads what it is given, so a parsed chunk can serve every later request too.
          if (indexCache.has(file)) indexParsed.set(file, value);
        }
        return value;
      },
    };
    let answer: ListResponse | undefined;
    try {
      answer = answerListQuery(params, files);
    } catch (error) {
      if (!lacking.size) throw error;
    }
    if (!lacking.size && answer) return answer;
    const count = lookup(countFile());
    const chunks = typeof count === 'string' ? (JSON.parse(count) as number) : undefined;
    const wanted = new Set(lacking);
    for (const file of lacking) for (const next of readAhead(file, (f) => lookup(f) != null, chunks)) if (lookup(next) === undefined) wanted.add(next);
    const names = [...wanted];
    const fetched = await Promise.all(names.map((file) => readAsset(env, file)));
    names.forEach((file, i) => {
      const body = fetched[i] ? new TextDecoder().decode(fetched[i]!.body) : null;
      texts.set(file, body);
      if (body !== null) remember(file, body);
    });
  }
  throw new Error(`list query needed more than ${MAX_ROUNDS} rounds of file reads`);
}

export async function handleRequest(request: Request, env: WorkerEnv): Promise<Response> {
  const method = request.method;
  const url = new URL(request.url);
  const decision = routeRequest(method, url.pathname + url.search);
  switch (decision.type) {
    case 'empty':
      return send(method, decision.status, decision.headers);
    case 'problem':
      return send(method, decision.status, decision.headers, decision.body);
    case 'list-query': {
      const answer = await answerListQueryFromAssets(env, decision.params);
      return send(method, answer.status, answer.status === 200 ? decision.headers : problemHeaders(), answer.body);
    }
    case 'file': {
      for (const file of decision.files) {
        const found = await readAsset(env, file);
        if (!found) continue;
        const headers: Headers = { ...decision.headers, ...(decision.typeByExtension ? { 'Content-Type': siteContentType(file) } : {}) };
        if (found.etag) {
          headers.ETag = found.etag;
          if (request.headers.get('If-None-Match') === found.etag) return send(method, 304, headers);
        }
        return send(method, 200, headers, found.body);
      }
      return send(method, decision.notFound.status, decision.notFound.headers, decision.notFound.body);
    }
  }
}

export default {
  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    try {
      return await handleRequest(request, env);
    } catch (error) {
      console.error(error);
      const failure = problemAnswer(500, 'Failed to answer the request');
      return send(request.method, 500, failure.headers, failure.body);
    }
  },
};
