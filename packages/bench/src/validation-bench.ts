import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Sqlite from "better-sqlite3";
import mysql from "mysql2/promise";
import { type SpawnedAgent, spawnAgent } from "@listbill/agent";
import { createScratchDatabase } from "@listbill/fixtures/testing";
import { FINISHED_STATES, JOB_FIELDS, type JobView, createServer, startJobs } from "./api-jobs.js";
import { type ApiProcess, apiSqliteFile, benchApiEnv, startApiProcess } from "./api-process.js";
import { type ErrorsPageFigures, measureErrorsPages } from "./errors-page.js";
import { type FixtureShape, cachedFixture } from "./fixture-cache.js";
import { type CpuSplit, cpuMeter, localDatabasePid } from "./process-cpu.js";
import { rawStream } from "./raw-stream.js";
import { type RawWriteFigures, rawWriteOfLastRuns } from "./raw-write.js";

export interface ValidationBenchOptions {
  /** Lists per hosting server; each size is measured on its own fresh database. */
  sizes: number[];
  /** Hosting servers validated at once (1: the single-server benchmark). */
  servers: number;
  membersPerList: number;
  /** mysql://… base URL (a scratch database is made per size), or undefined for SQLite. */
  mysqlUrl: string | undefined;
  /** Directory for the API's .cpuprofile files, or undefined for none. */
  cpuProfileDir: string | undefined;
  /** The apps/api folder whose API the phases run (default: this checkout's; see against.ts). */
  apiDir?: string;
  log: (line: string) => void;
}

/** One API process running one batch of jobs (validate or sync of every server) to the end. */
export interface PhaseFigures {
  /** From sending the mutation to seeing the last job SUCCEEDED (polled every 20 ms). */
  wallMs: number;
  /** Longest of the jobs' own createdAt → finishedAt. */
  jobMs: number;
  /** Peak RSS of the API process over its whole life (start-up, sign-in, this phase). */
  peakRssBytes: number;
  /** Peak RSS before the phase began: start-up's share of the peak. */
  startupPeakRssBytes: number;
  /** The slowest answer to the job(id) polls during the phase: how responsive the API stayed. */
  slowestPollMs: number;
  /** CPU the API, the agents and (when local) the database server used during the phase. */
  cpu: CpuSplit;
  results: Record<string, unknown>[];
  /**
   * When the phase withdrew earlier runs, the API's background sweep writing SUPERSEDED into their
   * rows afterwards, in the same process: from the last job's end until no run is due. Undefined
   * when nothing was due (and for an API from before the sweep, run by --against).
   */
  sweep?: { wallMs: number; cpu: CpuSplit };
  /** After a validation (and its sweep), in the same process: the errors page of each status. */
  errorsPages?: ErrorsPageFigures[];
}

export interface SizeFigures {
  lists: number;
  servers: number;
  membersPerList: number;
  /** The raw stream of every server at once, cold (first read of the fixture) and warm. */
  rawColdMs: number;
  rawWarmMs: number;
  /** The same, warm, with billed members instead of counts by status: what validation reads when a plan limits members. */
  rawBilledMs: number;
  /** The same, warm, without member counts: what validation reads while no plan limits members. */
  rawListsOnlyMs: number;
  validateNew: PhaseFigures;
  /** The rows validateNew wrote, written again by a bare driver: the physical limit of its writes (raw-write.ts). */
  rawWriteNew: RawWriteFigures;
  sync: PhaseFigures;
  validateSynced: PhaseFigures;
  /** The same for validateSynced's rows. */
  rawWriteSynced: RawWriteFigures;
  /** Validation once more with nothing changed: every finding is already an OPEN error. */
  validateAgain: PhaseFigures;
  /** Every list given an owner on a plan that limits members, through assignLists (1,000 a call). */
  assign: {
    wallMs: number;
    lists: number;
    readIdsMs: number;
    /**
     * Before that, each server assigned whole to its customer (one assignServers call per server,
     * all at once) and those ended again (one unassignServers call for all): every list's owner
     * written twice. Null
     * for an API without those mutations (an older commit under --against).
     */
    wholeServers: { assignMs: number; endMs: number } | null;
  };
  /** The first validation of owned lists: it reads member counts, and every LIST_UNASSIGNED error goes. */
  validateOwned: PhaseFigures;
  /** Owned lists validated again: member counts read, nothing found (the everyday case). */
  validateOwnedAgain: PhaseFigures;
}

