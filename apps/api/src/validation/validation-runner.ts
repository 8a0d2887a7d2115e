import { type HostingClient, type ServerInfo, billedMembers, nameKey } from "@listbill/protocol";
import { type EntityManager, In } from "typeorm";
import { Customer } from "../customers/customer.entity.js";
import type { Database } from "../db/database.js";
import { refreshStatistics } from "../db/statistics.js";
import { type HostingFailure, type HostingSettings, classifyHostingFailure, connectToServer } from "../hosting/hosting-connection.js";
import { Job, JobKind, JobState } from "../jobs/job.entity.js";
import type { JobQueue } from "../jobs/job-queue.js";
import type { JobContext, JobOutcome } from "../jobs/job-worker.js";
import { List } from "../lists/list.entity.js";
import { HostingPlan } from "../plans/hosting-plan.entity.js";
import { Server, ServerStatus } from "../servers/server.entity.js";
import type { ServerService } from "../servers/server.service.js";
import { Site } from "../sites/site.entity.js";
import { type CustomerSummary, diffList, diffSite, diffVersion } from "./diff.js";
import { billingLists } from "./billing-lists.js";
import { findLogRestart, logRestartFinding } from "../sync/log-restart.js";
import { OutOfOrder, mergeByKey, onePage } from "./merge.js";
import { PlanUsage } from "./plan-limits.js";
import { ValidationErrorCode, ValidationErrorStatus, namedMessage } from "./validation-codes.js";
import { ValidationError } from "./validation-error.entity.js";
import { ValidationRun } from "./validation-run.entity.js";
import { OpenErrors } from "./open-errors.js";
import { type FoundAgain, Tally, errorRow } from "./tally.js";

const SUPERSEDE_CHUNK = 1000;

/**
 * Runs one VALIDATE job: reads the hosting server through its agent, compares it with billing's
 * copy by a sorted merge, and records what differs. Read-only for billing's data: it writes the
 * run, its errors, the job, and the server's status, version and validatedAt.
 */
export class ValidationRunner {
  constructor(
    private readonly db: Database,
    private readonly servers: ServerService,
    private readonly hostingSettings: HostingSettings,
    private readonly queue: JobQueue,
  ) {}

  readonly run = async (context: JobContext): Promise<JobOutcome> => {
    const serverId = context.job.serverId!;
    const server = await this.db.manager.findOneBy(Server, { id: serverId });
    if (!server) return { type: "finish", state: JobState.FAILED, error: "The server was deleted before it could be validated" };

    const run = await startRun(this.db, server.id, context.job.id);
    let client: HostingClient | undefined;
    try {
      client = await connectToServer(server, this.servers.agentPassword(server), this.hostingSettings);
      const findings = await this.compare(client, server, run, context);
      const found = await findings.foundAgain();
      await refreshStatistics(this.db, ["validation_error"], findings.total - findings.kept);
      return this.concluded(server, run, findings, found, context.job);
    } catch (error) {
      if (context.signal.aborted) throw error;
      // Not the connection's fault, and no retry will mend it: the job says what to do.
      const alike = error instanceof OutOfOrder ? error.operatorMessage : null;
      if (alike) return { type: "finish", state: JobState.FAILED, error: `${server.name}: ${alike}` };
      const failure = classifyHostingFailure(error);
      if (!failure) throw error;
      if (failure.retryable && context.canRetry) return { type: "retry", error: `${server.name}: ${failure.message}; retrying` };
      return this.unreachable(server, run, failure);
    } finally {
      await client?.close().catch(() => undefined);
    }
  };

  private async compare(client: HostingClient, server: Server, run: ValidationRun, context: JobContext): Promise<Tally> {
    // Once the agent answers (not for an unreachable server, nor on each retry of one), while the
    // comparison starts: counted by code, and read a code at a time as the run finds that code.
    const open = OpenErrors.of(this.db.manager, server.id);
    open.catch(() => undefined);
    const info = await client.serverInfo();
    const tally = new Tally(this.db, server, run, open);
    try {
      await this.compareInto(tally, info, client, server, run, context);
    } catch (error) {
      // A chunk still being written would land after the failure is recorded: let it land first.
      await tally.settle();
      throw error;
    }
    return tally;
  }

