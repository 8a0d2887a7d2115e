
import DataLoader from "dataloader";
import { type DataSource, type EntityTarget, In, type ObjectLiteral, type SelectQueryBuilder } from "typeorm";
import { RawEntityReader } from "../db/hydrate.js";
import { rawManyReusingSql } from "../db/reused-sql.js";
import { groupBy } from "../group-by.js";
import { Assignment, AssignmentScope } from "../assignments/assignment.entity.js";
import { User } from "../auth/user.entity.js";
import { Customer } from "../customers/customer.entity.js";
import { CustomerPlanPeriod } from "../customers/customer-plan-period.entity.js";
import { HostingPlan } from "../plans/hosting-plan.entity.js";
import { HostingPlanUnitPeriod } from "../plans/hosting-plan-unit-period.entity.js";
import { Server } from "../servers/server.entity.js";
import { Site } from "../sites/site.entity.js";
import { List } from "../lists/list.entity.js";
import { ValidationError } from "../validation/validation-error.entity.js";
import { openNow } from "../validation/published.js";
import { MAX_PAGES_PER_STATEMENT, type Page } from "./connection.js";

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

/**
 * Every row of `entity` for each owner id (its `column`), oldest startDate first: one statement
 * for a page's owners, e.g. the plan history of a page of customers.
 */
function periodsLoader<T extends ObjectLiteral & { startDate: string }>(dataSource: DataSource, entity: EntityTarget<T>, column: keyof T & string): DataLoader<number, T[]> {
  return new DataLoader<number, T[]>(async (ids) => {
    const rows = await dataSource.getRepository(entity).find({ where: { [column]: In([...ids]) } as never, order: { [column]: "ASC", startDate: "ASC" } as never });
    const byOwner = groupBy(rows, (row) => Number(row[column]));
    return ids.map((id) => byOwner.get(id) ?? []);
  });
}

export interface CustomerUsage {
  listCount: number;
  memberCount: number;
}

/**
 * The current assignment of each whole site (or server) by id, null when it has none; the newest
 * when several are open, as the lists' owner is computed. Its customer comes joined and primed
 * into the customer loader: a page's owners then cost this one statement, however its sites
 * resolve them.
 */
function wholeAssignmentLoader(dataSource: DataSource, scope: AssignmentScope.SITE | AssignmentScope.SERVER, customers: DataLoader<number, Customer | null>): DataLoader<number, Assignment | null> {
  const column = scope === AssignmentScope.SITE ? "siteId" : "serverId";
  return groupedLoader<Assignment | null>(async (ids) => {
    const query = dataSource.getRepository(Assignment).createQueryBuilder("assignment");
    const assignment = RawEntityReader.forMainAlias(query);
    const customer = new RawEntityReader<Customer>(query as unknown as SelectQueryBuilder<ObjectLiteral>, dataSource.getMetadata(Customer), "customer");
    query.leftJoin(Customer, "customer", "customer.id = assignment.customerId");
    customer.selectInto(query as unknown as SelectQueryBuilder<ObjectLiteral>);
    query.where(`assignment.scope = :scope AND assignment.${column} IN (:...ids) AND assignment.endDate IS NULL`, { scope, ids }).orderBy("assignment.id", "ASC");
    const rows: Record<string, unknown>[] = await query.getRawMany();
    return rows.map((raw) => {
      const row = assignment.read(raw)!;
      customers.prime(row.customerId, customer.read(raw));
      return { key: row[column]!, value: row };
    });
  }, null);
}

/**
 * The nested connections of a request (`servers { nodes { lists(first: 10) { … } } }`): the
 * parents asking for the same field with the same arguments in one tick get their pages from one
 * statement (paginateEach), not one each.
 */
export class PageBatches {
  readonly #loaders = new Map<string, DataLoader<number, Page<unknown>>>();

  /**
   * The page of `parentId`. `field` and `same` (everything the page depends on besides its
   * parent: page arguments, filter, columns read) name the batch; `pagesOf` reads a batch's pages,
   * in the order of the ids given (an id may come twice), and is called with those of one batch only.
   */
  load<T>(field: string, same: unknown, parentId: number, pagesOf: (parentIds: number[]) => Promise<Page<T>[]>): Promise<Page<T>> {
    const key = `${field}\n${JSON.stringify(same)}`;
    let loader = this.#loaders.get(key);
    if (!loader) {
      // No cache: a context can outlive one read (a subscription's, several mutations in one
      // document), and a page read before a change must not answer after it. Async, so that a
      // refusal thrown while building the queries (a bad filter ID) reaches the field as it is.
      loader = new DataLoader<number, Page<unknown>>(async (ids) => (await pagesOf([...ids])) as Page<unknown>[], { maxBatchSize: MAX_PAGES_PER_STATEMENT, cache: false });
      this.#loaders.set(key, loader);
    }
    return loader.load(parentId) as Promise<Page<T>>;
  }
}

/** The per-request loaders behind every relation field. */
export function createLoaders(dataSource: DataSource) {
  const customer = byIdLoader(dataSource, Customer);
  return {
    pages: new PageBatches(),
    server: byIdLoader(dataSource, Server),
    site: byIdLoader(dataSource, Site),
    list: byIdLoader(dataSource, List),
    customer,
    hostingPlan: byIdLoader(dataSource, HostingPlan),
    planPeriods: periodsLoader(dataSource, CustomerPlanPeriod, "customerId"),
    unitPeriods: periodsLoader(dataSource, HostingPlanUnitPeriod, "planId"),
    user: byIdLoader(dataSource, User),
    listAssignment: groupedLoader<boolean>(async (listIds) => {
      const rows = await dataSource
        .getRepository(Assignment)
        .createQueryBuilder("assignment")
        .select("DISTINCT assignment.listId", "key")
        .where("assignment.scope = :scope AND assignment.listId IN (:...listIds) AND assignment.endDate IS NULL", { scope: AssignmentScope.LIST, listIds })
        .getRawMany<{ key: number }>();
      return rows.map((row) => ({ key: row.key, value: true }));
    }, false),
    siteAssignment: wholeAssignmentLoader(dataSource, AssignmentScope.SITE, customer),
    serverAssignment: wholeAssignmentLoader(dataSource, AssignmentScope.SERVER, customer),
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
