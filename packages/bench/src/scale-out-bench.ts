import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type SpawnedAgent, spawnAgent } from "@listbill/agent";
import { generateListManagerDatabase } from "@listbill/fixtures";
import { type FaultProxy, startFaultProxy } from "@listbill/fixtures/testing";
import { createServer, startJobs } from "./api-jobs.js";
import { ApiPair, type JobRow, LeaseSampler } from "./api-pair.js";

export interface ScaleOutOptions {
  mysqlUrl: string;
  /** Hosting servers, each its own agent and fixture, reached through a latency proxy. */
  servers: number;
  listsPerServer: number;
  /** Validate and sync jobs to queue in all (at least; the last wave may add a few). */
  jobs: number;
  /** Latency each way between the API and each agent: long enough that the kill lands mid-run. */
  latencyMs: number;
  /** How long a dead process's lease holds its jobs before a survivor takes them over. */
  leaseMs: number;
  timeoutMs: number;
  log: (line: string) => void;
}

export interface ScaleOutFigures {
  servers: number;
  processes: number;
  jobs: { validate: number; sync: number };
  /** First job queued → last job finished. */
  wallMs: number;
  /** When the second process was killed, from the first job queued. */
  killedAtMs: number;
  /** Jobs RUNNING under the killed process's lease at the kill. */
  orphaned: number;
  /** Kill → the last orphaned job finished on the survivor. */
  takeoverMs: number;
  failed: number;
  /** Jobs each process was seen running (by pid); a taken-over job counts for both. */
  runByProcess: number[];
  /** Everything that broke "every job ends exactly once, no duplicate rows": empty when all held. */
  violations: string[];
}

/**
 * Two API processes share one MySQL queue and `servers` agents; validate and sync jobs are queued
 * in waves through both (a job of a kind already QUEUED for a server is reused, so waves are what
 * makes `jobs` distinct jobs), and the second process is killed with SIGKILL while it runs some.
 * Then every job must have ended exactly once: none left QUEUED or RUNNING, none run by two
 * processes at once, each validation published once, each list, site and member-count snapshot
 * written once.
 */