  private async compareInto(tally: Tally, info: ServerInfo, client: HostingClient, server: Server, run: ValidationRun, context: JobContext): Promise<void> {
    run.version = info.version;
    await tally.add(diffVersion(server.name, server.version, info.product, info.version));
    if (!(await client.loggingEnabled())) {
      await tally.add([{ code: ValidationErrorCode.LOGGING_DISABLED, objectKey: server.name, message: namedMessage(ValidationErrorCode.LOGGING_DISABLED, server.name) }]);
    }
    const restart = await findLogRestart(this.db.manager, server, client);
    if (restart) await tally.add([logRestartFinding(server.name, restart)]);

    const billingSites = await this.db.manager.find(Site, { where: { serverId: server.id }, order: { nameKey: "ASC" } });
    const siteNames = new Map(billingSites.map((site) => [site.id, site.name]));
    for await (const pair of mergeByKey(onePage(billingSites), client.sites(), (site) => site.nameKey, (site) => nameKey(site.name), "sites")) {
      await tally.add(diffSite(pair.billing, pair.hosting));
    }

    const customers = await this.customersOn(server.id);
    // Member counts cost the agent a pass over every member (10,000,000 for 100,000 lists of 100):
    // they are read only when a plan that limits members covers a list here, and then only the
    // billed members, which plans limit (less than half the agent's time for the counts by status).
    tally.membersCounted = limitsMembers(customers);
    const usage = new PlanUsage();
    // What the agent will stream (or, from an older agent, what billing has), for the progress bar.
    const estimate = Math.max(1, info.listCount ?? (await this.db.manager.countBy(List, { serverId: server.id })));
    for await (const pair of mergeByKey(billingLists(this.db.manager, server.id), client.lists({ withBilledMembers: tally.membersCounted }), (list) => list.nameKey, (list) => nameKey(list.name), "lists")) {
      if (context.signal.aborted) throw context.signal.reason ?? new Error("aborted");
      const findings = diffList(pair.billing, pair.hosting, siteNames, customers);
      // Most pairs find nothing, or nothing to write yet: no await for them.
      if (findings.length) {
        const writing = tally.add(findings);
        if (writing) await writing;
      }
      if (pair.hosting) {
        tally.listsChecked += 1;
        const owner = pair.billing && !pair.billing.removed ? pair.billing.customerId : null;
        if (owner !== null) usage.add(owner, pair.hosting.site ? `${server.id}:${nameKey(pair.hosting.site)}` : null, 1, billedMembers(pair.hosting));
      }
      if (tally.listsChecked % 1000 === 0) context.progress(0.05 + 0.9 * Math.min(1, tally.listsChecked / estimate));
    }
    await this.addUsageElsewhere(usage, server.id);
    await tally.add(usage.findings(customers));
    await tally.flush();
  }

  /** Every customer owning a list on the server, with its plan. */
  private async customersOn(serverId: number): Promise<Map<number, CustomerSummary>> {
    const owners: { customerId: number }[] = await this.db.manager
      .getRepository(List)
      .createQueryBuilder("list")
      .select("DISTINCT list.customerId", "customerId")
      .where("list.serverId = :serverId AND list.customerId IS NOT NULL", { serverId })
      .getRawMany();
    const ids = owners.map((row) => Number(row.customerId));
    const customers = ids.length ? await this.db.manager.findBy(Customer, { id: In(ids) }) : [];
    const planIds = [...new Set(customers.map((customer) => customer.planId).filter((id): id is number => id !== null))];
    const plans = new Map((planIds.length ? await this.db.manager.findBy(HostingPlan, { id: In(planIds) }) : []).map((plan) => [plan.id, plan]));
    return new Map(customers.map((customer) => [customer.id, { id: customer.id, company: customer.company, isActive: customer.isActive, plan: customer.planId === null ? null : (plans.get(customer.planId) ?? null) }]));
  }

