import { GraphQLError } from "graphql";
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
 * recipients times max(1, bytes / unit size) of the plan that applies (a 12,288-byte message with
 * a 10,240-byte unit to 100 recipients is 120 units); no plan or a 0 unit size: one per recipient.
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
   * day, month or owner, in one statement after reading the plans' unit sizes. A message's owner is the customer owning its list on
   * the day it was sent, as list.customerId is computed for today: the list's own assignment,
   * else its site's, else its server's, the newest of a scope should two overlap; a site or
   * server owner is not billed for a list another customer was assigned directly. The site is the
   * one the hosting server logged the message from (resolved at import); rows without one fall
   * back to the list's current site. A message's units follow its owner's plan.
   *
   * Owners change seldom and messages are many: the messages are first summed per list, site,
   * server and day (with their units for each unit size a plan has), and each of those groups
   * looks up its owner once, through the assignment indexes. A million messages in a month take
   * about 2.5 s on MariaDB; looked up per message (as before), minutes.
   */
  private async totals(period: { from: string; to: string }, scope: { serverId?: number; listId?: number; customerId?: number }, by: UsagePeriod | "OWNER"): Promise<({ bucket: string | number | null } & RawTotals)[]> {
    const mysql = this.db.kind === "mysql";
    for (let attempt = 1; ; attempt++) {
      // The unit size of each plan a customer has, for units: a group carries its units at each size, and its owner's plan picks one.
      const sizes = ((await this.db.manager.query("SELECT DISTINCT p.messageUnitBytes FROM hosting_plan p WHERE p.messageUnitBytes > 0 AND EXISTS (SELECT 1 FROM customer c WHERE c.planId = p.id)")) as { messageUnitBytes: number | string }[])
        .map((row) => Number(row.messageUnitBytes))
        .filter((size) => Number.isSafeInteger(size) && size > 0);
      const day = "DATE(m.sentAt)";
      const conditions = ["m.sentAt >= ?", "m.sentAt < ?"];
      const parameters: unknown[] = [`${period.from} 00:00:00.000`, `${nextDay(period.to)} 00:00:00.000`];
      for (const [column, value] of [["serverId", scope.serverId], ["listId", scope.listId]] as const) {
        if (value === undefined) continue;
        conditions.push(`m.${column} = ?`);
        parameters.push(value);
      }
      const unitsAt = sizes.map((size, index) => `, SUM(m.recipientCount * CASE WHEN m.byteCount > ${size} THEN m.byteCount * 1.0 / ${size} ELSE 1 END) AS units_${index}`).join("");
      const groups = `SELECT m.listId AS listId, COALESCE(m.siteId, l.siteId) AS siteId, m.serverId AS serverId, ${day} AS day, COUNT(*) AS messages, SUM(m.recipientCount) AS recipients, SUM(m.byteCount) AS bytes${unitsAt}
        FROM message_log m LEFT JOIN list l ON l.id = m.listId WHERE ${conditions.join(" AND ")} GROUP BY m.listId, COALESCE(m.siteId, l.siteId), m.serverId, ${day}`;
      // Without a customer to find and without unit sizes, nobody's plan changes a number: each
      // message counts as it is, its owner not looked up.
      const owners = by === "OWNER" || scope.customerId !== undefined || sizes.length > 0;
      const newest = (assignmentScope: string, column: string) =>
        `(SELECT a.customerId FROM assignment a WHERE a.id = (SELECT MAX(b.id) FROM assignment b WHERE b.scope = '${assignmentScope}' AND b.${column} = d.${column} AND b.startDate <= d.day AND (b.endDate IS NULL OR b.endDate >= d.day)))`;
      const format = by === UsagePeriod.DAY ? "%Y-%m-%d" : "%Y-%m";
      const bucketOf = (date: string) => (by === "OWNER" ? "g.owner" : mysql ? `DATE_FORMAT(${date}, '${format}')` : `strftime('${format}', ${date})`);
      if (!owners) {
        return this.db.manager.query(
          `SELECT ${bucketOf("m.sentAt")} AS bucket, COUNT(*) AS messages, COALESCE(SUM(m.recipientCount), 0) AS recipients, COALESCE(SUM(m.byteCount), 0) AS bytes, COALESCE(SUM(m.recipientCount), 0) AS units
          FROM message_log m WHERE ${conditions.join(" AND ")} GROUP BY ${bucketOf("m.sentAt")} ORDER BY ${bucketOf("m.sentAt")}`,
          parameters,
        );
      }
      const owned = `SELECT d.*, COALESCE(${newest("LIST", "listId")}, ${newest("SITE", "siteId")}, ${newest("SERVER", "serverId")}) AS owner FROM (${groups}) d`;
      const units = sizes.length ? `CASE p.messageUnitBytes ${sizes.map((size, index) => `WHEN ${size} THEN g.units_${index}`).join(" ")} ELSE g.recipients END` : "g.recipients";
      const bucket = bucketOf("g.day");
      if (scope.customerId !== undefined) parameters.push(scope.customerId);
      const rows: ({ bucket: string | number | null; unknownSizes: string | number } & RawTotals)[] = await this.db.manager.query(
        `SELECT ${bucket} AS bucket, SUM(g.messages) AS messages, SUM(g.recipients) AS recipients, SUM(g.bytes) AS bytes, SUM(${units}) AS units,
          SUM(CASE WHEN p.messageUnitBytes > 0${sizes.length ? ` AND p.messageUnitBytes NOT IN (${sizes.join(", ")})` : ""} THEN 1 ELSE 0 END) AS unknownSizes
        FROM (${owned}) g LEFT JOIN customer c ON c.id = g.owner LEFT JOIN hosting_plan p ON p.id = c.planId
        ${scope.customerId !== undefined ? "WHERE g.owner = ?" : ""} GROUP BY ${bucket} ORDER BY ${bucket}`,
        parameters,
      );
      // A plan given a new unit size between the two reads: read again rather than count it one unit per recipient.
      if (rows.every((row) => Number(row.unknownSizes) === 0)) return rows;
      if (attempt === 3) throw new GraphQLError("Hosting plans' unit sizes kept changing during the usage query; ask again", { extensions: { code: "CONFLICT" } });
    }
  }
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
