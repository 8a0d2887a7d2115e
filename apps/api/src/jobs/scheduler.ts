import { JobKind } from "./job.entity.js";

/**
 * The optional schedule: every `intervalMs` it queues "validate all" (trigger SCHEDULE); servers
 * with Auto-Sync on are then synced by their validation. Off when the interval is 0. A manual run
 * neither moves nor resets it.
 */
export class ValidationSchedule {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly enqueueAll: (kind: JobKind, trigger: string) => Promise<unknown>,
  ) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    this.#timer = setInterval(() => {
      this.enqueueAll(JobKind.VALIDATE, "SCHEDULE").catch((error: unknown) => console.error(`[schedule] could not queue validate all: ${(error as Error).message}`));
    }, this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
