import { type HostingClient, type HostingList, type HostingSite, nameKey } from "@listbill/protocol";
import { type EntityManager, IsNull, Not } from "typeorm";
import { type AuditRecord, type ChangeAuthor, recordChanges } from "../audit/audit.js";
import type { Database } from "../db/database.js";
import { refreshStatistics } from "../db/statistics.js";
import { toGlobalId } from "../graphql/global-id.js";
import { type HostingSettings, classifyHostingFailure, connectToServer } from "../hosting/hosting-connection.js";
import { Job, JobKind, JobState } from "../jobs/job.entity.js";
import type { JobContext, JobOutcome } from "../jobs/job-worker.js";
import { List } from "../lists/list.entity.js";
import { Server } from "../servers/server.entity.js";
import type { ServerService } from "../servers/server.service.js";
import { Site } from "../sites/site.entity.js";
import { diffList, diffSite } from "../validation/diff.js";
import { billingLists } from "../validation/billing-lists.js";
import { OutOfOrder, iterate, mergeByKey, onePage } from "../validation/merge.js";
import { UPSERT_CHUNK, inheritOwners, memberCountsKey, upsertLists, upsertSites } from "./inventory-writer.js";
import { attachLoggedNames, importLog } from "./log-import.js";
import { logRestartMessage } from "./log-restart.js";

/** How far the billing and hosting servers' clocks may differ, at most (further, a message stays unplaced). */
const CLOCK_ALLOWANCE_MS = 3_600_000;

export interface InventoryCounts {
  sitesWritten: number;
  listsWritten: number;
  snapshots: number;
  listsSeen: number;
}

/**
 * Copies a hosting server's inventory into billing, never the other way: new and changed sites
 * and lists are upserted and member counts snapshotted when they changed; nothing is removed
 * (objects gone from the hosting server stay for MISSING_* errors and their explicit fix).
 * Rows already equal to the hosting server's are not written. Runs in the caller's transaction.
 */
export async function syncInventory(
  manager: EntityManager,
  serverId: number,
  client: HostingClient,
  author: ChangeAuthor,
  progress: (listsSeen: number) => void = () => undefined,
  signal?: AbortSignal,
): Promise<InventoryCounts> {
  const hostingSites: HostingSite[] = [];
  for await (const site of client.sites()) hostingSites.push(site);
  const billingSites = await manager.find(Site, { where: { serverId }, order: { nameKey: "ASC" } });
  const siteNames = new Map(billingSites.map((site) => [site.id, site.name]));
  const changedSites: HostingSite[] = [];
  const audit: AuditRecord[] = [];
  for await (const pair of mergeByKey(onePage(billingSites), iterate(hostingSites), (site) => site.nameKey, (site) => nameKey(site.name), "sites")) {
    const [finding] = pair.hosting ? diffSite(pair.billing, pair.hosting) : [];
    if (!finding) continue;
    changedSites.push(pair.hosting!);
    audit.push({ action: pair.billing ? "sync.site.update" : "sync.site.create", objectType: "Site", objectId: pair.billing ? toGlobalId("Site", pair.billing.id) : null, objectKey: finding.objectKey, before: finding.billingValue ?? null, after: finding.hostingValue ?? null });
  }
  const siteIds = changedSites.length ? await upsertSites(manager, serverId, changedSites) : new Map(billingSites.map((site) => [site.nameKey, site.id]));

  const counts: InventoryCounts = { sitesWritten: changedSites.length, listsWritten: 0, snapshots: 0, listsSeen: 0 };
  let pending: HostingList[] = [];
  let snapshotKeys = new Set<string>();
  const written: number[] = [];
  const flush = async () => {
    written.push(...(await upsertLists(manager, serverId, pending, siteIds, snapshotKeys, "later")).values());
    counts.listsWritten += pending.length;
    counts.snapshots += snapshotKeys.size;
    pending = [];
    snapshotKeys = new Set();
    await recordChanges(manager, author, audit.splice(0));
  };
  for await (const pair of mergeByKey(billingLists(manager, serverId), client.lists({ withMemberCounts: true }), (list) => list.nameKey, (list) => nameKey(list.name), "lists")) {
    // A stopping worker, or one whose lease another took over, writes no more: the transaction rolls back.
    signal?.throwIfAborted();
    if (!pair.hosting) continue;
    counts.listsSeen += 1;
    const live = pair.billing && !pair.billing.removed ? pair.billing : undefined;
    const change = diffList(pair.billing, pair.hosting, siteNames, new Map()).find((finding) => finding.code === "NEW_LIST" || finding.code === "LIST_CHANGED");
    const countsKey = memberCountsKey(pair.hosting.memberCounts);
    const countsChanged = live?.memberCounts !== countsKey;
    if (change) {
      audit.push({ action: live ? "sync.list.update" : "sync.list.create", objectType: "List", objectId: pair.billing ? toGlobalId("List", pair.billing.id) : null, objectKey: change.objectKey, before: change.billingValue ?? null, after: change.hostingValue ?? null });
    }
    if (countsChanged) snapshotKeys.add(pair.key);
    if (change || countsChanged) pending.push(pair.hosting);
    if (pending.length >= UPSERT_CHUNK) await flush();
    if (counts.listsSeen % 1000 === 0) progress(counts.listsSeen);
  }
  await flush();
  await inheritOwners(manager, serverId, written);
  return counts;
}

