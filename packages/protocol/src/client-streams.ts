import { HostingError } from "./errors.js";
import type { HostingList } from "./messages.js";
import { nameKey } from "./names.js";

/**
 * The client side of one streamed answer: records wait in a queue until the consumer pulls.
 * The client watches the total queued, pausing the socket when consumers fall behind, so memory
 * stays bounded however many records the agent has.
 */
export class PendingStream {
  readonly kind = "stream";
  readonly queue: unknown[] = [];
  /** Records pushed so far. */
  received = 0;
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
    this.received++;
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

/**
 * `first`, or `fallback` when the agent refuses `first`'s parameters (BAD_REQUEST, "invalid …
 * parameters") before sending a record: an older agent that does not know a parameter. Any other
 * refusal, or one after a record, reaches the consumer. Past the first record it adds nothing to
 * each step.
 */
export function orElseOnRefusal<T>(first: AsyncIterable<T>, fallback: () => AsyncIterable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => {
      let records = first[Symbol.asyncIterator]();
      let started = false;
      let closed = false;
      const start = async (): Promise<IteratorResult<T>> => {
        try {
          const next = await records.next();
          started = true;
          return next;
        } catch (error) {
          const refusedParameters = error instanceof HostingError && error.remoteCode === "BAD_REQUEST" && /\binvalid \w+ parameters\b/.test(error.message);
          if (!refusedParameters || closed) throw error;
          started = true;
          records = fallback()[Symbol.asyncIterator]();
          return records.next();
        }
      };
      return {
        next: () => (started ? records.next() : start()),
        return: async (value?: unknown) => {
          closed = true;
          return (await records.return?.(value)) ?? { done: true, value: undefined };
        },
      };
    },
  };
}

/** The lists of `lists` whose name key is one of `keys`: what a lists stream with names keeps. */
export async function* onlyNamed(lists: Iterable<HostingList> | AsyncIterable<HostingList>, keys: ReadonlySet<string>): AsyncGenerator<HostingList> {
  for await (const list of lists) if (keys.has(nameKey(list.name))) yield list;
}
