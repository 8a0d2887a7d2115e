import { type HostingClient, type HostingList, type HostingSite, nameKey } from "@listbill/protocol";
import { type EntityManager, In, IsNull } from "typeorm";
import { Assignment, AssignmentScope } from "../assignments/assignment.entity.js";
import { lockOwnership, recomputeListOwners, recomputeOwnersUnder } from "../assignments/owners.js";
import { type AuditRecord, type ChangeAuthor, recordChanges } from "../audit/audit.js";
import type { Database } from "../db/database.js";
import { fromGlobalId, nullableGlobalId, toGlobalId } from "../graphql/global-id.js";
import { groupBy } from "../group-by.js";
import { type UserError, UserInputFailure, refuse, userError } from "../graphql/user-error.js";
import { type HostingSettings, classifyHostingFailure, connectToServer } from "../hosting/hosting-connection.js";
import { type Job, JobKind, JobState } from "../jobs/job.entity.js";
import type { JobQueue } from "../jobs/job-queue.js";
import { List } from "../lists/list.entity.js";
import { Server } from "../servers/server.entity.js";
import type { ServerService } from "../servers/server.service.js";
import { Site } from "../sites/site.entity.js";
import { upsertLists, upsertSites } from "../sync/inventory-writer.js";
import { type LogRestart, RestartPointUnknown, findLogRestart, restartPoint } from "../sync/log-restart.js";
import { dayBefore, today } from "../db/periods.js";
import { listValue, recreatedAt, siteValue } from "../validation/diff.js";
import { CODE_RULES, ValidationErrorCode as Code, ValidationErrorStatus } from "../validation/validation-codes.js";
import { ValidationError } from "../validation/validation-error.entity.js";
import { effectiveStatuses, openNow, publishedOnly } from "../validation/published.js";
import { FixStatus } from "./fix.inputs.js";

export const MAX_ERRORS_PER_FIX = 1000;
/** Fixes that take something away (an object, an owner): applied only with allowRemovals. */
const REMOVALS = new Set<string>([Code.MISSING_SITE, Code.MISSING_LIST, Code.LIST_RECREATED]);

export interface FixOutcome {
  errorId: string;
  status: FixStatus;
  code: string | null;
  reason: string | null;
}

/** What the hosting server has now, for the objects a fix touches. */
interface HostingNow {
  version: string;
  sites: Map<string, HostingSite>;
  lists: Map<string, HostingList>;
  /**
   * Read only for a LOG_RESTARTED item: whether the log still reads as started over, and where it
   * parts from billing's (null when rows missing on both sides leave that unknown).
   */
  log: { restart: LogRestart | null; point: number | null } | null;
}

/**
 * "Fix selected objects": applies each selected error's fix exactly as the operator reviewed it.
 * Per server, the hosting server is read afresh and every item is checked against both sides
 * first; an item whose object changed since its validation run is refused (PLAN_STALE). Each
 * server's items commit in one transaction. Nothing is ever deleted.
 */
export class FixService {
  constructor(
    private readonly db: Database,
    private readonly servers: ServerService,
    private readonly queue: JobQueue,
    private readonly hostingSettings: HostingSettings,
    private readonly onEnqueued: () => void,
  ) {}

  async fix(input: { errorIds: string[]; allowRemovals?: boolean | null }, author: ChangeAuthor): Promise<{ results: FixOutcome[]; job: Job }> {
    const errors = await this.loadSelection(input.errorIds);
    const allowRemovals = input.allowRemovals ?? false;
    const results = new Map<number, FixOutcome>();
    for (const error of errors) {
      const screened = screen(error, allowRemovals);
      if (screened) results.set(error.id, screened);
    }
    const byServer = groupBy(errors.filter((error) => !results.has(error.id)), (error) => error.serverId!);
    const fixedServers: number[] = [];
    for (const [serverId, items] of byServer) {
      for (const outcome of await this.fixServer(serverId, items, author)) results.set(fromGlobalId("ValidationError", outcome.errorId)!, outcome);
      if (items.some((item) => results.get(item.id)?.status === FixStatus.FIXED)) fixedServers.push(serverId);
    }
    const ordered = errors.map((error) => results.get(error.id)!);
    const job = await this.record(input, allowRemovals, ordered, fixedServers, author);
    this.onEnqueued();
    return { results: ordered, job };
  }

