import type { HostingError } from "./errors.js";

/**
 * The client side of one streamed answer: records wait in a queue until the consumer pulls.
 * The client watches the total queued, pausing the socket when consumers fall behind, so memory
 * stays bounded however many records the agent has.
 */
export class PendingStream {
  readonly kind = "stream";
  readonly queue: unknown[] = [];
  done = false;
  error: HostingError | undefined;
  private waiter: { resolve: () => void } | undefined;

  constructor(
    readonly id: number,
    readonly validate: (data: unknown) => unknown,
  ) {}

  get consumerWaiting(): boolean {
    return this.waiter !== undefined;
  }

  push(record: unknown): void {
    this.queue.push(record);
    this.wake();
  }

  finish(error?: HostingError): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.wake();
  }

  /** Resolves when a record, the end or an error is available. */
  wait(): Promise<void> {
    if (this.queue.length > 0 || this.done) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiter = { resolve };
    });
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve();
  }
}

/** The client side of a command answered by one result line. */
export class PendingResult {
  readonly kind = "result";
  constructor(
    readonly id: number,
    readonly validate: (data: unknown) => unknown,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: HostingError) => void,
  ) {}
}
