import { GraphQLError } from "graphql";
import { ownerSql } from "../assignments/owners.js";
import type { Database } from "../db/database.js";
import { filterId } from "../lists/list.service.js";
import { type CustomerUsage, type UsageBucket, type UsageByCustomerFilter, type UsageFilter, UsagePeriod } from "./usage.inputs.js";

/**
 * The most buckets one usage query answers: by day, ten years of days; by month, a century of
 * months (the SPA's "All time" asks from 2000-01-01 by month).
 */
export const MAX_USAGE_DAYS = 3660;
export const MAX_USAGE_MONTHS = 1200;

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

/**
 * Billable usage from imported log rows, grouped by UTC day or month. A message's units are its
 * recipients times max(1, bytes / unit size) of its owner's plan on the day it was sent (a
 * 12,288-byte message with a 10,240-byte unit to 100 recipients is 120 units); no plan or a 0 unit
 * size: one per recipient. A change of plan, or of a plan's unit size, counts from the day it was
 * made (customer_plan_period, hosting_plan_unit_period): months already invoiced keep their units.
 */
export class UsageService {
  constructor(private readonly db: Database) {}

  async usage(filter: UsageFilter): Promise<UsageBucket[]> {
    const named = [filter.serverId, filter.customerId, filter.listId].filter((id) => id != null).length;
    if (named > 1) throw badInput("Give at most one of serverId, customerId and listId");
    checkPeriod(filter.from, filter.to, filter.groupBy);
    const serverId = filterId("Server", filter.serverId, "serverId");
    const customerId = filterId("Customer", filter.customerId, "customerId");
    const listId = filterId("List", filter.listId, "listId");

    const rows = await this.totals(filter, { serverId, listId, customerId }, filter.groupBy);
    return rows.map((row) => ({ period: String(row.bucket), ...numbers(row) }));
  }

  /** The period's usage of every customer, and of nobody (lists no one owned on the day they were sent). */
  async byCustomer(filter: UsageByCustomerFilter): Promise<CustomerUsage[]> {
    checkPeriod(filter.from, filter.to);
    const serverId = filterId("Server", filter.serverId, "serverId");
    const rows = await this.totals(filter, { serverId }, "OWNER");
    return rows.map((row) => ({ customerId: row.bucket === null ? null : Number(row.bucket), ...numbers(row) }));
  }

