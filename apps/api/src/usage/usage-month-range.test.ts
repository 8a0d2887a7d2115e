import "reflect-metadata";
import { describe, expect, it, vi } from "vitest";
import { toGlobalId } from "../graphql/global-id.js";
import { testDatabases } from "../testing/test-app.js";
import { withScratchDatabase } from "../testing/scratch-database.js";
import { UsagePeriod } from "./usage.inputs.js";
import { UsageService } from "./usage.service.js";

const NOW = "2026-11-01 00:00:00.000";
const MONTHS = 24;
const PER_MONTH = 250;
/** Each month's messages: the first of the month at 00:00 plus i hours, so every one falls inside its month. */
const sentAt = (month: number, index: number) => new Date(Date.UTC(2024, 11 + month, 1) + index * 3_600_000).toISOString().replace("T", " ").replace("Z", "");

/**
 * The queries run at the end of a month for the whole fleet or for one customer name no server
 * and no list, so only the period narrows what they read. Two years of messages are in the log;
 * each query must read the month's messages from the sentAt index (IDX_message_log_sentAt, which
 * carries every column they read), not every message ever imported, and still count them all.
 */
describe.each(testDatabases())("a month's usage among two years of messages, on %s", (kind) => {
  it("reads only the month's messages through the sentAt index, for the fleet and for a customer", async () => {
    await withScratchDatabase(kind, async (db) => {
      const sql = (text: string, parameters: unknown[] = []) => db.dataSource.query(text, parameters);
      const lastId = async (table: string) => Number((await sql(`SELECT MAX(id) AS id FROM ${table}`))[0].id);
      await sql("INSERT INTO hosting_plan (name, nameKey, maxLists, maxListsPerSite, maxSites, maxMembers, maxMembersPerList, messageUnitBytes, createdAt, updatedAt) VALUES ('Metered', 'metered', 0, 0, 0, 0, 0, 1000, ?, ?)", [NOW, NOW]);
      const planId = await lastId("hosting_plan");
      // Without a plan at first: no unit size in use, so the fleet's usage is a plain sum.
      await sql("INSERT INTO customer (company, isActive, planId, createdAt, updatedAt) VALUES ('Fleet owner', 1, NULL, ?, ?)", [NOW, NOW]);
      const customerId = await lastId("customer");
      const listIds: number[] = [];
      for (let s = 0; s < 3; s++) {
        await sql("INSERT INTO server (name, nameKey, hostName, createdAt, updatedAt) VALUES (?, ?, '127.0.0.1', ?, ?)", [`server-${s}`, `server-${s}`, NOW, NOW]);
        const serverId = await lastId("server");
        await sql("INSERT INTO assignment (customerId, scope, listId, siteId, serverId, startDate, endDate, createdAt) VALUES (?, 'SERVER', NULL, NULL, ?, '2024-01-01', NULL, ?)", [customerId, serverId, NOW]);
        for (let l = 0; l < 4; l++) {
          await sql("INSERT INTO list (serverId, siteId, name, nameKey, createdAt, updatedAt) VALUES (?, NULL, ?, ?, ?, ?)", [serverId, `list-${s}-${l}`, `list-${s}-${l}`, NOW, NOW]);
          listIds.push(await lastId("list"));
        }
      }
      const servers = new Map<number, number>();
      for (const row of (await sql("SELECT id, serverId FROM list")) as { id: number | string; serverId: number | string }[]) servers.set(Number(row.id), Number(row.serverId));
      // 2,000 bytes to 3 recipients: 6 units each at 1,000 bytes a unit.
      for (let month = 0; month < MONTHS; month++) {
        const rows = Array.from({ length: PER_MONTH }, (_, index) => {
          const listId = listIds[index % listIds.length]!;
          return [servers.get(listId)!, month * PER_MONTH + index + 1, listId, sentAt(month, index), 2000, 3, NOW];
        });
        await sql(`INSERT INTO message_log (serverId, remoteLogId, listId, listName, sentAt, byteCount, recipientCount, importedAt) VALUES ${rows.map(() => "(?, ?, ?, 'list', ?, ?, ?, ?)").join(", ")}`, rows.flat());
      }
      // As the API does after an import (refreshStatistics); SQLite plans without statistics.
      if (kind === "mysql") await sql("ANALYZE TABLE message_log");

      // Every statement the service sends, to ask the database how it reads message_log for it.
      const statements: { text: string; parameters: unknown[] }[] = [];
      const query = db.manager.query.bind(db.manager);
      vi.spyOn(db.manager, "query").mockImplementation((text, parameters) => {
        statements.push({ text, parameters: Array.isArray(parameters) ? parameters : [] });
        return query(text, parameters);
      });
      const usage = new UsageService(db);
      // The last month: 2026-11.
      const month = { from: "2026-11-01", to: "2026-11-30" };
      const plainFleet = await usage.usage({ ...month, groupBy: UsagePeriod.MONTH });
      await sql("UPDATE customer SET planId = ?", [planId]);
      const fleet = await usage.usage({ ...month, groupBy: UsagePeriod.MONTH });
      const byCustomer = await usage.byCustomer(month);
      const ofCustomer = await usage.usage({ ...month, customerId: toGlobalId("Customer", customerId), groupBy: UsagePeriod.MONTH });
      vi.restoreAllMocks();

      const monthTotals = { messages: PER_MONTH, recipients: 3 * PER_MONTH, bytes: 2000 * PER_MONTH, units: 6 * PER_MONTH };
      expect(plainFleet).toEqual([{ period: "2026-11", ...monthTotals, units: 3 * PER_MONTH }]);
      expect(fleet).toEqual([{ period: "2026-11", ...monthTotals }]);
      expect(byCustomer).toEqual([{ customerId, ...monthTotals }]);
      expect(ofCustomer).toEqual([{ period: "2026-11", ...monthTotals }]);

      const reads = statements.filter((statement) => /FROM message_log/.test(statement.text));
      // The fleet's plain sum and by owner, by customer, and the customer's (one or two reads of message_log each).
      expect(reads.length).toBeGreaterThanOrEqual(4);
      for (const read of reads) {
        const plan: Record<string, unknown>[] = await sql(`${kind === "sqlite" ? "EXPLAIN QUERY PLAN" : "EXPLAIN"} ${read.text}`, read.parameters);
        if (kind === "sqlite") {
          const steps = plan.map((step) => String(step.detail)).filter((detail) => /^(SCAN|SEARCH) (m|message_log)\b/.test(detail));
          expect(steps.length, JSON.stringify(plan)).toBeGreaterThan(0);
          for (const step of steps) expect(step).toMatch(/^SEARCH m USING COVERING INDEX IDX_message_log_sentAt \(sentAt>\? AND sentAt<\?\)/);
        } else {
          const steps = plan.filter((step) => step.table === "m");
          expect(steps.length, JSON.stringify(plan)).toBeGreaterThan(0);
          for (const step of steps) {
            expect(step, JSON.stringify(plan)).toMatchObject({ key: "IDX_message_log_sentAt", type: "range" });
            // The optimizer's estimate: about the month's 250 messages, not the 6,000 of two years.
            expect(Number(step.rows)).toBeLessThan(1000);
            expect(String(step.Extra)).toMatch(/Using index/);
          }
        }
      }
    });
  }, 60_000);
});

