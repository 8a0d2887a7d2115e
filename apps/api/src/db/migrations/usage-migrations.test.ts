import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { Server } from "../../servers/server.entity.js";
import { Site } from "../../sites/site.entity.js";
import { seedInventory } from "../../testing/seed.js";
import { testDatabases } from "../../testing/test-app.js";
import { withScratchDatabase } from "../../testing/scratch-database.js";
import type { Database } from "../database.js";
import { AuditGlobalIds1765600000000 } from "./1765600000000-audit-global-ids.js";

/** Down to before the migration `name`, the later ones first. */
async function undoThrough(db: Database, name: string): Promise<void> {
  for (;;) {
    const [last] = (await db.dataSource.query("SELECT name FROM migrations ORDER BY id DESC LIMIT 1")) as { name: string }[];
    await db.dataSource.undoLastMigration({ transaction: "each" });
    if (last!.name === name) return;
  }
}

describe.each(testDatabases())("the migration giving imported messages their site, on %s", (kind) => {
  it("resolves each imported row's site by name key on its own server, leaves the others without one, and goes back down", async () => {
    await withScratchDatabase(kind, async (db) => {
      await seedInventory(db, { servers: 2, sitesPerServer: 2, listsPerSite: 1 });
      const [first, second] = (await db.manager.find(Server, { order: { id: "ASC" } })).map((server) => server.id);
      const siteId = async (serverId: number, name: string) => (await db.manager.findOneByOrFail(Site, { serverId, name })).id;
      await undoThrough(db, "MessageLogSite1765100000000");
      const sql = (text: string, parameters: unknown[] = []) => db.dataSource.query(text, parameters);

      // Rows as the import left them before: a site name only, as the hosting server's log wrote it.
      const rows: [number, number, string | null][] = [
        [first!, 1, "site0"],
        [first!, 2, "SITE1"],
        [first!, 3, "gone"],
        [first!, 4, null],
        [second!, 1, "site1"],
      ];
      for (const [serverId, remoteLogId, siteName] of rows) {
        await sql("INSERT INTO message_log (serverId, remoteLogId, listId, listName, siteName, sentAt, byteCount, recipientCount, importedAt) VALUES (?, ?, NULL, 'l', ?, '2026-11-01 10:00:00', 1, 1, '2026-11-01 10:00:00')", [serverId, remoteLogId, siteName]);
      }
      await db.dataSource.runMigrations({ transaction: "each" });
      const sites = ((await sql("SELECT siteId FROM message_log ORDER BY id")) as { siteId: number | string | null }[]).map((row) => (row.siteId === null ? null : Number(row.siteId)));
      expect(sites).toEqual([await siteId(first!, "site0"), await siteId(first!, "site1"), null, null, await siteId(second!, "site1")]);

      await undoThrough(db, "MessageLogSite1765100000000");
      expect(Object.keys(((await sql("SELECT * FROM message_log")) as Record<string, unknown>[])[0]!)).not.toContain("siteId");
    });
  }, 60_000);
});

describe.each(testDatabases())("the migration giving imported messages a log epoch, on %s", (kind) => {
  it("keeps every row in epoch 0, lets a later epoch reuse a LogID_, and goes back down only while no row is of a later epoch", async () => {
    await withScratchDatabase(kind, async (db) => {
      await seedInventory(db, { servers: 1, sitesPerServer: 1, listsPerSite: 1 });
      const [server] = await db.manager.find(Server);
      const sql = (text: string, parameters: unknown[] = []) => db.dataSource.query(text, parameters);
      // The epoch's own undo, the later migrations undone first (again after runMigrations below).
      const undoEpoch = async () => {
        const [last] = (await sql("SELECT name FROM migrations ORDER BY id DESC LIMIT 1")) as { name: string }[];
        if (last!.name !== "MessageLogEpoch1765300000000") await undoThrough(db, "MessageLogSentAtIndex1765400000000");
        const [now] = (await sql("SELECT name FROM migrations ORDER BY id DESC LIMIT 1")) as { name: string }[];
        expect(now!.name).toBe("MessageLogEpoch1765300000000");
        await db.dataSource.undoLastMigration({ transaction: "each" });
      };
      const insert = (remoteLogId: number, epoch?: number) =>
        sql(`INSERT INTO message_log (serverId, remoteLogId, ${epoch === undefined ? "" : "logEpoch, "}listId, listName, sentAt, byteCount, recipientCount, importedAt) VALUES (?, ?, ${epoch === undefined ? "" : "?, "}NULL, 'l', '2026-11-01 10:00:00', 1, 1, '2026-11-01 10:00:00')`, epoch === undefined ? [server!.id, remoteLogId] : [server!.id, remoteLogId, epoch]);

      await undoEpoch();
      await insert(1);
      await insert(2);
      await expect(insert(2)).rejects.toThrow();
      await db.dataSource.runMigrations({ transaction: "each" });
      expect(((await sql("SELECT logEpoch FROM message_log ORDER BY id")) as { logEpoch: number | string }[]).map((row) => Number(row.logEpoch))).toEqual([0, 0]);
      expect(Number(((await sql("SELECT logEpoch FROM server")) as { logEpoch: number | string }[])[0]!.logEpoch)).toBe(0);
      await expect(insert(2, 0)).rejects.toThrow();
      await insert(2, 1);

      // A server fixed into a new epoch, with a row imported in it.
      await sql("UPDATE server SET logEpoch = 1");
      await expect(undoEpoch()).rejects.toThrow(/message log was restarted/);
      expect(Number(((await sql("SELECT COUNT(*) AS n FROM message_log")) as { n: number | string }[])[0]!.n)).toBe(3);
      // Nothing imported in it yet: still refused, its new rows would be dropped as duplicates.
      await sql("DELETE FROM message_log WHERE logEpoch = 1");
      await expect(undoEpoch()).rejects.toThrow(/message log was restarted/);
      await sql("UPDATE server SET logEpoch = 0");
      await undoEpoch();
      expect(Object.keys(((await sql("SELECT * FROM message_log")) as Record<string, unknown>[])[0]!)).not.toContain("logEpoch");
      await expect(insert(2)).rejects.toThrow();
    });
  }, 60_000);
});

