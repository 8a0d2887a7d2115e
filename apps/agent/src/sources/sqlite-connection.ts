import Database from "better-sqlite3";
import { nameKey } from "@listbill/protocol";
import { SQLITE_NAME_KEY_FUNCTION } from "../listmanager-queries.js";

/** A read-only connection to a ListManager SQLite file, set up as every agent query expects. */
export function openSqlite(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  // better-sqlite3 defaults to a 16 MB page cache, which also sizes the sorter behind ORDER BY.
  // Streams read each page once, so a small cache costs little speed and keeps every open
  // stream's memory bounded (the sorter spills to a temporary file beyond it).
  db.pragma("cache_size = -4096");
  // Ordering by name key must match @listbill/protocol exactly, so SQLite calls the same function.
  db.function(SQLITE_NAME_KEY_FUNCTION, { deterministic: true }, (name: unknown) => (typeof name === "string" ? nameKey(name) : name));
  return db;
}