  /**
   * The period's messages (optionally one server's, one list's or one customer's) totalled by
   * day, month or owner. A message's owner is the customer owning its list on the day it was
   * sent, as list.customerId is computed for today: the list's own assignment, else its site's,
   * else its server's, the newest of a scope should two overlap; a site or server owner is not
   * billed for a list another customer was assigned directly. The site is the one the hosting
   * server logged the message from (resolved at import); rows without one fall back to the
   * list's current site. A message's units follow its owner's plan of that day.
   *
   * Owners change seldom and messages are many. The days on which any assignment starts or ends,
   * or a customer's plan or a plan's unit size changes, cut the period into segments in which no
   * owner and no unit size changes, and each list, site and server of the period's messages looks
   * up its owner (and the owner its plan and unit size) once per segment, through the indexes.
   * Looked up per message instead, a million messages took minutes (packages/bench: usage).
   */
  private async totals(period: { from: string; to: string }, scope: { serverId?: number; listId?: number; customerId?: number }, by: UsagePeriod | "OWNER"): Promise<({ bucket: string | number | null } & RawTotals)[]> {
    const mysql = this.db.kind === "mysql";
    const format = by === UsagePeriod.DAY ? "%Y-%m-%d" : "%Y-%m";
    const bucketOf = (date: string) => (mysql ? `DATE_FORMAT(${date}, '${format}')` : `strftime('${format}', ${date})`);
    const day = "DATE(m.sentAt)";
    const conditions = ["m.sentAt >= ?", "m.sentAt < ?"];
    const periodParameters: unknown[] = [`${period.from} 00:00:00.000`, `${nextDay(period.to)} 00:00:00.000`];
    for (const [column, value] of [["serverId", scope.serverId], ["listId", scope.listId]] as const) {
      if (value === undefined) continue;
      conditions.push(`m.${column} = ?`);
      periodParameters.push(value);
    }
    for (let attempt = 1; ; attempt++) {
      const before = await this.ownershipShape(period);
      const { sizes, changeDays } = before;
      // Without a customer to find and without unit sizes, nobody's plan changes a number: each
      // message counts as it is, its owner not looked up.
      if (by !== "OWNER" && scope.customerId === undefined && sizes.length === 0) {
        return this.db.manager.query(
          `SELECT ${bucketOf("m.sentAt")} AS bucket, COUNT(*) AS messages, COALESCE(SUM(m.recipientCount), 0) AS recipients, COALESCE(SUM(m.byteCount), 0) AS bytes, COALESCE(SUM(m.recipientCount), 0) AS units
          FROM message_log m WHERE ${conditions.join(" AND ")} GROUP BY ${bucketOf("m.sentAt")} ORDER BY ${bucketOf("m.sentAt")}`,
          periodParameters,
        );
      }
      // Each message's segment, named by its first day; beyond MAX_SEGMENTS, each day its own.
      const starts = [period.from, ...changeDays];
      const segment = changeDays.length > MAX_SEGMENTS ? day : segmentOf(day, starts);
      // 0 for a message without a list or a site: no assignment has id 0.
      const listKey = "COALESCE(m.listId, 0)";
      const siteKey = "COALESCE(m.siteId, l.siteId, 0)";
      const owner = ownerSql({ listId: "k.listKey", siteId: "k.siteKey", serverId: "k.serverId" }, "b.startDate <= k.segmentStart AND (b.endDate IS NULL OR b.endDate >= k.segmentStart)");
      const key = `${listKey} AS listKey, ${siteKey} AS siteKey, m.serverId AS serverId, ${segment} AS segmentStart`;
      const keyGroups = `GROUP BY ${listKey}, ${siteKey}, m.serverId, ${segment}`;
      let rows: ({ bucket: string | number | null } & RawTotals)[];
      if (by === "OWNER" || !mysql) {
        // The messages are first summed per list, site, server and segment (and bucket), with
        // their units at each unit size a plan has or had: one owner (plan, unit size) lookup per
        // sum, then the sums per owner or bucket. By owner, the sums are few; by day or month, as many as a
        // list's buckets with messages, which SQLite, without MariaDB's costly temporary tables,
        // takes better than the join below.
        const unitsAt = sizes.map((size, index) => `, SUM(m.recipientCount * CASE WHEN m.byteCount > ${size} THEN m.byteCount * 1.0 / ${size} ELSE 1 END) AS units_${index}`).join("");
        const units = sizes.length ? `CASE ${unitBytesOf("o.planId", "o.segmentStart")} ${sizes.map((size, index) => `WHEN ${size} THEN o.units_${index}`).join(" ")} ELSE o.recipients END` : "o.recipients";
        const bucketed = by !== "OWNER";
        rows = await this.db.manager.query(
          `SELECT ${bucketed ? "o.bucket" : "o.owner"} AS bucket, SUM(o.messages) AS messages, SUM(o.recipients) AS recipients, SUM(o.bytes) AS bytes, SUM(${units}) AS units
          FROM (SELECT q.*, ${planOn("q.owner", "q.segmentStart")} AS planId FROM (SELECT ${owner} AS owner, k.* FROM (SELECT ${key}${bucketed ? `, ${bucketOf("m.sentAt")} AS bucket` : ""}, COUNT(*) AS messages, SUM(m.recipientCount) AS recipients, SUM(m.byteCount) AS bytes${unitsAt}
            FROM message_log m LEFT JOIN list l ON l.id = m.listId WHERE ${conditions.join(" AND ")} ${keyGroups}${bucketed ? `, ${bucketOf("m.sentAt")}` : ""}) k) q) o
          ${scope.customerId !== undefined ? "WHERE o.owner = ?" : ""} GROUP BY ${bucketed ? "o.bucket" : "o.owner"} ORDER BY ${bucketed ? "o.bucket" : "o.owner"}`,
          scope.customerId !== undefined ? [...periodParameters, scope.customerId] : periodParameters,
        );
      } else {
        // By day or month on MariaDB, each list, site and server of the period's messages looks up
        // its owner once per segment, and every message joins its own: the number of sums does not
        // grow with the buckets (a list's months over years), the messages are read twice.
        const units = "CASE WHEN o.unitBytes > 0 AND m.byteCount > o.unitBytes THEN m.byteCount * 1.0 / o.unitBytes ELSE 1 END";
        // DISTINCT (of rows already distinct) keeps MariaDB from merging this derived table into
        // the join, where it would look up an owner and a unit size for every message.
        const owners = `SELECT DISTINCT x.*, ${unitBytesOf("x.planId", "x.segmentStart")} AS unitBytes FROM (SELECT w.*, ${planOn("w.owner", "w.segmentStart")} AS planId FROM (SELECT k.*, ${owner} AS owner FROM (SELECT DISTINCT ${key} FROM message_log m LEFT JOIN list l ON l.id = m.listId WHERE ${conditions.join(" AND ")}) k) w) x`;
        rows = await this.db.manager.query(
          `SELECT ${bucketOf("m.sentAt")} AS bucket, COUNT(*) AS messages, SUM(m.recipientCount) AS recipients, SUM(m.byteCount) AS bytes, SUM(m.recipientCount * ${units}) AS units
          FROM message_log m LEFT JOIN list l ON l.id = m.listId
          JOIN (${owners}) o ON o.listKey = ${listKey} AND o.siteKey = ${siteKey} AND o.serverId = m.serverId AND o.segmentStart = ${segment}
          WHERE ${conditions.join(" AND ")}${scope.customerId !== undefined ? " AND o.owner = ?" : ""} GROUP BY ${bucketOf("m.sentAt")} ORDER BY ${bucketOf("m.sentAt")}`,
          [...periodParameters, ...periodParameters, ...(scope.customerId !== undefined ? [scope.customerId] : [])],
        );
      }
      // An assignment or a plan's unit size changed meanwhile: what was read may straddle it; read again.
      const after = await this.ownershipShape(period);
      if (JSON.stringify(after) === JSON.stringify(before)) return rows;
      if (attempt === 3) throw new GraphQLError("Assignments or plans kept changing during the usage query; ask again", { extensions: { code: "CONFLICT" } });
    }
  }

