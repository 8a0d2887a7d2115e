import { describe, expect, it } from "vitest";
import { compareNameKeys, compareNames, nameKey } from "./names.js";

describe("name order", () => {
  it("sorts ASCII names exactly as JavaScript < on the lower-cased names", () => {
    const names = ["Zeta", "alpha", "Alpha-2", "alpha_1", "ALPHA", "beta", "a", "A-", "0day", "~tilde", "Beta", "b"];
    const byJs = [...names].sort((a, b) => {
      const [x, y] = [a.toLowerCase(), b.toLowerCase()];
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const byKey = [...names].sort(compareNames);
    expect(byKey.map(nameKey)).toEqual(byJs.map((name) => name.toLowerCase()));
  });

  it("folds only ASCII letters, as both SQL engines can", () => {
    expect(nameKey("ÉCOLE-News")).toBe("École-news");
    expect(nameKey("Straße-ÄB")).toBe("straße-Äb");
  });

  it("orders by code point, as a binary comparison of UTF-8 does", () => {
    const astral = "\u{1F600}"; // a surrogate pair in UTF-16
    const highBmp = "\uFFFD";
    expect(compareNameKeys(highBmp, astral)).toBeLessThan(0);
    expect(Buffer.compare(Buffer.from(highBmp), Buffer.from(astral))).toBeLessThan(0);
    expect(compareNameKeys("abc", "abd")).toBeLessThan(0);
    expect(compareNameKeys("ab", "abc")).toBeLessThan(0);
    expect(compareNameKeys("abc", "abc")).toBe(0);
  });
});