describe.each(testDatabases())("the migration indexing imported messages by time, on %s", (kind) => {
  it("adds the sentAt index and goes back down", async () => {
    await withScratchDatabase(kind, async (db) => {
      const indexes = async () => {
        const rows: Record<string, unknown>[] = await db.dataSource.query(kind === "mysql" ? "SHOW INDEX FROM message_log" : "PRAGMA index_list('message_log')");
        return new Set(rows.map((row) => String(kind === "mysql" ? row.Key_name : row.name)));
      };
      expect(await indexes()).toContain("IDX_message_log_sentAt");
      await undoThrough(db, "MessageLogSentAtIndex1765400000000");
      expect(await indexes()).not.toContain("IDX_message_log_sentAt");
      await db.dataSource.runMigrations({ transaction: "each" });
      expect(await indexes()).toContain("IDX_message_log_sentAt");
    });
  }, 60_000);
});

describe.each(testDatabases())("the migration recording customers' plan periods, on %s", (kind) => {
  it("gives every customer and every plan one period from 1970 with its plan or unit size of today, and goes back down", async () => {
    await withScratchDatabase(kind, async (db) => {
      const sql = (text: string, parameters: unknown[] = []) => db.dataSource.query(text, parameters);
      await undoThrough(db, "CustomerPlanPeriod1765500000000");
      const at = "2026-11-01 10:00:00.000";
      await sql("INSERT INTO hosting_plan (name, nameKey, maxLists, maxListsPerSite, maxSites, maxMembers, maxMembersPerList, messageUnitBytes, createdAt, updatedAt) VALUES ('Metered', 'metered', 0, 0, 0, 0, 0, 4096, ?, ?)", [at, at]);
      const [plan] = (await sql("SELECT id FROM hosting_plan")) as { id: number | string }[];
      await sql("INSERT INTO customer (company, isActive, planId, createdAt, updatedAt) VALUES ('On a plan', 1, ?, ?, ?)", [plan!.id, at, at]);
      await sql("INSERT INTO customer (company, isActive, planId, createdAt, updatedAt) VALUES ('Without one', 1, NULL, ?, ?)", [at, at]);
      await db.dataSource.runMigrations({ transaction: "each" });
      const day = (value: string | Date) => (typeof value === "string" ? value.slice(0, 10) : value.toISOString().slice(0, 10));
      const periods = (await sql("SELECT c.company, h.startDate, h.planId FROM customer_plan_period h JOIN customer c ON c.id = h.customerId ORDER BY c.id")) as { company: string; startDate: string | Date; planId: number | string | null }[];
      expect(periods.map((row) => ({ company: row.company, startDate: day(row.startDate), planId: row.planId === null ? null : Number(row.planId) }))).toEqual([
        { company: "On a plan", startDate: "1970-01-01", planId: Number(plan!.id) },
        { company: "Without one", startDate: "1970-01-01", planId: null },
      ]);
      const sizes = (await sql("SELECT planId, startDate, messageUnitBytes FROM hosting_plan_unit_period")) as { planId: number | string; startDate: string | Date; messageUnitBytes: number | string }[];
      expect(sizes.map((row) => ({ planId: Number(row.planId), startDate: day(row.startDate), messageUnitBytes: Number(row.messageUnitBytes) }))).toEqual([{ planId: Number(plan!.id), startDate: "1970-01-01", messageUnitBytes: 4096 }]);
      // A plan or a unit size changed since: going back would price the days before it at today's.
      await undoThrough(db, "AuditGlobalIds1765600000000");
      const [first] = (await sql("SELECT id FROM customer ORDER BY id")) as { id: number | string }[];
      for (const [insert, table] of [
        ["INSERT INTO customer_plan_period (customerId, startDate, planId, createdAt) VALUES (?, '2026-11-20', NULL, ?)", "customer_plan_period"],
        ["INSERT INTO hosting_plan_unit_period (planId, startDate, messageUnitBytes, createdAt) VALUES (?, '2026-11-20', 0, ?)", "hosting_plan_unit_period"],
      ] as const) {
        await sql(insert, [table === "customer_plan_period" ? first!.id : plan!.id, at]);
        await expect(db.dataSource.undoLastMigration({ transaction: "each" })).rejects.toThrow(/changed since this migration/);
        expect(Number(((await sql(`SELECT COUNT(*) AS n FROM ${table} WHERE startDate = '2026-11-20'`)) as { n: number | string }[])[0]!.n)).toBe(1);
        await sql(`DELETE FROM ${table} WHERE startDate = '2026-11-20'`);
      }
      await undoThrough(db, "CustomerPlanPeriod1765500000000");
      await expect(sql("SELECT COUNT(*) FROM customer_plan_period")).rejects.toThrow();
      await expect(sql("SELECT COUNT(*) FROM hosting_plan_unit_period")).rejects.toThrow();
    });
  }, 60_000);
});