  async ignore(errorIds: string[]): Promise<ValidationError[]> {
    const errors = await this.loadSelection(errorIds);
    return this.db.transaction(async (manager) => {
      await ignoreStillOpen(manager, errors.filter((error) => error.status === ValidationErrorStatus.OPEN).map((error) => error.id));
      return effectiveStatuses(manager, await manager.findBy(ValidationError, { id: In(errors.map((error) => error.id)) }));
    });
  }

  /** The selected errors in the order given; an empty, oversized or unknown selection changes nothing. */
  private async loadSelection(globalIds: string[]): Promise<ValidationError[]> {
    if (globalIds.length === 0) refuse("NO_ERRORS_SELECTED", "Select at least one validation error", ["input", "errorIds"]);
    if (globalIds.length > MAX_ERRORS_PER_FIX) refuse("TOO_MANY_ERRORS", `At most ${MAX_ERRORS_PER_FIX} errors per call`, ["input", "errorIds"]);
    const ids = globalIds.map((globalId) => fromGlobalId("ValidationError", globalId));
    const known = ids.filter((id): id is number => id !== null);
    const rows = known.length ? await this.db.manager.getRepository(ValidationError).createQueryBuilder("error").where("error.id IN (:...ids)", { ids: known }).andWhere(publishedOnly("error")).getMany() : [];
    await effectiveStatuses(this.db.manager, rows);
    const found = new Map(rows.map((error) => [error.id, error]));
    const problems: UserError[] = [];
    ids.forEach((id, index) => {
      const error = id === null ? undefined : found.get(id);
      if (!error) {
        problems.push(userError("VALIDATION_ERROR_NOT_FOUND", `No validation error has the ID "${globalIds[index]}"`, ["input", "errorIds", String(index)]));
      }
    });
    if (problems.length) throw new UserInputFailure(problems);
    return [...new Set(ids)].map((id) => found.get(id!)!);
  }

  private async fixServer(serverId: number, items: ValidationError[], author: ChangeAuthor): Promise<FixOutcome[]> {
    const server = await this.db.manager.findOneBy(Server, { id: serverId });
    if (!server) return items.map((item) => outcome(item, FixStatus.FAILED, "SERVER_NOT_FOUND", "The server was deleted"));
    let hosting: HostingNow;
    try {
      hosting = await readHosting(await connectToServer(server, this.servers.agentPassword(server), this.hostingSettings), items, this.db.manager, server);
    } catch (error) {
      if (!classifyHostingFailure(error)) throw error;
      return items.map((item) => outcome(item, FixStatus.FAILED, "SERVER_UNREACHABLE", `${server.name} could not be read (${(error as Error).message}); nothing was changed`));
    }
    try {
      return await this.db.transaction(async (manager) => {
        const outcomes: FixOutcome[] = [];
        const audit: AuditRecord[] = [];
        for (const item of items) {
          const row = await manager.findOneBy(ValidationError, { id: item.id });
          // Deleted since it was selected: only a purge deletes errors, and only SUPERSEDED ones.
          if (!row) {
            outcomes.push(outcome(item, FixStatus.SKIPPED, "PLAN_STALE", "A later validation replaced this error, and an admin deleted it; fix from the latest run"));
            continue;
          }
          const [current] = await effectiveStatuses(manager, [row]);
          if (current!.status !== ValidationErrorStatus.OPEN) {
            outcomes.push(screen(current!, true) ?? outcome(item, FixStatus.SKIPPED, "PLAN_STALE", "Changed while this fix ran"));
            continue;
          }
          if (item.code === Code.LOG_RESTARTED && hosting.log?.restart && hosting.log.point === null) {
            outcomes.push(outcome(item, FixStatus.FAILED, "RESTART_POINT_UNKNOWN", `Rows missing from both ${server.name}'s message log and billing's leave it unknown where the log started over; nothing was changed`));
            continue;
          }
          const stale = await staleness(manager, server, item, hosting);
          if (stale) {
            outcomes.push(outcome(item, FixStatus.SKIPPED, "PLAN_STALE", `${stale}; validate ${server.name} again and review the new result`));
            continue;
          }
          audit.push(await apply(manager, server, item, hosting));
          await manager.update(ValidationError, { id: item.id, status: ValidationErrorStatus.OPEN }, { status: ValidationErrorStatus.FIXED, fixedAt: new Date() });
          outcomes.push(outcome(item, FixStatus.FIXED, null, null));
        }
        await recordChanges(manager, author, audit);
        return outcomes;
      });
    } catch (error) {
      console.error(`[fix] fixing errors of server ${serverId} failed: ${(error as Error).message}`);
      return items.map((item) => outcome(item, FixStatus.FAILED, "INTERNAL", "The fix failed and was rolled back; nothing was changed"));
    }
  }

