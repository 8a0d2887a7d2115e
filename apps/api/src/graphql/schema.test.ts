import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { printSchemaFile } from "./print-schema.js";

describe("the committed schema", () => {
  it("is exactly what the code builds (run `pnpm schema:print` after changing the API)", async () => {
    const committed = readFileSync(join(import.meta.dirname, "..", "..", "schema.graphql"), "utf8");
    expect(await printSchemaFile()).toBe(committed);
  });
});
