import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type SpawnedAgent, spawnAgent } from "@listbill/agent";
import { createServer, startJobs, waitForJob } from "@listbill/bench/api-jobs";
import { ApiPair, LeaseSampler, overlaps } from "@listbill/bench/api-pair";
import type { ApiProcess } from "@listbill/bench/api-process";
import { runScaleOut } from "@listbill/bench/scale-out-bench";
import { generateListManagerDatabase } from "@listbill/fixtures";
import { type FaultProxy, mysqlTestUrl, startFaultProxy } from "@listbill/fixtures/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

/**
 * The API is stateless and scales out: several processes behind a load balancer share one MySQL
 * queue, never validate the same server twice at once, and take over the jobs of a process
 * that dies. Real API processes, real agents over TCP, one real MariaDB database.
 */

const mysqlUrl = mysqlTestUrl();
const SERVERS = 6;

describe.skipIf(!mysqlUrl)("two API processes sharing one MySQL database", () => {
  const agents: SpawnedAgent[] = [];
  /** One latency proxy in front of each agent: the API reaches every server through it. */
  const proxies: FaultProxy[] = [];
  let fixtureDir: string;
  let pair: ApiPair | undefined;

  beforeAll(async () => {
    fixtureDir = mkdtempSync(join(tmpdir(), "listbill-scale-out-hosting-"));
    await Promise.all(
      Array.from({ length: SERVERS }, async (_, index) => {
        const sqlitePath = join(fixtureDir, `hosting-${index}.sqlite`);
        await generateListManagerDatabase({ target: { sqlitePath }, seed: index + 1, sites: 2, lists: 30, membersPerList: 5, logRows: 0 });
        const agent = await spawnAgent({ database: sqlitePath });
        agents[index] = agent;
        proxies[index] = await startFaultProxy({ target: { host: agent.host, port: agent.port } });
      }),
    );
  });
  afterEach(async () => {
    await pair?.stop();
    pair = undefined;
  });
  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await Promise.all(agents.map((agent) => agent.stop()));
    rmSync(fixtureDir, { recursive: true, force: true });
  });

  const registerAll = (api: ApiProcess) => Promise.all(proxies.map((proxy, index) => createServer(api, { name: `Hosting ${index + 1}`, port: proxy.port })));
  const waitForAll = (ids: string[], api: (index: number) => ApiProcess, timeoutMs: number) => Promise.all(ids.map((id, index) => waitForJob(api(index), id, { timeoutMs, pollMs: 50 })));

  it("shares the queue: both processes validate, no server is validated twice at once, each job records one run", async () => {
    pair = new ApiPair(mysqlUrl!);
    await pair.start();
    const [api1, api2] = pair.apis as [ApiProcess, ApiProcess];
    await registerAll(api1);
    // Each answer takes 40 ms each way, so one validation lasts a few hundred ms: long enough
    // for later rounds to queue behind running jobs and for the sampler to see every lease.
    for (const proxy of proxies) proxy.setMode({ kind: "latency", ms: 40 });

    const sampler = new LeaseSampler(pair);
    const requested: string[] = [];
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([api1, api2].map((api) => startJobs(api, "validateServers", { all: true })));
      requested.push(...answers.flat());
      await sleep(150);
    }
    const ids = [...new Set(requested)];
    const finished = await waitForAll(ids, (index) => pair!.apis[index % 2]!, 30_000);
    await sampler.stop();

    expect(finished.filter((job) => job.state !== "SUCCEEDED"), pair.logs()).toEqual([]);
    const jobs = await pair.jobs();
    expect(jobs).toHaveLength(ids.length);
    // Several rounds per server: the no-overlap checks below compare real neighbours.
    expect(ids.length).toBeGreaterThan(SERVERS);
    expect(jobs.every((job) => job.state === "SUCCEEDED" && job.attempts === 1 && job.startedAt && job.finishedAt)).toBe(true);

    expect(sampler.doubleRuns).toEqual([]);
    expect(overlaps(jobs, (job) => job.startedAt!, (job) => job.finishedAt!)).toEqual([]);
    const runs = await pair.runs();
    expect(runs.map((run) => run.jobId).sort((a, b) => a - b)).toEqual(jobs.map((job) => job.id));
    expect(runs.every((run) => run.finishedAt !== null && run.outcome === "ERRORS")).toBe(true);
    expect(overlaps(runs, (run) => run.startedAt, (run) => run.finishedAt!)).toEqual([]);

    // Both processes held leases: the work was shared, not merely queued through both.
    expect([...sampler.jobsByPid.keys()].sort()).toEqual([api1.pid, api2.pid].sort());
  });

  it("takes over the validate and sync jobs of a process killed with SIGKILL: every job ends exactly once, no duplicate rows", async () => {
    // The benchmark's scenario (pnpm bench --only scaleout: 20 agents, 200 jobs) at a test's size;
    // runScaleOut lists every broken promise it checks, so the test can say which.
    const figures = await runScaleOut({ mysqlUrl: mysqlUrl!, servers: SERVERS, listsPerServer: 30, jobs: 36, latencyMs: 60, leaseMs: 1500, timeoutMs: 60_000, log: () => undefined });
    expect(figures.violations).toEqual([]);
    expect(figures.failed).toBe(0);
    expect(figures.jobs.validate + figures.jobs.sync).toBeGreaterThanOrEqual(36);
    expect(figures.jobs.sync).toBeGreaterThan(0);
    expect(figures.orphaned).toBeGreaterThan(0);
    expect(figures.runByProcess.every((count) => count > 0)).toBe(true);
  });

  it("publishes the runs of several servers that finish at the same moment, all of them (no deadlock on MySQL)", async () => {
    pair = new ApiPair(mysqlUrl!);
    await pair.start({ LISTBILL_WORKER_CONCURRENCY: String(SERVERS) }, 1);
    const [api] = pair.apis as [ApiProcess];
    await registerAll(api);
    // Same answer times everywhere: every run publishes its errors in the same few milliseconds.
    for (const proxy of proxies) proxy.setMode({ kind: "latency", ms: 100 });

    const ids = await startJobs(api, "validateServers", { all: true });
    const finished = await waitForAll(ids, () => api, 30_000);

    expect(finished.map((job) => [job.server?.name, job.state, job.error]), pair.logs()).toEqual(finished.map((job) => [job.server?.name, "SUCCEEDED", null]));
    const runs = await pair.runs();
    expect(runs.filter((run) => run.finishedAt === null)).toEqual([]);

    // Synced, then validated again at once: every server's NEW_* errors give way to as many
    // LIST_UNASSIGNED ones, each publication withdrawing its server's earlier run.
    const synced = await waitForAll(await startJobs(api, "syncServers", { all: true }), () => api, 30_000);
    expect(synced.every((job) => job.state === "SUCCEEDED"), pair.logs()).toBe(true);
    const again = await waitForAll(await startJobs(api, "validateServers", { all: true }), () => api, 30_000);
    expect(again.map((job) => [job.server?.name, job.state, job.error]), pair.logs()).toEqual(again.map((job) => [job.server?.name, "SUCCEEDED", null]));
    const openNow = await pair.rows<{ code: string }>("SELECT DISTINCT e.code FROM validation_error e JOIN validation_run r ON r.id = e.runId WHERE e.status = 'OPEN' AND r.sweepDueAt IS NULL");
    expect(openNow.map((row) => row.code)).toEqual(["LIST_UNASSIGNED"]);
    // The API's sweep then writes SUPERSEDED into the withdrawn runs' rows.
    const deadline = Date.now() + 20_000;
    while ((await pair.rows("SELECT id FROM validation_run WHERE sweepDueAt IS NOT NULL")).length) {
      if (Date.now() > deadline) throw new Error(`withdrawn runs not swept in 20 s\n${pair.logs()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const open = await pair.rows<{ code: string; n: number }>("SELECT code, COUNT(*) AS n FROM validation_error WHERE status = 'OPEN' GROUP BY code");
    expect(open.map((row) => row.code)).toEqual(["LIST_UNASSIGNED"]);
    // Every run published: none of their rows left hidden.
    expect(await pair.rows("SELECT e.id FROM validation_error e JOIN validation_run r ON r.id = e.runId WHERE r.publishedAt IS NULL")).toEqual([]);
  });
});
