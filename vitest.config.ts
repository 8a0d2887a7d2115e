import { defineConfig } from "vitest/config";

// One vitest run covers every package; each package keeps its own config beside its code.
export default defineConfig({
  test: {
    projects: ["apps/*/vitest.config.ts", "packages/*/vitest.config.ts", "test/vitest.config.ts"],
  },
});
