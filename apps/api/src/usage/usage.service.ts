import { GraphQLError } from "graphql";
import type { Database } from "../db/database.js";
import { filterId } from "../lists/list.service.js";
import { type UsageBucket, type UsageFilter, UsagePeriod } from "./usage.inputs.js";

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
    if (filter.to < filter.from) throw badInput("to must not be before from");
    const days = (Date.parse(`${filter.to}T00:00:00Z`) - Date.parse(`${filter.from}T00:00:00Z`)) / 86_400_000;
    if (filter.groupBy === UsagePeriod.DAY && days > MAX_USAGE_DAYS) throw badInput(`A usage query by day covers at most ${MAX_USAGE_DAYS} days; group by month for a longer period`);
    const month = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7));
    if (month(filter.to) - month(filter.from) + 1 > MAX_USAGE_MONTHS) throw badInput(`A usage query covers at most ${MAX_USAGE_MONTHS} months`);

    const mysql = this.db.kind === "mysql";
    const format = filter.groupBy === UsagePeriod.DAY ? "%Y-%m-%d" : "%Y-%m";
    const period = mysql ? `DATE_FORMAT(m.sentAt, '${format}')` : `strftime('${format}', m.sentAt)`;
    const sentOn = mysql ? "DATE(m.sentAt)" : "date(m.sentAt)";
    const end = new Date(Date.parse(`${filter.to}T00:00:00Z`) + 86_400_000);
    const query = this.db.manager
      .createQueryBuilder()
      .from("message_log", "m")
      .leftJoin("list", "l", "l.id = m.listId")
      .select(period, "period")
      .addSelect("COUNT(*)", "messages")
      .addSelect("COALESCE(SUM(m.recipientCount), 0)", "recipients")
      .addSelect("COALESCE(SUM(m.byteCount), 0)", "bytes")
      .where("m.sentAt >= :start AND m.sentAt < :end", { start: new Date(`${filter.from}T00:00:00Z`), end })
      .groupBy(period)
      .orderBy(period, "ASC");
    const unit = "CASE WHEN p.messageUnitBytes > 0 AND m.byteCount > p.messageUnitBytes THEN m.byteCount * 1.0 / p.messageUnitBytes ELSE 1 END";
    const customerId = filterId("Customer", filter.customerId, "customerId");
    if (customerId !== undefined) {
      // Ownership on the day each message went out, as list.customerId is computed: the list's own
      // assignment, else its site's, else its server's. A site or server owner is not billed for a
      // list another customer was assigned directly. The site is the one the log names for the
      // message (resolved at import); rows without one fall back to the list's current site.
      const onDay = (alias: string) => `${alias}.startDate <= ${sentOn} AND (${alias}.endDate IS NULL OR ${alias}.endDate >= ${sentOn})`;
      const site = "COALESCE(m.siteId, l.siteId)";
      const listOwned = `EXISTS (SELECT 1 FROM assignment b WHERE b.scope = 'LIST' AND b.listId = m.listId AND ${onDay("b")})`;
      const siteOwned = `EXISTS (SELECT 1 FROM assignment b WHERE b.scope = 'SITE' AND b.siteId = ${site} AND ${onDay("b")})`;
      query
        .andWhere(
          `EXISTS (SELECT 1 FROM assignment a WHERE a.customerId = :customerId AND ${onDay("a")} AND (
            (a.scope = 'LIST' AND a.listId = m.listId)
            OR (a.scope = 'SITE' AND a.siteId = ${site} AND NOT ${listOwned})
            OR (a.scope = 'SERVER' AND a.serverId = m.serverId AND NOT ${listOwned} AND NOT ${siteOwned})))`,
          { customerId },
        )
        .leftJoin("customer", "c", "c.id = :customerId")
        .leftJoin("hosting_plan", "p", "p.id = c.planId");
    } else {
      query.leftJoin("customer", "c", "c.id = l.customerId").leftJoin("hosting_plan", "p", "p.id = c.planId");
    }
    query.addSelect(`COALESCE(SUM(m.recipientCount * ${unit}), 0)`, "units");
    const serverId = filterId("Server", filter.serverId, "serverId");
    if (serverId !== undefined) query.andWhere("m.serverId = :serverId", { serverId });
    const listId = filterId("List", filter.listId, "listId");
    if (listId !== undefined) query.andWhere("m.listId = :listId", { listId });

    const rows = await query.getRawMany<{ period: string; messages: string | number; recipients: string | number; bytes: string | number; units: string | number }>();
    return rows.map((row) => ({
      period: row.period,
      messages: Number(row.messages),
      recipients: Number(row.recipients),
      bytes: Number(row.bytes),
      units: Math.round(Number(row.units) * 1000) / 1000,
    }));
  }
}
