import { AbstractLogger, type LogLevel, type LogMessage, type QueryRunner } from "typeorm";

/**
 * TypeORM logger that counts the SQL statements sent to the database. It never prints a
 * statement's parameters, so a value bound into a statement stays out of the logs. The N+1
 * guards and the benchmarks read `count`.
 */
export class SqlStatementCounter extends AbstractLogger {
  count = 0;

  override logQuery(_query: string, _parameters?: unknown[], _runner?: QueryRunner): void {
    this.count += 1;
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