describe.each(testDatabases())("the migration naming plans and owners in audit entries by their IDs, on %s", (kind) => {
  it("rewrites the row numbers of customer and MISSING_LIST entries as IDs, leaves every other value, and goes back down", async () => {
    await withScratchDatabase(kind, async (db) => {
      await undoThrough(db, "AuditGlobalIds1765600000000");
      const sql = (text: string, parameters: unknown[] = []) => db.dataSource.query(text, parameters);
      const column = (name: string) => db.dataSource.driver.escape(name);
      const plan3 = Buffer.from("HostingPlan:3").toString("base64url");
      const customer7 = Buffer.from("Customer:7").toString("base64url");
      // [action, before, after] as the code before wrote them, and as they read after the migration.
      const entries: [string, object | null, object | null, object | null, object | null][] = [
        ["customer.create", null, { company: "A", planId: 3, startDate: null }, null, { company: "A", planId: plan3, startDate: null }],
        ["customer.update", { planId: 3, planPeriods: [{ startDate: "2026-10-01", planId: plan3 }] }, { planId: null, planPeriods: [] }, { planId: plan3, planPeriods: [{ startDate: "2026-10-01", planId: plan3 }] }, { planId: null, planPeriods: [] }],
        ["customer.update", { company: "B" }, { company: "C" }, { company: "B" }, { company: "C" }],
        ["fix.MISSING_LIST", { removedAt: null, customerId: 7 }, { removedAt: "2026-11-01T00:00:00.000Z", customerId: null }, { removedAt: null, customerId: customer7 }, { removedAt: "2026-11-01T00:00:00.000Z", customerId: null }],
        ["plan.update", { maxLists: 3 }, { maxLists: 4 }, { maxLists: 3 }, { maxLists: 4 }],
        ["fix.MISSING_SITE", { owner: { customerId: 7 } }, { owner: null }, { owner: { customerId: 7 } }, { owner: null }],
      ];
      for (const [action, before, after] of entries) {
        await sql(`INSERT INTO audit_entry (at, actor, action, objectType, objectId, objectKey, ${column("before")}, ${column("after")}) VALUES ('2026-11-01 10:00:00', 'admin', ?, 'Customer', NULL, NULL, ?, ?)`, [
          action,
          before === null ? null : JSON.stringify(before),
          after === null ? null : JSON.stringify(after),
        ]);
      }
      const read = async () =>
        ((await sql(`SELECT ${column("before")} AS b, ${column("after")} AS a FROM audit_entry ORDER BY id`)) as { b: string | null; a: string | null }[]).map((row) => [row.b === null ? null : JSON.parse(row.b), row.a === null ? null : JSON.parse(row.a)]);
      const migrated = entries.map(([, , , before, after]) => [before, after]);
      await db.dataSource.runMigrations({ transaction: "each" });
      expect(await read()).toEqual(migrated);
      // Run again (a start after a failure further on): an ID stays an ID.
      const runner = db.dataSource.createQueryRunner();
      try {
        await new AuditGlobalIds1765600000000().up(runner);
      } finally {
        await runner.release();
      }
      expect(await read()).toEqual(migrated);
      await undoThrough(db, "AuditGlobalIds1765600000000");
      expect(await read()).toEqual(entries.map(([, before, after]) => [before, after]));
    });
  }, 60_000);
});
