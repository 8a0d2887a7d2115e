import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { DEFAULT_HOSTING_SETTINGS } from "./hosting/hosting-connection.js";
import { DEFAULT_WORKER_OPTIONS } from "./jobs/job-worker.js";
import { DEFAULT_SWEEP_OPTIONS } from "./validation/superseded-sweep.js";
import type { ServiceOptions } from "./services.js";

export interface ApiConfig {
  port: number;
  host: string;
  /** mysql://… when MySQL is used; undefined selects the embedded SQLite database. */
  databaseUrl: string | undefined;
  dataDir: string;
  secretKey: string | undefined;
  adminPassword: string | undefined;
  production: boolean;
  /** Requests a minute each API token, browser session or anonymous IP address may make. */
  rateLimitPerMinute: number;
  /** LISTBILL_EXPOSE_SQL_COUNT=1: each GraphQL answer says in a header how many SQL statements it ran. */
  exposeSqlCount: boolean;
  /** Jobs and agent connections; see ServiceOptions. */
  services: ServiceOptions;
  /** How far V8's heap may grow past what its last full collection kept, in percent; 0: V8's own policy. */
  heapGrowingPercent: number;
}

/** Reads the settings named in shared/API.md ("Running it") from the environment. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const port = env.PORT === undefined || env.PORT === "" ? 4000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a whole number from 0 to 65535, not "${env.PORT}"`);
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^mysql:\/\//.test(databaseUrl)) {
    throw new Error("DATABASE_URL must be a mysql:// URL (leave it unset for the embedded SQLite database)");
  }
  return {
    port,
    host: env.HOST || "127.0.0.1",
    databaseUrl,
    dataDir: resolve(env.LISTBILL_DATA_DIR || "./data"),
    secretKey: env.LISTBILL_SECRET_KEY || undefined,
    adminPassword: env.LISTBILL_ADMIN_PASSWORD || undefined,
    production: env.NODE_ENV === "production",
    rateLimitPerMinute: whole(env, "LISTBILL_RATE_LIMIT_PER_MINUTE", 600, 1),
    exposeSqlCount: env.LISTBILL_EXPOSE_SQL_COUNT === "1",
    services: {
      worker: {
        concurrency: whole(env, "LISTBILL_WORKER_CONCURRENCY", DEFAULT_WORKER_OPTIONS.concurrency, 0),
        pollMs: whole(env, "LISTBILL_JOB_POLL_MS", DEFAULT_WORKER_OPTIONS.pollMs, 10),
        leaseMs: whole(env, "LISTBILL_JOB_LEASE_MS", DEFAULT_WORKER_OPTIONS.leaseMs, 100),
        backoffBaseMs: whole(env, "LISTBILL_RETRY_BASE_MS", DEFAULT_WORKER_OPTIONS.backoffBaseMs, 0),
        backoffCapMs: whole(env, "LISTBILL_RETRY_CAP_MS", DEFAULT_WORKER_OPTIONS.backoffCapMs, 0),
      },
      hosting: {
        connectTimeoutMs: whole(env, "LISTBILL_AGENT_CONNECT_TIMEOUT_MS", DEFAULT_HOSTING_SETTINGS.connectTimeoutMs, 1),
        requestTimeoutMs: whole(env, "LISTBILL_AGENT_REQUEST_TIMEOUT_MS", DEFAULT_HOSTING_SETTINGS.requestTimeoutMs, 1),
        firstRecordTimeoutMs: whole(env, "LISTBILL_AGENT_FIRST_RECORD_TIMEOUT_MS", DEFAULT_HOSTING_SETTINGS.firstRecordTimeoutMs, 1),
        idleTimeoutMs: whole(env, "LISTBILL_AGENT_IDLE_TIMEOUT_MS", DEFAULT_HOSTING_SETTINGS.idleTimeoutMs, 1),
        tlsCa: pemFile(env, "LISTBILL_AGENT_TLS_CA"),
      },
      scheduleMinutes: whole(env, "LISTBILL_SCHEDULE_MINUTES", 0, 0),
      sweep: {
        batch: whole(env, "LISTBILL_SWEEP_BATCH", DEFAULT_SWEEP_OPTIONS.batch, 1),
        pollMs: whole(env, "LISTBILL_JOB_POLL_MS", DEFAULT_SWEEP_OPTIONS.pollMs, 10),
        deferMs: whole(env, "LISTBILL_SWEEP_DEFER_MS", DEFAULT_SWEEP_OPTIONS.deferMs, 0),
        parallel: DEFAULT_SWEEP_OPTIONS.parallel,
      },
    },
    heapGrowingPercent: whole(env, "LISTBILL_HEAP_GROWING_PERCENT", 50, 0),
  };
}

/**
 * Settings of the process itself, for the API's own entry points (not for tests, which share a
 * process). V8 lets the heap grow to up to four times what survived its last full collection
 * before collecting again: with ten 100,000-list servers validated four at a time, about 80 MB
 * stayed live while the heap reached 350 MB and the process 470 MB. Growing by half instead
 * kept the process under 250 MB at the same speed (packages/bench, fleet validation). V8 reads
 * this flag at every collection, so setting it once the process runs takes effect at the next.
 */
export function applyProcessSettings(config: ApiConfig): void {
  if (config.heapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
}

/** A setting naming a PEM file: its text, read at start-up; one that cannot be read, or holds no certificate, stops start-up with its name. */
function pemFile(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const path = env[name];
  if (path === undefined || path === "") return undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  if (!text.includes("-----BEGIN CERTIFICATE-----")) throw new Error(`${name}: ${path} holds no PEM certificate`);
  return text;
}

/** A whole-number setting, at least `min`; a malformed value stops start-up with its name. */
function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}, not "${raw}"`);
  return value;
}
