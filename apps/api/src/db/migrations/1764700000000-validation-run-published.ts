import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from "typeorm";
import { columnKit } from "./column-kit.js";

/**
 * validation_run.publishedAt: a run's errors count once it is published, instead of being written
 * PENDING and made OPEN one by one when it ends (see validation/published.ts). Runs that ended
 * with an outcome other than ABANDONED were published when they finished; a PENDING row of such a
 * run cannot be (publishing made them all OPEN) and goes, while those of runs that never finished
 * stay hidden until the server's next validation clears them.
 *
 * The two indexes that find OPEN errors (by server, and across servers) gain runId after id, so
 * that the publishedOnly condition is answered from the index: counting a server's 100,000 OPEN
 * errors stays an index range scan. Each is created before the one it replaces goes.
 */
export class ValidationRunPublished1764700000000 implements MigrationInterface {
  name = "ValidationRunPublished1764700000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn("validation_run", new TableColumn(columnKit(runner).instant("publishedAt", true)));
    await runner.query("UPDATE validation_run SET publishedAt = finishedAt WHERE finishedAt IS NOT NULL AND (outcome IS NULL OR outcome <> 'ABANDONED')");
    await runner.query("DELETE FROM validation_error WHERE status = 'PENDING' AND runId IN (SELECT id FROM validation_run WHERE publishedAt IS NOT NULL)");
    await runner.createIndex("validation_run", new TableIndex({ name: "IDX_validation_run_published", columnNames: ["publishedAt"] }));
    await runner.createIndex("validation_error", new TableIndex({ name: "IDX_validation_error_server_status_run", columnNames: ["serverId", "status", "id", "runId"] }));
    await runner.dropIndex("validation_error", "IDX_validation_error_server_status");
    await runner.createIndex("validation_error", new TableIndex({ name: "IDX_validation_error_status_run", columnNames: ["status", "id", "runId"] }));
    await runner.dropIndex("validation_error", "IDX_validation_error_status");
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.createIndex("validation_error", new TableIndex({ name: "IDX_validation_error_status", columnNames: ["status", "id"] }));
    await runner.dropIndex("validation_error", "IDX_validation_error_status_run");
    await runner.createIndex("validation_error", new TableIndex({ name: "IDX_validation_error_server_status", columnNames: ["serverId", "status", "id"] }));
    await runner.dropIndex("validation_error", "IDX_validation_error_server_status_run");
    await runner.dropIndex("validation_run", "IDX_validation_run_published");
    // Rows of runs that never published were OPEN-to-be; the old code knew them as PENDING.
    await runner.query("UPDATE validation_error SET status = 'PENDING' WHERE status = 'OPEN' AND runId IN (SELECT id FROM validation_run WHERE publishedAt IS NULL)");
    // Not runner.dropColumn: on SQLite that rebuilds the table, and dropping the old one breaks
    // validation_error's foreign keys (SQLite does not count them whole again after the rename).
    // Both databases drop a plain, unindexed column in place.
    await runner.query("ALTER TABLE validation_run DROP COLUMN publishedAt");
  }
}
