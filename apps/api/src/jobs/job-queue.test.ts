import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { toGlobalId } from "../graphql/global-id.js";
import { fromGlobalId } from "../graphql/global-id.js";
import { FAST_JOBS_ENV, type HostingServer, registerServer, startHostingServer, waitForJob } from "../testing/hosting.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";
import { Job, JobKind, JobState } from "./job.entity.js";
import { fullJitterDelay } from "./job-worker.js";

describe("full-jitter backoff", () => {
  it("waits a random time below an exponentially growing, capped ceiling", () => {
    expect(fullJitterDelay(1, 1000, 30_000, () => 0)).toBe(0);
    expect(fullJitterDelay(1, 1000, 30_000, () => 0.999)).toBe(999);
    expect(fullJitterDelay(3, 1000, 30_000, () => 0.999)).toBe(3996);
    expect(fullJitterDelay(10, 1000, 30_000, () => 0.999)).toBe(29_970);
    const spread = new Set(Array.from({ length: 50 }, () => fullJitterDelay(4, 1000, 30_000)));
    expect(spread.size).toBeGreaterThan(10);
    expect(Math.max(...spread)).toBeLessThan(8000);
  });
});

describe.each(testDatabases())("the job queue on %s", (kind) => {
  let app: TestApp;
  let hosting: HostingServer;
  let serverId: string;

  beforeAll(async () => {
    [app, hosting] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 30 })]);
    serverId = await registerServer(app, { name: "Queue test", port: hosting.agent.port });
  });
  afterAll(async () => {
    await app?.stop();
    await hosting?.stop();
  });

  /** A job as a worker that died mid-run leaves it: RUNNING, its lease expired `leaseLeftMs` from now (already, by default). */
  async function orphanedJob(attempts: number, leaseLeftMs = -1000, leaseOwner = "dead-host:4242:gone"): Promise<{ id: string; leaseExpiresAt: number }> {
    const now = new Date();
    const job = await app.db.transaction((manager) =>
      manager.save(
        Job,
        manager.create(Job, {
          kind: JobKind.VALIDATE,
          state: JobState.RUNNING,
          progress: 0.4,
          trigger: "MANUAL",
          actor: "test-admin",
          input: { serverId: fromGlobalId("Server", serverId) },
          result: null,
          error: null,
          serverId: fromGlobalId("Server", serverId),
          attempts,
          maxAttempts: 3,
          runAfter: now,
          leaseOwner,
          leaseExpiresAt: new Date(now.getTime() + leaseLeftMs),
          createdAt: now,
          startedAt: now,
          finishedAt: null,
          updatedAt: now,
        }),
      ),
    );
    return { id: toGlobalId("Job", job.id), leaseExpiresAt: job.leaseExpiresAt!.getTime() };
  }

  it("takes over a job whose worker died, once its lease has expired", async () => {
    // Two seconds of lease left: forty of the worker's polls, and as long as the job stays its dead worker's.
    const { id, leaseExpiresAt } = await orphanedJob(1, 2000);
    const deadline = Date.now() + 20_000;
    let seenBeforeExpiry = 0;
    let job: any;
    for (;;) {
      job = dataOf(await app.gql(`query($id: ID!) { job(id: $id) { state attempts } }`, { id })).job;
      // Answered before the lease ran out, so read before it did: nobody may have taken the job yet.
      if (Date.now() < leaseExpiresAt) {
        expect(job).toEqual({ state: "RUNNING", attempts: 1 });
        seenBeforeExpiry += 1;
      }
      if (["SUCCEEDED", "FAILED"].includes(job.state) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    expect(seenBeforeExpiry).toBeGreaterThan(0);
    expect(await waitForJob(app, id)).toMatchObject({ state: "SUCCEEDED", attempts: 2, result: { outcome: "ERRORS", listsChecked: 30 } });
  });

  it("fails, with the reason, a job whose worker died on its last attempt", async () => {
    const { id } = await orphanedJob(3);
    const job = await waitForJob(app, id);
    expect(job.state).toBe("FAILED");
    expect(job.error).toMatch(/stopped responding/);
  });

  it("takes over a job of its own worker that the worker no longer runs (its end could not be recorded)", async () => {
    // What a worker leaves when the database fails as it records a job's end: RUNNING under its own
    // lease, no heartbeat. With one API process, only that same worker can take it over.
    const { id } = await orphanedJob(1, -1000, app.services.worker.id);
    expect(await waitForJob(app, id)).toMatchObject({ state: "SUCCEEDED", attempts: 2, result: { outcome: "ERRORS", listsChecked: 30 } });
  });

  it("reports progress and the end of a job over the jobUpdated subscription", async () => {
    const token = await app.tokenOf("viewer");
    const started = dataOf(await app.gql(`mutation($input: ValidateServersInput!) { validateServers(input: $input) { jobs { id } } }`, { input: { serverIds: [serverId] } }));
    const jobId = started.validateServers.jobs[0].id;
    const client = createClient({ url: app.url.replace("http", "ws") + "/graphql", webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    const updates: { state: string; progress: number }[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        client.subscribe<{ jobUpdated: { state: string; progress: number } }>(
          { query: `subscription($id: ID!) { jobUpdated(id: $id) { state progress } }`, variables: { id: jobId } },
          { next: (message) => message.data && updates.push(message.data.jobUpdated), error: reject, complete: resolve },
        );
      });
    } finally {
      await client.dispose();
    }
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.at(-1)).toEqual({ state: "SUCCEEDED", progress: 1 });
    const progress = updates.map((update) => update.progress);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it("refuses a subscription deeper than the query limits allow, before it starts", async () => {
    const token = await app.tokenOf("viewer");
    const client = createClient({ url: app.url.replace("http", "ws") + "/graphql", webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    try {
      const received: unknown[] = [];
      await new Promise<void>((resolve) => {
        client.subscribe(
          { query: `subscription { jobUpdated(id: "Sm9iOjE") { server { lists { nodes { server { lists { nodes { server { name } } } } } } } } }` },
          { next: (message) => void received.push(message), error: (error) => { received.push(error); resolve(); }, complete: resolve },
        );
      });
      expect(JSON.stringify(received)).toContain("QUERY_TOO_COMPLEX");
    } finally {
      await client.dispose();
    }
  });

  it("refuses a subscription from a caller who is not signed in", async () => {
    const client = createClient({ url: app.url.replace("http", "ws") + "/graphql", webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const received: unknown[] = [];
      await new Promise<void>((resolve) => {
        client.subscribe(
          { query: `subscription { jobUpdated(id: "Sm9iOjE") { state } }` },
          { next: (message) => void received.push(message), error: (error) => void received.push(error), complete: resolve },
        );
      });
      expect(received).toHaveLength(1);
      expect(JSON.stringify(received[0])).toContain("UNAUTHENTICATED");
      expect(JSON.stringify(received[0])).not.toContain('"state"');
    } finally {
      await client.dispose();
    }
  });
});
