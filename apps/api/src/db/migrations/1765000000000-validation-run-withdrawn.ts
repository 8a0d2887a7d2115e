import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from "typeorm";
import { columnKit } from "./column-kit.js";

/**
 * validation_run.withdrawnAt and sweepDueAt: a run that replaces most of a server's errors
 * supersedes the earlier runs as a whole (see validation/published.ts), and a background sweep
 * writes SUPERSEDED into their rows later. sweepDueAt is set only until that sweep is done, so its
 * index holds the few runs still to sweep; withdrawnAt stays. Existing rows are as they were: no
 * run is withdrawn by this migration.
 */
export class ValidationRunWithdrawn1765000000000 implements MigrationInterface {
  name = "ValidationRunWithdrawn1765000000000";

  async up(runner: QueryRunner): Promise<void> {
    const kit = columnKit(runner);
    await runner.addColumn("validation_run", new TableColumn(kit.instant("withdrawnAt", true)));
    await runner.addColumn("validation_run", new TableColumn(kit.instant("sweepDueAt", true)));
    await runner.createIndex("validation_run", new TableIndex({ name: "IDX_validation_run_sweep_due", columnNames: ["sweepDueAt"] }));
  }

  async down(runner: QueryRunner): Promise<void> {
    // The rows of runs withdrawn but not yet swept still say OPEN: write what they are first.
    await runner.query("UPDATE validation_error SET status = 'SUPERSEDED' WHERE status = 'OPEN' AND runId IN (SELECT id FROM validation_run WHERE sweepDueAt IS NOT NULL)");
    await runner.dropIndex("validation_run", "IDX_validation_run_sweep_due");
    // In place, as ValidationRunPublished's down explains (runner.dropColumn rebuilds SQLite's table).
    await runner.query("ALTER TABLE validation_run DROP COLUMN sweepDueAt");
    await runner.query("ALTER TABLE validation_run DROP COLUMN withdrawnAt");
  }
}
