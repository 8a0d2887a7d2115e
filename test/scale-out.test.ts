import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type SpawnedAgent, spawnAgent } from "@listbill/agent";
import { createServer, startJobs, waitForJob } from "@listbill/bench/api-jobs";
import { type ApiProcess, startApiProcess } from "@listbill/bench/api-process";
import { generateListManagerDatabase } from "@listbill/fixtures";
import { type FaultProxy, type ScratchDatabase, createScratchDatabase, mysqlTestUrl, startFaultProxy } from "@listbill/fixtures/testing";
import mysql from "mysql2/promise";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

/**
 * The API is stateless and scales out: several processes behind a load balancer share one MySQL
 * queue, never validate the same server twice at once, and take over the jobs of a process
 * that dies. Real API processes, real agents over TCP, one real MariaDB database.
 */

const mysqlUrl = mysqlTestUrl();
const SERVERS = 6;
const ADMIN_PASSWORD = "scale-out-admin-password";

interface JobRow {
  id: number;
  serverId: number;
  state: string;
  attempts: number;
  error: string | null;
  leaseOwner: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

interface RunRow {
  id: number;
  jobId: number;
  serverId: number;
  outcome: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

/** Two API processes over one scratch database: same secret key, their own data directories. */
class ApiPair {
  apis: ApiProcess[] = [];
  db!: mysql.Connection;
  private scratch!: ScratchDatabase;
  private readonly dataDirs: string[] = [];

  async start(extraEnv: Record<string, string> = {}, processes = 2): Promise<void> {
    this.scratch = await createScratchDatabase(mysqlUrl!, "lbscale");
    this.db = await mysql.createConnection(this.scratch.url);
    const secretKey = randomBytes(24).toString("hex");
    const envFor = () => {
      const dataDir = mkdtempSync(join(tmpdir(), "listbill-scale-out-"));
      this.dataDirs.push(dataDir);
      return {
        DATABASE_URL: this.scratch.url,
        LISTBILL_DATA_DIR: dataDir,
        LISTBILL_SECRET_KEY: secretKey,
        LISTBILL_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LISTBILL_JOB_POLL_MS: "50",
        LISTBILL_RETRY_BASE_MS: "20",
        LISTBILL_RETRY_CAP_MS: "100",
        LISTBILL_WORKER_CONCURRENCY: "4",
        LISTBILL_AGENT_CONNECT_TIMEOUT_MS: "1000",
        LISTBILL_AGENT_REQUEST_TIMEOUT_MS: "5000",
        ...extraEnv,
      };
    };
    // One after the other: the first migrates the empty database and creates the admin.
    const first = await startApiProcess({ env: envFor() });
    this.apis.push(first);
    while (this.apis.length < processes) this.apis.push(await startApiProcess({ env: envFor(), token: first.token }));
  }

  async stop(): Promise<void> {
    await Promise.all(this.apis.map((api) => api.stop()));
    await this.db?.end();
    await this.scratch?.drop();
    for (const dir of this.dataDirs) rmSync(dir, { recursive: true, force: true });
  }

  jobs(): Promise<JobRow[]> {
    return this.rows<JobRow>("SELECT id, serverId, state, attempts, error, leaseOwner, startedAt, finishedAt FROM job WHERE kind = 'VALIDATE' ORDER BY id");
  }

  runs(): Promise<RunRow[]> {
    return this.rows<RunRow>("SELECT id, jobId, serverId, outcome, startedAt, finishedAt FROM validation_run ORDER BY id");
  }

