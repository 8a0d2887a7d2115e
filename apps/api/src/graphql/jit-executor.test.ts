import { GraphQLEnumType, GraphQLScalarType, isInputType } from "graphql";
import { describe, expect, it } from "vitest";
import { buildApiSchema } from "./schema.js";

/**
 * The JIT executor hands graphql-jit variables that graphql-js has already coerced, so every
 * input type must accept its own coerced value and give it back unchanged. A new scalar or an
 * enum whose values differ from their names would break that: these tests say so first.
 */
describe("input types coerce their own coerced values unchanged", () => {
  const samples: Record<string, unknown[]> = {
    ID: ["TGlzdDox", "42"],
    String: ["", "café ☕"],
    Int: [0, -7, 2_147_483_647],
    Float: [1.5, 0],
    Boolean: [true, false],
    Date: ["2026-02-28", "2024-02-29"],
    DateTimeISO: ["2026-11-26T09:30:00.000Z"],
    JSON: [{ list: [1, "two", null], nested: { ok: true } }, "text", 3],
  };

  it("scalars", async () => {
    const schema = await buildApiSchema();
    const scalars = Object.values(schema.getTypeMap()).filter((type): type is GraphQLScalarType => type instanceof GraphQLScalarType && !type.name.startsWith("__"));
    expect(scalars.map((scalar) => scalar.name).sort()).toEqual(Object.keys(samples).sort());
    for (const scalar of scalars) {
      for (const sample of samples[scalar.name]!) {
        const once = scalar.parseValue(sample);
        expect(scalar.parseValue(once), `${scalar.name} ${JSON.stringify(sample)}`).toEqual(once);
      }
    }
  });

  it("enums", async () => {
    const schema = await buildApiSchema();
    const enums = Object.values(schema.getTypeMap()).filter((type): type is GraphQLEnumType => type instanceof GraphQLEnumType && isInputType(type) && !type.name.startsWith("__"));
    expect(enums.length).toBeGreaterThan(5);
    for (const type of enums) {
      for (const value of type.getValues()) expect(type.parseValue(type.parseValue(value.name)), `${type.name}.${value.name}`).toBe(value.value);
    }
  });
});