/**
 * Validation against real agents on loopback, for each size: before any sync (every list is
 * NEW_LIST), then a sync, then validation again (billing knows every list; they are unassigned),
 * and once more with nothing changed (every finding is already OPEN: nothing is written). Up to
 * there no plan limits members, so validation reads no member counts. Then every list gets an
 * owner whose plan limits members per list (above any list's count), and validation runs twice
 * more, reading the counts: once superseding every LIST_UNASSIGNED error, once finding nothing.
 * Each phase runs in a fresh API process so that its peak RSS is its own.
 */
export async function runValidationBench(options: ValidationBenchOptions): Promise<SizeFigures[]> {
  const figures: SizeFigures[] = [];
  for (const lists of options.sizes) figures.push(await benchOneSize(lists, options));
  return figures;
}

async function benchOneSize(lists: number, options: ValidationBenchOptions): Promise<SizeFigures> {
  const { log } = options;
  const shape: FixtureShape = { lists, membersPerList: options.membersPerList, sites: Math.max(2, Math.min(20, Math.round(lists / 1000))), seed: 7 };
  const fixture = await cachedFixture(shape, log);
  // Every agent serves the same fixture file (read-only): ten 100k-list files would take 15 minutes to write.
  const agents: SpawnedAgent[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), "listbill-bench-"));
  const scratch = options.mysqlUrl ? await createScratchDatabase(options.mysqlUrl, "lbbench") : undefined;
  try {
    for (let i = 0; i < options.servers; i++) agents.push(await spawnAgent({ database: fixture }));
    const rawAll = async (members: Parameters<typeof rawStream>[1]) => {
      const started = performance.now();
      const streamed = await Promise.all(agents.map((agent) => rawStream(agent, members)));
      if (streamed.some((result) => result.lists !== lists)) throw new Error(`an agent streamed ${streamed.map((result) => result.lists)} lists, not ${lists}`);
      return performance.now() - started;
    };
    const rawColdMs = await rawAll({ withMemberCounts: true });
    const rawWarmMs = await rawAll({ withMemberCounts: true });
    const rawBilledMs = await rawAll({ withBilledMembers: true });
    const rawListsOnlyMs = await rawAll({});
    log(`${lists.toLocaleString("en")} lists × ${options.servers} server(s): raw stream ${rawColdMs.toFixed(0)} ms cold, ${rawWarmMs.toFixed(0)} ms warm, ${rawBilledMs.toFixed(0)} ms with billed members only, ${rawListsOnlyMs.toFixed(0)} ms without member counts`);

    const env = benchApiEnv(dataDir, scratch?.url);
    const local = scratch && ["127.0.0.1", "localhost", "::1", "[::1]"].includes(new URL(scratch.url).hostname);
    const processes = (api: ApiProcess) => ({ api: api.pid, agents: agents.map((agent) => agent.pid), database: local ? localDatabasePid() : undefined });
    let token: string | undefined;
    /** Runs `work` in a fresh API process (profiled when asked), stopped afterwards; a failure carries the process's output. */
    const inApi = async <T>(name: string, work: (api: ApiProcess) => Promise<T>): Promise<T> => {
      // One folder per phase: node names each thread's profile itself (the module-loader thread writes one too).
      const nodeArgs = options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${join(options.cpuProfileDir, `${name}-${lists}x${options.servers}`)}`] : [];
      const api = await startApiProcess({ env, token, nodeArgs, apiDir: options.apiDir });
      token = api.token;
      try {
        return await work(api);
      } catch (error) {
        throw new Error(`${name} of ${lists} lists failed: ${(error as Error).message}\n--- API output ---\n${api.output()}`);
      } finally {
        await api.stop();
      }
    };
    const sweepDue = () => openSweepDue(dataDir, scratch?.url);
    const phase = async (name: string, work: (api: ApiProcess) => Promise<PhaseFigures>): Promise<PhaseFigures> => {
      const result = await inApi(name, async (api) => {
        const figures = await work(api);
        const swept = await awaitSweep(sweepDue, processes(api));
        const errorsPages = name.startsWith("validate") ? await measureErrorsPages(api) : undefined;
        return { ...figures, ...(swept && { sweep: swept }), ...(errorsPages && { errorsPages }) };
      });
      const { apiMs, agentsMs, databaseMs } = result.cpu;
      const cpu = `CPU ${(apiMs / 1000).toFixed(2)} s API, ${(agentsMs / 1000).toFixed(2)} s agents${databaseMs === undefined ? "" : `, ${(databaseMs / 1000).toFixed(2)} s database`}`;
      log(`  ${name}: ${result.wallMs.toFixed(0)} ms wall (job ${result.jobMs.toFixed(0)} ms), ${cpu}, peak RSS ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MB (start-up ${(result.startupPeakRssBytes / 2 ** 20).toFixed(0)} MB), slowest job(id) answer ${result.slowestPollMs.toFixed(0)} ms`);
      if (result.errorsPages) log(`  ${name}, then the errors page: ${result.errorsPages.map((page) => `${page.totalCount.toLocaleString("en")} ${page.status} in ${page.ms.toFixed(0)} ms (first ${page.firstMs.toFixed(0)} ms)`).join(", ")}`);
      if (result.sweep) {
        const { apiMs, databaseMs } = result.sweep.cpu;
        log(`  ${name}, then the sweep: ${result.sweep.wallMs.toFixed(0)} ms wall, CPU ${(apiMs / 1000).toFixed(2)} s API${databaseMs === undefined ? "" : `, ${(databaseMs / 1000).toFixed(2)} s database`}`);
      }
      return result;
    };

    let serverIds: string[] = [];
    const validateNew = await phase("validate-new", async (api) => {
      serverIds = await Promise.all(agents.map((agent, i) => createServer(api, { name: `Bench ${i + 1}`, port: agent.port })));
      return runPhase(api, processes(api), "validateServers", serverIds);
    });
    const rawWrite = async (name: string) => {
      const figures = await rawWriteOfLastRuns(dataDir, scratch?.url);
      log(`  ${name}, its ${figures.rows.toLocaleString("en")} rows (${(figures.bytes / 2 ** 20).toFixed(1)} MB of values) written raw: ${figures.wallMs.toFixed(0)} ms`);
      return figures;
    };
    const rawWriteNew = await rawWrite("validate-new");
    const sync = await phase("sync", (api) => runPhase(api, processes(api), "syncServers", serverIds));
    const validateSynced = await phase("validate-synced", (api) => runPhase(api, processes(api), "validateServers", serverIds));
    const rawWriteSynced = await rawWrite("validate-synced");
    const validateAgain = await phase("validate-again", (api) => runPhase(api, processes(api), "validateServers", serverIds));
    for (const result of validateAgain.results) {
      if (result.unchanged !== result.findings) throw new Error(`validate-again wrote ${Number(result.findings) - Number(result.unchanged)} of ${String(result.findings)} findings anew; nothing had changed`);
    }
    // In a process of its own, so that the next phase's memory is validation's alone.
    const assign = await inApi("assign", (api) => assignEveryList(api, serverIds, options.membersPerList));
    log(`  assign: ${assign.lists.toLocaleString("en")} lists in ${assign.wallMs.toFixed(0)} ms (reading their ids ${assign.readIdsMs.toFixed(0)} ms)`);
    if (assign.wholeServers) log(`  assign each server whole: ${assign.wholeServers.assignMs.toFixed(0)} ms, and end it: ${assign.wholeServers.endMs.toFixed(0)} ms`);
    const validateOwned = await phase("validate-owned", (api) => runPhase(api, processes(api), "validateServers", serverIds));
    const validateOwnedAgain = await phase("validate-owned-again", (api) => runPhase(api, processes(api), "validateServers", serverIds));
    for (const result of validateOwnedAgain.results) {
      if (result.findings !== 0) throw new Error(`validate-owned-again found ${String(result.findings)} errors; every list is owned within its plan`);
    }
    const phases = { "validate-new": validateNew, "validate-synced": validateSynced, "validate-again": validateAgain, "validate-owned": validateOwned, "validate-owned-again": validateOwnedAgain };
    for (const [name, figures] of Object.entries(phases)) {
      const counted = name.startsWith("validate-owned");
      for (const result of figures.results) {
        if (result.listsChecked !== lists) throw new Error(`${name} checked ${String(result.listsChecked)} lists, not ${lists}`);
        // (An API from before membersCounted, run by --against, does not say.)
        if ("membersCounted" in result && result.membersCounted !== counted) throw new Error(`${name} ${counted ? "did not read" : "read"} member counts`);
      }
    }
    return { lists, servers: options.servers, membersPerList: options.membersPerList, rawColdMs, rawWarmMs, rawBilledMs, rawListsOnlyMs, validateNew, rawWriteNew, sync, validateSynced, rawWriteSynced, validateAgain, assign, validateOwned, validateOwnedAgain };
  } finally {
    await Promise.all(agents.map((agent) => agent.stop()));
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** How many runs the API's sweep has still to write (validation_run.sweepDueAt); null when its schema has no sweep (an older checkout's API, run by --against). */
interface SweepDue {
  count(): Promise<number | null>;
  close(): Promise<void>;
}

/** Reads the API's database directly: on MySQL over one connection for every poll of one wait. */
async function openSweepDue(dataDir: string, mysqlUrl: string | undefined): Promise<SweepDue> {
  const sql = "SELECT COUNT(*) AS due FROM validation_run WHERE sweepDueAt IS NOT NULL";
  if (mysqlUrl) {
    const connection = await mysql.createConnection(mysqlUrl);
    return {
      async count() {
        try {
          const [rows] = await connection.query(sql);
          return Number((rows as { due: number | string }[])[0]!.due);
        } catch (error) {
          if ((error as { code?: string }).code === "ER_BAD_FIELD_ERROR") return null;
          throw error;
        }
      },
      close: () => connection.end(),
    };
  }
  const database = new Sqlite(apiSqliteFile(dataDir), { readonly: true, fileMustExist: true });
  return {
    async count() {
      try {
        return Number((database.prepare(sql).get() as { due: number }).due);
      } catch (error) {
        if (/no such column/.test((error as Error).message)) return null;
        throw error;
      }
    },
    close: async () => {
      database.close();
    },
  };
}

/** Waits, polling every 50 ms, until no run is due to be swept (10 minutes at most); undefined when none was. */
async function awaitSweep(open: () => Promise<SweepDue>, pids: Parameters<typeof cpuMeter>[0]): Promise<PhaseFigures["sweep"]> {
  const cpuSince = cpuMeter(pids);
  const started = performance.now();
  const due = await open();
  try {
    const first = await due.count();
    if (!first) return undefined;
    for (let left = first; left; left = (await due.count()) ?? 0) {
      if (performance.now() - started > 600_000) throw new Error(`the sweep left ${left} run(s) unswept after 10 minutes`);
      await sleep(50);
    }
    return { wallMs: performance.now() - started, cpu: cpuSince() };
  } finally {
    await due.close();
  }
}

/** Starts the jobs and waits for all of them; any job that does not succeed fails the benchmark. */
async function runPhase(api: ApiProcess, pids: Parameters<typeof cpuMeter>[0], mutation: "validateServers" | "syncServers", serverIds: string[]): Promise<PhaseFigures> {
  const startupPeakRssBytes = api.memory().peakRssBytes;
  const cpuSince = cpuMeter(pids);
  const started = performance.now();
  const ids = await startJobs(api, mutation, { serverIds });
  let slowestPollMs = 0;
  const jobs: JobView[] = [];
  for (const id of ids) {
    for (;;) {
      const asked = performance.now();
      const { job } = await api.gql(`query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id });
      slowestPollMs = Math.max(slowestPollMs, performance.now() - asked);
      if (FINISHED_STATES.includes(job.state)) {
        jobs.push(job);
        break;
      }
      await sleep(20);
    }
  }
  const wallMs = performance.now() - started;
  const cpu = cpuSince();
  const peakRssBytes = api.memory().peakRssBytes;
  const failed = jobs.filter((job) => job.state !== "SUCCEEDED");
  if (failed.length) throw new Error(`${mutation}: ${failed.map((job) => `${job.server?.name} ${job.state}: ${job.error}`).join("; ")}`);
  const jobMs = Math.max(...jobs.map((job) => Date.parse(job.finishedAt!) - Date.parse(job.createdAt)));
  // Let the process settle so the next phase does not start against a busy database.
  await sleep(50);
  return { wallMs, jobMs, peakRssBytes, startupPeakRssBytes, slowestPollMs, cpu, results: jobs.map((job) => job.result ?? {}) };
}

