import { lexicographicSortSchema, printSchema } from "graphql";
import { buildApiSchema } from "./schema.js";

/** The committed apps/api/schema.graphql: the public contract, sorted so diffs stay readable. */
export async function printSchemaFile(): Promise<string> {
  const schema = await buildApiSchema();
  return `# Generated from the code by \`pnpm schema:print\`; a test fails when they differ.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}
