import { compareNameKeys } from "@listbill/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OutOfOrder, iterate, mergeByKey } from "./merge.js";

/** Sorted, distinct keys cut into pages of the given sizes (empty pages too). */
async function* paged(keys: string[], sizes: number[]): AsyncGenerator<string[]> {
  let offset = 0;
  for (const size of sizes) {
    if (offset >= keys.length) break;
    yield keys.slice(offset, offset + size);
    offset += size;
  }
  if (offset < keys.length) yield keys.slice(offset);
}

const sortedKeys = fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,6}$/), { maxLength: 60 }).map((keys) => keys.sort(compareNameKeys));

async function merged(billing: AsyncIterable<string[]>, hosting: AsyncIterable<string>) {
  const pairs: { key: string; billing?: string; hosting?: string }[] = [];
  for await (const pair of mergeByKey(billing, hosting, (key) => key, (key) => key)) pairs.push(pair);
  return pairs;
}

describe("mergeByKey", () => {
  it("yields every key of either side once, in order, with each side's record", async () => {
    await fc.assert(
      fc.asyncProperty(sortedKeys, sortedKeys, fc.array(fc.nat({ max: 7 }), { maxLength: 20 }), async (billing, hosting, sizes) => {
        const pairs = await merged(paged(billing, sizes), iterate(hosting));
        const all = [...new Set([...billing, ...hosting])].sort(compareNameKeys);
        expect(pairs.map((pair) => pair.key)).toEqual(all);
        for (const pair of pairs) {
          expect(pair.billing).toBe(billing.includes(pair.key) ? pair.key : undefined);
          expect(pair.hosting).toBe(hosting.includes(pair.key) ? pair.key : undefined);
        }
      }),
    );
  });

  it("refuses a side out of name order, across pages too", async () => {
    await expect(merged(paged(["a", "c"], [1]), iterate(["b", "a"]))).rejects.toThrow(OutOfOrder);
    await expect(merged(paged(["a", "c", "b"], [2]), iterate([]))).rejects.toThrow(/billing records are not in strictly ascending name order at "b"/);
    await expect(merged(paged(["a", "a"], [1]), iterate([]))).rejects.toThrow(OutOfOrder);
  });

  it("closes the hosting stream when the consumer leaves early", async () => {
    let closed = false;
    const hosting: AsyncIterable<string> = {
      [Symbol.asyncIterator]() {
        const inner = iterate(["a", "b", "c"]);
        return {
          next: () => inner.next(),
          return: async () => {
            closed = true;
            return { done: true, value: undefined };
          },
        };
      },
    };
    for await (const pair of mergeByKey(paged(["a"], []), hosting, (key) => key, (key) => key)) if (pair.key === "a") break;
    expect(closed).toBe(true);
  });
});
