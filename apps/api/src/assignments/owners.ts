import type { EntityManager } from "typeorm";
import { AssignmentScope } from "./assignment.entity.js";

const CHUNK = 500;

/**
 * Recomputes list.customerId, the cached current owner: the list's own open assignment, else
 * its site's, else its server's; nobody for a removed list. Every change to assignments calls
 * this (or recomputeOwnersUnder) inside its transaction.
 */
export async function recomputeListOwners(manager: EntityManager, listIds: number[]): Promise<void> {
  for (let offset = 0; offset < listIds.length; offset += CHUNK) await updateOwners(manager, "id", listIds.slice(offset, offset + CHUNK));
}

/** The same for every list of the given sites or servers: one statement per 500 of them, whatever their lists. */
export async function recomputeOwnersUnder(manager: EntityManager, column: "siteId" | "serverId", ids: number[]): Promise<void> {
  for (let offset = 0; offset < ids.length; offset += CHUNK) await updateOwners(manager, column, ids.slice(offset, offset + CHUNK));
}

async function updateOwners(manager: EntityManager, column: "id" | "siteId" | "serverId", ids: number[]): Promise<void> {
  const owner = ownerSql({ listId: "`list`.id", siteId: "`list`.siteId", serverId: "`list`.serverId" }, "b.endDate IS NULL");
  await manager.query(`UPDATE \`list\` SET customerId = CASE WHEN removedAt IS NULL THEN ${owner} END WHERE ${column} IN (${ids.map(() => "?").join(",")})`, ids);
}

/**
 * The ownership rule as SQL, for today's owner (above) and for an owner on a past day (usage):
 * the customer of the list's own assignment, else its site's, else its server's, the newest of
 * a scope when several qualify. `keys` are the SQL of the list's, site's and server's ids;
 * `qualifies` is what an assignment (alias b) must meet. MAX(id) lets MariaDB read the scope
 * column's index, where ORDER BY id DESC LIMIT 1 can walk the primary key backwards.
 */
export function ownerSql(keys: { listId: string; siteId: string; serverId: string }, qualifies: string): string {
  const newest = (scope: AssignmentScope, column: keyof typeof keys) =>
    `(SELECT a.customerId FROM assignment a WHERE a.id = (SELECT MAX(b.id) FROM assignment b WHERE b.scope = '${scope}' AND b.${column} = ${keys[column]} AND ${qualifies}))`;
  return `COALESCE(${newest(AssignmentScope.LIST, "listId")}, ${newest(AssignmentScope.SITE, "siteId")}, ${newest(AssignmentScope.SERVER, "serverId")})`;
}

/**
 * Serializes every change of ownership on the given servers (MySQL; SQLite has one writer at a
 * time already): the server rows, locked in id order, stay locked until the caller commits. Every
 * caller (assigning lists, sites or servers, ending them, sync and fix recomputing owners) takes
 * them before it reads the current assignments, so two calls cannot both find a list, site or
 * server unowned, and no recomputation of owners reads assignments another call is changing.
 */
export async function lockOwnership(manager: EntityManager, serverIds: Iterable<number>): Promise<void> {
  const ids = [...new Set(serverIds)].sort((a, b) => a - b);
  if (ids.length === 0 || manager.connection.options.type !== "mysql") return;
  await manager.query(`SELECT id FROM \`server\` WHERE id IN (${ids.map(() => "?").join(",")}) ORDER BY id FOR UPDATE`, ids);
}