  async rows<T>(sql: string): Promise<T[]> {
    const [rows] = await this.db.query(sql);
    return rows as T[];
  }
}

/** The API process (by pid) holding each RUNNING job's lease, sampled until stop(). */
class LeaseSampler {
  /** pid → jobs seen running under that process's lease. */
  readonly jobsByPid = new Map<number, Set<number>>();
  /** Samples in which one server had two RUNNING jobs. */
  readonly doubleRuns: string[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(pair: ApiPair) {
    this.done = (async () => {
      while (this.running) {
        const rows = await pair.rows<{ id: number; serverId: number; leaseOwner: string | null }>("SELECT id, serverId, leaseOwner FROM job WHERE state = 'RUNNING'");
        const servers = new Set<number>();
        for (const row of rows) {
          if (servers.has(row.serverId)) this.doubleRuns.push(`server ${row.serverId}: ${JSON.stringify(rows)}`);
          servers.add(row.serverId);
          // A worker's id is host:pid:random (apps/api/src/jobs/job-worker.ts).
          const pid = Number(row.leaseOwner?.split(":").at(-2));
          if (!this.jobsByPid.has(pid)) this.jobsByPid.set(pid, new Set());
          this.jobsByPid.get(pid)!.add(row.id);
        }
        await sleep(10);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

/** The API processes' own logs, for a failure message: a job's error only says "see the API log". */
const logsOf = (pair: ApiPair) => pair.apis.map((api, index) => `--- API ${index + 1} ---\n${api.output()}`).join("\n");

/** Half-open intervals that touch are fine; any real overlap is a pair of simultaneous runs. */
function overlaps<T extends { serverId: number }>(rows: T[], start: (row: T) => Date, end: (row: T) => Date): string[] {
  const found: string[] = [];
  const servers = new Map<number, T[]>();
  for (const row of rows) servers.set(row.serverId, [...(servers.get(row.serverId) ?? []), row]);
  for (const [serverId, list] of servers) {
    const sorted = [...list].sort((a, b) => start(a).getTime() - start(b).getTime());
    for (let i = 1; i < sorted.length; i++) {
      if (start(sorted[i]!).getTime() < end(sorted[i - 1]!).getTime()) {
        found.push(`server ${serverId}: ${JSON.stringify(sorted[i - 1])} and ${JSON.stringify(sorted[i])}`);
      }
    }
  }
  return found;
}

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
    pair = new ApiPair();
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

    expect(finished.filter((job) => job.state !== "SUCCEEDED"), logsOf(pair)).toEqual([]);
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

  it("takes over the jobs of a process killed with SIGKILL: every job ends once, none stays RUNNING", async () => {
    pair = new ApiPair();
    await pair.start({ LISTBILL_JOB_LEASE_MS: "1500" });
    const [api1, api2] = pair.apis as [ApiProcess, ApiProcess];
    await registerAll(api1);
    // 120 ms or more each way: a validation takes over a second, so the kill lands mid-run. The
    // servers answer at different speeds so that their runs end apart: runs that end at the
    // same moment are the next test's subject, this one is about the takeover.
    proxies.forEach((proxy, index) => proxy.setMode({ kind: "latency", ms: 120 + 30 * index }));

    const sampler = new LeaseSampler(pair);
    const requested = (await Promise.all([api1, api2].map((api) => startJobs(api, "validateServers", { all: true })))).flat();
    // Killed mid-run: a job of its is RUNNING and its validation run has begun.
    const midRun = async () => {
      const claimed = [...(sampler.jobsByPid.get(api2.pid) ?? [])];
      if (claimed.length === 0) return false;
      const open = await pair!.rows(`SELECT id FROM validation_run WHERE finishedAt IS NULL AND jobId IN (${claimed.join(",")})`);
      return open.length > 0;
    };
    const deadline = Date.now() + 10_000;
    while (!(await midRun())) {
      if (Date.now() > deadline) throw new Error("the second API process never started a validation");
      await sleep(10);
    }
    await api2.kill("SIGKILL");
    const orphaned = (await pair.jobs()).filter((job) => job.state === "RUNNING" && job.leaseOwner?.includes(`:${api2.pid}:`)).map((job) => job.id);
    expect(orphaned.length).toBeGreaterThan(0);

    const ids = [...new Set(requested)];
    await waitForAll(ids, () => api1, 30_000);
    await sampler.stop();

    const jobs = await pair.jobs();
    expect(jobs).toHaveLength(ids.length);
    expect(jobs.filter((job) => job.state === "RUNNING" || job.state === "QUEUED")).toEqual([]);
    for (const job of jobs) {
      if (job.state === "FAILED") expect(job.error).toEqual(expect.any(String));
      else expect(job.state).toBe("SUCCEEDED");
    }
    // The dead process's jobs were run again by the survivor, not just marked done.
    for (const id of orphaned) expect(jobs.find((job) => job.id === id)!.attempts).toBeGreaterThan(1);
    expect(sampler.doubleRuns).toEqual([]);

    const runs = await pair.runs();
    // The killed attempt's run is closed as ABANDONED when the job is taken over; no run is left open.
    expect(runs.filter((run) => run.finishedAt === null)).toEqual([]);
    for (const job of jobs) {
      // A job that failed outright (no attempts left) may have published none; never two.
      const published = runs.filter((run) => run.jobId === job.id && run.outcome !== "ABANDONED");
      if (job.state === "SUCCEEDED") expect(published, `published runs of job ${job.id}`).toHaveLength(1);
      else expect(published.length, `published runs of job ${job.id}`).toBeLessThanOrEqual(1);
    }
    expect(runs.some((run) => orphaned.includes(run.jobId) && run.outcome === "ABANDONED")).toBe(true);
    expect(await pair.rows("SELECT id FROM validation_error WHERE status = 'PENDING'")).toEqual([]);
  });

  it("publishes the runs of several servers that finish at the same moment, all of them (no deadlock on MySQL)", async () => {
    pair = new ApiPair();
    await pair.start({ LISTBILL_WORKER_CONCURRENCY: String(SERVERS) }, 1);
    const [api] = pair.apis as [ApiProcess];
    await registerAll(api);
    // Same answer times everywhere: every run publishes its errors in the same few milliseconds.
    for (const proxy of proxies) proxy.setMode({ kind: "latency", ms: 100 });

    const ids = await startJobs(api, "validateServers", { all: true });
    const finished = await waitForAll(ids, () => api, 30_000);

    expect(finished.map((job) => [job.server?.name, job.state, job.error]), logsOf(pair)).toEqual(finished.map((job) => [job.server?.name, "SUCCEEDED", null]));
    const runs = await pair.runs();
    expect(runs.filter((run) => run.finishedAt === null)).toEqual([]);
    expect(await pair.rows("SELECT id FROM validation_error WHERE status = 'PENDING'")).toEqual([]);
  });
});
