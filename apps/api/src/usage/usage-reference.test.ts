import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { toGlobalId } from "../graphql/global-id.js";
import { testDatabases } from "../testing/test-app.js";
import { withScratchDatabase } from "../testing/scratch-database.js";
import { UsagePeriod } from "./usage.inputs.js";
import { UsageService } from "./usage.service.js";

/**
 * Usage against a reference: the billing rule applied message by message in plain code, over
 * random fleets whose assignments overlap, end inside the period, are void (ending before they
 * start), whose customers change plans and whose plans change unit sizes on days before and
 * inside the period, and whose messages lack a list or a logged site or go out at the edges of
 * UTC days.
 * Every way of asking (by day, by month, per customer, per server, per list, by customer) must
 * give the reference's totals.
 */
interface Assignment {
  id: number;
  customerId: number;
  scope: "LIST" | "SITE" | "SERVER";
  listId: number | null;
  siteId: number | null;
  serverId: number | null;
  startDate: string;
  endDate: string | null;
}

interface Message {
  serverId: number;
  listId: number | null;
  siteId: number | null;
  sentAt: string;
  byteCount: number;
  recipientCount: number;
}

interface Totals {
  messages: number;
  recipients: number;
  bytes: number;
  units: number;
}

const NOW = "2026-11-01 00:00:00.000";
const day = (offset: number) => new Date(Date.UTC(2026, 9, 1) + offset * 86_400_000).toISOString().slice(0, 10);

function random(seed: number) {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  return { next, pick: <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]! };
}

