import type { DataSource, EntityManager } from "typeorm";
import type { SqlStatementCounter } from "./sql-statement-counter.js";

/**
 * The app's handle on its database. Every write goes through `transaction`, which on SQLite
 * also serialises writers: TypeORM's better-sqlite3 driver shares one connection, so two
 * overlapping transactions would otherwise run inside each other and roll back each other's rows.
 */
export class Database {
  readonly kind: "mysql" | "sqlite";
  #writeQueue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dataSource: DataSource,
    readonly sqlCounter: SqlStatementCounter,
  ) {
    this.kind = dataSource.options.type === "mysql" ? "mysql" : "sqlite";
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.kind === "mysql") return this.dataSource.transaction(work);
    const run = this.#writeQueue.then(() => this.dataSource.transaction(work));
    this.#writeQueue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.#writeQueue;
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** True when a statement failed on a UNIQUE index, on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const cause = (error as { driverError?: { code?: string; errno?: number } })?.driverError ?? (error as { code?: string; errno?: number });
  return cause?.code === "ER_DUP_ENTRY" || cause?.errno === 1062 || cause?.code === "SQLITE_CONSTRAINT_UNIQUE";
}
