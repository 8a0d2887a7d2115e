import { type MigrationInterface, type QueryRunner, Table, TableIndex, type TableColumnOptions } from "typeorm";
import { columnKit, fk } from "./column-kit.js";

/**
 * The billing inventory: servers, sites, lists, member-count snapshots, customers, plans and
 * assignments. Written with TypeORM's Table API so one migration builds the same schema on MySQL
 * and SQLite.
 */
export class InitialSchema1764144000000 implements MigrationInterface {
  name = "InitialSchema1764144000000";

  async up(runner: QueryRunner): Promise<void> {
    const c = columnKit(runner);

    await runner.createTable(
      new Table({
        name: "server",
        columns: [
          c.id(),
          c.string("name", 100),
          c.key("nameKey", 100),
          c.string("hostName", 253),
          { name: "port", type: "int", default: 2021 },
          { name: "comments", type: "text", isNullable: true },
          { name: "passwordSealed", type: "text", isNullable: true },
          c.bool("autoSync", false),
          { name: "status", type: "varchar", length: "20", default: "'NEVER_VALIDATED'" },
          { name: "version", type: "varchar", length: "100", isNullable: true },
          c.instant("validatedAt", true),
          c.instant("syncedAt", true),
          c.instant("createdAt"),
          c.instant("updatedAt"),
        ],
        indices: [new TableIndex({ name: "UQ_server_nameKey", columnNames: ["nameKey"], isUnique: true })],
      }),
    );

    await runner.createTable(
      new Table({
        name: "site",
        columns: [
          c.id(),
          { name: "serverId", type: "int" },
          c.string("name", 100),
          c.key("nameKey", 100),
          { name: "hostName", type: "varchar", length: "253", isNullable: true },
          { name: "description", type: "varchar", length: "255", isNullable: true },
          c.instant("removedAt", true),
          c.instant("createdAt"),
          c.instant("updatedAt"),
        ],
        indices: [new TableIndex({ name: "UQ_site_server_nameKey", columnNames: ["serverId", "nameKey"], isUnique: true })],
        foreignKeys: [fk("serverId", "server")],
      }),
    );

    await runner.createTable(
      new Table({
        name: "hosting_plan",
        columns: [
          c.id(),
          c.string("name", 100),
          c.key("nameKey", 100),
          ...["maxLists", "maxListsPerSite", "maxSites", "maxMembers", "maxMembersPerList"].map(
            (name): TableColumnOptions => ({ name, type: "int", default: 0 }),
          ),
          c.instant("createdAt"),
          c.instant("updatedAt"),
        ],
        indices: [new TableIndex({ name: "UQ_hosting_plan_nameKey", columnNames: ["nameKey"], isUnique: true })],
      }),
    );

    await runner.createTable(
      new Table({
        name: "customer",
        columns: [
          c.id(),
          c.string("company", 200),
          { name: "contactName", type: "varchar", length: "200", isNullable: true },
          { name: "email", type: "varchar", length: "254", isNullable: true },
          c.bool("isActive", true),
          { name: "planId", type: "int", isNullable: true },
          { name: "startDate", type: "date", isNullable: true },
          { name: "endDate", type: "date", isNullable: true },
          c.instant("createdAt"),
          c.instant("updatedAt"),
        ],
        indices: [new TableIndex({ name: "IDX_customer_planId", columnNames: ["planId"] })],
        foreignKeys: [fk("planId", "hosting_plan")],
      }),
    );

    await runner.createTable(
      new Table({
        name: "list",
        columns: [
          c.id(),
          { name: "serverId", type: "int" },
          { name: "siteId", type: "int", isNullable: true },
          c.string("name", 100),
          c.key("nameKey", 100),
          { name: "description", type: "varchar", length: "255", isNullable: true },
          { name: "topic", type: "varchar", length: "100", isNullable: true },
          c.bool("disabled", false),
          { name: "maxMembers", type: "int", default: 0 },
          { name: "memberCount", type: "int", default: 0 },
          { name: "customerId", type: "int", isNullable: true },
          c.instant("hostCreatedAt", true),
          c.instant("removedAt", true),
          c.instant("createdAt"),
          c.instant("updatedAt"),
        ],
        indices: [
          new TableIndex({ name: "UQ_list_server_nameKey", columnNames: ["serverId", "nameKey"], isUnique: true }),
          new TableIndex({ name: "IDX_list_nameKey_id", columnNames: ["nameKey", "id"] }),
          new TableIndex({ name: "IDX_list_siteId", columnNames: ["siteId"] }),
          new TableIndex({ name: "IDX_list_customerId_nameKey", columnNames: ["customerId", "nameKey"] }),
        ],
        foreignKeys: [fk("serverId", "server"), fk("siteId", "site"), fk("customerId", "customer")],
      }),
    );

    await runner.createTable(
      new Table({
        name: "list_member_count",
        columns: [
          c.id(),
          { name: "listId", type: "int" },
          c.instant("takenAt"),
          ...["normal", "held", "unsub", "confirm", "private", "expired", "other"].map(
            (name): TableColumnOptions => ({ name, type: "int", default: 0 }),
          ),
        ],
        indices: [new TableIndex({ name: "IDX_list_member_count_list_takenAt", columnNames: ["listId", "takenAt"] })],
        foreignKeys: [fk("listId", "list")],
      }),
    );

    await runner.createTable(
      new Table({
        name: "assignment",
        columns: [
          c.id(),
          { name: "customerId", type: "int" },
          { name: "scope", type: "varchar", length: "10" },
          { name: "serverId", type: "int", isNullable: true },
          { name: "siteId", type: "int", isNullable: true },
          { name: "listId", type: "int", isNullable: true },
          { name: "startDate", type: "date" },
          { name: "endDate", type: "date", isNullable: true },
          c.instant("createdAt"),
        ],
        indices: [
          new TableIndex({ name: "IDX_assignment_listId", columnNames: ["listId", "endDate"] }),
          new TableIndex({ name: "IDX_assignment_siteId", columnNames: ["siteId", "endDate"] }),
          new TableIndex({ name: "IDX_assignment_serverId", columnNames: ["serverId", "endDate"] }),
          new TableIndex({ name: "IDX_assignment_customerId", columnNames: ["customerId"] }),
        ],
        foreignKeys: [fk("customerId", "customer"), fk("serverId", "server"), fk("siteId", "site"), fk("listId", "list")],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ["assignment", "list_member_count", "list", "customer", "hosting_plan", "site", "server"]) {
      await runner.dropTable(table);
    }
  }
}
