import type { EventEmitter } from "node:events";
import type { Database } from "../db/database.js";
import { type Page, type PageArgs, type SortKey, paginate, paginateEach } from "../graphql/connection.js";
import { fromGlobalId } from "../graphql/global-id.js";
import { filterId } from "../lists/list.service.js";
import { FINISHED_STATES, Job } from "./job.entity.js";
import type { JobFilter } from "./job.inputs.js";
import type { JobQueue } from "./job-queue.js";

const JOB_ORDER: SortKey<Job>[] = [{ column: "job.id", value: (job) => job.id, descending: true }];

/** How often a watcher re-reads a job that another API process may be running. */
const WATCH_POLL_MS = 500;

export class JobService {
  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
  ) {}

  async find(globalId: string): Promise<Job | null> {
    const id = fromGlobalId("Job", globalId);
    return id === null ? null : this.db.manager.findOneBy(Job, { id });
  }

  /** Newest first. */
  page(args: PageArgs, filter: JobFilter | null | undefined, scope: { serverId?: number } = {}): Promise<Page<Job>> {
    return paginate(this.query(filter, scope.serverId), args, JOB_ORDER);
  }

  /** The same page of each server's jobs, in one statement. */
  pages(args: PageArgs, filter: JobFilter | null | undefined, serverIds: number[]): Promise<Page<Job>[]> {
    return paginateEach(
      serverIds.map((serverId) => this.query(filter, serverId)),
      args,
      JOB_ORDER,
    );
  }

  private query(filter: JobFilter | null | undefined, scopeServerId: number | undefined) {
    const query = this.db.manager.getRepository(Job).createQueryBuilder("job");
    if (filter?.kind?.length) query.andWhere("job.kind IN (:...kinds)", { kinds: filter.kind });
    if (filter?.state?.length) query.andWhere("job.state IN (:...states)", { states: filter.state });
    const serverId = scopeServerId ?? filterId("Server", filter?.serverId, "serverId");
    if (serverId !== undefined) query.andWhere("job.serverId = :serverId", { serverId });
    return query;
  }

  /**
   * The job each time it changes, until it finishes. Changes made in this process wake the
   * watcher at once; a job run by another API process is seen by polling the database.
   */
  async *watch(globalId: string): AsyncGenerator<Job> {
    const id = fromGlobalId("Job", globalId);
    if (id === null) return;
    let last = "";
    for (;;) {
      const job = await this.db.manager.findOneBy(Job, { id });
      if (!job) return;
      const fingerprint = `${job.state}:${job.progress}:${job.updatedAt.getTime()}`;
      if (fingerprint !== last) {
        last = fingerprint;
        yield job;
      }
      if (FINISHED_STATES.includes(job.state)) return;
      await nextChange(this.queue.events, id, WATCH_POLL_MS);
    }
  }
}

/** Resolves when this process reports a change to the job, or after `timeoutMs`. */
function nextChange(events: EventEmitter, jobId: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      events.off("job", listener);
      resolve();
    };
    const listener = (changed: number) => changed === jobId && done();
    const timer = setTimeout(done, timeoutMs);
    events.on("job", listener);
  });
}
