import { type MigrationInterface, type QueryRunner, TableColumn } from "typeorm";
import { columnKit } from "./column-kit.js";

/** user.disabledAt: when an admin disabled the user (it cannot sign in, nor use its sessions or API tokens); null for every user so far. */
export class UserDisabled1765700000000 implements MigrationInterface {
  name = "UserDisabled1765700000000";

  async up(runner: QueryRunner): Promise<void> {
    if (!(await runner.hasColumn("user", "disabledAt"))) await runner.addColumn("user", new TableColumn(columnKit(runner).instant("disabledAt", true)));
  }

  async down(runner: QueryRunner): Promise<void> {
    // Not runner.dropColumn: on SQLite it rebuilds the table, which the foreign keys to user refuse.
    await runner.query(`ALTER TABLE ${runner.connection.driver.escape("user")} DROP COLUMN disabledAt`);
  }
}