  /**
   * What decides the shape of a usage query: every unit size a plan has or had, and the days
   * within the period (after its first) on which an assignment starts, or the day after one ends
   * (an owner's last day is billed to it), or a customer's plan or a plan's unit size changes.
   */
  private async ownershipShape(period: { from: string; to: string }): Promise<{ sizes: number[]; changeDays: string[] }> {
    const sizes = ((await this.db.manager.query(
      "SELECT DISTINCT u.messageUnitBytes FROM hosting_plan_unit_period u WHERE u.messageUnitBytes > 0 UNION SELECT DISTINCT p.messageUnitBytes FROM hosting_plan p WHERE p.messageUnitBytes > 0",
    )) as { messageUnitBytes: number | string }[])
      .map((row) => Number(row.messageUnitBytes))
      .filter((size) => Number.isSafeInteger(size) && size > 0)
      .sort((a, b) => a - b);
    const dates = (await this.db.manager.query(
      `SELECT startDate AS day, 0 AS ends FROM assignment WHERE startDate > ? AND startDate <= ? UNION SELECT endDate AS day, 1 AS ends FROM assignment WHERE endDate >= ? AND endDate < ?
       UNION SELECT startDate AS day, 0 AS ends FROM customer_plan_period WHERE startDate > ? AND startDate <= ?
       UNION SELECT startDate AS day, 0 AS ends FROM hosting_plan_unit_period WHERE startDate > ? AND startDate <= ?`,
      [period.from, period.to, period.from, period.to, period.from, period.to, period.from, period.to],
    )) as { day: string | Date; ends: number | string }[];
    const days = dates.map((row) => {
      const date = typeof row.day === "string" ? row.day.slice(0, 10) : row.day.toISOString().slice(0, 10);
      return Number(row.ends) ? nextDay(date) : date;
    });
    // Dates from the database only, checked before they are written into SQL.
    const changeDays = [...new Set(days)].filter((date) => /^\d{4}-\d{2}-\d{2}$/.test(date)).sort();
    return { sizes, changeDays };
  }
}

