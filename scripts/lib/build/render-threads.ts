// Build threads, one per core: each renders and writes a share of the servers (build/render-worker.ts), started
// from its bundled source (worker-source.ts).

import os from 'node:os';
import { workerSource } from '../worker-source.ts';
import { Worker } from 'node:worker_threads';
import type { RenderReply, RenderRequest } from './render-worker.ts';

type Job = RenderRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;
type Reply<K extends Job['kind']> = Extract<RenderReply, { kind: K }>;

/** How many threads a build uses: one per core, at most 4 (writing many small files does not scale further). */
export function buildThreadCount(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

/** Old-generation heap of a rendering thread: a batch of servers and their output need a few MB of it. */
const THREAD_HEAP_MB = 128;

export class RenderThreads {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve(reply: RenderReply): void; reject(error: Error): void }>();
  private nextId = 0;
  private turn = 0;
  private failure: Error | undefined;

  private constructor(private readonly source: string, count: number) {
    // A batch needs a few MB; without a limit V8 lets each thread's heap grow to hundreds of MB before it collects,
    // and every thread's heap counts in the build's memory.
    this.workers = Array.from({ length: count }, () => this.startWorker({ maxOldGenerationSizeMb: THREAD_HEAP_MB }));
  }

  /** The search index's own thread, started when first asked for: its heap grows with the registry, unlimited. */
  private searchWorker: Worker | undefined;

  private startWorker(resourceLimits?: { maxOldGenerationSizeMb: number }): Worker {
    const worker = new Worker(this.source, { eval: true, ...(resourceLimits ? { resourceLimits } : {}) });
    worker.on('message', (reply: RenderReply) => {
      const job = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.kind === 'error') job?.reject(Object.assign(new Error(reply.message), { stack: reply.stack }));
      else job?.resolve(reply);
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => code !== 0 && this.fail(new Error(`a build thread exited with code ${code}`)));
    return worker;
  }

  static async start(count = buildThreadCount()): Promise<RenderThreads> {
    return new RenderThreads(await RenderThreads.prepare(), count);
  }

  /** Bundles the threads' code (once per process): called early, it overlaps what the build does first. */
  static prepare(): Promise<string> {
    return workerSource(new URL('./render-worker.ts', import.meta.url));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const job of this.waiting.values()) job.reject(error);
    this.waiting.clear();
  }

  /** Starts the search index's thread now, so that its start overlaps other work. */
  startSearchThread(): void {
    this.searchWorker ??= this.startWorker();
  }

  /** Runs a job on the next thread in turn (the search index on its own thread, its jobs in the order given). */
  run<K extends Job['kind']>(job: Extract<Job, { kind: K }>): Promise<Reply<K>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const worker = job.kind === 'servers' ? this.workers[this.turn++ % this.workers.length]! : (this.searchWorker ??= this.startWorker());
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (reply: RenderReply) => void, reject });
      worker.postMessage({ ...job, id });
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers, ...(this.searchWorker ? [this.searchWorker] : [])].map((w) => w.terminate()));
  }
}
