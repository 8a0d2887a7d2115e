import { type HostingClient, type HostingLogEntry, nameKey } from "@listbill/protocol";
import { In } from "typeorm";
import { bulkInsert } from "../db/bulk-write.js";
import { instantParameter } from "../db/columns.js";
import type { Database } from "../db/database.js";
import { refreshStatistics } from "../db/statistics.js";
import { groupBy } from "../group-by.js";
import { List } from "../lists/list.entity.js";
import { Server } from "../servers/server.entity.js";
import { Site } from "../sites/site.entity.js";
import { MessageLog } from "../usage/message-log.entity.js";
import { type LogRestart, findLogRestart } from "./log-restart.js";

/** log_ rows per chunk: each chunk and its high-water mark commit together. */
export const LOG_CHUNK = 1000;

/** Thrown when another import moved the server's high-water mark while this one ran. */
export class ConcurrentImport extends Error {}

/**
 * Imports the server's new log_ rows (LogID_ above its high-water mark) chunk by chunk. Each
 * chunk's rows and the new mark commit in one transaction, so an import cut off anywhere resumes
 * exactly after the last committed row: no duplicate, no gap. While a chunk commits, the next is
 * already being read from the agent (one request in flight at most): the agent's time and the
 * database's overlap instead of adding up. An aborted signal stops it between chunks, keeping
 * those committed.
 */
export async function importLog(
  db: Database,
  serverId: number,
  client: HostingClient,
  options: { onChunk?: (imported: number) => void; signal?: AbortSignal } = {},
): Promise<{ imported: number; highWater: number; restarted: LogRestart | null }> {
  const server = await db.manager.findOneByOrFail(Server, { id: serverId });
  let highWater = server.logHighWater;
  const epoch = server.logEpoch;
  // Rows of a log that started over would be skipped up to the mark and then collide with old
  // ones: nothing is imported until an operator fixes the LOG_RESTARTED error validation reports.
  const restarted = await findLogRestart(db.manager, server, client);
  if (restarted) return { imported: 0, highWater, restarted };
  let imported = 0;
  // The import runs after the sync's inventory, so the sites the log names are in billing, but
  // for one added on the hosting server since: the map is read again when a chunk names a site
  // it lacks. A site billing never had (gone before it was first synced) stays without one.
  const readSites = async () => new Map((await db.manager.find(Site, { select: { id: true, nameKey: true }, where: { serverId } })).map((site) => [site.nameKey, site.id]));
  let siteIds = await readSites();
  const unknownSites = new Set<string>();
  const read = async (afterId: number) => {
    const entries: HostingLogEntry[] = [];
    for await (const entry of client.logEntries({ afterId, limit: LOG_CHUNK })) entries.push(entry);
    return entries;
  };
  let reading = read(highWater);
  for (;;) {
    const entries = await reading;
    options.signal?.throwIfAborted();
    if (entries.length === 0) break;
    const next = entries[entries.length - 1]!.id;
    // A short chunk was the last: nothing to read ahead.
    reading = entries.length < LOG_CHUNK ? Promise.resolve([]) : read(next);
    // Awaited at the next turn; a failure before then (the commit below failing) leaves it unread.
    reading.catch(() => undefined);
    const unknown = entries.map((entry) => (entry.site ? nameKey(entry.site) : "")).filter((key) => key && !siteIds.has(key) && !unknownSites.has(key));
    if (unknown.length) {
      siteIds = await readSites();
      for (const key of unknown) if (!siteIds.has(key)) unknownSites.add(key);
    }
    await db.transaction(async (manager) => {
      const keys = [...new Set(entries.map((entry) => entry.list).filter((list): list is string => Boolean(list)).map(nameKey))];
      const lists = keys.length ? await manager.find(List, { select: { id: true, nameKey: true }, where: { serverId, nameKey: In(keys) } }) : [];
      const listIds = new Map(lists.map((list) => [list.nameKey, list.id]));
      const importedAt = new Date();
      const rows = entries.map((entry) => ({
        serverId,
        remoteLogId: entry.id,
        logEpoch: epoch,
        listId: entry.list ? (listIds.get(nameKey(entry.list)) ?? null) : null,
        listName: entry.list?.slice(0, 100) ?? null,
        siteName: entry.site?.slice(0, 100) ?? null,
        siteId: entry.site ? (siteIds.get(nameKey(entry.site)) ?? null) : null,
        sentAt: new Date(entry.created),
        byteCount: entry.byteCount,
        recipientCount: entry.recipientCount,
        outmailId: entry.outmailId,
        subsetId: entry.subsetId,
        source: entry.source?.slice(0, 50) ?? null,
        title: entry.title?.slice(0, 255) ?? null,
        importedAt,
      }));
      await bulkInsert(manager, MessageLog, rows, { kind: "ignore" });
      const moved = await manager.update(Server, { id: serverId, logEpoch: epoch, logHighWater: highWater }, { logHighWater: next });
      if ((moved.affected ?? 0) === 0) throw new ConcurrentImport("another import of this server's log, or a fix of its restart, moved its high-water mark");
    });
    highWater = next;
    imported += entries.length;
    options.onChunk?.(imported);
  }
  await refreshStatistics(db, ["message_log"], imported);
  return { imported, highWater, restarted: null };
}

