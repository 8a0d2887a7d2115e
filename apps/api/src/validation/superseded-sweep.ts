import { setImmediate as nextTurn } from "node:timers/promises";
import { In, IsNull, Not } from "typeorm";
import type { Database } from "../db/database.js";
import { ValidationErrorStatus } from "./validation-codes.js";
import { ValidationError } from "./validation-error.entity.js";
import { ValidationRun } from "./validation-run.entity.js";

export interface SweepOptions {
  /**
   * Rows written SUPERSEDED per statement (and per transaction); on SQLite at most SQLITE_BATCH,
   * since there each statement holds the process (better-sqlite3 is synchronous).
   */
  batch: number;
  /** How often to look for withdrawn runs when nothing woke the sweep. */
  pollMs: number;
  /** How long a withdrawn run may wait for this process's jobs to finish before it is swept anyway. */
  deferMs: number;
  /** Runs swept at once, each on its own connection: one statement at a time keeps one core of the database busy. */
  parallel: number;
}

const SQLITE_BATCH = 1000;

export const DEFAULT_SWEEP_OPTIONS: SweepOptions = { batch: 5000, pollMs: 1000, deferMs: 60_000, parallel: 2 };

/**
 * Writes SUPERSEDED into the rows of withdrawn runs (published.ts), oldest run first, a batch at a
 * time, and then clears the run's sweepDueAt. Nothing a reader sees changes: those rows already
 * read as SUPERSEDED. So the sweep keeps out of the way of validations: while this process runs
 * jobs, it waits, up to `deferMs` for a run.
 *
 * Each batch is its own transaction and touches only rows still OPEN, so a sweep cut short (a
 * killed process) leaves the rest to the next one, in this process or another, and two processes
 * sweeping the same run write each row once between them.
 */
export class SupersededSweep {
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;
  /** Set by stop(): a sweep under way ends after its batch. */
  #stopped = false;
  /** Where this process left a run it had to leave part-swept: the rows up to there are written. */
  readonly #sweptUpTo = new Map<number, number>();

  constructor(
    private readonly db: Database,
    private readonly options: SweepOptions = DEFAULT_SWEEP_OPTIONS,
    /** Whether this process is running jobs now (then the sweep waits). */
    private readonly busy: () => boolean = () => false,
    /** Where the line for each run swept goes. */
    private readonly log: (line: string) => void = (line) => console.log(line),
  ) {}

  /** Sweeps now and then every `pollMs`, in the background, until stopped. */
  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#sweeping;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      // A sweep stopped and started again may still be finishing its batch: one at a time.
      if (this.#sweeping) return this.#schedule(this.options.pollMs);
      this.#sweeping = this.sweep({ yieldTo: this.busy })
        .then(
          () => undefined,
          (error: unknown) => console.error(`[sweep] could not sweep superseded errors: ${(error as Error).message}`),
        )
        .finally(() => {
          this.#sweeping = undefined;
          this.#schedule(this.options.pollMs);
        });
    }, delayMs);
    this.#timer.unref();
  }

  /**
   * Sweeps every withdrawn run, oldest first, `parallel` at a time, and says how many rows it
   * wrote. With `yieldTo`, a run withdrawn less than `deferMs` ago waits while yieldTo() holds, and
   * so does the rest of a run being swept. Stops early when the sweep is stopped.
   */
  async sweep(options: { yieldTo?: () => boolean } = {}): Promise<number> {
    let written = 0;
    for (;;) {
      const due = await this.db.manager.find(ValidationRun, { select: { id: true, sweepDueAt: true, withdrawnAt: true }, where: { sweepDueAt: Not(IsNull()) }, order: { sweepDueAt: "ASC", id: "ASC" }, take: this.options.parallel });
      if (due.length === 0) return written;
      const waiting = (run: ValidationRun) => !!options.yieldTo?.() && Date.now() - run.sweepDueAt!.getTime() < this.options.deferMs;
      const ready = due.filter((run) => !waiting(run));
      if (ready.length === 0) return written;
      // Settled, not Promise.all: a failure in one must not leave the other running past this sweep.
      const settled = await Promise.allSettled(ready.map((run) => this.sweepRun(run.id, run.withdrawnAt ?? run.sweepDueAt!, () => this.#stopped || waiting(run))));
      const failed = settled.find((outcome) => outcome.status === "rejected");
      if (failed) throw failed.reason;
      const swept = settled.map((outcome) => (outcome as PromiseFulfilledResult<{ written: number; done: boolean }>).value);
      written += swept.reduce((sum, run) => sum + run.written, 0);
      if (swept.some((run) => !run.done)) return written;
    }
  }

  /** Writes SUPERSEDED (and the run's withdrawnAt) into one withdrawn run's OPEN rows, in id order; `interrupt` is asked between batches. */
  private async sweepRun(runId: number, withdrawnAt: Date, interrupt: () => boolean): Promise<{ written: number; done: boolean }> {
    let written = 0;
    const started = performance.now();
    const batch = this.db.kind === "sqlite" ? Math.min(this.options.batch, SQLITE_BATCH) : this.options.batch;
    for (let after = this.#sweptUpTo.get(runId) ?? 0; ; ) {
      // A turn of the event loop between batches: on SQLite the statements run synchronously, and
      // without it the requests that came in meanwhile would wait for the whole sweep.
      await nextTurn();
      // The run's entries of the runId index, in id order: no row is read to find them.
      const rows: { id: number | string }[] = await this.db.manager
        .getRepository(ValidationError)
        .createQueryBuilder("error")
        .select("error.id", "id")
        .where("error.runId = :runId AND error.id > :after", { runId, after })
        .orderBy("error.id", "ASC")
        .limit(batch)
        .getRawMany();
      if (rows.length === 0) break;
      const ids = rows.map((row) => Number(row.id));
      // Still OPEN only: an operator's FIXED or IGNORED from before the run was withdrawn stands.
      // Superseded when the run was withdrawn, not when the sweep got to it.
      const result = await this.db.manager.update(ValidationError, { id: In(ids), status: ValidationErrorStatus.OPEN }, { status: ValidationErrorStatus.SUPERSEDED, supersededAt: withdrawnAt });
      written += result.affected ?? 0;
      after = ids[ids.length - 1]!;
      if (rows.length < batch) break;
      if (interrupt()) {
        this.#sweptUpTo.set(runId, after);
        return { written, done: false };
      }
    }
    await this.db.manager.update(ValidationRun, { id: runId }, { sweepDueAt: null });
    this.#sweptUpTo.delete(runId);
    // The database's load after a big validation has a visible cause: one line a run, once done.
    if (written > 0) this.log(`[sweep] validation run ${runId}: ${written.toLocaleString("en")} withdrawn errors written SUPERSEDED in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { written, done: true };
  }
}
