import type { GraphQLResolveInfo } from "graphql";
import { columnsFor, nodeSelection } from "../graphql/selection.js";

/**
 * The GraphQL fields of List, Server and Customer that columns answer, with the columns
 * (entity properties) each reads: a lists page whose client selects only these reads only
 * these. A field left out here (a field resolver such as `lists` or `openErrorCount`, a getter
 * on other columns) reads the whole row. schema tests check every field listed against the
 * whole-row answer.
 */
export const LIST_FIELD_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  id: ["id"],
  name: ["name"],
  description: ["description"],
  topic: ["topic"],
  disabled: ["disabled"],
  maxMembers: ["maxMembers"],
  memberCount: ["memberCount"],
  hostCreatedAt: ["hostCreatedAt"],
  removedAt: ["removedAt"],
  // ListResolver's field resolvers, by the id they load.
  server: ["serverId"],
  site: ["siteId"],
  customer: ["customerId"],
};

export const SERVER_FIELD_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  id: ["id"],
  name: ["name"],
  hostName: ["hostName"],
  port: ["port"],
  comments: ["comments"],
  passwordSet: ["passwordSealed"],
  autoSync: ["autoSync"],
  status: ["status"],
  version: ["version"],
  validatedAt: ["validatedAt"],
  syncedAt: ["syncedAt"],
  createdAt: ["createdAt"],
  updatedAt: ["updatedAt"],
};

export const CUSTOMER_FIELD_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  id: ["id"],
  company: ["company"],
  contactName: ["contactName"],
  email: ["email"],
  isActive: ["isActive"],
  startDate: ["startDate"],
  endDate: ["endDate"],
};

/** What a lists page reads for a client's selection: null for a whole row. */
export interface PageColumns {
  list: string[] | null;
  server: string[] | null;
  customer: string[] | null;
}

/**
 * The columns a lists connection field's selection needs: the page's sort keys (nameKey, id)
 * always, for cursors; a joined server or owner its primary key always.
 */
export function pageColumns(info: GraphQLResolveInfo): PageColumns {
  return {
    list: columnsFor(nodeSelection(info), LIST_FIELD_COLUMNS, ["id", "nameKey"]),
    server: columnsFor(nodeSelection(info, ["server"]), SERVER_FIELD_COLUMNS, ["id"]),
    customer: columnsFor(nodeSelection(info, ["customer"]), CUSTOMER_FIELD_COLUMNS, ["id"]),
  };
}
