/** The LIKE escape character: '!' rather than '\', which MySQL and SQLite read differently in literals. */
export const LIKE_ESCAPE = "!";

/** A LIKE pattern matching `text` anywhere, its wildcards taken literally; use with ESCAPE '!'. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (char) => `!${char}`)}%`;
}

/** A LIKE pattern matching text that starts with `text`; use with ESCAPE '!'. */
export function prefixPattern(text: string): string {
  return `${text.replace(/[!%_]/g, (char) => `!${char}`)}%`;
}
