import { GraphQLScalarType, Kind } from "graphql";

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar day written YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

/**
 * `Date`: a calendar day as 'YYYY-MM-DD', kept as a string end to end so no time zone can move
 * a billing period's first or last day.
 */
export const CalendarDate = new GraphQLScalarType<string, string>({
  name: "Date",
  description: "A calendar date, YYYY-MM-DD",
  serialize(value) {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    if (isCalendarDate(value)) return value;
    throw new TypeError("Date cannot represent this value");
  },
  parseValue(value) {
    if (!isCalendarDate(value)) throw new TypeError("Date must be a calendar date written YYYY-MM-DD");
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || !isCalendarDate(ast.value)) {
      throw new TypeError("Date must be a calendar date written YYYY-MM-DD");
    }
    return ast.value;
  },
});

/** A value that survives JSON.stringify and back unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
