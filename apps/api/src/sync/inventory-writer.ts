import { type HostingList, type HostingSite, type MemberCounts, billedMembers, nameKey } from "@listbill/protocol";
import { type EntityManager, In } from "typeorm";
import { Assignment } from "../assignments/assignment.entity.js";
import { lockOwnership, recomputeListOwners } from "../assignments/owners.js";
import { type ConditionalUpdate, bulkInsert } from "../db/bulk-write.js";
import { ListMemberCount } from "../lists/list-member-count.entity.js";
import { List } from "../lists/list.entity.js";
import { Site } from "../sites/site.entity.js";
import { listValue, siteValue } from "../validation/diff.js";

/** Rows per multi-row INSERT … ON DUPLICATE KEY / ON CONFLICT UPDATE. */
export const UPSERT_CHUNK = 500;

/** A list's counts by status as one comparable string; a snapshot is taken when it changes. */
export function memberCountsKey(counts: MemberCounts | undefined): string | null {
  return counts ? [counts.normal, counts.held, counts.unsub, counts.confirm, counts.private, counts.expired, counts.other].join(",") : null;
}

/**
 * Writes hosting-server sites into billing (insert new, update changed, revive removed), keyed by
 * (server, name). Returns billing's site id for every site name key of the server.
 */
export async function upsertSites(manager: EntityManager, serverId: number, sites: HostingSite[]): Promise<Map<string, number>> {
  const now = new Date();
  const rows = sites.map((site) => ({ serverId, nameKey: nameKey(site.name), ...siteValue(site), removedAt: null, createdAt: now, updatedAt: now }));
  for (let offset = 0; offset < rows.length; offset += UPSERT_CHUNK) {
    await bulkInsert(manager, Site, rows.slice(offset, offset + UPSERT_CHUNK), { kind: "update", key: ["serverId", "nameKey"], update: ["name", "hostName", "description", "removedAt", "updatedAt"] });
  }
  const all = await manager.find(Site, { select: { id: true, nameKey: true }, where: { serverId } });
  return new Map(all.map((site) => [site.nameKey, site.id]));
}

/**
 * A live list keeps the creation time billing has against a later one: that means the hosting
 * server's list was deleted and created again under its name, which validation reports
 * (LIST_RECREATED) and only its fix records, ending the old list's own assignments. An earlier one
 * (a clock set right) is taken, and so is any where billing has none, or has the list marked
 * removed and now back.
 */
const KEEP_CREATED: ConditionalUpdate = {
  properties: ["hostCreatedAt"],
  when: (column, incoming) => `${column("hostCreatedAt")} IS NULL OR ${column("removedAt")} IS NOT NULL OR ${incoming("hostCreatedAt")} < ${column("hostCreatedAt")}`,
};

/**
 * Writes hosting-server lists into billing, one multi-row upsert per chunk: new lists are
 * inserted, existing ones take the hosting values (and lose removedAt: the list is back). Lists
 * whose member counts changed get a snapshot; new lists inherit an owner from a whole-site or
 * whole-server assignment. Returns billing's id for each list written, by name key.
 */
export async function upsertLists(
  manager: EntityManager,
  serverId: number,
  lists: HostingList[],
  siteIds: ReadonlyMap<string, number>,
  snapshotKeys: ReadonlySet<string> = new Set(),
  /** "later": the caller calls inheritOwners for them itself (a sync, once for all its chunks). */
  owners: "now" | "later" = "now",
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  if (lists.length === 0) return ids;
  const now = new Date();
  const withCounts = lists[0]!.memberCounts !== undefined;
  const rows = lists.map((list) => {
    const value = listValue(list);
    return {
      serverId,
      siteId: list.site ? (siteIds.get(nameKey(list.site)) ?? null) : null,
      name: value.name,
      nameKey: nameKey(list.name),
      description: value.description,
      topic: value.topic,
      disabled: value.disabled,
      maxMembers: value.maxMembers,
      memberCount: billedMembers(list),
      memberCounts: memberCountsKey(list.memberCounts),
      hostCreatedAt: list.created ? new Date(list.created) : null,
      removedAt: null,
      createdAt: now,
      updatedAt: now,
    };
  });
  const updated = ["siteId", "name", "description", "topic", "disabled", "maxMembers", "removedAt", "updatedAt", ...(withCounts ? ["memberCount", "memberCounts"] : [])];
  for (let offset = 0; offset < rows.length; offset += UPSERT_CHUNK) {
    const chunk = rows.slice(offset, offset + UPSERT_CHUNK);
    await bulkInsert(manager, List, chunk, { kind: "update", key: ["serverId", "nameKey"], update: updated, updateWhere: KEEP_CREATED });
    const found = await manager.find(List, { select: { id: true, nameKey: true }, where: { serverId, nameKey: In(chunk.map((row) => row.nameKey)) } });
    for (const list of found) ids.set(list.nameKey, list.id);
  }
  if (withCounts) {
    const snapshots = lists
      .filter((list) => snapshotKeys.has(nameKey(list.name)))
      .map((list) => ({ listId: ids.get(nameKey(list.name))!, takenAt: now, ...list.memberCounts! }));
    await bulkInsert(manager, ListMemberCount, snapshots, { kind: "error" }, UPSERT_CHUNK);
  }
  if (owners === "now") await inheritOwners(manager, serverId, [...ids.values()]);
  return ids;
}

/**
 * Gives lists just written the owner of their whole site or server, if any. After the server's
 * ownership lock (lockOwnership): the assignments read are those every committed change left, and
 * none changes until the caller commits, so the lock is taken as late as possible (a sync takes it
 * once, at its end).
 */
export async function inheritOwners(manager: EntityManager, serverId: number, listIds: number[]): Promise<void> {
  if (listIds.length === 0) return;
  await lockOwnership(manager, [serverId]);
  if (await inheritsOwners(manager, serverId)) await recomputeListOwners(manager, listIds);
}

/** Whether any open assignment covers a whole site or the whole server (else new lists have no owner). */
async function inheritsOwners(manager: EntityManager, serverId: number): Promise<boolean> {
  const count = await manager
    .getRepository(Assignment)
    .createQueryBuilder("assignment")
    .leftJoin(Site, "site", "site.id = assignment.siteId")
    .where("assignment.endDate IS NULL")
    .andWhere("(assignment.serverId = :serverId OR site.serverId = :serverId)", { serverId })
    .getCount();
  return count > 0;
}
