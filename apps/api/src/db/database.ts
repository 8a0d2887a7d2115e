import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from "typeorm";
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

  /**
   * The row of `entity` with id `id` (null for none), read inside a transaction and, on MySQL,
   * locked for update until it ends: a second change of the same row waits and then reads the
   * first's. SQLite's writer is already alone (`transaction`).
   */
  async lockedRow<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, id: number | null): Promise<T | null> {
    if (id === null) return null;
    const query = manager.getRepository(entity).createQueryBuilder("row").where("row.id = :id", { id });
    if (this.kind === "mysql") query.setLock("pessimistic_write");
    return query.getOne();
  }

  /**
   * Runs `work` in one transaction. On MySQL a transaction chosen as a deadlock victim (or timed
   * out on a lock) is rolled back by the server and run again here, up to three times: two
   * validations publishing at the same moment can lock index ranges in opposite orders, and
   * either one finishing is correct. `work` must therefore only touch the database.
   */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    // READ COMMITTED: no gap locks, so concurrent range updates (publishing two validation runs)
    // rarely collide; nothing here relies on repeatable reads.
    if (this.kind === "mysql") return retryLockConflicts(() => this.dataSource.transaction("READ COMMITTED", work));
    const run = this.#writeQueue.then(() => this.dataSource.transaction(work));
    this.#writeQueue = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs `work`, which must send exactly one statement (a statement is atomic by itself): on
   * MySQL in autocommit, one round trip where a transaction takes four (isolation level, start,
   * statement, commit), run again like a transaction when chosen as a deadlock victim; on SQLite
   * in the write queue, as `transaction` does. For writes made many times in a row while the
   * event loop is busy, each round trip waiting for its turn.
   */
  async statement<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.kind === "mysql") return retryLockConflicts(() => work(this.dataSource.manager));
    return this.transaction(work);
  }

  async close(): Promise<void> {
    await this.#writeQueue;
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

const MAX_DEADLOCK_ATTEMPTS = 3;

/** Runs `attempt` again (after a short random pause) when MySQL rolled it back over a lock conflict, up to MAX_DEADLOCK_ATTEMPTS times. */
async function retryLockConflicts<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= MAX_DEADLOCK_ATTEMPTS || !isLockConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * tries));
    }
  }
}

/** MySQL's deadlock (1213) and lock wait timeout (1205): the transaction was rolled back whole. */
export function isLockConflict(error: unknown): boolean {
  const cause = (error as { driverError?: { errno?: number } })?.driverError ?? (error as { errno?: number });
  return cause?.errno === 1213 || cause?.errno === 1205;
}

/** True when a statement failed on a UNIQUE index, on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const cause = (error as { driverError?: { code?: string; errno?: number } })?.driverError ?? (error as { code?: string; errno?: number });
  return cause?.code === "ER_DUP_ENTRY" || cause?.errno === 1062 || cause?.code === "SQLITE_CONSTRAINT_UNIQUE";
}
