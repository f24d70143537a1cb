// The search worker: loads the index off the main thread and answers queries, so typing never waits for parsing
// a multi-megabyte index or for a search over every server.

import { loadSearch, type RegistrySearch } from '../../search/client.ts';
import { runQuery, type QueryAnswer, type QueryRequest } from './query.ts';

interface WorkerScope {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
}

const scope = self as unknown as WorkerScope;
let ready: Promise<RegistrySearch> | undefined;

async function fetchJson(base: string, path: string): Promise<unknown> {
  const response = await fetch(new URL(path.replace(/^\//, ''), base).href);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

scope.onmessage = (event) => {
  const data = event.data as { init?: string } & Partial<QueryRequest>;
  if (data.init) {
    const base = data.init;
    ready = loadSearch((path) => fetchJson(base, path));
    ready.then(() => scope.postMessage({ ready: true }), (error: Error) => scope.postMessage({ id: -1, error: String(error.message) }));
    return;
  }
  const request = data as QueryRequest;
  if (!ready) return;
  ready.then(
    (search) => scope.postMessage(runQuery(search, request)),
    (error: Error) => scope.postMessage({ id: request.id, error: String(error.message) } as Partial<QueryAnswer>),
  );
};
