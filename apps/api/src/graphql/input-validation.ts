import type { z } from "zod";
import { UserInputFailure, userError } from "./user-error.js";

/**
 * Checks a mutation's input against its zod schema. Each field carries its own error code
 * (e.g. hostName -> INVALID_HOST_NAME), so every refusal is typed; zod's message says what is wrong.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, codes: Record<string, string>): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => {
    const field = issue.path.map(String);
    const code = codes[field[0] ?? ""] ?? "INVALID_INPUT";
    return userError(code, issue.message, ["input", ...field]);
  });
  throw new UserInputFailure(errors);
}
