import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { EntityManager } from "typeorm";
import type { Database } from "../db/database.js";
import { type Job, type JobKind, JobState } from "./job.entity.js";
import { type JobQueue, LeaseLost } from "./job-queue.js";

export interface JobContext {
  job: Job;
  /** Aborted when the worker stops or loses the job's lease: stop and return promptly. */
  signal: AbortSignal;
  /** Whether a retryable failure may still be retried (attempts remain). */
  canRetry: boolean;
  progress(fraction: number): void;
}

/** What a runner concluded. `commit` runs in the transaction that ends the job, only while the lease holds. */
export type JobOutcome =
  | { type: "finish"; state: JobState.SUCCEEDED | JobState.FAILED; result?: Record<string, unknown>; error?: string; commit?: (manager: EntityManager) => Promise<void> }
  | { type: "retry"; error: string };

export type JobRunner = (context: JobContext) => Promise<JobOutcome>;

export interface WorkerOptions {
  /** Jobs run at once by this process (default 4). */
  concurrency: number;
  /** How often to look for queued jobs when nothing woke the worker. */
  pollMs: number;
  /** How long a claim holds without a heartbeat; a dead worker's jobs are taken over after it. */
  leaseMs: number;
  /** Exponential backoff with full jitter between attempts: random(0, min(cap, base·2^(n-1))). */
  backoffBaseMs: number;
  backoffCapMs: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = { concurrency: 4, pollMs: 1000, leaseMs: 30_000, backoffBaseMs: 1000, backoffCapMs: 30_000 };

export function fullJitterDelay(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1)));
}

/** Runs queued jobs of this process, at most `concurrency` at a time, each under a renewed lease. */
export class JobWorker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #running = new Map<number, { abort: AbortController; done: Promise<void> }>();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #stopped = true;
  #wakeRequested = false;

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly runners: Partial<Record<JobKind, JobRunner>>,
    private readonly options: WorkerOptions = DEFAULT_WORKER_OPTIONS,
  ) {}

  start(): void {
    this.#stopped = false;
    this.wake();
  }

  /** Looks for work now rather than at the next poll (after an enqueue or a finished job). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#ticking) {
      this.#wakeRequested = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#ticking = this.#tick().finally(() => {
      this.#ticking = undefined;
      if (this.#stopped) return;
      if (this.#wakeRequested) {
        this.#wakeRequested = false;
        this.wake();
      } else {
        this.#timer = setTimeout(() => this.wake(), this.options.pollMs);
      }
    });
  }

  /** Stops claiming; running jobs are aborted and handed back to the queue for another worker. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#ticking;
    for (const { abort } of this.#running.values()) abort.abort();
    await Promise.all([...this.#running.values()].map((entry) => entry.done));
  }

  get runningCount(): number {
    return this.#running.size;
  }

  async #tick(): Promise<void> {
    try {
      await this.queue.reapExpired(this.id, new Set(this.#running.keys()));
      const jobs = await this.queue.claim(this.id, this.options.concurrency - this.#running.size, this.options.leaseMs);
      for (const job of jobs) {
        const abort = new AbortController();
        const done = this.#run(job, abort).finally(() => {
          this.#running.delete(job.id);
          this.queue.notify(job.id);
          this.wake();
        });
        this.#running.set(job.id, { abort, done });
      }
    } catch (error) {
      console.error(`[jobs] worker ${this.id} could not claim jobs: ${(error as Error).message}`);
    }
  }

  async #run(job: Job, abort: AbortController): Promise<void> {
    const { leaseMs } = this.options;
    let progress = job.progress;
    let lastBeat = Date.now();
    const beat = () => {
      lastBeat = Date.now();
      this.queue.heartbeat(job, this.id, leaseMs, progress).then(
        (held) => held || abort.abort(new LeaseLost(job.id)),
        (error: unknown) => console.error(`[jobs] heartbeat of job ${job.id} failed: ${(error as Error).message}`),
      );
    };
    const heartbeat = setInterval(beat, Math.max(50, Math.floor(leaseMs / 3)));
    this.queue.notify(job.id);
    try {
      const runner = this.runners[job.kind];
      const outcome: JobOutcome = runner
        ? await runner({
            job,
            signal: abort.signal,
            canRetry: job.attempts < job.maxAttempts,
            progress: (fraction) => {
              progress = Math.min(1, Math.max(0, fraction));
              if (Date.now() - lastBeat > 250) beat();
            },
          })
        : { type: "finish", state: JobState.FAILED, error: `No runner for ${job.kind} jobs` };
      if (abort.signal.aborted) throw abort.signal.reason ?? new Error("aborted");
      await this.db.transaction(async (manager) => {
        if (outcome.type === "retry") {
          const delay = fullJitterDelay(job.attempts, this.options.backoffBaseMs, this.options.backoffCapMs);
          await this.queue.requeue(manager, job, this.id, delay, outcome.error);
          return;
        }
        // The outcome's writes first, the fenced finish last: finishedAt is when it all committed,
        // and a lost lease still rolls everything back.
        await outcome.commit?.(manager);
        await this.queue.finish(manager, job, this.id, outcome);
      });
    } catch (error) {
      await this.#recover(job, abort, error);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** After a failure outside the runner's own outcome: hand back, drop, or fail the job. */
  async #recover(job: Job, abort: AbortController, error: unknown): Promise<void> {
    if (error instanceof LeaseLost || abort.signal.reason instanceof LeaseLost) {
      console.error(`[jobs] job ${job.id} was taken over by another worker; its results were discarded`);
      return;
    }
    try {
      await this.db.transaction(async (manager) => {
        if (this.#stopped) {
          await this.queue.requeue(manager, job, this.id, 0, null);
          return;
        }
        console.error(`[jobs] job ${job.id} (${job.kind}) failed: ${(error as Error)?.message}`);
        // An unexpected failure (a database hiccup) is retried like a lost connection while
        // attempts remain; the next attempt starts clean (a validation clears its unpublished rows).
        if (job.attempts < job.maxAttempts) {
          await this.queue.requeue(manager, job, this.id, fullJitterDelay(job.attempts, this.options.backoffBaseMs, this.options.backoffCapMs), "Internal error while running the job; retrying");
        } else {
          await this.queue.finish(manager, job, this.id, { state: JobState.FAILED, error: "Internal error while running the job; see the API log" });
        }
      });
    } catch (secondary) {
      if (!(secondary instanceof LeaseLost)) console.error(`[jobs] could not record the end of job ${job.id}: ${(secondary as Error).message}`);
    }
  }
}
