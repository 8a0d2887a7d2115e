import { type MigrationInterface, type QueryRunner, Table, TableIndex } from "typeorm";
import { columnKit, fk } from "./column-kit.js";

/**
 * Jobs (the persisted queue every API process shares) and validation runs with their errors.
 * job.serverId has no foreign key on purpose: a job's history outlives a deleted server.
 */
export class JobsValidation1764300000000 implements MigrationInterface {
  name = "JobsValidation1764300000000";

  async up(runner: QueryRunner): Promise<void> {
    const c = columnKit(runner);

    await runner.createTable(
      new Table({
        name: "job",
        columns: [
          c.id(),
          { name: "kind", type: "varchar", length: "20" },
          { name: "state", type: "varchar", length: "20" },
          { name: "progress", type: "double", default: 0 },
          { name: "trigger", type: "varchar", length: "40" },
          { name: "actor", type: "varchar", length: "100", isNullable: true },
          { name: "input", type: "text" },
          { name: "result", type: "text", isNullable: true },
          { name: "error", type: "text", isNullable: true },
          { name: "serverId", type: "int", isNullable: true },
          { name: "attempts", type: "int", default: 0 },
          { name: "maxAttempts", type: "int", default: 3 },
          c.instant("runAfter"),
          { name: "leaseOwner", type: "varchar", length: "64", isNullable: true },
          c.instant("leaseExpiresAt", true),
          c.instant("createdAt"),
          c.instant("startedAt", true),
          c.instant("finishedAt", true),
          c.instant("updatedAt"),
        ],
        indices: [
          new TableIndex({ name: "IDX_job_state_runAfter", columnNames: ["state", "runAfter", "id"] }),
          new TableIndex({ name: "IDX_job_server_state", columnNames: ["serverId", "state"] }),
          new TableIndex({ name: "IDX_job_createdAt", columnNames: ["createdAt", "id"] }),
        ],
      }),
    );

    await runner.createTable(
      new Table({
        name: "validation_run",
        columns: [
          c.id(),
          { name: "serverId", type: "int" },
          { name: "jobId", type: "int", isNullable: true },
          c.instant("startedAt"),
          c.instant("finishedAt", true),
          { name: "outcome", type: "varchar", length: "20", isNullable: true },
          { name: "version", type: "varchar", length: "100", isNullable: true },
          { name: "listsChecked", type: "int", default: 0 },
          { name: "errorCount", type: "int", default: 0 },
          { name: "warningCount", type: "int", default: 0 },
        ],
        indices: [new TableIndex({ name: "IDX_validation_run_server", columnNames: ["serverId", "id"] }), new TableIndex({ name: "IDX_validation_run_job", columnNames: ["jobId"] })],
        foreignKeys: [fk("serverId", "server")],
      }),
    );

    await runner.createTable(
      new Table({
        name: "validation_error",
        columns: [
          c.id(),
          { name: "runId", type: "int" },
          { name: "serverId", type: "int", isNullable: true },
          { name: "customerId", type: "int", isNullable: true },
          { name: "siteId", type: "int", isNullable: true },
          { name: "listId", type: "int", isNullable: true },
          { name: "code", type: "varchar", length: "40" },
          { name: "severity", type: "varchar", length: "10" },
          { name: "objectType", type: "varchar", length: "10" },
          { name: "objectKey", type: "varchar", length: "200" },
          { name: "message", type: "text" },
          { name: "billingValue", type: "text", isNullable: true },
          { name: "hostingValue", type: "text", isNullable: true },
          c.bool("fixable", false),
          { name: "remedy", type: "varchar", length: "200" },
          { name: "status", type: "varchar", length: "12" },
          c.instant("detectedAt"),
          c.instant("fixedAt", true),
        ],
        indices: [
          new TableIndex({ name: "IDX_validation_error_server_status", columnNames: ["serverId", "status", "id"] }),
          new TableIndex({ name: "IDX_validation_error_status", columnNames: ["status", "id"] }),
          new TableIndex({ name: "IDX_validation_error_run", columnNames: ["runId", "status"] }),
        ],
        foreignKeys: [fk("runId", "validation_run"), fk("serverId", "server")],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ["validation_error", "validation_run", "job"]) await runner.dropTable(table);
  }
}