/**
 * Runs one SYNC job: the server's inventory in one transaction, then its new log rows chunk by
 * chunk (each chunk with its high-water mark).
 */
export class SyncRunner {
  constructor(
    private readonly db: Database,
    private readonly servers: ServerService,
    private readonly hostingSettings: HostingSettings,
  ) {}

  /**
   * How far back a sync looks for messages it can now place. A list new to this sync was made on
   * the hosting server after the last successful sync read its inventory, so its messages were sent
   * after that sync started (an hour earlier allows for the two servers' clocks): the messages
   * imported since, about. Before any sync succeeded, after the first one started: no message was
   * imported before it.
   */
  private async placingSince(serverId: number, jobId: number): Promise<Date> {
    const sync = { serverId, kind: JobKind.SYNC, id: Not(jobId) };
    const since =
      (await this.db.manager.findOne(Job, { where: { ...sync, state: JobState.SUCCEEDED }, order: { id: "DESC" } })) ??
      (await this.db.manager.findOne(Job, { where: { ...sync, startedAt: Not(IsNull()) }, order: { id: "ASC" } }));
    return new Date((since?.startedAt ?? new Date()).getTime() - CLOCK_ALLOWANCE_MS);
  }

  readonly run = async (context: JobContext): Promise<JobOutcome> => {
    const server = await this.db.manager.findOneBy(Server, { id: context.job.serverId! });
    if (!server) return { type: "finish", state: JobState.FAILED, error: "The server was deleted before it could be synced" };
    const author: ChangeAuthor = { actor: context.job.actor, requestId: `job:${context.job.id}` };
    let client: HostingClient | undefined;
    try {
      client = await connectToServer(server, this.servers.agentPassword(server), this.hostingSettings);
      const connected = client;
      // What the agent will stream (or, from an older agent, what billing has), for the progress bar.
      const estimate = Math.max(1, (await client.serverInfo()).listCount ?? (await this.db.manager.countBy(List, { serverId: server.id })));
      const inventory = await this.db.transaction((manager) =>
        syncInventory(manager, server.id, connected, author, (seen) => context.progress(0.8 * Math.min(1, seen / estimate)), context.signal),
      );
      await refreshStatistics(this.db, ["site", "list", "list_member_count", "audit_entry"], inventory.sitesWritten + inventory.listsWritten + inventory.snapshots);
      // Messages the last imports could not place, for lists and sites billing has now.
      const placed = await attachLoggedNames(this.db, server.id, await this.placingSince(server.id, context.job.id));
      context.progress(0.8);
      const log = await importLog(this.db, server.id, connected, { signal: context.signal });
      return {
        type: "finish",
        state: JobState.SUCCEEDED,
        // A restarted log is the validation's to report (LOG_RESTARTED) and an operator's to fix; the job says so too.
        result: { ...inventory, logRowsGivenList: placed.lists, logRowsGivenSite: placed.sites, logRowsImported: log.imported, logHighWater: log.highWater, ...(log.restarted ? { logRestarted: logRestartMessage(server.name, log.restarted) } : {}) },
        commit: async (manager) => {
          await manager.update(Server, { id: server.id }, { syncedAt: new Date(), updatedAt: new Date() });
        },
      };
    } catch (error) {
      if (context.signal.aborted) throw error;
      const alike = error instanceof OutOfOrder ? error.operatorMessage : null;
      if (alike) return { type: "finish", state: JobState.FAILED, error: `${server.name}: ${alike}; billing keeps what it had` };
      const failure = classifyHostingFailure(error);
      if (!failure) throw error;
      if (failure.retryable && context.canRetry) return { type: "retry", error: `${server.name}: ${failure.message}; retrying` };
      return { type: "finish", state: JobState.FAILED, error: `${server.name}: ${failure.message}; billing keeps what was committed before the failure`, result: { outcome: failure.status } };
    } finally {
      await client?.close().catch(() => undefined);
    }
  };
}
