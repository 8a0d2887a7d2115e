import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkInsert } from "../db/bulk-write.js";
import { Job, JobKind, JobState } from "../jobs/job.entity.js";
import { Server } from "../servers/server.entity.js";
import { seedInventory } from "../testing/seed.js";
import { type TestApp, startTestApp, testDatabases } from "../testing/test-app.js";
import { ValidationErrorCode, ValidationErrorStatus } from "./validation-codes.js";
import { ValidationError } from "./validation-error.entity.js";
import { ValidationRun } from "./validation-run.entity.js";
import { startRun } from "./validation-runner.js";

describe.each(testDatabases())("starting a validation run, on %s", (kind) => {
  let app: TestApp;
  let server: Server;

  beforeAll(async () => {
    app = await startTestApp(kind);
    await app.stopBackgroundWork();
    await seedInventory(app.db, { servers: 1, sitesPerServer: 1, listsPerSite: 1 });
    server = (await app.db.manager.find(Server))[0]!;
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
  });

  const job = (state: JobState) => {
    const now = new Date();
    return app.db.manager.save(Job, app.db.manager.create(Job, { kind: JobKind.VALIDATE, state, progress: 0, trigger: "MANUAL", actor: "admin", input: {}, result: null, error: null, serverId: server.id, attempts: 1, maxAttempts: 3, runAfter: now, leaseOwner: null, leaseExpiresAt: null, createdAt: now, startedAt: now, finishedAt: null, updatedAt: now }));
  };
  const run = (jobId: number, finished: boolean, outcome: string | null = null) =>
    app.db.manager.save(ValidationRun, app.db.manager.create(ValidationRun, { serverId: server.id, jobId, startedAt: new Date(), finishedAt: finished ? new Date() : null, publishedAt: null, outcome, version: null }));
  const rows = (runId: number, count: number) =>
    app.db.transaction((manager) =>
      bulkInsert(
        manager,
        ValidationError,
        Array.from({ length: count }, (_, index) => ({ runId, serverId: server.id, customerId: null, siteId: null, listId: null, code: ValidationErrorCode.NEW_LIST, objectKey: `list-${index}`, message: "new", billingValue: null, hostingValue: null, status: ValidationErrorStatus.OPEN, detectedAt: new Date(), fixedAt: null, fingerprint: `f-${runId}-${index}` })),
      ),
    );
  const rowsOf = (runId: number) => app.db.manager.countBy(ValidationError, { runId });

  it("clears every unpublished run of the server but a live one of another job, and abandons those not finished", async () => {
    const self = await job(JobState.RUNNING);
    const earlierAttempt = await run(self.id, false);
    const dead = await run((await job(JobState.QUEUED)).id, false);
    // Abandoned before, then written to by a process that had stalled past its lease.
    const leaked = await run((await job(JobState.FAILED)).id, true, "ABANDONED");
    const live = await run((await job(JobState.RUNNING)).id, false);
    for (const stale of [earlierAttempt, dead, leaked, live]) await rows(stale.id, 3);

    const fresh = await startRun(app.db, server.id, self.id);
    expect(fresh).toMatchObject({ serverId: server.id, jobId: self.id, finishedAt: null, publishedAt: null });
    expect(await Promise.all([earlierAttempt, dead, leaked, live].map((stale) => rowsOf(stale.id)))).toEqual([0, 0, 0, 3]);
    const after = new Map((await app.db.manager.find(ValidationRun)).map((row) => [row.id, row]));
    for (const stale of [earlierAttempt, dead]) expect(after.get(stale.id)).toMatchObject({ outcome: "ABANDONED", finishedAt: expect.any(Date), publishedAt: null });
    expect(after.get(leaked.id)!.finishedAt!.getTime()).toBe(leaked.finishedAt!.getTime());
    expect(after.get(live.id)).toMatchObject({ outcome: null, finishedAt: null });
  });
});