export async function runScaleOut(options: ScaleOutOptions): Promise<ScaleOutFigures> {
  const fixtureDir = mkdtempSync(join(tmpdir(), "listbill-scale-out-hosting-"));
  const agents: SpawnedAgent[] = [];
  const proxies: FaultProxy[] = [];
  const pair = new ApiPair(options.mysqlUrl);
  try {
    for (let index = 0; index < options.servers; index++) {
      const sqlitePath = join(fixtureDir, `hosting-${index}.sqlite`);
      await generateListManagerDatabase({ target: { sqlitePath }, seed: index + 1, sites: 2, lists: options.listsPerServer, membersPerList: 5, logRows: 0 });
      agents.push(await spawnAgent({ database: sqlitePath }));
      proxies.push(await startFaultProxy({ target: { host: agents[index]!.host, port: agents[index]!.port }, mode: { kind: "latency", ms: options.latencyMs } }));
    }
    await pair.start({ LISTBILL_JOB_LEASE_MS: String(options.leaseMs) });
    const [survivor, victim] = pair.apis as [(typeof pair.apis)[0], (typeof pair.apis)[0]];
    for (const [index, proxy] of proxies.entries()) await createServer(survivor, { name: `Hosting ${String(index + 1).padStart(2, "0")}`, port: proxy.port });
    options.log(`  ${options.servers} agents, 2 API processes; queueing ${options.jobs} validate and sync jobs`);

    const sampler = new LeaseSampler(pair);
    const started = performance.now();
    let killedAt = 0;
    let killedWall = 0;
    let orphaned: number[] = [];
    const alive = [survivor, victim];
    const queued = async () => (await pair.rows<{ n: number }>("SELECT COUNT(*) AS n FROM job"))[0]!.n;
    // Waves go on until both the jobs are queued and the kill has happened: should the survivor
    // have claimed every job so far, later waves give the victim some to be killed in the middle of.
    let gaveUp = false;
    const queueing = (async () => {
      for (let wave = 0; !gaveUp && (killedAt === 0 || (await queued()) < options.jobs); wave++) {
        const api = alive[wave % alive.length]!;
        // A request to the process being killed may die with it: a load balancer's client would retry elsewhere.
        await startJobs(api, wave % 2 === 0 ? "validateServers" : "syncServers", { all: true }).catch(() => undefined);
        await sleep(options.latencyMs);
      }
    })();

    // The kill: once a third of the jobs are queued and the victim is in the middle of some. It is
    // frozen (SIGSTOP) before its jobs are read, so none can end between that read and the kill.
    const deadline = Date.now() + options.timeoutMs;
    const victimRunning = async () => (await pair.rows<{ id: number }>("SELECT id FROM job WHERE state = 'RUNNING' AND leaseOwner LIKE ?", [`%:${victim.pid}:%`])).map((row) => row.id);
    for (;;) {
      if ((await victimRunning()).length > 0 && (await queued()) >= options.jobs / 3) {
        process.kill(victim.pid, "SIGSTOP");
        orphaned = await victimRunning();
        if (orphaned.length > 0) break;
        process.kill(victim.pid, "SIGCONT");
      }
      if (Date.now() > deadline) {
        gaveUp = true;
        await queueing;
        throw new Error(`the second API process never ran a job\n${pair.logs()}`);
      }
      await sleep(5);
    }
    alive.splice(1, 1);
    await victim.kill("SIGKILL");
    killedAt = performance.now();
    killedWall = Date.now();
    // A commit the victim sent just before it froze (a job's end, a claim) still lands: read its
    // jobs again once such a commit has landed, and long before its lease can expire.
    await sleep(Math.min(100, options.leaseMs / 10));
    orphaned = await victimRunning();
    options.log(`  killed the second process at ${((killedAt - started) / 1000).toFixed(1)} s with ${orphaned.length} job(s) running under its lease`);
    await queueing;

    let jobs: JobRow[];
    for (;;) {
      jobs = await pair.jobs(["VALIDATE", "SYNC"]);
      if (jobs.every((job) => job.state !== "QUEUED" && job.state !== "RUNNING")) break;
      if (Date.now() > deadline) throw new Error(`jobs still unfinished: ${JSON.stringify(jobs.filter((job) => job.state === "QUEUED" || job.state === "RUNNING"))}\n${pair.logs()}`);
      await sleep(50);
    }
    const finished = performance.now();
    await sampler.stop();

    const lastOrphanEnd = Math.max(...jobs.filter((job) => orphaned.includes(job.id)).map((job) => job.finishedAt!.getTime()));
    const violations = await checkExactlyOnce(pair, jobs, orphaned, sampler, options);
    return {
      servers: options.servers,
      processes: 2,
      jobs: { validate: jobs.filter((job) => job.kind === "VALIDATE").length, sync: jobs.filter((job) => job.kind === "SYNC").length },
      wallMs: finished - started,
      killedAtMs: killedAt - started,
      orphaned: orphaned.length,
      takeoverMs: orphaned.length ? lastOrphanEnd - killedWall : 0,
      failed: jobs.filter((job) => job.state === "FAILED").length,
      runByProcess: [survivor, victim].map((api) => sampler.jobsByPid.get(api.pid)?.size ?? 0),
      violations,
    };
  } finally {
    await pair.stop();
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await Promise.all(agents.map((agent) => agent.stop()));
    rmSync(fixtureDir, { recursive: true, force: true });
  }
}