describe.each(testDatabases())("usage against the billing rule applied message by message, on %s", (kind) => {
  it.each([1, 2, 3])("random fleet %i", async (seed) => {
    await withScratchDatabase(kind, async (db) => {
      const { next, pick } = random(seed);
      const sql = (text: string, parameters: unknown[] = []) => db.dataSource.query(text, parameters);
      const lastId = async (table: string) => Number((await sql(`SELECT MAX(id) AS id FROM ${table}`))[0].id);

      // Two plans share a unit size, one counts per recipient, one customer has no plan.
      const unitSizes = [1000, 1000, 0, 333];
      const plans: number[] = [];
      for (const [index, size] of unitSizes.entries()) {
        await sql("INSERT INTO hosting_plan (name, nameKey, maxLists, maxListsPerSite, maxSites, maxMembers, maxMembersPerList, messageUnitBytes, createdAt, updatedAt) VALUES (?, ?, 0, 0, 0, 0, 0, ?, ?, ?)", [`Plan ${index}`, `plan ${index}`, size, NOW, NOW]);
        plans.push(await lastId("hosting_plan"));
      }
      const customers: number[] = [];
      for (let index = 0; index < 5; index++) {
        const planId = index < 4 ? plans[index]! : null;
        await sql("INSERT INTO customer (company, isActive, planId, createdAt, updatedAt) VALUES (?, 1, ?, ?, ?)", [`Customer ${index}`, planId, NOW, NOW]);
        const id = await lastId("customer");
        customers.push(id);
      }
      const sites: { id: number; serverId: number }[] = [];
      const lists: { id: number; serverId: number; siteId: number | null }[] = [];
      const servers: number[] = [];
      for (let s = 0; s < 2; s++) {
        await sql("INSERT INTO server (name, nameKey, hostName, createdAt, updatedAt) VALUES (?, ?, '127.0.0.1', ?, ?)", [`server-${s}`, `server-${s}`, NOW, NOW]);
        const serverId = await lastId("server");
        servers.push(serverId);
        for (let t = 0; t < 3; t++) {
          await sql("INSERT INTO site (serverId, name, nameKey, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?)", [serverId, `site-${t}`, `site-${t}`, NOW, NOW]);
          sites.push({ id: await lastId("site"), serverId });
        }
        for (let l = 0; l < 6; l++) {
          const siteId = l === 5 ? null : pick(sites.filter((site) => site.serverId === serverId)).id;
          await sql("INSERT INTO list (serverId, siteId, name, nameKey, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)", [serverId, siteId, `list-${s}-${l}`, `list-${s}-${l}`, NOW, NOW]);
          lists.push({ id: await lastId("list"), serverId, siteId });
        }
      }
      const assignments: Assignment[] = [];
      for (let index = 0; index < 30; index++) {
        const scope = pick(["LIST", "LIST", "SITE", "SERVER"] as const);
        const start = Math.floor(next() * 40) - 5;
        // Open, ending inside the period, or void (ending the day before it starts).
        const end = next() < 0.4 ? null : start + Math.floor(next() * 15) - 1;
        const row: Assignment = { id: 0, customerId: pick(customers), scope, listId: null, siteId: null, serverId: null, startDate: day(start), endDate: end === null ? null : day(end) };
        if (scope === "LIST") row.listId = pick(lists).id;
        if (scope === "SITE") row.siteId = pick(sites).id;
        if (scope === "SERVER") row.serverId = pick(servers);
        await sql("INSERT INTO assignment (customerId, scope, listId, siteId, serverId, startDate, endDate, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [row.customerId, row.scope, row.listId, row.siteId, row.serverId, row.startDate, row.endDate, NOW]);
        row.id = await lastId("assignment");
        assignments.push(row);
      }
      const messages: Message[] = [];
      for (let index = 0; index < 400; index++) {
        const list = pick(lists);
        const at = Date.UTC(2026, 9, 1) + (Math.floor(next() * 33) - 1) * 86_400_000 + pick([0, 1, 86_399_999, Math.floor(next() * 86_400_000)]);
        const message: Message = {
          serverId: list.serverId,
          listId: next() < 0.1 ? null : list.id,
          // The site the log names: usually the list's, sometimes another (the list moved since), sometimes none.
          siteId: next() < 0.2 ? null : next() < 0.8 ? list.siteId : pick(sites.filter((site) => site.serverId === list.serverId)).id,
          sentAt: new Date(at).toISOString().replace("T", " ").replace("Z", ""),
          byteCount: pick([1, 333, 999, 1000, 1001, 5000]),
          recipientCount: 1 + Math.floor(next() * 20),
        };
        await sql("INSERT INTO message_log (serverId, remoteLogId, listId, listName, siteName, siteId, sentAt, byteCount, recipientCount, importedAt) VALUES (?, ?, ?, 'list', NULL, ?, ?, ?, ?, ?)", [
          message.serverId,
          index + 1,
          message.listId,
          message.siteId,
          message.sentAt,
          message.byteCount,
          message.recipientCount,
          NOW,
        ]);
        messages.push(message);
      }

      // Plan periods: a customer moves between plans (customer_plan_period) and a plan's unit size
      // changes (hosting_plan_unit_period) on days before the period, inside it or after it; the
      // first customer and the first plan have none (their plan, or size, of today holds).
      const planOf = new Map(customers.map((customerId, index) => [customerId, index < 4 ? plans[index]! : null]));
      const sizeOf = new Map(plans.map((planId, index) => [planId, unitSizes[index]!]));
      const randomStarts = () => new Set(["1970-01-01", ...Array.from({ length: 1 + Math.floor(next() * 3) }, () => day(Math.floor(next() * 40) - 5))]);
      const customerPeriods: { customerId: number; startDate: string; planId: number | null }[] = [];
      for (const customerId of customers.slice(1)) {
        for (const startDate of randomStarts()) {
          const planId = startDate === "1970-01-01" ? planOf.get(customerId)! : pick([...plans, null]);
          await sql("INSERT INTO customer_plan_period (customerId, startDate, planId, createdAt) VALUES (?, ?, ?, ?)", [customerId, startDate, planId, NOW]);
          customerPeriods.push({ customerId, startDate, planId });
        }
      }
      const sizePeriods: { planId: number; startDate: string; messageUnitBytes: number }[] = [];
      for (const planId of plans.slice(1)) {
        for (const startDate of randomStarts()) {
          const messageUnitBytes = startDate === "1970-01-01" ? sizeOf.get(planId)! : pick([0, 250, 333, 1000, 4096]);
          await sql("INSERT INTO hosting_plan_unit_period (planId, startDate, messageUnitBytes, createdAt) VALUES (?, ?, ?, ?)", [planId, startDate, messageUnitBytes, NOW]);
          sizePeriods.push({ planId, startDate, messageUnitBytes });
        }
      }
      const latest = <P extends { startDate: string }>(periods: P[], on: string) => periods.filter((period) => period.startDate <= on).sort((a, b) => a.startDate.localeCompare(b.startDate)).pop();
      const unitOn = (customerId: number, on: string) => {
        const ofCustomer = customerPeriods.filter((period) => period.customerId === customerId);
        const planId = ofCustomer.length ? (latest(ofCustomer, on)?.planId ?? null) : planOf.get(customerId)!;
        if (planId === null) return 0;
        const ofPlan = sizePeriods.filter((period) => period.planId === planId);
        return ofPlan.length ? (latest(ofPlan, on)?.messageUnitBytes ?? 0) : sizeOf.get(planId)!;
      };

      // The rule, message by message.
      const newest = (scope: Assignment["scope"], column: "listId" | "siteId" | "serverId", id: number | null, on: string) => {
        const matching = assignments.filter((a) => a.scope === scope && id !== null && a[column] === id && a.startDate <= on && (a.endDate === null || a.endDate >= on));
        return matching.length ? matching.reduce((a, b) => (b.id > a.id ? b : a)).customerId : null;
      };
      const listSite = new Map(lists.map((list) => [list.id, list.siteId]));
      const ownerOf = (message: Message) => {
        const on = message.sentAt.slice(0, 10);
        const site = message.siteId ?? (message.listId === null ? null : (listSite.get(message.listId) ?? null));
        return newest("LIST", "listId", message.listId, on) ?? newest("SITE", "siteId", site, on) ?? newest("SERVER", "serverId", message.serverId, on);
      };
      const reference = (from: string, to: string, keep: (message: Message, owner: number | null) => boolean, key: (message: Message, owner: number | null) => string) => {
        const totals = new Map<string, Totals>();
        for (const message of messages) {
          const owner = ownerOf(message);
          if (message.sentAt.slice(0, 10) < from || message.sentAt.slice(0, 10) > to || !keep(message, owner)) continue;
          const unit = owner === null ? 0 : unitOn(owner, message.sentAt.slice(0, 10));
          const total = totals.get(key(message, owner)) ?? { messages: 0, recipients: 0, bytes: 0, units: 0 };
          total.messages += 1;
          total.recipients += message.recipientCount;
          total.bytes += message.byteCount;
          total.units += message.recipientCount * (unit > 0 && message.byteCount > unit ? message.byteCount / unit : 1);
          totals.set(key(message, owner), total);
        }
        return totals;
      };
      const expectSame = (actual: Map<string, Totals>, expected: Map<string, Totals>, what: string) => {
        expect([...actual.keys()].sort(), what).toEqual([...expected.keys()].sort());
        for (const [key, total] of expected) {
          const got = actual.get(key)!;
          expect({ messages: got.messages, recipients: got.recipients, bytes: got.bytes }, `${what} ${key}`).toEqual({ messages: total.messages, recipients: total.recipients, bytes: total.bytes });
          expect(got.units, `${what} ${key} units`).toBeCloseTo(total.units, 2);
        }
      };

      const usage = new UsageService(db);
      const from = day(0);
      const to = day(30);
      const ownersSeen = new Set(messages.map(ownerOf));
      expect(ownersSeen.size, "the fleet has owned and unowned messages of several customers").toBeGreaterThan(3);
      expect(ownersSeen.has(null)).toBe(true);

      const byCustomer = async (serverId?: number) => new Map((await usage.byCustomer({ from, to, serverId: serverId === undefined ? null : toGlobalId("Server", serverId) })).map(({ customerId, ...totals }) => [String(customerId), totals]));
      expectSame(await byCustomer(), reference(from, to, () => true, (_, owner) => String(owner)), "by customer");
      expectSame(await byCustomer(servers[1]), reference(from, to, (message) => message.serverId === servers[1], (_, owner) => String(owner)), "by customer, one server");

      for (const groupBy of [UsagePeriod.DAY, UsagePeriod.MONTH]) {
        const period = (message: Message) => message.sentAt.slice(0, groupBy === UsagePeriod.DAY ? 10 : 7);
        const buckets = async (filter: { serverId?: string; customerId?: string; listId?: string }) => new Map((await usage.usage({ from, to, groupBy, ...filter })).map(({ period, ...totals }) => [period, totals]));
        expectSame(await buckets({}), reference(from, to, () => true, period), `fleet by ${groupBy}`);
        expectSame(await buckets({ serverId: toGlobalId("Server", servers[0]!) }), reference(from, to, (message) => message.serverId === servers[0], period), `server by ${groupBy}`);
        expectSame(await buckets({ listId: toGlobalId("List", lists[2]!.id) }), reference(from, to, (message) => message.listId === lists[2]!.id, period), `list by ${groupBy}`);
        for (const customer of customers) {
          expectSame(await buckets({ customerId: toGlobalId("Customer", customer) }), reference(from, to, (_, owner) => owner === customer, period), `customer ${customer} by ${groupBy}`);
        }
      }
      // A period starting mid-way: ownership segments begin at its first day. Single days too.
      const later = new Map((await usage.byCustomer({ from: day(12), to: day(19) })).map(({ customerId, ...totals }) => [String(customerId), totals]));
      expectSame(later, reference(day(12), day(19), () => true, (_, owner) => String(owner)), "by customer, days 12 to 19");
      for (const offset of [0, 7, 13, 30]) {
        const one = new Map((await usage.byCustomer({ from: day(offset), to: day(offset) })).map(({ customerId, ...totals }) => [String(customerId), totals]));
        expectSame(one, reference(day(offset), day(offset), () => true, (_, owner) => String(owner)), `by customer, day ${offset}`);
      }
    });
  }, 60_000);
});
