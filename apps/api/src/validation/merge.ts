import { compareNameKeys } from "@listbill/protocol";

/** Thrown when a side of a sorted merge is not in name-key order: the merge would be wrong. */
export class OutOfOrder extends Error {}

/**
 * Walks two streams sorted by name key side by side and yields each key once, with the record of
 * each side that has it. Memory holds one record per side, whatever the stream lengths.
 */
export async function* mergeByKey<B, H>(
  billing: AsyncIterable<B>,
  hosting: AsyncIterable<H>,
  billingKey: (record: B) => string,
  hostingKey: (record: H) => string,
): AsyncGenerator<{ key: string; billing?: B; hosting?: H }> {
  const left = ordered(billing, billingKey, "billing");
  const right = ordered(hosting, hostingKey, "hosting");
  let b = await left.next();
  let h = await right.next();
  while (!b.done || !h.done) {
    const order = b.done ? 1 : h.done ? -1 : compareNameKeys(b.value.key, h.value.key);
    if (order < 0 && !b.done) {
      yield { key: b.value.key, billing: b.value.record };
      b = await left.next();
    } else if (order > 0 && !h.done) {
      yield { key: h.value.key, hosting: h.value.record };
      h = await right.next();
    } else if (!b.done && !h.done) {
      yield { key: b.value.key, billing: b.value.record, hosting: h.value.record };
      b = await left.next();
      h = await right.next();
    }
  }
}

async function* ordered<T>(records: AsyncIterable<T>, keyOf: (record: T) => string, side: string): AsyncGenerator<{ key: string; record: T }> {
  let previous: string | undefined;
  for await (const record of records) {
    const key = keyOf(record);
    if (previous !== undefined && compareNameKeys(previous, key) >= 0) {
      throw new OutOfOrder(`${side} records are not in strictly ascending name order at "${key}"`);
    }
    previous = key;
    yield { key, record };
  }
}

/** An array as the async stream mergeByKey takes (sites are few, so they are read whole). */
export async function* iterate<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}
