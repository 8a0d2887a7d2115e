import type { MysqlSource } from "./mysql-source.js";
import type { SqliteSource } from "./sqlite-source.js";

export type Row = Record<string, unknown>;

/**
 * Read access to a ListManager database. stream() reads with a cursor: rows come one at a time
 * as the caller pulls, and returning early from the iteration releases the cursor.
 */
export interface ListManagerSource {
  first(sql: string, params?: unknown[]): Promise<Row | undefined>;
  stream(sql: string, params?: unknown[]): AsyncGenerator<Row>;
  close(): Promise<void>;
}

export type OpenedSource = SqliteSource | MysqlSource;

/** "mysql://…" opens MySQL; anything else is a SQLite file path. */
export async function openListManagerSource(database: string): Promise<OpenedSource> {
  if (/^mysql:\/\//i.test(database)) {
    const { MysqlSource } = await import("./mysql-source.js");
    return new MysqlSource(database);
  }
  const { SqliteSource } = await import("./sqlite-source.js");
  return new SqliteSource(database);
}