async function checkExactlyOnce(pair: ApiPair, jobs: JobRow[], orphaned: number[], sampler: LeaseSampler, options: ScaleOutOptions): Promise<string[]> {
  const violations: string[] = [];
  const fail = (message: string) => violations.push(message);
  if (jobs.length < options.jobs) fail(`only ${jobs.length} jobs were queued, not ${options.jobs}`);
  for (const job of jobs) {
    if (job.state === "FAILED" && !job.error) fail(`job ${job.id} FAILED without saying why`);
    if (job.state !== "SUCCEEDED" && job.state !== "FAILED") fail(`job ${job.id} ended ${job.state}`);
  }
  if (orphaned.length === 0) fail("the kill landed while the second process ran nothing");
  for (const job of jobs) {
    if (orphaned.includes(job.id)) {
      if (job.attempts < 2) fail(`job ${job.id} of the killed process was not run again`);
      if (job.state !== "SUCCEEDED") fail(`job ${job.id} of the killed process ended ${job.state} when run again: ${job.error}`);
    } else if (job.attempts !== 1) {
      // The agents answer every request: only a job the killed process held runs more than once.
      fail(`job ${job.id} (${job.kind}, ${job.state}) ran ${job.attempts} times, though the killed process did not hold it`);
    }
  }
  for (const double of sampler.doubleRuns) fail(`two jobs ran for one server at once: ${double}`);

  // Validation: one published run per succeeded job, none left open, no scratch rows.
  const runs = await pair.runs();
  for (const run of runs) if (run.finishedAt === null) fail(`validation run ${run.id} of job ${run.jobId} was left open`);
  for (const job of jobs.filter((row) => row.kind === "VALIDATE")) {
    const published = runs.filter((run) => run.jobId === job.id && run.outcome !== "ABANDONED").length;
    if (job.state === "SUCCEEDED" ? published !== 1 : published > 1) fail(`job ${job.id} (${job.state}) published ${published} validation runs`);
  }
  // A killed run's rows go when its job runs again (the server's next run clears them).
  const unpublished = await pair.rows<{ n: number }>("SELECT COUNT(*) AS n FROM validation_error e JOIN validation_run r ON r.id = e.runId WHERE r.publishedAt IS NULL");
  if (unpublished[0]!.n > 0) fail(`${unpublished[0]!.n} validation errors of runs never published were left behind`);

  // Sync: every synced server has each of its lists and sites once, each list one member-count snapshot.
  const synced = new Set(jobs.filter((job) => job.kind === "SYNC" && job.state === "SUCCEEDED").map((job) => job.serverId));
  // (A unique index keeps a server's list names apart: a list written twice would be two names.)
  const lists = await pair.rows<{ serverId: number; n: number }>("SELECT serverId, COUNT(*) AS n FROM list GROUP BY serverId");
  for (const serverId of synced) {
    const row = lists.find((candidate) => candidate.serverId === serverId);
    if (!row || Number(row.n) !== options.listsPerServer) fail(`server ${serverId} has ${row?.n ?? 0} list rows, not ${options.listsPerServer}`);
  }
  const sites = await pair.rows<{ serverId: number; n: number }>("SELECT serverId, COUNT(*) AS n FROM site GROUP BY serverId HAVING COUNT(*) <> 2");
  for (const row of sites) fail(`server ${row.serverId} has ${row.n} site rows, not 2`);
  const snapshots = await pair.rows<{ listId: number; n: number }>("SELECT listId, COUNT(*) AS n FROM list_member_count GROUP BY listId HAVING COUNT(*) > 1 LIMIT 5");
  for (const row of snapshots) fail(`list ${row.listId} has ${row.n} member-count snapshots of one unchanged count`);
  const unsnapped = await pair.rows<{ n: number }>("SELECT COUNT(*) AS n FROM list l WHERE NOT EXISTS (SELECT 1 FROM list_member_count c WHERE c.listId = l.id)");
  if (Number(unsnapped[0]!.n) > 0) fail(`${unsnapped[0]!.n} lists written by sync have no member-count snapshot`);
  const creations = await pair.rows<{ n: number }>("SELECT COUNT(*) AS n FROM audit_entry WHERE action = 'sync.list.create'");
  if (Number(creations[0]!.n) !== synced.size * options.listsPerServer) fail(`${creations[0]!.n} lists were audited as created by sync, not ${synced.size * options.listsPerServer}`);
  return violations;
}

export function scaleOutReport(machine: string, figures: ScaleOutFigures, options: Pick<ScaleOutOptions, "listsPerServer" | "latencyMs" | "leaseMs">): string {
  const total = figures.jobs.validate + figures.jobs.sync;
  return [
    machine,
    "",
    `${figures.processes} API processes against one MySQL database and ${figures.servers} agents (${options.listsPerServer} lists each, ${options.latencyMs} ms each way through a latency proxy); validate and sync jobs queued in waves through both processes; the second process killed with SIGKILL while it ran jobs (lease ${options.leaseMs} ms). Checked afterwards: no job left QUEUED or RUNNING, none run by two processes at once, each validation published once, each list, site and member-count snapshot written once.`,
    "",
    "| jobs (validate + sync) | wall time | jobs/s | killed at | running under the killed lease | taken over within | failed | seen running per process |",
    "|---|---|---|---|---|---|---|---|",
    `| ${total} (${figures.jobs.validate} + ${figures.jobs.sync}) | ${(figures.wallMs / 1000).toFixed(1)} s | ${(total / (figures.wallMs / 1000)).toFixed(1)} | ${(figures.killedAtMs / 1000).toFixed(1)} s | ${figures.orphaned} | ${(figures.takeoverMs / 1000).toFixed(1)} s | ${figures.failed} | ${figures.runByProcess.join(" / ")} |`,
    "",
    figures.violations.length === 0 ? "Every job ended exactly once; no duplicate rows." : `**Violations:**\n${figures.violations.map((line) => `- ${line}`).join("\n")}`,
  ].join("\n");
}