/**
 * Gives every list of the servers an owner, one customer per server, on a plan that limits members
 * per list to more than any fixture list has (0 to twice the mean): validation then has to count
 * members and finds nothing. Through the API, as a script would: list ids 100 a page, assignLists
 * 1,000 a call.
 */
async function assignEveryList(api: ApiProcess, serverIds: string[], membersPerList: number): Promise<SizeFigures["assign"]> {
  const started = performance.now();
  const plan = await api.gql(`mutation($input: CreateHostingPlanInput!) { createHostingPlan(input: $input) { hostingPlan { id } userErrors { code message } } }`, {
    input: { name: "Bench members", maxLists: 0, maxSites: 0, maxListsPerSite: 0, maxMembers: 0, maxMembersPerList: membersPerList * 2 + 1 },
  });
  if (plan.createHostingPlan.userErrors.length) throw new Error(`createHostingPlan refused: ${JSON.stringify(plan.createHostingPlan.userErrors)}`);
  const customerIds: string[] = [];
  for (const index of serverIds.keys()) {
    const created = await api.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { code message } } }`, {
      input: { company: `Bench owner ${index + 1}`, planId: plan.createHostingPlan.hostingPlan.id },
    });
    if (created.createCustomer.userErrors.length) throw new Error(`createCustomer refused: ${JSON.stringify(created.createCustomer.userErrors)}`);
    customerIds.push(created.createCustomer.customer.id);
  }
  const wholeServers = await assignServersWholeAndEnd(api, serverIds, customerIds);
  const listsStarted = performance.now();
  let assigned = 0;
  let readIdsMs = 0;
  for (const [index, serverId] of serverIds.entries()) {
    const customerId = customerIds[index]!;
    const ids: string[] = [];
    const reading = performance.now();
    for (let after: string | null = null; ; ) {
      const page: { server: { lists: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } } = await api.gql(
        `query($id: ID!, $after: String) { server(id: $id) { lists(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } } }`,
        { id: serverId, after },
      );
      ids.push(...page.server.lists.nodes.map((list) => list.id));
      if (!page.server.lists.pageInfo.hasNextPage) break;
      after = page.server.lists.pageInfo.endCursor;
    }
    readIdsMs += performance.now() - reading;
    for (let offset = 0; offset < ids.length; offset += 1000) {
      const done = await api.gql(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code message } } }`, {
        input: { customerId, listIds: ids.slice(offset, offset + 1000) },
      });
      if (done.assignLists.userErrors.length) throw new Error(`assignLists refused: ${JSON.stringify(done.assignLists.userErrors)}`);
    }
    assigned += ids.length;
  }
  return { wallMs: performance.now() - listsStarted, lists: assigned, readIdsMs, wholeServers };
}