/**
 * The plan of customer `owner` (null: nobody) on `day`, both SQL expressions: that of its plan
 * period then (customer_plan_period; 0 for a period without a plan), else, for a customer without
 * periods, its plan of today. `day` is a segment's first day: periods start on the segments' cuts
 * (ownershipShape), so the plan holds for the whole segment. Each latest start is found by MAX on
 * the (customerId, startDate) index: by ORDER BY … LIMIT 1, MariaDB read the whole index each time.
 */
function planOn(owner: string, day: string): string {
  const period = `SELECT COALESCE(h.planId, 0) FROM customer_plan_period h WHERE h.customerId = ${owner} AND h.startDate = (SELECT MAX(s.startDate) FROM customer_plan_period s WHERE s.customerId = ${owner} AND s.startDate <= ${day})`;
  return `COALESCE((${period}), (SELECT c.planId FROM customer c WHERE c.id = ${owner}))`;
}

/**
 * The message unit size of plan `plan` (null or 0: none) on `day`: that of its unit size period
 * then (hosting_plan_unit_period), else, for a plan without periods, its size of today; 0 (a unit
 * per recipient) for no plan.
 */
function unitBytesOf(plan: string, day: string): string {
  const period = `SELECT u.messageUnitBytes FROM hosting_plan_unit_period u WHERE u.planId = ${plan} AND u.startDate = (SELECT MAX(v.startDate) FROM hosting_plan_unit_period v WHERE v.planId = ${plan} AND v.startDate <= ${day})`;
  return `COALESCE((${period}), (SELECT p.messageUnitBytes FROM hosting_plan p WHERE p.id = ${plan}), 0)`;
}

/** Beyond this many days with an ownership change in a period, each day is its own segment. */
const MAX_SEGMENTS = 400;

/**
 * The first day of the segment `day` falls in, `starts` being the segments' first days in order:
 * a CASE that halves them at each step, so a message costs about log2(segments) comparisons, not
 * one per segment.
 */
function segmentOf(day: string, starts: string[]): string {
  if (starts.length === 1) return `'${starts[0]}'`;
  const middle = Math.floor(starts.length / 2);
  return `CASE WHEN ${day} < '${starts[middle]}' THEN ${segmentOf(day, starts.slice(0, middle))} ELSE ${segmentOf(day, starts.slice(middle))} END`;
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

type RawTotals = { messages: string | number; recipients: string | number; bytes: string | number; units: string | number };

function numbers(row: RawTotals): { messages: number; recipients: number; bytes: number; units: number } {
  return { messages: Number(row.messages), recipients: Number(row.recipients), bytes: Number(row.bytes), units: Math.round(Number(row.units) * 1000) / 1000 };
}

function checkPeriod(from: string, to: string, groupBy?: UsagePeriod): void {
  if (to < from) throw badInput("to must not be before from");
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
  if (groupBy === UsagePeriod.DAY && days > MAX_USAGE_DAYS) throw badInput(`A usage query by day covers at most ${MAX_USAGE_DAYS} days; group by month for a longer period`);
  const month = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7));
  if (month(to) - month(from) + 1 > MAX_USAGE_MONTHS) throw badInput(`A usage query covers at most ${MAX_USAGE_MONTHS} months`);
}
