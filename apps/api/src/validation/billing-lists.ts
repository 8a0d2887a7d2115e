import type { EntityManager } from "typeorm";
import { instantOf } from "../db/columns.js";
import { List } from "../lists/list.entity.js";
import type { BillingList } from "./diff.js";

const PAGE = 2000;

interface BillingListRow {
  id: number | string;
  name: string;
  nameKey: string;
  siteId: number | string | null;
  description: string | null;
  topic: string | null;
  disabled: number | boolean | string;
  maxMembers: number | string;
  memberCount: number | string;
  memberCounts: string | null;
  customerId: number | string | null;
  hostCreatedAt: Date | string | null;
  removed: number | boolean | string;
}

const nullableNumber = (value: number | string | null) => (value === null ? null : Number(value));

/**
 * Billing's lists of a server in name-key order, page by page (memory stays flat). Plain rows
 * rather than entities: a 100,000-list server is read on every validation and sync, and
 * hydrating entities cost more than the query. Not RawEntityReader either: it converts every
 * column, four dates among them, and validating a 100,000-list server took 0.5 to 0.8 s longer.
 */
export async function* billingLists(manager: EntityManager, serverId: number): AsyncGenerator<BillingList[]> {
  // The next page is asked for as soon as a page arrives, so the database reads it while the
  // comparison works through this one (a 100,000-list server is fifty pages).
  let next = readPage(manager, serverId, undefined);
  for (;;) {
    const rows = await next;
    if (rows.length === PAGE) {
      next = readPage(manager, serverId, rows[rows.length - 1]!.nameKey);
      // Awaited on the next turn; a comparison that stops first must not leave it unhandled.
      next.catch(() => undefined);
    }
    yield rows.map((row) => ({
      id: Number(row.id),
      name: row.name,
      nameKey: row.nameKey,
      siteId: nullableNumber(row.siteId),
      description: row.description,
      topic: row.topic,
      disabled: Number(row.disabled) === 1 || row.disabled === true,
      maxMembers: Number(row.maxMembers),
      memberCount: Number(row.memberCount),
      memberCounts: row.memberCounts,
      customerId: nullableNumber(row.customerId),
      hostCreatedAt: instantOf(row.hostCreatedAt)?.getTime() ?? null,
      removed: Number(row.removed) === 1,
    }));
    if (rows.length < PAGE) return;
  }
}

function readPage(manager: EntityManager, serverId: number, after: string | undefined): Promise<BillingListRow[]> {
  const query = manager
    .getRepository(List)
    .createQueryBuilder("list")
    .select("list.id", "id")
    .addSelect("list.name", "name")
    .addSelect("list.nameKey", "nameKey")
    .addSelect("list.siteId", "siteId")
    .addSelect("list.description", "description")
    .addSelect("list.topic", "topic")
    .addSelect("list.disabled", "disabled")
    .addSelect("list.maxMembers", "maxMembers")
    .addSelect("list.memberCount", "memberCount")
    .addSelect("list.memberCounts", "memberCounts")
    .addSelect("list.customerId", "customerId")
    .addSelect("list.hostCreatedAt", "hostCreatedAt")
    .addSelect("CASE WHEN list.removedAt IS NULL THEN 0 ELSE 1 END", "removed")
    .where("list.serverId = :serverId", { serverId });
  if (after !== undefined) query.andWhere("list.nameKey > :after", { after });
  return query.orderBy("list.nameKey", "ASC").limit(PAGE).getRawMany<BillingListRow>();
}
