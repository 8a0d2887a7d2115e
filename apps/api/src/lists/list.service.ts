import { GraphQLError } from "graphql";
import type { Database } from "../db/database.js";
import { containsPattern } from "../db/sql.js";
import { type Page, type PageArgs, type PageOptions, type SortKey, paginate, paginateEach } from "../graphql/connection.js";
import { type NodeType, fromGlobalId } from "../graphql/global-id.js";
import { Customer } from "../customers/customer.entity.js";
import { Server } from "../servers/server.entity.js";
import { Site } from "../sites/site.entity.js";
import { List } from "./list.entity.js";
import type { ListFilter } from "./list.inputs.js";

/** Row ids a caller already resolved (e.g. the parent of a nested connection). */
export interface ListScope {
  serverId?: number;
  customerId?: number;
}

/**
 * What a page's query reads, from the client's selection: each list whole or only some columns
 * (null: whole), and each list's server and owner joined, whole (true) or only some columns.
 */
export interface ListPageRead {
  columns?: readonly string[] | null;
  server?: true | readonly string[];
  customer?: true | readonly string[];
}

export class ListService {
  constructor(private readonly db: Database) {}

  async find(globalId: string): Promise<List | null> {
    const id = fromGlobalId("List", globalId);
    return id === null ? null : this.db.manager.findOneBy(List, { id });
  }

  /** Lists by name (then id), filtered as ListFilter says, within an optional parent scope. */
  page(args: PageArgs, filter: ListFilter | null | undefined, scope: ListScope = {}, read: ListPageRead = {}): Promise<Page<List>> {
    return paginate(this.query(filter, scope), args, LIST_ORDER, listReads(read));
  }

  /** The same page for each scope (e.g. each of a request's servers), in one statement. */
  pages(args: PageArgs, filter: ListFilter | null | undefined, scopes: ListScope[], read: ListPageRead = {}): Promise<Page<List>[]> {
    return paginateEach(
      scopes.map((scope) => this.query(filter, scope)),
      args,
      LIST_ORDER,
      listReads(read),
    );
  }

  private query(filter: ListFilter | null | undefined, scope: ListScope) {
    const query = this.db.manager.getRepository(List).createQueryBuilder("list");
    const serverId = scope.serverId ?? filterId("Server", filter?.serverId, "serverId");
    const customerId = scope.customerId ?? filterId("Customer", filter?.customerId, "customerId");
    const siteId = filterId("Site", filter?.siteId, "siteId");
    if (serverId !== undefined) query.andWhere("list.serverId = :serverId", { serverId });
    if (siteId !== undefined) query.andWhere("list.siteId = :siteId", { siteId });
    if (customerId !== undefined) query.andWhere("list.customerId = :customerId", { customerId });
    if (filter?.unassigned) query.andWhere("list.customerId IS NULL");
    if (filter?.nameContains) query.andWhere("list.nameKey LIKE :pattern ESCAPE '!'", { pattern: containsPattern(filter.nameContains.toLowerCase()) });
    if (!filter?.includeRemoved) query.andWhere("list.removedAt IS NULL");
    return query;
  }

  /** The sites of each server, by name (then id), in one statement. */
  sitePages(args: PageArgs, serverIds: number[]): Promise<Page<Site>[]> {
    return paginateEach(
      serverIds.map((serverId) => this.db.manager.getRepository(Site).createQueryBuilder("site").where("site.serverId = :serverId", { serverId })),
      args,
      SITE_ORDER,
    );
  }
}

const LIST_ORDER: SortKey<List>[] = [
  { column: "list.nameKey", value: (list) => list.nameKey },
  { column: "list.id", value: (list) => list.id },
];

const SITE_ORDER: SortKey<Site>[] = [
  { column: "site.nameKey", value: (site) => site.nameKey },
  { column: "site.id", value: (site) => site.id },
];

/** One query for the page and the relations its selection reads, instead of one per relation. */
function listReads(read: ListPageRead): PageOptions<List> {
  return {
    joins: [
      ...(read.server ? [{ property: "joinedServer" as const, entity: Server, alias: "server", on: "server.id = list.serverId", columns: read.server === true ? undefined : read.server }] : []),
      ...(read.customer ? [{ property: "joinedCustomer" as const, entity: Customer, alias: "customer", on: "customer.id = list.customerId", columns: read.customer === true ? undefined : read.customer }] : []),
    ],
    columns: read.columns ?? undefined,
  };
}

/** A filter's opaque ID as a row id; an ID of another type is the client's mistake, said as such. */
export function filterId(type: NodeType, globalId: string | null | undefined, field: string): number | undefined {
  if (globalId == null) return undefined;
  const id = fromGlobalId(type, globalId);
  if (id === null) throw new GraphQLError(`filter.${field} is not a ${type} ID`, { extensions: { code: "BAD_USER_INPUT" } });
  return id;
}
