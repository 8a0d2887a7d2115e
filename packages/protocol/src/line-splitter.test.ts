import { describe, expect, it } from "vitest";
import { LineSplitter } from "./line-splitter.js";

describe("LineSplitter", () => {
  it("joins lines split across chunks and splits chunks holding several lines", () => {
    const splitter = new LineSplitter(100);
    expect(splitter.push(Buffer.from('{"a":1}\n{"b"'))).toEqual([{ kind: "line", text: '{"a":1}' }]);
    expect(splitter.push(Buffer.from(':2}\r\n\n{"c":3}\n'))).toEqual([
      { kind: "line", text: '{"b":2}' },
      { kind: "line", text: '{"c":3}' },
    ]);
  });

  it("reports an oversized line once, skips the rest of it and keeps reading the next", () => {
    const splitter = new LineSplitter(10);
    const out = [
      ...splitter.push(Buffer.from("x".repeat(8))),
      ...splitter.push(Buffer.from("y".repeat(50))),
      ...splitter.push(Buffer.from("z".repeat(50) + "\nok\n")),
    ];
    expect(out).toEqual([{ kind: "oversized" }, { kind: "line", text: "ok" }]);
    expect(splitter.bufferedBytes).toBe(0);
  });

  it("drops a carriage return cut from its newline, and an oversized line ending in the chunk it overflows", () => {
    const splitter = new LineSplitter(10);
    const out = [
      ...splitter.push(Buffer.from('{"a":1}\r')),
      ...splitter.push(Buffer.from(`\n${"x".repeat(20)}\n{"b":2}\n`)),
    ];
    expect(out).toEqual([{ kind: "line", text: '{"a":1}' }, { kind: "oversized" }, { kind: "line", text: '{"b":2}' }]);
    expect(splitter.bufferedBytes).toBe(0);
  });

  it("splits multi-byte characters cut between chunks correctly", () => {
    const splitter = new LineSplitter();
    const bytes = Buffer.from("liste-éèà\n");
    expect([...splitter.push(bytes.subarray(0, 7)), ...splitter.push(bytes.subarray(7))]).toEqual([{ kind: "line", text: "liste-éèà" }]);
  });
});
