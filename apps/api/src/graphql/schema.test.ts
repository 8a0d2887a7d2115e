import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { buildSchema, isObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { printSchemaFile } from "./print-schema.js";

describe("the committed schema", () => {
  it("is exactly what the code builds (run `pnpm schema:print` after changing the API)", async () => {
    const committed = readFileSync(join(import.meta.dirname, "..", "..", "schema.graphql"), "utf8");
    expect(await printSchemaFile()).toBe(committed);
  });

  it("has no output field that could carry a secret, but the two that hand a new token out once", () => {
    const schema = buildSchema(readFileSync(join(import.meta.dirname, "..", "..", "schema.graphql"), "utf8"));
    const suspect = /password|secret|hash|sealed|token|credential/i;
    const found: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith("__")) continue;
      for (const field of Object.values(type.getFields())) {
        if (suspect.test(field.name)) found.push(`${type.name}.${field.name}`);
      }
    }
    // passwordSet says whether a server has its own agent password, never the password; the
    // mutations that create a token or a session return it once, and only its hash is kept;
    // changePassword answers whether the password changed, and userErrors.
    expect(found.sort()).toEqual(["CreateApiTokenPayload.apiToken", "CreateApiTokenPayload.token", "LoginPayload.token", "Mutation.changePassword", "Mutation.createApiToken", "Mutation.revokeApiToken", "Query.apiTokens", "RevokeApiTokenPayload.apiToken", "Server.passwordSet"].sort());
  });
});

describe("the resolvers", () => {
  it("declare every mutation with graphql/mutation.ts's @Mutation, which gives each its own loaders", () => {
    const source = join(import.meta.dirname, "..");
    const files = readdirSync(source, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"));
    const offenders = files.filter((file) => /import \{[^}]*\bMutation\b[^}]*\} from "type-graphql"/.test(readFileSync(join(source, file), "utf8")) && !file.endsWith(join("graphql", "mutation.ts")));
    expect(offenders).toEqual([]);
    expect(files.filter((file) => readFileSync(join(source, file), "utf8").includes("@Mutation(")).length).toBeGreaterThan(5);
  });
});
