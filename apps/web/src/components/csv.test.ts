import { describe, expect, it } from "vitest";
import { toCsv } from "./csv";

/** The one cell of a one-column, one-row CSV. */
const cell = (value: string | number) => toCsv(["x"], [[value]]).slice("x\r\n".length, -2);

describe("toCsv", () => {
  it("quotes what needs quoting and keeps numbers as numbers", () => {
    expect(toCsv(["a", "b"], [["x, y", 'say "hi"'], ["line\nbreak", null], [-3, -2.5], [42, true]])).toBe('a,b\r\n"x, y","say ""hi"""\r\n"line\nbreak",\r\n-3,-2.5\r\n42,true\r\n');
    expect([cell("-3"), cell("-2.5"), cell("Acme")]).toEqual(["-3", "-2.5", "Acme"]);
  });

  it("keeps a cell that a spreadsheet would run as a formula as text", () => {
    expect(cell("=SUM(A1:A9)")).toBe("'=SUM(A1:A9)");
    expect(cell("+1")).toBe("'+1");
    expect(cell("@cmd")).toBe("'@cmd");
    expect(cell("\tcmd")).toBe("'\tcmd");
    expect(cell("\rcmd")).toBe("\"'\rcmd\"");
    // A number followed by a formula is not a number.
    expect(cell('-1+HYPERLINK("http://example.com")')).toBe('"\'-1+HYPERLINK(""http://example.com"")"');
    expect(cell("-1e5")).toBe("'-1e5");
  });
});
