import type { GraphQLResolveInfo } from "graphql";
import { columnsFor, nodeSelection } from "../graphql/selection.js";
import type { ListPageRead } from "./list.service.js";

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
  ownedThrough: ["id", "customerId", "siteId", "serverId"],
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

/**
 * What a lists connection field's selection needs its page to read (see ListPageRead): the
 * page's sort keys (nameKey, id) always, for cursors; a server or owner joined only when
 * selected, whole or by the columns it needs, its primary key always.
 */
export function listPageRead(info: GraphQLResolveInfo): ListPageRead {
  const fields = nodeSelection(info);
  return {
    columns: columnsFor(fields, LIST_FIELD_COLUMNS, ["id", "nameKey"]),
    server: fields.has("server") ? (columnsFor(nodeSelection(info, ["server"]), SERVER_FIELD_COLUMNS, ["id"]) ?? true) : undefined,
    customer: fields.has("customer") ? (columnsFor(nodeSelection(info, ["customer"]), CUSTOMER_FIELD_COLUMNS, ["id"]) ?? true) : undefined,
  };
}
