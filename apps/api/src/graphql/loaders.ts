import DataLoader from "dataloader";
import { type DataSource, type EntityTarget, type ObjectLiteral } from "typeorm";
import { RawEntityReader } from "../db/hydrate.js";
import { rawManyReusingSql } from "../db/reused-sql.js";
import { User } from "../auth/user.entity.js";
import { Customer } from "../customers/customer.entity.js";
import { HostingPlan } from "../plans/hosting-plan.entity.js";
import { Server } from "../servers/server.entity.js";
import { Site } from "../sites/site.entity.js";
import { List } from "../lists/list.entity.js";
import { ValidationError } from "../validation/validation-error.entity.js";
import { openNow } from "../validation/published.js";

/** One SELECT … WHERE id IN (…) per entity per request tick, whatever the number of rows asking. */
export function byIdLoader<T extends ObjectLiteral & { id: number }>(dataSource: DataSource, entity: EntityTarget<T>): DataLoader<number, T | null> {
  return new DataLoader<number, T | null>(async (ids) => {
    const query = dataSource.getRepository(entity).createQueryBuilder("row");
    const reader = RawEntityReader.forMainAlias(query);
    const rows = (await rawManyReusingSql(query.where("row.id IN (:...ids)", { ids: [...ids] }))).map((raw: Record<string, unknown>) => reader.read(raw)!);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/**
 * One GROUP BY per request for an aggregate keyed by a column, e.g. lists per customer.
 * Keys with no rows get `empty`.
 */
export function groupedLoader<V>(
  run: (keys: number[]) => Promise<{ key: number | string; value: V }[]>,
  empty: V,
): DataLoader<number, V> {
  return new DataLoader<number, V>(async (keys) => {
    const rows = await run([...keys]);
    const byKey = new Map(rows.map((row) => [Number(row.key), row.value]));
    return keys.map((key) => byKey.get(key) ?? empty);
  });
}

export interface CustomerUsage {
  listCount: number;
  memberCount: number;
}

/** The per-request loaders behind every relation field. */
export function createLoaders(dataSource: DataSource) {
  return {
    server: byIdLoader(dataSource, Server),
    site: byIdLoader(dataSource, Site),
    list: byIdLoader(dataSource, List),
    customer: byIdLoader(dataSource, Customer),
    hostingPlan: byIdLoader(dataSource, HostingPlan),
    user: byIdLoader(dataSource, User),
    customerUsage: groupedLoader<CustomerUsage>(async (customerIds) => {
      const rows = await dataSource
        .getRepository(List)
        .createQueryBuilder("list")
        .select("list.customerId", "key")
        .addSelect("COUNT(*)", "listCount")
        .addSelect("COALESCE(SUM(list.memberCount), 0)", "memberCount")
        .where("list.customerId IN (:...customerIds)", { customerIds })
        .andWhere("list.removedAt IS NULL")
        .groupBy("list.customerId")
        .getRawMany<{ key: number; listCount: string | number; memberCount: string | number }>();
      return rows.map((row) => ({ key: row.key, value: { listCount: Number(row.listCount), memberCount: Number(row.memberCount) } }));
    }, { listCount: 0, memberCount: 0 }),
    openErrorCount: groupedLoader<number>(async (serverIds) => {
      const rows = await dataSource
        .getRepository(ValidationError)
        .createQueryBuilder("error")
        .select("error.serverId", "key")
        .addSelect("COUNT(*)", "count")
        .where("error.serverId IN (:...serverIds)", { serverIds })
        .andWhere(openNow("error"))
        .groupBy("error.serverId")
        .getRawMany<{ key: number; count: string | number }>();
      return rows.map((row) => ({ key: row.key, value: Number(row.count) }));
    }, 0),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
