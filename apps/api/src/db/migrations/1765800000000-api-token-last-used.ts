import { type MigrationInterface, type QueryRunner, TableColumn } from "typeorm";
import { columnKit } from "./column-kit.js";

/** api_token.lastUsedAt: when a request last came with the token (to the minute); null for every token so far. */
export class ApiTokenLastUsed1765800000000 implements MigrationInterface {
  name = "ApiTokenLastUsed1765800000000";

  async up(runner: QueryRunner): Promise<void> {
    if (!(await runner.hasColumn("api_token", "lastUsedAt"))) await runner.addColumn("api_token", new TableColumn(columnKit(runner).instant("lastUsedAt", true)));
  }

  async down(runner: QueryRunner): Promise<void> {
    // Not runner.dropColumn: on SQLite it rebuilds the table, which the foreign keys refuse.
    await runner.query(`ALTER TABLE ${runner.connection.driver.escape("api_token")} DROP COLUMN lastUsedAt`);
  }
}
