import type { HostingClient, HostingLogEntry } from "@listbill/protocol";
import { type EntityManager, MoreThanOrEqual } from "typeorm";
import type { Server } from "../servers/server.entity.js";
import { MessageLog } from "../usage/message-log.entity.js";
import type { Finding } from "../validation/diff.js";
import { ValidationErrorCode } from "../validation/validation-codes.js";

type LogPosition = Pick<Server, "id" | "logHighWater" | "logEpoch">;

/** What billing last imported from the server's log_, and what the hosting server has at that id now. */
export interface LogRestart {
  /** The server's high-water mark (the LogID_ of the last row imported) and its epoch. */
  highWater: number;
  epoch: number;
  /** When billing's row at the mark was sent; null when billing has no such row. */
  importedSentAt: string | null;
  /** The hosting server's first row at or after the mark: null when it has none. */
  hostingNow: { id: number; created: string } | null;
}

/**
 * Whether the hosting server's log_ started its LogID_ over since billing last imported from it:
 * it has rows, none at or after the high-water mark (LogID_ never goes back, and ListManager
 * purges its oldest rows, not its newest), or its row at the mark is not the row billing imported
 * with that id (sent at another time, another size or list). A row at the mark that is gone while
 * later ones remain is not a restart: the log was purged up to there. Nor is an empty log: purged
 * whole, or started over with nothing sent yet, it has nothing to import, and a restart shows once
 * it has.
 *
 * Costs an indexed read of billing's row at the mark and one or two log rows from the agent. Null
 * when nothing was imported yet (a new log from 1 is read whole anyway) or the log reads as continued.
 */
export async function findLogRestart(manager: EntityManager, server: LogPosition, client: HostingClient): Promise<LogRestart | null> {
  const highWater = server.logHighWater;
  if (highWater <= 0) return null;
  const imported = await importedRow(manager, server, highWater);
  const first = await hostingRowFrom(client, highWater);
  const restart: LogRestart = { highWater, epoch: server.logEpoch, importedSentAt: imported ? imported.sentAt.toISOString() : null, hostingNow: first && { id: first.id, created: first.created } };
  if (first === null) return (await hostingRowFrom(client, 1)) === null ? null : restart;
  if (imported && first.id === highWater && !sameRow(imported, first)) return restart;
  return null;
}

/**
 * Where a restarted log parts from what billing imported: the highest LogID_ whose row on the
 * hosting server is still a row billing imported with that id, in any epoch, or 0 when none is.
 * A log restored from a backup keeps the rows it had then (imported already, and not to be billed
 * twice) and numbers its new rows on from there; a reinstalled one has none of them. Any epoch:
 * after a mistaken fix (the host name pointing at another machine for a while), the real log's
 * rows are still those of the epoch before.
 *
 * Found by halving up to the highest LogID_ billing holds, each step comparing the first row at or
 * after its id that both sides have: a row one side lacks (purged from the hosting server's log,
 * or committed there after a later one had been imported, so never imported) decides nothing.
 * About 20 steps for a million rows, each a few log rows and indexed reads.
 */
export async function restartPoint(manager: EntityManager, server: LogPosition, client: HostingClient): Promise<number> {
  let same = 0;
  let differs = (await highestImported(manager, server)) + 1;
  while (differs - same > 1) {
    const middle = Math.floor((same + differs) / 2);
    const common = await firstCommonRow(manager, server, client, middle, differs);
    if (common?.same) same = common.id;
    else differs = middle;
  }
  return same;
}

/** Steps at most this many times past rows one side lacks, looking for one both have. */
const GAP_STEPS = 20;

/** The first LogID_ from `from` (below `below`) that both the hosting server and billing have, and whether its rows are the same. */
async function firstCommonRow(manager: EntityManager, server: LogPosition, client: HostingClient, from: number, below: number): Promise<{ id: number; same: boolean } | null> {
  let hosting = await hostingRowFrom(client, from);
  let billing = await firstImportedFrom(manager, server, from);
  for (let step = 0; hosting && billing !== null && hosting.id !== billing && step < GAP_STEPS; step++) {
    if (hosting.id < billing) hosting = await hostingRowFrom(client, billing);
    else billing = await firstImportedFrom(manager, server, hosting.id);
  }
  if (!hosting || billing === null || hosting.id !== billing || billing >= below) return null;
  for (let epoch = server.logEpoch; epoch >= 0; epoch--) {
    const row = await manager.findOne(MessageLog, { select: { id: true, sentAt: true, byteCount: true, listName: true }, where: { serverId: server.id, logEpoch: epoch, remoteLogId: billing } });
    if (row && sameRow(row, hosting)) return { id: billing, same: true };
  }
  return { id: billing, same: false };
}

