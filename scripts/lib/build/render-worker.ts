// Runs on a build thread (build/render-threads.ts): reads, dates and checks a batch of servers, renders them and
// writes their files with their compressed variants; or builds the search index. Bundled with esbuild and started from source text, so it runs the same
// whether the build was started through tsx or through the bundled command line.

import { parentPort } from 'node:worker_threads';
import { finishSearchIndex, startSearchIndex, type BuiltSearchIndex } from '../search/index-build.ts';
import type { SearchDocument } from '../search/client.ts';
import type { SiteAssetNames } from '../site/render.ts';
import { renderServerOutput, type ServerSummary } from './server-output.ts';
import { readServerBatch, type ServerBatch, type ServerFilesBatch } from './load-servers.ts';
import type { BuildOptions } from './build-types.ts';

/** What a build thread needs of the options: plain data. */
export type ThreadBuildOptions = Pick<BuildOptions, 'entriesDir' | 'keepRecords'> & { env: { SOURCE_DATE_EPOCH?: string } };
import { OutputFiles } from './write-output.ts';

export type RenderRequest =
  | { id: number; kind: 'servers'; root: string; batch: ServerFilesBatch; options: ThreadBuildOptions; siteAssets: SiteAssetNames; render: boolean }
  /** Search documents (JSON texts) in the index's order: all of them, or the rest after a `search-start`. */
  | { id: number; kind: 'search'; documents: string[]; continued: boolean }
  /** The first documents of an index, added now; a `search` with `continued` adds the rest and serializes it. */
  | { id: number; kind: 'search-start'; documents: string[] };

export type RenderReply =
  | { id: number; kind: 'servers'; summaries: ServerSummary[]; files: number; bytes: number; compressed: number; checked: Omit<ServerBatch, 'inputs'> }
  | { id: number; kind: 'search'; index: BuiltSearchIndex }
  | { id: number; kind: 'search-start' }
  | { id: number; kind: 'error'; message: string; stack?: string };

/** The index a `search-start` began, until the `search` that finishes it. */
let begun: ReturnType<typeof startSearchIndex> | undefined;

async function answer(request: RenderRequest): Promise<RenderReply> {
  const documents = (texts: string[]): SearchDocument[] => texts.map((d) => JSON.parse(d) as SearchDocument);
  if (request.kind === 'search-start') {
    begun = startSearchIndex();
    begun.addAll(documents(request.documents));
    return { id: request.id, kind: 'search-start' };
  }
  if (request.kind === 'search') {
    if (request.continued && !begun) throw new Error('no search index was started');
    const index = request.continued ? begun! : startSearchIndex();
    begun = undefined;
    index.addAll(documents(request.documents));
    return { id: request.id, kind: 'search', index: finishSearchIndex(index) };
  }
  const batch = readServerBatch(request.options, request.batch);
  const checked = { ...batch, inputs: undefined, records: request.options.keepRecords === false ? [] : batch.records };
  delete checked.inputs;
  // Compressed on this thread: the threads already use every core.
  const output = new OutputFiles(request.root, { compress: 'inline' });
  const summaries: ServerSummary[] = [];
  for (const input of request.render ? batch.inputs : []) {
    const server = renderServerOutput(input, request.siteAssets);
    for (const file of server.files) await output.write(file);
    summaries.push(server.summary);
  }
  await output.finish();
  return { id: request.id, kind: 'servers', summaries, ...output.summary, checked };
}

parentPort!.on('message', (request: RenderRequest) => {
  answer(request).then(
    (reply) => parentPort!.postMessage(reply),
    (error: Error) => parentPort!.postMessage({ id: request.id, kind: 'error', message: error.message, stack: error.stack } satisfies RenderReply),
  );
});
