import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "@graphql-codegen/cli";
import { describe, expect, it } from "vitest";
import config from "../codegen";

const WEB_DIR = join(import.meta.dirname, "..");

/**
 * The committed src/gql is what `pnpm --filter @listbill/web codegen` makes from the API's
 * schema.graphql and the SPA's documents today: a schema change or an edited query without a
 * fresh codegen fails here, not in an operator's browser.
 */
describe("generated GraphQL types", () => {
  it("match apps/api/schema.graphql and the SPA's documents", async () => {
    const previous = process.cwd();
    process.chdir(WEB_DIR);
    try {
      const files = await generate({ ...config, cwd: WEB_DIR, silent: true }, false);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const committed = readFileSync(join(WEB_DIR, file.filename), "utf8");
        expect(committed, `${file.filename} is stale: run pnpm --filter @listbill/web codegen`).toBe(file.content);
      }
    } finally {
      process.chdir(previous);
    }
  });
});
