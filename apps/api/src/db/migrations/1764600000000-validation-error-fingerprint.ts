import { type MigrationInterface, type QueryRunner, TableColumn } from "typeorm";

/**
 * validation_error.fingerprint: a digest of what an error says (code, object, message, billing
 * and hosting values). A validation that finds an error identical to an OPEN one keeps that row
 * instead of superseding it and writing a copy, so re-validating an unchanged server writes
 * nothing but its run. Rows from before have none and are superseded by the next run, as before.
 */
export class ValidationErrorFingerprint1764600000000 implements MigrationInterface {
  name = "ValidationErrorFingerprint1764600000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn("validation_error", new TableColumn({ name: "fingerprint", type: "varchar", length: "32", isNullable: true }));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn("validation_error", "fingerprint");
  }
}
