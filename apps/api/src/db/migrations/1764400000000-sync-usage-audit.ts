import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from "typeorm";
import { columnKit, fk } from "./column-kit.js";

/**
 * What sync, usage and the audit trail need: each list's last member counts by status (so a
 * sync writes a snapshot only when they change), each server's log high-water mark, a plan's
 * message unit size, the imported message log, and the audit entries.
 */
export class SyncUsageAudit1764400000000 implements MigrationInterface {
  name = "SyncUsageAudit1764400000000";

  async up(runner: QueryRunner): Promise<void> {
    const c = columnKit(runner);
    await runner.addColumn("list", new TableColumn({ name: "memberCounts", type: "varchar", length: "200", isNullable: true }));
    await runner.addColumn("server", new TableColumn({ name: "logHighWater", type: "bigint", default: 0 }));
    await runner.addColumn("hosting_plan", new TableColumn({ name: "messageUnitBytes", type: "int", default: 0 }));

    await runner.createTable(
      new Table({
        name: "message_log",
        columns: [
          c.bigId(),
          { name: "serverId", type: "int" },
          { name: "remoteLogId", type: "bigint" },
          { name: "listId", type: "int", isNullable: true },
          { name: "listName", type: "varchar", length: "100", isNullable: true },
          { name: "siteName", type: "varchar", length: "100", isNullable: true },
          c.instant("sentAt"),
          { name: "byteCount", type: "bigint", default: 0 },
          { name: "recipientCount", type: "int", default: 0 },
          { name: "outmailId", type: "bigint", isNullable: true },
          { name: "subsetId", type: "bigint", isNullable: true },
          { name: "source", type: "varchar", length: "50", isNullable: true },
          { name: "title", type: "varchar", length: "255", isNullable: true },
          c.instant("importedAt"),
        ],
        indices: [
          new TableIndex({ name: "UQ_message_log_server_remote", columnNames: ["serverId", "remoteLogId"], isUnique: true }),
          new TableIndex({ name: "IDX_message_log_list_sentAt", columnNames: ["listId", "sentAt"] }),
          new TableIndex({ name: "IDX_message_log_server_sentAt", columnNames: ["serverId", "sentAt"] }),
        ],
        foreignKeys: [fk("serverId", "server")],
      }),
    );

    await runner.createTable(
      new Table({
        name: "audit_entry",
        columns: [
          c.id(),
          c.instant("at"),
          { name: "actor", type: "varchar", length: "100", isNullable: true },
          { name: "action", type: "varchar", length: "60" },
          { name: "objectType", type: "varchar", length: "30" },
          { name: "objectId", type: "varchar", length: "64", isNullable: true },
          { name: "objectKey", type: "varchar", length: "200", isNullable: true },
          { name: "before", type: "text", isNullable: true },
          { name: "after", type: "text", isNullable: true },
          { name: "requestId", type: "varchar", length: "64", isNullable: true },
        ],
        indices: [new TableIndex({ name: "IDX_audit_entry_at", columnNames: ["at", "id"] }), new TableIndex({ name: "IDX_audit_entry_object", columnNames: ["objectType", "objectId"] })],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable("audit_entry");
    await runner.dropTable("message_log");
    await runner.dropColumn("hosting_plan", "messageUnitBytes");
    await runner.dropColumn("server", "logHighWater");
    await runner.dropColumn("list", "memberCounts");
  }
}
