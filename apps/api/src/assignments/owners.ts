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
  const owner = (scope: AssignmentScope, assigned: string, outer: string) =>
    `(SELECT a.customerId FROM assignment a WHERE a.${assigned} = \`list\`.${outer} AND a.endDate IS NULL AND a.scope = '${scope}' ORDER BY a.id DESC LIMIT 1)`;
  await manager.query(
    `UPDATE \`list\` SET customerId = CASE WHEN removedAt IS NULL THEN COALESCE(${owner(AssignmentScope.LIST, "listId", "id")}, ${owner(AssignmentScope.SITE, "siteId", "siteId")}, ${owner(AssignmentScope.SERVER, "serverId", "serverId")}) END WHERE ${column} IN (${ids.map(() => "?").join(",")})`,
    ids,
  );
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
