// The Cloudflare Worker: the one router (serve/router.ts) and the shared list-query code, reading the build through
// the static-assets binding instead of a file system. Bundled by worker-bundle.ts; the platform runs it first for
// the API paths (cloudflare.ts) and serves every other existing file itself.

import { answerListQuery, type BuiltFiles, type ListResponse } from '../query/list-query.ts';
import { QUERY_ROOT } from '../query/layout.ts';
import { chunkFile, countFile, headFile, searchFile } from '../query/row-index.ts';
import { problemAnswer, problemHeaders, routeRequest, type Headers } from '../serve/router.ts';
import { siteContentType } from '../serve/routes.ts';
import { AssetReader, type AssetsBinding, type RequestReads } from './asset-reader.ts';

export interface WorkerEnv {
  ASSETS: AssetsBinding;
}

/**
 * What an isolate keeps between requests: the asset reader's packs, and the row-index files once parsed, since
 * every query reads the same few (the query code reads them all as JSON, never as text). Bounded by their text's
 * size, so a scan of a large index cannot exhaust memory (at 100,000 versions the whole index is 12 MB of text).
 */
export interface WorkerState {
  reader: AssetReader;
  /** The binding of the isolate's first request, for callers without a request of their own (tests). */
  assets: AssetsBinding;
  indexParsed: Map<string, unknown>;
  indexBytes: number;
}

const INDEX_CACHE_BYTES = 24 * 1024 * 1024;

export function createWorkerState(assets: AssetsBinding): WorkerState {
  return { reader: new AssetReader(), assets, indexParsed: new Map(), indexBytes: 0 };
}

function send(method: string, status: number, headers: Headers, body?: string | Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>): Response {
  if (method === 'HEAD' || body === undefined) {
    // A single asset's stream is open: close it rather than leave the asset's read hanging.
    if (body instanceof ReadableStream) void body.cancel();
    return new Response(null, { status, headers });
  }
  return new Response(body, { status, headers });
}

/** A read of a file not fetched yet: the run stops, the Worker fetches it, and runs the query again. */
class NotFetched extends Error {}

const MAX_ROUNDS = 64;
/** Stands in for a text file not fetched yet, so one run can ask for every detail file of a page at once. */
const PLACEHOLDER = '\n';

function keepParsed(state: WorkerState, file: string, textLength: number, value: unknown): void {
  if (!file.startsWith(QUERY_ROOT + '/') || state.indexBytes + textLength > INDEX_CACHE_BYTES) return;
  state.indexParsed.set(file, value);
  state.indexBytes += textLength;
}

/** Stands for a row-index file the isolate keeps parsed: present, and never read as text. */
const KEPT = '';

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
export async function answerListQueryFromAssets(
  state: WorkerState,
  params: Parameters<typeof answerListQuery>[0],
  reads: RequestReads = state.reader.forRequest(state.assets),
): Promise<ListResponse> {
  const texts = new Map<string, string | null>();
  const parsed = new Map<string, unknown>();
  const lookup = (file: string): string | null | undefined => texts.get(file) ?? (state.indexParsed.has(file) ? KEPT : undefined);
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
        let value = parsed.get(file) ?? state.indexParsed.get(file);
        if (value === undefined) {
          const known = text(file);
          if (known === undefined) throw new NotFetched(file);
          value = JSON.parse(known) as unknown;
          parsed.set(file, value);
          // The query code only reads what it is given, so a parsed chunk can serve every later request too.
          keepParsed(state, file, known.length, value);
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
    const count = parsed.get(countFile()) ?? state.indexParsed.get(countFile());
    const chunks = typeof count === 'number' ? count : undefined;
    const wanted = new Set(lacking);
    for (const file of lacking) for (const next of readAhead(file, (f) => lookup(f) != null, chunks)) if (lookup(next) === undefined) wanted.add(next);
    const names = [...wanted];
    const fetched = await Promise.all(names.map((file) => reads.readText(file)));
    names.forEach((file, i) => texts.set(file, fetched[i]!));
  }
  throw new Error(`list query needed more than ${MAX_ROUNDS} rounds of file reads`);
}

export async function handleRequest(request: Request, state: WorkerState, assets: AssetsBinding = state.assets): Promise<Response> {
  const reads = state.reader.forRequest(assets);
  const method = request.method;
  const url = new URL(request.url);
  const decision = routeRequest(method, url.pathname + url.search);
  switch (decision.type) {
    case 'empty':
      return send(method, decision.status, decision.headers);
    case 'problem':
      return send(method, decision.status, decision.headers, decision.body);
    case 'list-query': {
      const answer = await answerListQueryFromAssets(state, decision.params, reads);
      return send(method, answer.status, answer.status === 200 ? decision.headers : problemHeaders(), answer.body);
    }
    case 'file': {
      for (const file of decision.files) {
        const found = await reads.open(file);
        if (!found) continue;
        const headers: Headers = { ...decision.headers, ...(decision.typeByExtension ? { 'Content-Type': siteContentType(file) } : {}) };
        if (found.etag) {
          headers.ETag = found.etag;
          if (request.headers.get('If-None-Match') === found.etag) {
            if (found.body instanceof ReadableStream) void found.body.cancel();
            return send(method, 304, headers);
          }
        }
        return send(method, 200, headers, found.body);
      }
      return send(method, decision.notFound.status, decision.notFound.headers, decision.notFound.body);
    }
  }
}

/** One per isolate: the assets binding names the same deployment on every request. */
let isolateState: WorkerState | undefined;

export default {
  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    try {
      isolateState ??= createWorkerState(env.ASSETS);
      return await handleRequest(request, isolateState, env.ASSETS);
    } catch (error) {
      console.error(error);
      const failure = problemAnswer(500, 'Failed to answer the request');
      return send(request.method, 500, failure.headers, failure.body);
    }
  },
};