  /** Billing's figures for the same customers' lists on other servers: plans limit the whole account. */
  private async addUsageElsewhere(usage: PlanUsage, serverId: number): Promise<void> {
    const customerIds = usage.customerIds();
    if (customerIds.length === 0) return;
    const rows: { customerId: number; serverId: number; siteKey: string | null; lists: string | number; members: string | number }[] = await usageElsewhereQuery(this.db.manager, customerIds, serverId).getRawMany();
    for (const row of rows) {
      usage.add(Number(row.customerId), row.siteKey === null ? null : `${row.serverId}:${row.siteKey}`, Number(row.lists), Number(row.members));
    }
  }

  private concluded(server: Server, run: ValidationRun, tally: Tally, found: FoundAgain, job: Job): JobOutcome {
    const autoSync = server.autoSync && tally.syncable > 0;
    const outcome = tally.errors > 0 ? ServerStatus.ERRORS : tally.warnings > 0 ? ServerStatus.WARNINGS : ServerStatus.OK;
    return {
      type: "finish",
      state: JobState.SUCCEEDED,
      result: { outcome, version: run.version, listsChecked: tally.listsChecked, errors: tally.errors, warnings: tally.warnings, infos: tally.infos, findings: tally.total, unchanged: tally.kept, membersCounted: tally.membersCounted, autoSync },
      commit: async (manager) => {
        await publishRun(manager, server, run, { outcome, listsChecked: tally.listsChecked, errorCount: tally.errors, warningCount: tally.warnings }, found);
        await manager.update(Server, { id: server.id }, { status: outcome, version: run.version, validatedAt: new Date(), updatedAt: new Date() });
        // Auto-Sync: the hosting server's additions and changes reach billing without an operator.
        if (autoSync) await this.queue.enqueue(manager, [{ kind: JobKind.SYNC, trigger: "AUTO_SYNC", actor: job.actor, input: { serverId: server.id, afterValidation: job.id }, serverId: server.id }]);
      },
    };
  }

  /** The server could not be read: say why on the server and as an error row; validatedAt stays. */
  private unreachable(server: Server, run: ValidationRun, failure: HostingFailure): JobOutcome {
    const code = failure.status === "UNREACHABLE" ? ValidationErrorCode.SERVER_UNREACHABLE : (failure.status as ValidationErrorCode);
    return {
      type: "finish",
      state: JobState.FAILED,
      error: `${server.name}: ${failure.message}`,
      result: { outcome: failure.status },
      commit: async (manager) => {
        await manager.delete(ValidationError, { runId: run.id });
        await manager.insert(ValidationError, errorRow(server, run, { code, objectKey: server.name, message: `${server.name}: ${failure.message}`, hostingValue: { host: server.hostName, port: server.port } }));
        await publishRun(manager, server, run, { outcome: failure.status, listsChecked: 0, errorCount: 1, warningCount: 0 }, { kept: [], vanished: null });
        await manager.update(Server, { id: server.id }, { status: failure.status as ServerStatus, updatedAt: new Date() });
      },
    };
  }
}

/**
 * The customers' live lists on servers other than `serverId`, counted by server and site, with
 * their members at the last sync, from the (customerId, serverId) index: MySQL reads "other
 * servers" as its two ranges below and above, SQLite tests the server on the index's entries, and
 * neither reads the rows of this server's lists.
 */
export function usageElsewhereQuery(manager: EntityManager, customerIds: number[], serverId: number) {
  return manager
    .getRepository(List)
    .createQueryBuilder("list")
    .leftJoin(Site, "site", "site.id = list.siteId")
    .select("list.customerId", "customerId")
    .addSelect("list.serverId", "serverId")
    .addSelect("site.nameKey", "siteKey")
    .addSelect("COUNT(*)", "lists")
    .addSelect("COALESCE(SUM(list.memberCount), 0)", "members")
    .where("list.customerId IN (:...customerIds)", { customerIds })
    .andWhere("(list.serverId < :serverId OR list.serverId > :serverId)", { serverId })
    .andWhere("list.removedAt IS NULL")
    .groupBy("list.customerId")
    .addGroupBy("list.serverId")
    .addGroupBy("site.nameKey");
}

/** Whether any of the owners' plans limits members (in all or per list): then member counts matter. */
export function limitsMembers(customers: ReadonlyMap<number, CustomerSummary>): boolean {
  for (const { plan } of customers.values()) if (plan && (plan.maxMembers > 0 || plan.maxMembersPerList > 0)) return true;
  return false;
}