  /** The FIX job that records this run, and re-validation of every server something was fixed on. */
  private async record(input: { errorIds: string[] }, allowRemovals: boolean, results: FixOutcome[], fixedServers: number[], author: ChangeAuthor): Promise<Job> {
    const count = (status: FixStatus) => results.filter((result) => result.status === status).length;
    return this.db.transaction(async (manager) => {
      const [job] = await this.queue.enqueue(manager, [{ kind: JobKind.FIX, trigger: "MANUAL", actor: author.actor, input: { errorIds: input.errorIds, allowRemovals }, serverId: null }]);
      const now = new Date();
      Object.assign(job!, { state: count(FixStatus.FAILED) > 0 ? JobState.FAILED : JobState.SUCCEEDED, progress: 1, startedAt: now, finishedAt: now, updatedAt: now, result: { fixed: count(FixStatus.FIXED), skipped: count(FixStatus.SKIPPED), failed: count(FixStatus.FAILED), revalidating: fixedServers.length } });
      await manager.save(job!);
      await this.queue.enqueue(manager, fixedServers.map((serverId) => ({ kind: JobKind.VALIDATE, trigger: "AFTER_FIX", actor: author.actor, input: { serverId, afterFix: job!.id }, serverId })));
      return job!;
    });
  }
}

/**
 * Marks IGNORED those of the errors that are OPEN now: not fixed or ignored meanwhile, and not of a
 * run that a validation withdrew since they were selected (their rows still say OPEN until the
 * sweep reaches them, and an ignore must not turn them from SUPERSEDED into IGNORED). How many it marked.
 */
export async function ignoreStillOpen(manager: EntityManager, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const table = manager.connection.getMetadata(ValidationError).tableName;
  const result = await manager.createQueryBuilder().update(ValidationError).set({ status: ValidationErrorStatus.IGNORED }).where({ id: In(ids) }).andWhere(openNow(table)).execute();
  return result.affected ?? 0;
}

function outcome(error: ValidationError, status: FixStatus, code: string | null, reason: string | null): FixOutcome {
  return { errorId: toGlobalId("ValidationError", error.id), status, code, reason };
}

/** Items decided without the hosting server: already done, not this fix's to do, or not allowed. */
function screen(error: ValidationError, allowRemovals: boolean): FixOutcome | null {
  if (error.status === ValidationErrorStatus.FIXED) return outcome(error, FixStatus.SKIPPED, "ALREADY_FIXED", "Already fixed; nothing to do");
  if (error.status === ValidationErrorStatus.IGNORED) return outcome(error, FixStatus.SKIPPED, "IGNORED", "An operator ignored this error");
  if (error.status === ValidationErrorStatus.SUPERSEDED) return outcome(error, FixStatus.SKIPPED, "PLAN_STALE", "A later validation replaced this error; fix from the latest run");
  if (!error.fixable) return outcome(error, FixStatus.SKIPPED, "NOT_FIXABLE", CODE_RULES[error.code].remedy);
  if (REMOVALS.has(error.code) && !allowRemovals) {
    const what = error.code === Code.LIST_RECREATED ? "Ending the assignments of a list deleted from the hosting server" : "Removing objects gone from the hosting server";
    return outcome(error, FixStatus.SKIPPED, "REMOVALS_NOT_ALLOWED", `${what} needs allowRemovals: true`);
  }
  if (error.serverId === null) return outcome(error, FixStatus.FAILED, "SERVER_NOT_FOUND", "The error names no server");
  return null;
}

