import { type MigrationInterface, type QueryRunner, Table, TableIndex } from "typeorm";
import { columnKit, fk } from "./column-kit.js";

/** Users, their browser sessions and their API tokens (both stored as SHA-256 hashes only). */
export class Auth1764200000000 implements MigrationInterface {
  name = "Auth1764200000000";

  async up(runner: QueryRunner): Promise<void> {
    const c = columnKit(runner);

    await runner.createTable(
      new Table({
        name: "user",
        columns: [
          c.id(),
          c.string("username", 100),
          c.key("usernameKey", 100),
          { name: "passwordHash", type: "varchar", length: "255" },
          { name: "role", type: "varchar", length: "20" },
          c.instant("createdAt"),
          c.instant("updatedAt"),
        ],
        indices: [new TableIndex({ name: "UQ_user_usernameKey", columnNames: ["usernameKey"], isUnique: true })],
      }),
    );

    await runner.createTable(
      new Table({
        name: "user_session",
        columns: [c.id(), { name: "userId", type: "int" }, { name: "tokenHash", type: "varchar", length: "64" }, c.instant("createdAt"), c.instant("expiresAt")],
        indices: [
          new TableIndex({ name: "UQ_user_session_tokenHash", columnNames: ["tokenHash"], isUnique: true }),
          new TableIndex({ name: "IDX_user_session_userId", columnNames: ["userId"] }),
        ],
        foreignKeys: [fk("userId", "user")],
      }),
    );

    await runner.createTable(
      new Table({
        name: "api_token",
        columns: [
          c.id(),
          { name: "userId", type: "int" },
          c.string("name", 100),
          { name: "tokenHash", type: "varchar", length: "64" },
          { name: "createdById", type: "int", isNullable: true },
          c.instant("createdAt"),
          c.instant("expiresAt", true),
          c.instant("revokedAt", true),
        ],
        indices: [
          new TableIndex({ name: "UQ_api_token_tokenHash", columnNames: ["tokenHash"], isUnique: true }),
          new TableIndex({ name: "IDX_api_token_userId", columnNames: ["userId"] }),
        ],
        foreignKeys: [fk("userId", "user"), fk("createdById", "user")],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable("api_token");
    await runner.dropTable("user_session");
    await runner.dropTable("user");
  }
}
