import { createRequire } from "node:module";
import { defineProject } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineProject({
  resolve: {
    // graphql 16 ships both index.mjs and index.js; Vite would pick the .mjs for our sources
    // while type-graphql, loaded by Node, gets the .js, and two copies of graphql cannot share
    // a schema. Pin every import to the one Node uses.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    name: "api",
    include: ["src/**/*.test.ts"],
    setupFiles: ["reflect-metadata"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
