import { AsyncLocalStorage } from "node:async_hooks";
import { AbstractLogger, type LogLevel, type LogMessage, type QueryRunner } from "typeorm";

/**
 * TypeORM logger that counts the SQL statements sent to the database. It never prints a
 * statement's parameters, so a value bound into a statement stays out of the logs. The N+1
 * guards and the benchmarks read `count`; `counting` also counts the statements of one piece
 * of work (an HTTP request) apart from whatever else the process runs meanwhile.
 */
export class SqlStatementCounter extends AbstractLogger {
  count = 0;
  // The scope follows the work through awaits and DataLoader batches (scheduled from inside it).
  readonly #scope = new AsyncLocalStorage<{ count: number }>();

  override logQuery(_query: string, _parameters?: unknown[], _runner?: QueryRunner): void {
    this.count += 1;
    const scope = this.#scope.getStore();
    if (scope) scope.count += 1;
  }

  /** Runs `work`, counting the SQL statements it sends; `statements()` reads the count so far. */
  counting<T>(work: (statements: () => number) => Promise<T>): Promise<T> {
    const scope = { count: 0 };
    return this.#scope.run(scope, () => work(() => scope.count));
  }

  override logQueryError(error: string | Error, _query: string, _parameters?: unknown[], _runner?: QueryRunner): void {
    const message = error instanceof Error ? error.message : error;
    console.error(`[db] statement failed: ${message}`);
  }

  protected override writeLog(level: LogLevel, message: LogMessage | string | number | (LogMessage | string | number)[]): void {
    if (level !== "error" && level !== "warn") return;
    for (const entry of Array.isArray(message) ? message : [message]) {
      const text = typeof entry === "object" ? String(entry.message) : String(entry);
      console.error(`[db] ${level}: ${text}`);
    }
  }
}
