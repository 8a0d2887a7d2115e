import { EventEmitter } from "node:events";
import { type EntityManager, In, IsNull, LessThan, type QueryDeepPartialEntity } from "typeorm";
import type { Database } from "../db/database.js";
import { Server } from "../servers/server.entity.js";
import { Job, JobKind, JobState } from "./job.entity.js";

export interface NewJob {
  kind: JobKind;
  trigger: string;
  actor: string | null;
  input: Record<string, unknown>;
  serverId: number | null;
  maxAttempts?: number;
}

/** Thrown when a worker's lease on a job was taken over: whatever it was writing is rolled back. */
export class LeaseLost extends Error {
  constructor(jobId: number) {
    super(`lease on job ${jobId} was lost`);
    this.name = "LeaseLost";
  }
}

/**
 * The persisted job queue every API process shares. Claims are atomic: on MySQL with
 * SELECT … FOR UPDATE SKIP LOCKED, on SQLite by the single writer. A server never has two
 * RUNNING jobs: the claim locks the server row before it looks for a running job of that server.
 */
export class JobQueue {
  /** Emits the job id whenever this process changes a job (progress, state). */
  readonly events = new EventEmitter();

  constructor(private readonly db: Database) {
    this.events.setMaxListeners(0);
  }

  /**
   * Queues jobs; a job of the same kind already QUEUED for the same server is returned instead
   * of a duplicate, so repeated clicks on "Validate" do not pile up work.
   */
  async enqueue(manager: EntityManager, jobs: NewJob[]): Promise<Job[]> {
    const now = new Date();
    const result: Job[] = [];
    for (const job of jobs) {
      if (job.serverId !== null) {
        const queued = await manager.findOneBy(Job, { kind: job.kind, serverId: job.serverId, state: JobState.QUEUED });
        if (queued) {
          result.push(queued);
          continue;
        }
      }
      const row = manager.create(Job, {
        ...job,
        maxAttempts: job.maxAttempts ?? 3,
        state: JobState.QUEUED,
        progress: 0,
        result: null,
        error: null,
        attempts: 0,
        runAfter: now,
        leaseOwner: null,
        leaseExpiresAt: null,
        createdAt: now,
        startedAt: null,
        finishedAt: null,
        updatedAt: now,
      });
      result.push(await manager.save(Job, row));
    }
    return result;
  }

  /** Claims up to `limit` runnable jobs for `owner`, leased for `leaseMs`. */
  async claim(owner: string, limit: number, leaseMs: number): Promise<Job[]> {
    if (limit <= 0) return [];
    const work = async (manager: EntityManager): Promise<Job[]> => {
      const now = new Date();
      const mysql = this.db.kind === "mysql";
      const candidateQuery = manager
        .getRepository(Job)
        .createQueryBuilder("job")
        .select(["job.id", "job.serverId"])
        .where("job.state = :queued AND job.runAfter <= :now", { queued: JobState.QUEUED, now })
        .orderBy("job.id", "ASC")
        .take(limit * 4);
      if (mysql) candidateQuery.setLock("pessimistic_write").setOnLocked("skip_locked");
      const candidates = await candidateQuery.getMany();
      const chosen: number[] = [];
      const serversTaken = new Set<number>();
      for (const candidate of candidates) {
        if (chosen.length >= limit) break;
        if (candidate.serverId !== null) {
          if (serversTaken.has(candidate.serverId)) continue;
          if (!(await this.lockServerIfIdle(manager, candidate.serverId))) continue;
          serversTaken.add(candidate.serverId);
        }
        chosen.push(candidate.id);
      }
      if (chosen.length === 0) return [];
      // Taken after the server locks: a claim that waited for another job's final commit starts now, not when it began waiting.
      const claimedAt = new Date();
      await manager
        .createQueryBuilder()
        .update(Job)
        .set({ state: JobState.RUNNING, leaseOwner: owner, leaseExpiresAt: new Date(claimedAt.getTime() + leaseMs), attempts: () => "attempts + 1", updatedAt: claimedAt })
        .where({ id: In(chosen) })
        .execute();
      await manager.update(Job, { id: In(chosen), startedAt: IsNull() }, { startedAt: claimedAt });
      return manager.findBy(Job, { id: In(chosen) });
    };
    return this.db.transaction(work);
  }

