import { AuditService } from "./audit/audit.service.js";
import { AssignmentService } from "./assignments/assignment.service.js";
import { AuthService } from "./auth/auth.service.js";
import { CustomerService } from "./customers/customer.service.js";
import type { Database } from "./db/database.js";
import { FixService } from "./fix/fix.service.js";
import { DEFAULT_HOSTING_SETTINGS, type HostingSettings } from "./hosting/hosting-connection.js";
import { JobKind } from "./jobs/job.entity.js";
import { JobQueue } from "./jobs/job-queue.js";
import { JobService } from "./jobs/job.service.js";
import { ValidationSchedule } from "./jobs/scheduler.js";
import { DEFAULT_WORKER_OPTIONS, JobWorker, type WorkerOptions } from "./jobs/job-worker.js";
import { ListService } from "./lists/list.service.js";
import { HostingPlanService } from "./plans/hosting-plan.service.js";
import type { SecretBox } from "./secrets/secret-box.js";
import { ServerService } from "./servers/server.service.js";
import { SyncRunner } from "./sync/sync-runner.js";
import { UsageService } from "./usage/usage.service.js";
import { ValidationRunner } from "./validation/validation-runner.js";
import { ValidationService } from "./validation/validation.service.js";
import { DEFAULT_SWEEP_OPTIONS, SupersededSweep, type SweepOptions } from "./validation/superseded-sweep.js";

export interface ServiceOptions {
  worker: WorkerOptions;
  hosting: HostingSettings;
  /** Minutes between scheduled "validate all" runs; 0 = no schedule. */
  scheduleMinutes: number;
  sweep: SweepOptions;
}

export const DEFAULT_SERVICE_OPTIONS: ServiceOptions = { worker: DEFAULT_WORKER_OPTIONS, hosting: DEFAULT_HOSTING_SETTINGS, scheduleMinutes: 0, sweep: DEFAULT_SWEEP_OPTIONS };

/** The app's behaviour, one service per domain, built once per process. */
export function createServices(db: Database, secrets: SecretBox, options: ServiceOptions = DEFAULT_SERVICE_OPTIONS) {
  const servers = new ServerService(db, secrets);
  const queue = new JobQueue(db);
  const runners = {
    [JobKind.VALIDATE]: new ValidationRunner(db, servers, options.hosting, queue).run,
    [JobKind.SYNC]: new SyncRunner(db, servers, options.hosting).run,
  };
  const worker = new JobWorker(db, queue, runners, options.worker);
  const validation = new ValidationService(db, servers, queue, options.hosting, () => worker.wake());
  return {
    servers,
    lists: new ListService(db),
    customers: new CustomerService(db),
    plans: new HostingPlanService(db),
    assignments: new AssignmentService(db),
    auth: new AuthService(db),
    jobs: new JobService(db, queue),
    validation,
    usage: new UsageService(db),
    audit: new AuditService(db),
    fix: new FixService(db, servers, queue, options.hosting, () => worker.wake()),
    /** Runs queued jobs in this process; started and stopped with the app. */
    worker,
    /** Writes SUPERSEDED into withdrawn runs' rows once this process's jobs leave it time; started and stopped with the app. */
    sweep: new SupersededSweep(db, options.sweep, () => worker.runningCount > 0),
    schedule: new ValidationSchedule(options.scheduleMinutes * 60_000, (kind, trigger) => validation.enqueue(kind, { all: true }, null, trigger)),
  };
}

export type Services = ReturnType<typeof createServices>;
