import type { ListManagerSource, Row } from "./source.js";
import { openSqlite } from "./sqlite-connection.js";
import { SqliteWorkers } from "./sqlite-workers.js";

/**
 * A ListManager SQLite file, opened read-only. Each stream gets its own connection: a
 * better-sqlite3 connection is busy while an iterator is open, and several streams (and
 * clients) may be open at once. Statements that may run beside the main thread go to worker
 * threads (see SqliteWorkers).
 */
export class SqliteSource implements ListManagerSource {
  readonly dialect = "sqlite" as const;
  private workers: SqliteWorkers | undefined;

  constructor(private readonly path: string) {
    openSqlite(path).close();
  }

  async first(sql: string, params: unknown[] = []): Promise<Row | undefined> {
    const db = openSqlite(this.path);
    try {
      return db.prepare(sql).get(...params) as Row | undefined;
    } finally {
      db.close();
    }
  }

  async *stream(sql: string, params: unknown[] = []): AsyncGenerator<Row> {
    const db = openSqlite(this.path);
    try {
      for (const row of db.prepare(sql).iterate(...params)) yield row as Row;
    } finally {
      db.close();
    }
  }

  /** Starts the worker threads ahead of valuesOnWorker, e.g. while a first query runs. */
  startWorkers(): void {
    this.workers ??= new SqliteWorkers(this.path);
    this.workers.start();
  }

  /** Every row of a statement run on a worker thread, each as its column values in order. */
  valuesOnWorker(sql: string, params: unknown[]): Promise<unknown[][]> {
    this.workers ??= new SqliteWorkers(this.path);
    return this.workers.run(sql, params);
  }

  async close(): Promise<void> {
    await this.workers?.close();
    this.workers = undefined;
  }
}