/**
 * Each server assigned whole to its customer (one assignServers call per server, the customers
 * differ, all in flight at once), then those assignments ended (one unassignServers call for all):
 * for one server, the time an operator waits to give a customer a whole server and take it back.
 */
async function assignServersWholeAndEnd(api: ApiProcess, serverIds: string[], customerIds: string[]): Promise<SizeFigures["assign"]["wholeServers"]> {
  const schema = await api.gql(`{ __type(name: "Mutation") { fields { name } } }`);
  if (!schema.__type.fields.some((field: { name: string }) => field.name === "assignServers")) return null;
  const refusedIf = (payload: { userErrors: unknown[] }, what: string) => {
    if (payload.userErrors.length) throw new Error(`${what} refused: ${JSON.stringify(payload.userErrors)}`);
  };
  let started = performance.now();
  await Promise.all(
    serverIds.map(async (serverId, index) => {
      const done = await api.gql(`mutation($input: AssignServersInput!) { assignServers(input: $input) { userErrors { code message } } }`, { input: { serverIds: [serverId], customerId: customerIds[index] } });
      refusedIf(done.assignServers, "assignServers");
    }),
  );
  const assignMs = performance.now() - started;
  const owned = await api.gql(`{ lists(first: 1, filter: { unassigned: true }) { totalCount } }`);
  if (owned.lists.totalCount !== 0) throw new Error(`assignServers left ${owned.lists.totalCount} lists without an owner`);
  started = performance.now();
  const ended = await api.gql(`mutation($input: UnassignServersInput!) { unassignServers(input: $input) { userErrors { code message } } }`, { input: { serverIds } });
  refusedIf(ended.unassignServers, "unassignServers");
  const endMs = performance.now() - started;
  const after = await api.gql(`{ lists(first: 1, filter: { unassigned: true }) { totalCount } }`);
  const total = await api.gql(`{ lists(first: 1) { totalCount } }`);
  if (after.lists.totalCount !== total.lists.totalCount) throw new Error(`unassignServers left ${total.lists.totalCount - after.lists.totalCount} lists owned`);
  return { assignMs, endMs };
}