/** The lowest LogID_ from `from` that billing imported, in any epoch; null when none. */
async function firstImportedFrom(manager: EntityManager, server: LogPosition, from: number): Promise<number | null> {
  let lowest: number | null = null;
  for (let epoch = server.logEpoch; epoch >= 0; epoch--) {
    const row = await manager.findOne(MessageLog, { select: { id: true, remoteLogId: true }, where: { serverId: server.id, logEpoch: epoch, remoteLogId: MoreThanOrEqual(from) }, order: { remoteLogId: "ASC" } });
    if (row && (lowest === null || row.remoteLogId < lowest)) lowest = row.remoteLogId;
  }
  return lowest;
}

/** The highest LogID_ billing imported from the server, in any epoch; 0 when none. */
async function highestImported(manager: EntityManager, server: LogPosition): Promise<number> {
  let highest = 0;
  for (let epoch = server.logEpoch; epoch >= 0; epoch--) {
    const row = await manager.findOne(MessageLog, { select: { id: true, remoteLogId: true }, where: { serverId: server.id, logEpoch: epoch }, order: { remoteLogId: "DESC" } });
    if (row) highest = Math.max(highest, row.remoteLogId);
  }
  return highest;
}

/** The operator's words for a restart: what billing has, what the hosting server has, and what happens until it is fixed. */
export function logRestartMessage(serverName: string, restart: LogRestart): string {
  const now = restart.hostingNow
    ? `its log row ${restart.hostingNow.id} is not the one billing imported with that id (sent ${restart.hostingNow.created}, billing's ${restart.importedSentAt ?? "unknown"})`
    : `its log has no row numbered ${restart.highWater} or above, though billing imported up to ${restart.highWater}`;
  return `The message log of ${serverName} started its numbering over: ${now}. No usage is imported from it until this is fixed.`;
}

async function hostingRowFrom(client: HostingClient, id: number): Promise<HostingLogEntry | null> {
  let first: HostingLogEntry | null = null;
  for await (const entry of client.logEntries({ afterId: id - 1, limit: 1 })) first = entry;
  return first;
}

/** Billing's row imported with this LogID_, of the server's latest epoch that has one (epochs are few). */
async function importedRow(manager: EntityManager, server: LogPosition, remoteLogId: number): Promise<Pick<MessageLog, "sentAt" | "byteCount" | "listName"> | null> {
  for (let epoch = server.logEpoch; epoch >= 0; epoch--) {
    const row = await manager.findOne(MessageLog, { select: { id: true, sentAt: true, byteCount: true, listName: true }, where: { serverId: server.id, logEpoch: epoch, remoteLogId } });
    if (row) return row;
  }
  return null;
}

/** Whether a hosting log row is the one billing imported: same send time, size and list. */
function sameRow(imported: Pick<MessageLog, "sentAt" | "byteCount" | "listName">, entry: HostingLogEntry): boolean {
  return Date.parse(entry.created) === imported.sentAt.getTime() && entry.byteCount === imported.byteCount && (entry.list?.slice(0, 100) ?? null) === imported.listName;
}

/** The LOG_RESTARTED finding: billing's mark and the hosting server's row there, which a fix checks again before it acts. */
export function logRestartFinding(serverName: string, restart: LogRestart): Finding {
  return {
    code: ValidationErrorCode.LOG_RESTARTED,
    objectKey: serverName,
    message: logRestartMessage(serverName, restart),
    billingValue: { logEpoch: restart.epoch, logHighWater: restart.highWater, sentAt: restart.importedSentAt },
    hostingValue: { logIdFromMark: restart.hostingNow?.id ?? null, sentAt: restart.hostingNow?.created ?? null },
  };
}
