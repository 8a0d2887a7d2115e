import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

/** Threads per SQLite file: the main thread stays busy sending records, the other cores count. */
export const SQLITE_WORKER_THREADS = Math.max(1, Math.min(4, availableParallelism() - 1));

// A thread holds one statement's rows at a time, a batch of list counts: a small heap and page
// cache keep its footprint near Node's floor for a thread (about 16 MB). Counting reads each
// index page about once per list, so the small cache costs no speed.
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 };
const CACHE_KIB = 512;
// An idle thread goes away after this, so an agent (or the API's in-process demo fleet) does not
// keep threads between validations; starting one again takes about 0.1 s.
const IDLE_MS = 30_000;

interface Thread {
  worker: Worker;
  waiting: Map<number, { resolve: (values: unknown[][]) => void; reject: (error: Error) => void }>;
  idle?: NodeJS.Timeout;
}

type Answer = { id: number; values: unknown[][] } | { id: number; error: string };

/**
 * Worker threads running read-only statements on one SQLite file (sqlite-worker.mjs), so that
 * work which would otherwise queue on the agent's one JavaScript thread runs beside it: counting
 * 10,000,000 members takes SQLite about a second. Threads start on first use, take statements in
 * turn and never keep the process alive; one that dies fails its statements and is replaced.
 */
export class SqliteWorkers {
  private readonly threads: Array<Thread | undefined> = [];
  private nextId = 0;

  constructor(private readonly path: string) {}

  /** Starts every thread now, so that they are up by the time the first statement comes. */
  start(): void {
    for (let index = 0; index < SQLITE_WORKER_THREADS; index++) this.thread(index);
  }

  /** Every row of the statement, each as its column values in order. */
  run(sql: string, params: unknown[]): Promise<unknown[][]> {
    const id = this.nextId++;
    const thread = this.thread(id % SQLITE_WORKER_THREADS);
    clearTimeout(thread.idle);
    return new Promise((resolve, reject) => {
      thread.waiting.set(id, { resolve, reject });
      thread.worker.postMessage({ id, sql, params });
    });
  }

  async close(): Promise<void> {
    const threads = this.threads.splice(0);
    await Promise.all(threads.map((thread) => thread && this.stop(thread)));
  }

  private thread(index: number): Thread {
    const running = this.threads[index];
    if (running) return running;
    const worker = new Worker(new URL("./sqlite-worker.mjs", import.meta.url), {
      workerData: { path: this.path, cacheKib: CACHE_KIB },
      resourceLimits: RESOURCE_LIMITS,
      // Not the process's flags: `--import @oxc-node/core/register` (how the API runs the demo
      // fleet) would give each thread TypeScript hooks it does not need, and their own thread.
      execArgv: [],
    });
    worker.unref();
    const thread: Thread = { worker, waiting: new Map() };
    worker.on("message", (answer: Answer) => {
      const waiting = thread.waiting.get(answer.id);
      thread.waiting.delete(answer.id);
      if ("error" in answer) waiting?.reject(new Error(answer.error));
      else waiting?.resolve(answer.values);
      if (thread.waiting.size === 0) this.retireWhenIdle(index, thread);
    });
    const fail = (error: Error) => {
      this.retire(index, thread);
      for (const waiting of thread.waiting.values()) waiting.reject(error);
      thread.waiting.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`SQLite worker thread exited with code ${code}`)));
    this.threads[index] = thread;
    this.retireWhenIdle(index, thread);
    return thread;
  }

  private retireWhenIdle(index: number, thread: Thread): void {
    thread.idle = setTimeout(() => this.retire(index, thread), IDLE_MS).unref();
  }

  private retire(index: number, thread: Thread): void {
    if (this.threads[index] === thread) this.threads[index] = undefined;
    void this.stop(thread);
  }

  private async stop(thread: Thread): Promise<void> {
    clearTimeout(thread.idle);
    await thread.worker.terminate();
  }
}