async function readHosting(client: HostingClient, items: ValidationError[], manager: EntityManager, server: Server): Promise<HostingNow> {
  try {
    let log: HostingNow["log"] = null;
    if (items.some((item) => item.code === Code.LOG_RESTARTED)) {
      const restart = await findLogRestart(manager, server, client);
      const point = restart ? await restartPoint(manager, server, client).catch((error: unknown) => (error instanceof RestartPointUnknown ? null : Promise.reject(error))) : server.logHighWater;
      log = { restart, point };
    }
    const wanted = new Set(items.filter((item) => item.objectType === "LIST").map((item) => nameKey(item.objectKey)));
    const sites = new Map<string, HostingSite>();
    for await (const site of client.sites()) sites.set(nameKey(site.name), site);
    const lists = new Map<string, HostingList>();
    // Only the lists to fix, with their counts: the agent counts no other list's members.
    if (wanted.size) for await (const list of client.lists({ withMemberCounts: true, names: [...wanted] })) lists.set(nameKey(list.name), list);
    return { version: (await client.serverInfo()).version, sites, lists, log };
  } finally {
    await client.close();
  }
}

/** Why the item no longer describes the two sides, or null when it still does exactly. */
async function staleness(manager: EntityManager, server: Server, item: ValidationError, hosting: HostingNow): Promise<string | null> {
  const key = nameKey(item.objectKey);
  const hostingSite = hosting.sites.get(key);
  const hostingList = hosting.lists.get(key);
  switch (item.code) {
    case Code.VERSION_CHANGED:
      return hosting.version === (item.hostingValue as { version?: string })?.version ? null : `${server.name} now reports version ${hosting.version}`;
    case Code.LOG_RESTARTED: {
      const recorded = item.billingValue as { logEpoch?: number; logHighWater?: number } | null;
      const now = await manager.findOneByOrFail(Server, { id: server.id });
      if (now.logEpoch !== recorded?.logEpoch || now.logHighWater !== recorded?.logHighWater) return `Billing's import of the message log of ${server.name} moved since it was validated`;
      return hosting.log?.restart ? null : `The message log of ${server.name} no longer reads as started over`;
    }
    case Code.NEW_SITE:
    case Code.SITE_CHANGED: {
      if (!hostingSite) return `Site ${item.objectKey} is no longer on the hosting server`;
      if (!matches(item.hostingValue, siteValue(hostingSite))) return `Site ${item.objectKey} changed again on the hosting server`;
      const billing = await manager.findOneBy(Site, { serverId: server.id, nameKey: key });
      return item.code === Code.NEW_SITE ? (billing && !billing.removedAt ? `Site ${item.objectKey} is already in billing` : null) : billingStale(billing, item, { name: billing?.name, hostName: billing?.hostName, description: billing?.description });
    }
    case Code.NEW_LIST:
    case Code.LIST_CHANGED: {
      if (!hostingList) return `List ${item.objectKey} is no longer on the hosting server`;
      if (!matches(item.hostingValue, listValue(hostingList))) return `List ${item.objectKey} changed again on the hosting server`;
      const billing = await manager.findOneBy(List, { serverId: server.id, nameKey: key });
      if (item.code === Code.NEW_LIST) return billing && !billing.removedAt ? `List ${item.objectKey} is already in billing` : null;
      const site = billing?.siteId ? await manager.findOneBy(Site, { id: billing.siteId }) : null;
      return billingStale(billing, item, { ...(billing ? { name: billing.name, topic: billing.topic, description: billing.description, disabled: billing.disabled, maxMembers: billing.maxMembers } : {}), site: site?.name ?? null });
    }
    case Code.MISSING_SITE: {
      if (hostingSite) return `Site ${item.objectKey} is back on the hosting server`;
      const billing = await manager.findOneBy(Site, { serverId: server.id, nameKey: key });
      return billing && !billing.removedAt ? null : `Site ${item.objectKey} is no longer live in billing`;
    }
    case Code.LIST_RECREATED: {
      if (!hostingList) return `List ${item.objectKey} is no longer on the hosting server`;
      const billing = await manager.findOneBy(List, { serverId: server.id, nameKey: key });
      if (!billing || billing.removedAt) return `List ${item.objectKey} is no longer live in billing`;
      if ((billing.hostCreatedAt?.toISOString() ?? null) !== ((item.billingValue as { created?: string } | null)?.created ?? null)) return `${item.objectKey} was changed in billing since it was validated`;
      const created = (item.hostingValue as { created?: string } | null)?.created;
      if (recreatedAt({ hostCreatedAt: billing.hostCreatedAt!.getTime() }, hostingList) !== created) return `List ${item.objectKey} changed again on the hosting server`;
      // Ownership is by day, and no day after today is decided yet (list.customerId is today's owner).
      return created!.slice(0, 10) > today() ? `List ${item.objectKey} was created on ${created!.slice(0, 10)}, after today (UTC): check the hosting server's clock` : null;
    }
    case Code.MISSING_LIST: {
      if (hosting.lists.has(key)) return `List ${item.objectKey} is back on the hosting server`;
      const billing = await manager.findOneBy(List, { serverId: server.id, nameKey: key });
      return billing && !billing.removedAt ? null : `List ${item.objectKey} is no longer live in billing`;
    }
    default:
      return `${item.code} has no fix`;
  }
}

