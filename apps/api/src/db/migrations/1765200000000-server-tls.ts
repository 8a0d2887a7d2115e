import { type MigrationInterface, type QueryRunner, TableColumn } from "typeorm";
import { columnKit } from "./column-kit.js";

/** server.tls: whether the API reaches the server's agent over TLS (false for every server so far). */
export class ServerTls1765200000000 implements MigrationInterface {
  name = "ServerTls1765200000000";

  async up(runner: QueryRunner): Promise<void> {
    if (!(await runner.hasColumn("server", "tls"))) await runner.addColumn("server", new TableColumn(columnKit(runner).bool("tls", false)));
  }

  async down(runner: QueryRunner): Promise<void> {
    // Not runner.dropColumn: on SQLite it rebuilds the table, which the foreign keys to server refuse.
    await runner.query("ALTER TABLE server DROP COLUMN tls");
  }
}