  /**
   * A server row locked by this claim (other claimers skip it) with no RUNNING job. Locking
   * first and looking second is what keeps two processes from starting the same server: the
   * second claimer either skips the locked row or, once the first committed, sees its job.
   */
  private async lockServerIfIdle(manager: EntityManager, serverId: number): Promise<boolean> {
    const query = manager.getRepository(Server).createQueryBuilder("server").select("server.id").where("server.id = :serverId", { serverId });
    if (this.db.kind === "mysql") query.setLock("pessimistic_write").setOnLocked("skip_locked");
    const locked = await query.getOne();
    if (!locked) {
      // Locked by another claimer (it will run this server), or deleted (the job fails with a reason).
      return !(await manager.existsBy(Server, { id: serverId }));
    }
    const running = await manager.countBy(Job, { serverId, state: JobState.RUNNING });
    return running === 0;
  }

  /** Extends the lease and records progress; false when the lease is no longer this worker's. */
  async heartbeat(job: Job, owner: string, leaseMs: number, progress: number): Promise<boolean> {
    const now = new Date();
    const result = await this.db.transaction((manager) =>
      manager.update(Job, { id: job.id, leaseOwner: owner, state: JobState.RUNNING }, { leaseExpiresAt: new Date(now.getTime() + leaseMs), progress, updatedAt: now }),
    );
    this.events.emit("job", job.id);
    return (result.affected ?? 0) > 0;
  }

  /**
   * Ends a job inside the caller's transaction, only while `owner` still holds its lease; the
   * caller's other writes in that transaction roll back with it otherwise (LeaseLost).
   */
  async finish(manager: EntityManager, job: Job, owner: string, outcome: { state: JobState; result?: Record<string, unknown> | null; error?: string | null }): Promise<void> {
    const now = new Date();
    const update = await manager.update(
      Job,
      { id: job.id, leaseOwner: owner, state: JobState.RUNNING },
      // simple-json: TypeORM serialises the object; its deep-partial type cannot express that.
      { state: outcome.state, result: (outcome.result ?? null) as QueryDeepPartialEntity<Job>["result"], error: outcome.error ?? null, progress: 1, finishedAt: now, updatedAt: now, leaseOwner: null, leaseExpiresAt: null },
    );
    if ((update.affected ?? 0) === 0) throw new LeaseLost(job.id);
  }

  /** Puts a job back in the queue to run again after `delayMs` (retry with backoff, or a clean hand-over). */
  async requeue(manager: EntityManager, job: Job, owner: string, delayMs: number, error: string | null): Promise<void> {
    const now = new Date();
    const update = await manager.update(
      Job,
      { id: job.id, leaseOwner: owner, state: JobState.RUNNING },
      { state: JobState.QUEUED, runAfter: new Date(now.getTime() + delayMs), error, updatedAt: now, leaseOwner: null, leaseExpiresAt: null },
    );
    if ((update.affected ?? 0) === 0) throw new LeaseLost(job.id);
  }

  /**
   * Jobs whose worker stopped renewing its lease (the process died or hung): queued again while
   * attempts remain, failed otherwise. Never left RUNNING.
   */
  async reapExpired(liveOwner: string, running: ReadonlySet<number>): Promise<number> {
    const now = new Date();
    return this.db.transaction(async (manager) => {
      // The caller's jobs that it is running are alive whatever their lease says (a long SQLite
      // write can hold back their heartbeats). One of its own that it no longer runs, whose end it
      // could not record (the database was away just then), is reaped like any other: with one API
      // process, nothing else would, and the server's later jobs would wait behind it for ever.
      const expired = (await manager.findBy(Job, { state: JobState.RUNNING, leaseExpiresAt: LessThan(now) })).filter((job) => job.leaseOwner !== liveOwner || !running.has(job.id));
      for (const job of expired) {
        const retry = job.attempts < job.maxAttempts;
        await manager.update(
          Job,
          { id: job.id, state: JobState.RUNNING, leaseOwner: job.leaseOwner ?? undefined },
          retry
            ? { state: JobState.QUEUED, runAfter: now, leaseOwner: null, leaseExpiresAt: null, updatedAt: now, error: "The worker running this job stopped; it was taken over" }
            : { state: JobState.FAILED, finishedAt: now, leaseOwner: null, leaseExpiresAt: null, updatedAt: now, error: "The worker running this job stopped responding and no attempts remain" },
        );
      }
      return expired.length;
    });
  }

  notify(jobId: number): void {
    this.events.emit("job", jobId);
  }
}