/** When validation first reported this list made again at `created`: the earliest of its LIST_RECREATED errors for that time. */
async function firstReported(manager: EntityManager, serverId: number, listId: number, created: string, fallback: Date): Promise<Date> {
  const reports = await manager.find(ValidationError, { select: { id: true, detectedAt: true, hostingValue: true }, where: { serverId, listId, code: Code.LIST_RECREATED } });
  return reports.filter((report) => (report.hostingValue as { created?: string } | null)?.created === created).reduce((first, report) => (report.detectedAt < first ? report.detectedAt : first), fallback);
}

function billingStale(row: object | null, item: ValidationError, current: Record<string, unknown>): string | null {
  if (!row) return `${item.objectKey} is no longer in billing`;
  return matches(item.billingValue, current) ? null : `${item.objectKey} was changed in billing since it was validated`;
}

/** Whether every field the error recorded still has the recorded value. */
function matches(recorded: object | null, now: Record<string, unknown>): boolean {
  if (!recorded) return true;
  return Object.entries(recorded).every(([field, value]) => JSON.stringify(now[field] ?? null) === JSON.stringify(value ?? null));
}

/** Applies one checked item and says what changed, for the audit trail. */
async function apply(manager: EntityManager, server: Server, item: ValidationError, hosting: HostingNow): Promise<AuditRecord> {
  const key = nameKey(item.objectKey);
  const action = `fix.${item.code}`;
  switch (item.code) {
    case Code.VERSION_CHANGED:
      await manager.update(Server, { id: server.id }, { version: hosting.version, updatedAt: new Date() });
      return { action, objectType: "Server", objectId: server.globalId, objectKey: server.name, before: item.billingValue, after: { version: hosting.version } };
    case Code.LOG_RESTARTED: {
      // A new epoch: the log is imported again after where it parts from billing's (staleness
      // checked the epoch and mark in this transaction), and the rows imported before stay.
      const { logEpoch, logHighWater } = item.billingValue as { logEpoch: number; logHighWater: number };
      const after = { logEpoch: logEpoch + 1, logHighWater: hosting.log!.point! };
      const moved = await manager.update(Server, { id: server.id, logEpoch, logHighWater }, { ...after, updatedAt: new Date() });
      if (!moved.affected) throw new Error(`the log import of ${server.name} moved while the fix ran`);
      return { action, objectType: "Server", objectId: server.globalId, objectKey: server.name, before: { logEpoch, logHighWater }, after };
    }
    case Code.NEW_SITE:
    case Code.SITE_CHANGED: {
      const ids = await upsertSites(manager, server.id, [hosting.sites.get(key)!]);
      return { action, objectType: "Site", objectId: toGlobalId("Site", ids.get(key)!), objectKey: item.objectKey, before: item.billingValue, after: item.hostingValue };
    }
    case Code.NEW_LIST:
    case Code.LIST_CHANGED: {
      const list = hosting.lists.get(key)!;
      const siteKey = list.site ? nameKey(list.site) : null;
      let siteIds = new Map((await manager.find(Site, { select: { id: true, nameKey: true }, where: { serverId: server.id } })).map((site) => [site.nameKey, site.id]));
      // A list's billing row needs its site's: fixing the list brings the site along.
      if (siteKey && !siteIds.has(siteKey) && hosting.sites.has(siteKey)) siteIds = await upsertSites(manager, server.id, [hosting.sites.get(siteKey)!]);
      const ids = await upsertLists(manager, server.id, [list], siteIds, new Set([key]));
      return { action, objectType: "List", objectId: toGlobalId("List", ids.get(key)!), objectKey: item.objectKey, before: item.billingValue, after: item.hostingValue };
    }
    case Code.MISSING_SITE: {
      const site = await manager.findOneByOrFail(Site, { serverId: server.id, nameKey: key });
      await manager.update(Site, { id: site.id }, { removedAt: new Date(), updatedAt: new Date() });
      await lockOwnership(manager, [server.id]);
      const owned = await manager.findOneBy(Assignment, { siteId: site.id, endDate: IsNull() });
      await manager.update(Assignment, { siteId: site.id, endDate: IsNull() }, { endDate: today() });
      // Its lists still in billing no longer belong to the site's owner: their own, or the server's, or nobody.
      await recomputeOwnersUnder(manager, "siteId", [site.id]);
      const ownership = owned ? { customerId: toGlobalId("Customer", owned.customerId), ownedSince: owned.startDate } : null;
      return { action, objectType: "Site", objectId: site.globalId, objectKey: site.name, before: { removedAt: null, owner: ownership }, after: { removedAt: new Date().toISOString(), owner: null } };
    }
    case Code.LIST_RECREATED: {
      // The list billing had was deleted on the hosting server: its own assignments end the day
      // before the new one was made, so none of them bills the new list (one that began that day
      // ends before it began: void). Those are the ones recorded before validation first reported
      // the new list; one recorded since was an operator's choice with the new list in view (a
      // backdated one too, and whoever it names: the error is found again naming the new owner),
      // and stays. So do the site's and server's, which cover whatever list has the name.
      await lockOwnership(manager, [server.id]);
      const list = await manager.findOneByOrFail(List, { serverId: server.id, nameKey: key });
      const created = (item.hostingValue as { created: string }).created;
      const endDate = dayBefore(created.slice(0, 10));
      const reported = await firstReported(manager, server.id, list.id, created, item.detectedAt);
      const ending = (await manager.findBy(Assignment, { scope: AssignmentScope.LIST, listId: list.id })).filter(
        (assignment) => assignment.createdAt < reported && (assignment.endDate === null || assignment.endDate > endDate),
      );
      if (ending.length) await manager.update(Assignment, { id: In(ending.map((assignment) => assignment.id)) }, { endDate });
      await manager.update(List, { id: list.id }, { hostCreatedAt: new Date(created), updatedAt: new Date() });
      await recomputeListOwners(manager, [list.id]);
      const owner = (await manager.findOneByOrFail(List, { id: list.id })).customerId;
      const period = (assignment: Assignment, end: string | null) => ({ customerId: toGlobalId("Customer", assignment.customerId), startDate: assignment.startDate, endDate: end });
      return {
        action,
        objectType: "List",
        objectId: list.globalId,
        objectKey: list.name,
        before: { created: list.hostCreatedAt?.toISOString() ?? null, customerId: nullableGlobalId("Customer", list.customerId), assignments: ending.map((assignment) => period(assignment, assignment.endDate)) },
        after: { created, customerId: nullableGlobalId("Customer", owner), assignments: ending.map((assignment) => period(assignment, endDate)) },
      };
    }
    case Code.MISSING_LIST: {
      await lockOwnership(manager, [server.id]);
      const list = await manager.findOneByOrFail(List, { serverId: server.id, nameKey: key });
      await manager.update(Assignment, { listId: list.id, endDate: IsNull() }, { endDate: today() });
      // A removed list is nobody's: it must not count toward a customer or be billed from now on.
      await manager.update(List, { id: list.id }, { removedAt: new Date(), customerId: null, updatedAt: new Date() });
      return { action, objectType: "List", objectId: list.globalId, objectKey: list.name, before: { removedAt: null, customerId: nullableGlobalId("Customer", list.customerId) }, after: { removedAt: new Date().toISOString(), customerId: null } };
    }
    default:
      throw new Error(`${item.code} has no fix`);
  }
}