/**
 * Gives the server's messages sent since `since` that were imported while billing had no list (or
 * site) of their name that list or site, now that billing has it. A sync reads the inventory, then
 * the log: a list made on the hosting server in between sends messages billing cannot yet place,
 * and the next sync creates the list. Names compare by name key, spelled exactly as logged (a
 * case-blind collation would take Ecole for École). Returns how many messages got a list, a site.
 */
export async function attachLoggedNames(db: Database, serverId: number, since: Date): Promise<{ lists: number; sites: number }> {
  const attached = { lists: 0, sites: 0 };
  const from = instantParameter(since);
  for (const [entity, id, name, counted] of [[List, "listId", "listName", "lists"], [Site, "siteId", "siteName", "sites"]] as const) {
    await db.transaction(async (manager) => {
      const unplaced = `serverId = :serverId AND sentAt >= :since AND ${id} IS NULL`;
      // Each spelling as logged: MySQL's collation would take late-list, Late-List and láte-list
      // for one name, so it reads and compares their bytes.
      const exactly = db.kind === "mysql" ? `CAST(${name} AS BINARY)` : name;
      const logged: { name: string | Buffer }[] = await manager
        .createQueryBuilder(MessageLog, "m")
        .select(`DISTINCT ${exactly}`, "name")
        .where(`${unplaced} AND ${name} IS NOT NULL`, { serverId, since: from })
        .getRawMany();
      const spellings = groupBy(
        logged.map((row) => (typeof row.name === "string" ? row.name : row.name.toString("utf8"))),
        nameKey,
      );
      for (let offset = 0; offset < spellings.size; offset += IN_CHUNK) {
        const keys = [...spellings.keys()].slice(offset, offset + IN_CHUNK);
        const found: { id: number; nameKey: string }[] = await manager.find(entity, { select: { id: true, nameKey: true }, where: { serverId, nameKey: In(keys) } });
        for (const row of found) {
          // The keys are compared here too: MySQL's padding takes "late-list " for "late-list".
          const spelled = spellings.get(row.nameKey);
          if (!spelled) continue;
          const result = await manager
            .createQueryBuilder()
            .update(MessageLog)
            .set({ [id]: row.id })
            .where(`${unplaced} AND ${exactly} IN (:...spelled)`, { serverId, since: from, spelled })
            .execute();
          attached[counted] += result.affected ?? 0;
        }
      }
    });
  }
  return attached;
}

/** Keys per IN (…) list: well under SQLite's parameter limit. */
const IN_CHUNK = 1000;
