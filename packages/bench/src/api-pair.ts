import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type ScratchDatabase, createScratchDatabase } from "@listbill/fixtures/testing";
import mysql from "mysql2/promise";
import { type ApiProcess, startApiProcess } from "./api-process.js";

/**
 * Several API processes over one scratch MySQL database, as behind a load balancer, with a
 * direct connection for reading what they wrote. Used by the scale-out test and benchmark.
 */

export interface JobRow {
  id: number;
  kind: string;
  serverId: number;
  state: string;
  attempts: number;
  error: string | null;
  leaseOwner: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface RunRow {
  id: number;
  jobId: number;
  serverId: number;
  outcome: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

const ADMIN_PASSWORD = "scale-out-admin-password";

/** API processes over one scratch database: same secret key, their own data directories. */
export class ApiPair {
  apis: ApiProcess[] = [];
  db!: mysql.Connection;
  private scratch!: ScratchDatabase;
  private readonly dataDirs: string[] = [];

  constructor(private readonly mysqlUrl: string) {}

  async start(extraEnv: Record<string, string> = {}, processes = 2): Promise<void> {
    this.scratch = await createScratchDatabase(this.mysqlUrl, "lbscale");
    // The API writes instants as UTC (timezone "Z"): read them so, whatever the machine's zone.
    this.db = await mysql.createConnection({ uri: this.scratch.url, timezone: "Z" });
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

  /** Every job of the given kinds, by id. */
  jobs(kinds: readonly string[] = ["VALIDATE"]): Promise<JobRow[]> {
    return this.rows<JobRow>(`SELECT id, kind, serverId, state, attempts, error, leaseOwner, startedAt, finishedAt FROM job WHERE kind IN (?) ORDER BY id`, [kinds]);
  }

  runs(): Promise<RunRow[]> {
    return this.rows<RunRow>("SELECT id, jobId, serverId, outcome, startedAt, finishedAt FROM validation_run ORDER BY id");
  }

  async rows<T>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    const [rows] = await this.db.query(sql, parameters);
    return rows as T[];
  }

  /** The processes' own logs, for a failure message: a job's error only says "see the API log". */
  logs(): string {
    return this.apis.map((api, index) => `--- API ${index + 1} ---\n${api.output()}`).join("\n");
  }
}

/** The API process (by pid) holding each RUNNING job's lease, sampled until stop(). */
export class LeaseSampler {
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

/** Half-open intervals that touch are fine; any real overlap is a pair of simultaneous runs. */
export function overlaps<T extends { serverId: number }>(rows: T[], start: (row: T) => Date, end: (row: T) => Date): string[] {
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
