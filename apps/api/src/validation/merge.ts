import { compareNameKeys } from "@listbill/protocol";

/** Thrown when a side of a sorted merge is not in name-key order: the merge would be wrong. */
export class OutOfOrder extends Error {
  constructor(
    readonly side: "billing" | "hosting",
    readonly key: string,
    readonly what: string,
  ) {
    super(`${side} ${what} are not in strictly ascending name order at "${key}"`);
  }

  /**
   * For the hosting side, what an operator is told. Its stream was checked for order as it came
   * (HostingClient), so what is left is two names alike but for case (News and news): billing
   * keys names without case and cannot tell them apart.
   */
  get operatorMessage(): string | null {
    return this.side === "hosting" ? `the hosting server has two ${this.what} named "${this.key}" but for case; billing tells names apart without case, so it cannot compare them: rename one of them on the hosting server` : null;
  }
}

interface Keyed<T> {
  key: string;
  record: T;
}

/**
 * Walks two streams sorted by name key side by side and yields each key once, with the record of
 * each side that has it. Billing's side comes in pages, as billing reads it, and is walked within
 * a page without an await per record (a 100,000-list comparison spent a tenth of its time in
 * promise hops); the hosting side comes record by record off the agent's stream. Memory holds a
 * page and a record. Leaving early closes both sides (the agent's stream is abandoned).
 */
export async function* mergeByKey<B, H>(
  billing: AsyncIterable<readonly B[]>,
  hosting: AsyncIterable<H>,
  billingKey: (record: B) => string,
  hostingKey: (record: H) => string,
  /** What the records are, for errors: "lists", "sites". */
  what = "records",
): AsyncGenerator<{ key: string; billing?: B; hosting?: H }> {
  const pages = billing[Symbol.asyncIterator]();
  const records = hosting[Symbol.asyncIterator]();
  let page: readonly B[] = [];
  let index = 0;
  let previousBilling: string | undefined;
  let previousHosting: string | undefined;

  const keyed = <T>(record: T, keyOf: (record: T) => string, previous: string | undefined, side: "billing" | "hosting"): Keyed<T> => {
    const key = keyOf(record);
    if (previous !== undefined && compareNameKeys(previous, key) >= 0) throw new OutOfOrder(side, key, what);
    return { key, record };
  };
  const takeBilling = (): Keyed<B> => {
    const found = keyed(page[index++]!, billingKey, previousBilling, "billing");
    previousBilling = found.key;
    return found;
  };
  const nextBilling = async (): Promise<Keyed<B> | undefined> => {
    while (index >= page.length) {
      const next = await pages.next();
      if (next.done) return undefined;
      page = next.value;
      index = 0;
    }
    return takeBilling();
  };
  // Within a page the next billing record is at hand: no await for it.
  const advanceBilling = (): Keyed<B> | Promise<Keyed<B> | undefined> => (index < page.length ? takeBilling() : nextBilling());
  const nextHosting = async (): Promise<Keyed<H> | undefined> => {
    const next = await records.next();
    if (next.done) return undefined;
    const found = keyed(next.value, hostingKey, previousHosting, "hosting");
    previousHosting = found.key;
    return found;
  };

  let finished = false;
  try {
    let b = await nextBilling();
    let h = await nextHosting();
    while (b !== undefined || h !== undefined) {
      const order = b === undefined ? 1 : h === undefined ? -1 : compareNameKeys(b.key, h.key);
      if (order < 0) {
        yield { key: b!.key, billing: b!.record };
        const next = advanceBilling();
        b = next instanceof Promise ? await next : next;
      } else if (order > 0) {
        yield { key: h!.key, hosting: h!.record };
        h = await nextHosting();
      } else {
        yield { key: b!.key, billing: b!.record, hosting: h!.record };
        const next = advanceBilling();
        b = next instanceof Promise ? await next : next;
        h = await nextHosting();
      }
    }
    finished = true;
  } finally {
    if (!finished) await Promise.allSettled([records.return?.(), pages.return?.()]);
  }
}

/** An array as one page of billing's side of mergeByKey (sites are few, so they are read whole). */
export async function* onePage<T>(items: readonly T[]): AsyncGenerator<readonly T[]> {
  yield items;
}

/** An array as a record-by-record stream, for the hosting side of mergeByKey. */
export async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}