/**
 * More days with a change than MAX_SEGMENTS (400) cut the period day by day: each message then
 * looks up its owner, and the owner its plan and unit size, on its own day. A customer's plan here
 * changes every day for 450 days, between one of 1,000 bytes a unit (a 5,000-byte message is 5
 * units) and none (1 unit).
 */
describe.each(testDatabases())("usage over more days with a plan change than segments, on %s", (kind) => {
  it("bills each day's message at the unit size of its day", async () => {
    await withScratchDatabase(kind, async (db) => {
      const sql = (text: string, parameters: unknown[] = []) => db.dataSource.query(text, parameters);
      const lastId = async (table: string) => Number((await sql(`SELECT MAX(id) AS id FROM ${table}`))[0].id);
      const dayOf = (offset: number) => new Date(Date.UTC(2024, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
      await sql("INSERT INTO hosting_plan (name, nameKey, maxLists, maxListsPerSite, maxSites, maxMembers, maxMembersPerList, messageUnitBytes, createdAt, updatedAt) VALUES ('Kilobyte', 'kilobyte', 0, 0, 0, 0, 0, 1000, ?, ?)", [NOW, NOW]);
      const planId = await lastId("hosting_plan");
      await sql("INSERT INTO customer (company, isActive, planId, createdAt, updatedAt) VALUES ('Daily changes', 1, NULL, ?, ?)", [NOW, NOW]);
      const customerId = await lastId("customer");
      await sql("INSERT INTO server (name, nameKey, hostName, createdAt, updatedAt) VALUES ('daily', 'daily', '127.0.0.1', ?, ?)", [NOW, NOW]);
      const serverId = await lastId("server");
      await sql("INSERT INTO list (serverId, siteId, name, nameKey, createdAt, updatedAt) VALUES (?, NULL, 'daily', 'daily', ?, ?)", [serverId, NOW, NOW]);
      const listId = await lastId("list");
      await sql("INSERT INTO assignment (customerId, scope, listId, siteId, serverId, startDate, endDate, createdAt) VALUES (?, 'LIST', ?, NULL, NULL, '2024-01-01', NULL, ?)", [customerId, listId, NOW]);
      const sizeOn = (offset: number) => (offset === 0 ? 0 : Math.min(offset, 450) % 2 === 1 ? 1000 : 0);
      // On the plan on odd days, on none on even ones.
      const periods = Array.from({ length: 450 }, (_, index) => [customerId, dayOf(index + 1), sizeOn(index + 1) ? planId : null, NOW]);
      await sql(`INSERT INTO customer_plan_period (customerId, startDate, planId, createdAt) VALUES ${periods.map(() => "(?, ?, ?, ?)").join(", ")}`, periods.flat());
      const days = 470;
      const messages = Array.from({ length: days }, (_, offset) => [serverId, offset + 1, listId, `${dayOf(offset)} 12:00:00.000`, 5000, 1, NOW]);
      await sql(`INSERT INTO message_log (serverId, remoteLogId, listId, listName, sentAt, byteCount, recipientCount, importedAt) VALUES ${messages.map(() => "(?, ?, ?, 'daily', ?, ?, ?, ?)").join(", ")}`, messages.flat());

      const usage = new UsageService(db);
      const period = { from: dayOf(0), to: dayOf(days - 1) };
      const expected = Array.from({ length: days }, (_, offset) => ({ period: dayOf(offset), messages: 1, recipients: 1, bytes: 5000, units: sizeOn(offset) === 1000 ? 5 : 1 }));
      expect(await usage.usage({ ...period, customerId: toGlobalId("Customer", customerId), groupBy: UsagePeriod.DAY })).toEqual(expected);
      const total = expected.reduce((sum, day) => sum + day.units, 0);
      expect(await usage.byCustomer(period)).toEqual([{ customerId, messages: days, recipients: days, bytes: 5000 * days, units: total }]);
      expect(await usage.usage({ ...period, groupBy: UsagePeriod.MONTH })).toEqual(
        [...new Set(expected.map((day) => day.period.slice(0, 7)))].map((month) => {
          const inMonth = expected.filter((day) => day.period.startsWith(month));
          return { period: month, messages: inMonth.length, recipients: inMonth.length, bytes: 5000 * inMonth.length, units: inMonth.reduce((sum, day) => sum + day.units, 0) };
        }),
      );
    });
  }, 60_000);
});