/**
 * A fresh run. The server's unpublished runs (an earlier attempt of this job, one whose process
 * died, or an abandoned one a stalled process went on writing to) lose their rows, and those
 * not finished are abandoned. A run of another job still RUNNING is left alone: one job runs
 * on a server at a time, but a process that stalled past its lease may start this late.
 */
export async function startRun(db: Database, serverId: number, jobId: number): Promise<ValidationRun> {
  return db.transaction(async (manager) => {
    const stale: { id: number | string; finishedAt: unknown }[] = await manager
      .getRepository(ValidationRun)
      .createQueryBuilder("run")
      .leftJoin(Job, "job", "job.id = run.jobId")
      .select("run.id", "id")
      .addSelect("run.finishedAt", "finishedAt")
      .where("run.serverId = :serverId AND run.publishedAt IS NULL", { serverId })
      .andWhere("(run.jobId = :jobId OR job.id IS NULL OR job.state <> :running)", { jobId, running: JobState.RUNNING })
      .getRawMany();
    const ids = stale.map((row) => Number(row.id));
    for (let offset = 0; offset < ids.length; offset += SUPERSEDE_CHUNK) {
      await manager.delete(ValidationError, { runId: In(ids.slice(offset, offset + SUPERSEDE_CHUNK)) });
    }
    const unfinished = stale.filter((row) => row.finishedAt === null).map((row) => Number(row.id));
    if (unfinished.length) await manager.update(ValidationRun, { id: In(unfinished) }, { finishedAt: new Date(), outcome: "ABANDONED" });
    return manager.save(ValidationRun, manager.create(ValidationRun, { serverId, jobId, startedAt: new Date(), finishedAt: null, outcome: null, version: null }));
  });
}

/**
 * Makes a finished run the server's current one, atomically: its rows, written OPEN, count from
 * now (publishedAt), and the server's earlier OPEN errors it did not find again are superseded;
 * those it found again (`kept`) stay OPEN, with their ids and detection times. When the vanished
 * ones are fewer, each becomes SUPERSEDED by id. When they are more (after a sync, say, 100,000
 * NEW_LIST errors give way to as many LIST_UNASSIGNED ones), the kept ones move into this run and
 * the server's earlier runs are withdrawn whole, two statements in all; the sweep writes their
 * rows' status later (published.ts). Either way it writes the fewer rows. Vanished is null when
 * they are more (their ids were not all read).
 */
async function publishRun(manager: EntityManager, server: Server, run: ValidationRun, figures: { outcome: string; listsChecked: number; errorCount: number; warningCount: number }, found: FoundAgain): Promise<void> {
  const { kept, vanished } = found;
  const now = new Date();
  // Only rows still OPEN: an operator may have fixed or ignored one meanwhile, and that stands.
  const open = ValidationErrorStatus.OPEN;
  if (vanished !== null && vanished.length <= kept.length) {
    for (let offset = 0; offset < vanished.length; offset += SUPERSEDE_CHUNK) {
      await manager.update(ValidationError, { id: In(vanished.slice(offset, offset + SUPERSEDE_CHUNK)), status: open }, { status: ValidationErrorStatus.SUPERSEDED, supersededAt: now });
    }
  } else {
    for (let offset = 0; offset < kept.length; offset += SUPERSEDE_CHUNK) {
      await manager.update(ValidationError, { id: In(kept.slice(offset, offset + SUPERSEDE_CHUNK)), status: open }, { runId: run.id });
    }
    // Published runs only: a stalled process's unpublished run stays hidden until a later start clears it.
    await manager
      .createQueryBuilder()
      .update(ValidationRun)
      .set({ withdrawnAt: now, sweepDueAt: now })
      .where("serverId = :serverId AND id <> :runId AND publishedAt IS NOT NULL AND withdrawnAt IS NULL", { serverId: server.id, runId: run.id })
      .execute();
  }
  await manager.update(ValidationRun, { id: run.id }, { ...figures, version: run.version, finishedAt: now, publishedAt: now });
}
