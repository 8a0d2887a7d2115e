import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * validation_error.supersededAt: when a later validation replaced the error (written with
 * SUPERSEDED by the run that supersedes a few errors and by the sweep of a withdrawn run). Null
 * for rows superseded before it existed: a purge counts those from their first finding, since
 * dating millions of them here would hold up the start. A plain ADD COLUMN on both databases:
 * TypeORM's addColumn copies the whole table on SQLite.
 */
export class ValidationErrorSupersededAt1765900000000 implements MigrationInterface {
  name = "ValidationErrorSupersededAt1765900000000";

  async up(runner: QueryRunner): Promise<void> {
    if (await runner.hasColumn("validation_error", "supersededAt")) return;
    const mysql = runner.connection.options.type === "mysql";
    await runner.query(`ALTER TABLE validation_error ADD COLUMN supersededAt ${mysql ? "datetime(3)" : "datetime"} NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query("ALTER TABLE validation_error DROP COLUMN supersededAt");
  }
}
