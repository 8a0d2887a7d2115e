import { type MigrationInterface, type QueryRunner, TableColumn } from "typeorm";
import { columnKit } from "./column-kit.js";

/**
 * validation_error.supersededAt: when a later validation replaced the error (written with
 * SUPERSEDED by the run that supersedes a few errors and by the sweep of a withdrawn run). Null
 * for rows superseded before it existed: a purge counts those from their first finding.
 */
export class ValidationErrorSupersededAt1765900000000 implements MigrationInterface {
  name = "ValidationErrorSupersededAt1765900000000";

  async up(runner: QueryRunner): Promise<void> {
    if (!(await runner.hasColumn("validation_error", "supersededAt"))) await runner.addColumn("validation_error", new TableColumn(columnKit(runner).instant("supersededAt", true)));
  }

  async down(runner: QueryRunner): Promise<void> {
    // Not runner.dropColumn: on SQLite it rebuilds the table, which the foreign keys refuse.
    await runner.query(`ALTER TABLE ${runner.connection.driver.escape("validation_error")} DROP COLUMN supersededAt`);
  }
}
