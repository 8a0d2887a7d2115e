import type { CodegenConfig } from "@graphql-codegen/cli";

// The SPA's operation types come from the API's committed schema, never written by hand.
// `pnpm --filter @listbill/web codegen` after changing a document or the schema; the
// generated files are committed and a test fails while they are stale.
const config: CodegenConfig = {
  schema: "../api/schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: false,
        scalars: { DateTimeISO: "string", Date: "string", JSON: "unknown" },
      },
    },
  },
};

export default config;
