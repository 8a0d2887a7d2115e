import Database from "better-sqlite3";
import { nameKey } from "@listbill/protocol";
import { SQLITE_NAME_KEY_FUNCTION } from "../listmanager-queries.js";
import type { ListManagerSource, Row } from "./source.js";

/**
 * A ListManager SQLite file, opened read-only. Each stream gets its own connection: a
 * better-sqlite3 connection is busy while an iterator is open, and several streams (and
 * clients) may be open at once.
 */
export class SqliteSource implements ListManagerSource {
  readonly dialect = "sqlite" as const;

  constructor(private readonly path: string) {
    this.open().close();
  }

  async first(sql: string, params: unknown[] = []): Promise<Row | undefined> {
    const db = this.open();
    try {
      return db.prepare(sql).get(...params) as Row | undefined;
    } finally {
      db.close();
    }
  }

  async *stream(sql: string, params: unknown[] = []): AsyncGenerator<Row> {
    const db = this.open();
    try {
      for (const row of db.prepare(sql).iterate(...params)) yield row as Row;
    } finally {
      db.close();
    }
  }

  async close(): Promise<void> {}

  private open(): Database.Database {
    const db = new Database(this.path, { readonly: true, fileMustExist: true });
    // better-sqlite3 defaults to a 16 MB page cache, which also sizes the sorter behind ORDER BY.
    // Streams read each page once, so a small cache costs little speed and keeps every open
    // stream's memory bounded (the sorter spills to a temporary file beyond it).
    db.pragma("cache_size = -4096");
    // Ordering by name key must match @listbill/protocol exactly, so SQLite calls the same function.
    db.function(SQLITE_NAME_KEY_FUNCTION, { deterministic: true }, (name: unknown) => (typeof name === "string" ? nameKey(name) : name));
    return db;
  }
}
