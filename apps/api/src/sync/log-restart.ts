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
 * purges its oldest rows, not its newest), or its row at the mark is not a row billing imported
 * with that id, in any epoch (sent at another time, another size or list). A row at the mark that
 * is gone while later ones remain is not a restart: the log was purged up to there. Nor is an
 * empty log: purged whole, or started over with nothing sent yet, it has nothing to import, and a
 * restart shows once it has. Any epoch: after a fix, the mark may be the last row of an earlier
 * epoch (the backup's last), and a later one may hold another row with that id.
 *
 * Costs an indexed read per epoch of billing's rows at the mark and one or two log rows from the
 * agent. Null when nothing was imported yet (a new log from 1 is read whole anyway) or the log
 * reads as continued.
 */
export async function findLogRestart(manager: EntityManager, server: LogPosition, client: HostingClient): Promise<LogRestart | null> {
  const highWater = server.logHighWater;
  if (highWater <= 0) return null;
  const imported = await importedRows(manager, server, highWater);
  const first = await hostingRowFrom(client, highWater);
  const restart: LogRestart = { highWater, epoch: server.logEpoch, importedSentAt: imported[0] ? imported[0].sentAt.toISOString() : null, hostingNow: first && { id: first.id, created: first.created } };
  if (first === null) return (await hostingRowFrom(client, 1)) === null ? null : restart;
  if (imported.length && first.id === highWater && !imported.some((row) => sameRow(row, first))) return restart;
  return null;
}

/** Thrown when the rows missing on either side leave no way to tell where a restarted log parts from billing's. */
export class RestartPointUnknown extends Error {}

/**
 * Where a restarted log parts from what billing imported: the highest LogID_ whose row on the
 * hosting server is still the row billing imported with that id, or 0 when none is. A log
 * restored from a backup keeps the rows it had then (imported already, and not to be billed
 * twice) and numbers its new rows on from there; a reinstalled one has none of them.
 *
 * Each epoch is searched on its own and the highest point taken: an epoch's rows came from one
 * log, so within it the rows still on the hosting server are a prefix, while two epochs may hold
 * different rows with the same id (after a fix made while the host name pointed at another
 * machine, the real log's rows are those of the epoch before). In an epoch, by halving between
 * its lowest and highest LogID_, each step comparing the first row at or after its id that both
 * sides have: a row one side lacks (purged from the hosting server's log, or committed there
 * after a later one had been imported, so never imported) decides nothing. About 20 steps for a
 * million rows, each a few log rows and indexed reads. Throws RestartPointUnknown rather than
 * guess when missing rows leave a step undecided.
 */
export async function restartPoint(manager: EntityManager, server: LogPosition, client: HostingClient): Promise<number> {
  let point = 0;
  for (let epoch = server.logEpoch; epoch >= 0; epoch--) {
    const range = await importedRange(manager, server.id, epoch);
    if (!range || range.highest <= point) continue;
    // Ids at or below `same` are known the same (none yet: below the epoch's lowest); from `differs` on, not.
    let same = range.lowest - 1;
    let differs = range.highest + 1;
    while (differs - same > 1) {
      const middle = Math.floor((same + differs) / 2);
      const common = await firstCommonRow(manager, server.id, epoch, client, middle, differs);
      if (common === "undecided") throw new RestartPointUnknown(`rows missing on both sides around LogID_ ${middle} leave it unknown where the log parts from billing's`);
      if (common?.same) same = common.id;
      else differs = middle;
    }
    if (same >= range.lowest) point = Math.max(point, same);
  }
  return point;
}

/** Steps at most this many times past rows one side lacks, looking for one both have. */
const GAP_STEPS = 20;

/**
 * The first LogID_ from `from` (below `below`) that both the hosting server and the epoch have,
 * and whether its rows are the same; null when there is none, "undecided" past GAP_STEPS steps.
 */
async function firstCommonRow(manager: EntityManager, serverId: number, epoch: number, client: HostingClient, from: number, below: number): Promise<{ id: number; same: boolean } | null | "undecided"> {
  let hosting = await hostingRowFrom(client, from);
  let billing = await firstImportedFrom(manager, serverId, epoch, from);
  for (let step = 0; hosting && billing && hosting.id !== billing.remoteLogId; step++) {
    if (hosting.id >= below || billing.remoteLogId >= below) return null;
    if (step === GAP_STEPS) return "undecided";
    if (hosting.id < billing.remoteLogId) hosting = await hostingRowFrom(client, billing.remoteLogId);
    else billing = await firstImportedFrom(manager, serverId, epoch, hosting.id);
  }
  if (!hosting || !billing || billing.remoteLogId >= below) return null;
  return { id: billing.remoteLogId, same: sameRow(billing, hosting) };
}

const ROW_COMPARED = { id: true, remoteLogId: true, sentAt: true, byteCount: true, listName: true } as const;

/** The epoch's first row imported with a LogID_ from `from`; null when none. */
function firstImportedFrom(manager: EntityManager, serverId: number, epoch: number, from: number): Promise<MessageLog | null> {
  return manager.findOne(MessageLog, { select: ROW_COMPARED, where: { serverId, logEpoch: epoch, remoteLogId: MoreThanOrEqual(from) }, order: { remoteLogId: "ASC" } });
}

/** The lowest and highest LogID_ imported in the epoch, from the two ends of its index range; null for an epoch without rows. */
async function importedRange(manager: EntityManager, serverId: number, epoch: number): Promise<{ lowest: number; highest: number } | null> {
  const end = (order: "ASC" | "DESC") => manager.findOne(MessageLog, { select: { id: true, remoteLogId: true }, where: { serverId, logEpoch: epoch }, order: { remoteLogId: order } });
  const [lowest, highest] = [await end("ASC"), await end("DESC")];
  return lowest && highest ? { lowest: lowest.remoteLogId, highest: highest.remoteLogId } : null;
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

/** Billing's rows imported with this LogID_, the latest epoch's first (epochs are few). */
async function importedRows(manager: EntityManager, server: LogPosition, remoteLogId: number): Promise<MessageLog[]> {
  const rows: MessageLog[] = [];
  for (let epoch = server.logEpoch; epoch >= 0; epoch--) {
    const row = await manager.findOne(MessageLog, { select: ROW_COMPARED, where: { serverId: server.id, logEpoch: epoch, remoteLogId } });
    if (row) rows.push(row);
  }
  return rows;
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
