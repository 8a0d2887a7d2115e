import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type SeededApi, startSeededApi } from "./api-seed.js";
import { runThroughputBench, throughputReport } from "./api-throughput-bench.js";
import { prepareCheckout, thisCheckout } from "./against.js";
import { type ComparisonRun, comparisonReport } from "./comparison.js";
import { summarizeCpuProfile } from "./cpu-profile.js";
import { inFlight } from "./raw-write.js";
import { machineLine, mb, seconds, writeSection } from "./results.js";
import { runScaleOut, scaleOutReport } from "./scale-out-bench.js";
import { runSqlCountBench, sqlCountReport } from "./sql-count-bench.js";
import { runSyncBench, syncReport } from "./sync-bench.js";
import { type PhaseFigures, type SizeFigures, runValidationBench } from "./validation-bench.js";

const USAGE = `pnpm bench [options]

Benchmarks of listbill against the physical limit, over real agents on loopback, with the API in
its own process (MySQL when LISTBILL_BENCH_MYSQL_URL or LISTBILL_TEST_MYSQL_URL is set, else
embedded SQLite; the api and sync benchmarks compare against mysql2 and need MySQL):

  validation  validating one server (or a fleet) against its raw agent stream and a raw write
              of the rows it wrote
  api         lists(first: 50) under autocannon against a raw node:http + mysql2 handler
  sql         SQL statements per request of every SPA query and two nested script queries,
              at page sizes 10 and 100
  sync        sync and log import rows/s against raw mysql2 multi-row upserts
  scaleout    two API processes, 20 agents, 200 validate and sync jobs, one process killed
              mid-way: every job must end exactly once (needs MySQL)

  --only a,b            run only these benchmarks (default all five)
  --seconds 10          autocannon's measuring time per server (api)
  --log-rows 1000000    log rows imported (sync)

  --lists 20000,100000  lists per server, one measurement per size (default 20000,100000)
  --members 100         mean members per list (default 100)
  --fleet               validate --servers servers at once (default 10 × 100,000 lists)
  --servers N           servers in the fleet run
  --smoke               tiny sizes (2,000 lists to validate, 200 to sync, 1 s of load, 5,000 log rows,
                        4 servers and 16 jobs to scale out):
                        proves every benchmark runs, measures nothing
  --results PATH        the Markdown file to update (default packages/bench/RESULTS.md; none in --smoke)
  --json PATH           also write the figures as JSON
  --cpu-prof            profile the API (node --cpu-prof) and print where its time went

  --against REF         validation only: run it with this checkout's API (A) and with the API of
                        git commit REF (B, checked out and installed once into the temporary
                        folder), alternating ABBA…, and print each figure of both with the ratio
                        of their medians: whether a change helped, on a machine whose speed drifts
  --rounds 2            rounds of A and B (--against)
`;

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    seconds: { type: "string" },
    "log-rows": { type: "string" },
    lists: { type: "string" },
    members: { type: "string" },
    fleet: { type: "boolean", default: false },
    servers: { type: "string" },
    smoke: { type: "boolean", default: false },
    results: { type: "string" },
    json: { type: "string" },
    "cpu-prof": { type: "boolean", default: false },
    against: { type: "string" },
    rounds: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const wholeNumbers = (raw: string, name: string) =>
  raw.split(",").map((part) => {
    const value = Number(part.replace(/_/g, ""));
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes whole numbers, not "${raw}"`);
    return value;
  });

const servers = values.fleet ? wholeNumbers(values.servers ?? "10", "servers")[0]! : 1;
const sizes = values.lists ? wholeNumbers(values.lists, "lists") : values.smoke ? [2000] : values.fleet ? [100_000] : [20_000, 100_000];
const membersPerList = values.members ? wholeNumbers(values.members, "members")[0]! : values.smoke ? 10 : 100;
const mysqlUrl = process.env.LISTBILL_BENCH_MYSQL_URL || process.env.LISTBILL_TEST_MYSQL_URL || undefined;
const database = mysqlUrl ? "API on MySQL" : "API on embedded SQLite";
const resultsPath = values.results ?? (values.smoke ? undefined : join(import.meta.dirname, "..", "RESULTS.md"));
const cpuProfileDir = values["cpu-prof"] ? join(import.meta.dirname, "..", ".cache", "profiles", new Date().toISOString().replace(/[:.]/g, "-")) : undefined;
if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });

const BENCHMARKS = ["validation", "api", "sql", "sync", "scaleout"] as const;
const only = values.only ? values.only.split(",") : values.against ? ["validation"] : [...BENCHMARKS];
for (const name of only) if (!(BENCHMARKS as readonly string[]).includes(name)) throw new Error(`--only takes ${BENCHMARKS.join(", ")}, not "${name}"`);
if (values.against && only.some((name) => name !== "validation")) throw new Error("--against compares the validation benchmark only: leave out --only, or give --only validation");
if (values.rounds && !values.against) throw new Error("--rounds goes with --against");
const log = (line: string) => console.log(line);
const json: Record<string, unknown> = {};
const publish = (title: string, markdown: string) => {
  console.log(`\n${markdown}`);
  if (resultsPath) {
    writeSection(resultsPath, title, markdown);
    console.log(`\nwritten to ${resultsPath}`);
  }
};

if (values.against) {
  const ours = thisCheckout();
  const theirs = prepareCheckout(values.against, log);
  const rounds = values.rounds ? wholeNumbers(values.rounds, "rounds")[0]! : 2;
  const machine = machineLine(database);
  console.log(`validation benchmark, A: ${ours.label} against B: ${theirs.label}, ${rounds} round(s): ${sizes.join(", ")} lists × ${servers} server(s)\n${machine}`);
  const runs: ComparisonRun[] = [];
  for (let round = 0; round < rounds; round++) {
    // A B, then B A: each side runs first as often as second.
    const order = round % 2 === 0 ? (["A", "B"] as const) : (["B", "A"] as const);
    for (const side of order) {
      const checkout = side === "A" ? ours : theirs;
      console.log(`\nround ${round + 1} of ${rounds}, ${side}: ${checkout.label}`);
      runs.push({ side, figures: await runValidationBench({ sizes, servers, membersPerList, mysqlUrl, cpuProfileDir: undefined, apiDir: checkout.apiDir, log }) });
    }
  }
  const markdown = comparisonReport(machine, ours, theirs, runs, servers);
  console.log(`\n${markdown}`);
  // Not RESULTS.md unless asked: a comparison is a question about a change, not the product's figures.
  if (values.results) writeSection(values.results, `Validation, ${ours.label} against ${theirs.label}`, markdown);
  Object.assign(json, { machine, sizes, servers, membersPerList, comparison: { a: ours.label, b: theirs.label, runs } });
} else if (only.includes("validation")) {
  const machine = machineLine(database);
  console.log(`validation benchmark: ${sizes.join(", ")} lists × ${servers} server(s), ~${membersPerList} members per list\n${machine}`);
  const figures = await runValidationBench({ sizes, servers, membersPerList, mysqlUrl, cpuProfileDir, log });
  publish(`${servers === 1 ? "Validation of one server" : "Validation of a fleet"}, ${database}`, report(machine, figures));
  Object.assign(json, { machine, sizes, servers, membersPerList, figures });
  if (cpuProfileDir) printProfiles(cpuProfileDir);
}

if (only.includes("api") || only.includes("sql")) {
  // A day's data, entered through the API: 12 servers validated, one synced, 12 customers owning its lists.
  const shape = { lists: values.smoke ? 200 : 2000, servers: 12, customers: 12 };
  const seed = `Data: ${shape.servers} servers validated, one of them synced (${shape.lists.toLocaleString("en")} lists), ${shape.customers} customers with plans owning nine lists in ten.`;
  console.log(`\nseeding an API: ${seed}`);
  const nodeArgs = cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${join(cpuProfileDir, "api-bench", "api")}`] : [];
  const seeded: SeededApi = await startSeededApi(shape, { mysqlUrl, env: { LISTBILL_EXPOSE_SQL_COUNT: "1" }, nodeArgs, log });
  try {
    if (only.includes("sql")) {
      const machine = machineLine(database);
      const rows = await runSqlCountBench(seeded);
      publish("SQL statements per request", sqlCountReport(machine, rows, seed));
      json.sqlCount = rows;
    }
    if (only.includes("api")) {
      if (!mysqlUrl) console.log("\napi benchmark skipped: it compares against mysql2 and needs LISTBILL_BENCH_MYSQL_URL or LISTBILL_TEST_MYSQL_URL");
      else {
        // As deployed: without the per-request SQL counting the sql benchmark needed, default job polling.
        await seeded.relaunch({ LISTBILL_EXPOSE_SQL_COUNT: undefined, LISTBILL_JOB_POLL_MS: undefined });
        const machine = machineLine(database);
        console.log(`\nAPI throughput benchmark\n${machine}`);
        const figures = await runThroughputBench(seeded, { seconds: values.seconds ? wholeNumbers(values.seconds, "seconds")[0]! : values.smoke ? 1 : 10, log });
        publish("API throughput: lists(first: 50)", throughputReport(machine, figures, seed));
        json.throughput = figures;
      }
    }
  } finally {
    await seeded.stop();
  }
  if (cpuProfileDir) printProfiles(join(cpuProfileDir, "api-bench"));
}

if (only.includes("sync")) {
  if (!mysqlUrl) console.log("\nsync benchmark skipped: it compares against mysql2 and needs LISTBILL_BENCH_MYSQL_URL or LISTBILL_TEST_MYSQL_URL");
  else {
    const machine = machineLine(database);
    const lists = values.smoke ? 200 : 20_000;
    const logRows = values["log-rows"] ? wholeNumbers(values["log-rows"], "log-rows")[0]! : values.smoke ? 5000 : 1_000_000;
    console.log(`\nsync benchmark: ${lists.toLocaleString("en")} lists, ${logRows.toLocaleString("en")} log rows\n${machine}`);
    const figures = await runSyncBench({ lists, logRows, mysqlUrl, log });
    publish("Sync and log import", syncReport(machine, figures));
    json.sync = figures;
  }
}

if (only.includes("scaleout")) {
  if (!mysqlUrl) console.log("\nscale-out benchmark skipped: API processes share a MySQL queue; it needs LISTBILL_BENCH_MYSQL_URL or LISTBILL_TEST_MYSQL_URL");
  else {
    const machine = machineLine(database);
    const options = { mysqlUrl, servers: values.smoke ? 4 : 20, listsPerServer: values.smoke ? 20 : 200, jobs: values.smoke ? 16 : 200, latencyMs: 40, leaseMs: 2000, timeoutMs: values.smoke ? 60_000 : 600_000, log };
    console.log(`\nscale-out benchmark: ${options.servers} agents, ${options.jobs} jobs\n${machine}`);
    const figures = await runScaleOut(options);
    publish("Scale-out: two API processes, one killed", scaleOutReport(machine, figures, options));
    json.scaleOut = figures;
    if (figures.violations.length) process.exitCode = 1;
  }
}

if (values.json) writeFileSync(values.json, `${JSON.stringify(json, null, 2)}\n`);

function report(machine: string, all: SizeFigures[]): string {
  const ratio = (ms: number, raw: number) => `${(ms / raw).toFixed(1)}×`;
  const lists = (f: SizeFigures) => f.lists.toLocaleString("en");
  const slowest = (...phases: PhaseFigures[]) => `${Math.round(Math.max(...phases.map((phase) => phase.slowestPollMs)))} ms`;
  const unowned = all.map((f) =>
    [
      lists(f),
      seconds(f.rawListsOnlyMs),
      seconds(f.validateNew.wallMs),
      ratio(f.validateNew.wallMs, f.rawListsOnlyMs),
      seconds(f.validateSynced.wallMs),
      ratio(f.validateSynced.wallMs, f.rawListsOnlyMs),
      seconds(f.validateAgain.wallMs),
      ratio(f.validateAgain.wallMs, f.rawListsOnlyMs),
      slowest(f.validateNew, f.validateSynced, f.validateAgain),
    ].join(" | "),
  );
  const owned = all.map((f) =>
    [
      lists(f),
      seconds(f.rawWarmMs),
      seconds(f.sync.wallMs),
      ratio(f.sync.wallMs, f.rawWarmMs),
      `${seconds(f.assign.wallMs)} (${Math.round(f.assign.lists / (f.assign.wallMs / 1000)).toLocaleString("en")}/s)`,
      f.assign.wholeServers ? `${seconds(f.assign.wholeServers.assignMs)} / ${seconds(f.assign.wholeServers.endMs)}` : "—",
      seconds(f.rawBilledMs),
      seconds(f.validateOwned.wallMs),
      ratio(f.validateOwned.wallMs, f.rawBilledMs),
      seconds(f.validateOwnedAgain.wallMs),
      ratio(f.validateOwnedAgain.wallMs, f.rawBilledMs),
      slowest(f.validateOwned, f.validateOwnedAgain),
    ].join(" | "),
  );
  const writes = all.flatMap((f) =>
    ([["validate before sync", f.validateNew, f.rawWriteNew], ["validate after sync", f.validateSynced, f.rawWriteSynced]] as const).map(([name, phase, raw]) =>
      [lists(f), name, raw.rows.toLocaleString("en"), `${(raw.bytes / 2 ** 20).toFixed(1)} MB`, seconds(raw.wallMs), seconds(Math.max(raw.wallMs, f.rawListsOnlyMs)), seconds(phase.wallMs), ratio(phase.wallMs, Math.max(raw.wallMs, f.rawListsOnlyMs))].join(" | "),
    ),
  );
  // In the order of the memory and CPU tables' columns.
  const phases = (f: SizeFigures) => [f.validateNew, f.validateSynced, f.validateAgain, f.sync, f.validateOwned, f.validateOwnedAgain];
  const memory = all.map((f) => [lists(f), mb(Math.max(...phases(f).map((phase) => phase.startupPeakRssBytes))), ...phases(f).map((phase) => mb(phase.peakRssBytes))].join(" | "));
  // API + agents + database, in seconds, and how much of the machine's cores over the phase's wall time they kept busy.
  const cpuCell = ({ cpu, wallMs }: PhaseFigures) => {
    const used = cpu.apiMs + cpu.agentsMs + (cpu.databaseMs ?? 0);
    const parts = [cpu.apiMs, cpu.agentsMs, ...(cpu.databaseMs === undefined ? [] : [cpu.databaseMs])].map((ms) => (ms / 1000).toFixed(2)).join(" + ");
    return `${parts} s (${Math.round((used / (wallMs * cpus().length)) * 100)} %)`;
  };
  const cpu = all.map((f) => [lists(f), ...phases(f).map(cpuCell)].join(" | "));
  const phaseNames = ["validate before sync", "validate after sync", "validate again", "sync", "validate owned", "validate owned again"];
  const sweeps = all.flatMap((f) =>
    phases(f).flatMap((phase, index) => {
      if (!phase.sweep) return [];
      const { apiMs, databaseMs } = phase.sweep.cpu;
      return [[lists(f), phaseNames[index], seconds(phase.sweep.wallMs), seconds(phase.wallMs + phase.sweep.wallMs), `${(apiMs / 1000).toFixed(2)}${databaseMs === undefined ? "" : ` + ${(databaseMs / 1000).toFixed(2)}`} s`].join(" | ")];
    }),
  );
  // Validations only: the sync phase measures no errors page.
  const errorsPages = all.flatMap((f) =>
    phases(f).flatMap((phase, index) =>
      phase.errorsPages ? [[lists(f), phaseNames[index], ...phase.errorsPages.flatMap((page) => [page.totalCount.toLocaleString("en"), `${Math.round(page.ms)} ms (${Math.round(page.firstMs)} ms)`])].join(" | ")] : [],
    ),
  );
  const databaseCpu = all[0]!.validateNew.cpu.databaseMs !== undefined ? " + database server" : mysqlUrl ? " (the database server is not on this machine)" : " (SQLite runs inside the API)";
  const fleet = servers > 1 ? `${servers} servers at once (one fixture served by ${servers} agents); times run until the last job ended. ` : "";
  return [
    `${machine}`,
    "",
    `${fleet}~${membersPerList} members per list (0 to ${membersPerList * 2}). Agents and API on loopback; each phase in a fresh API process.`,
    "",
    "- Wall time: from the validateServers / syncServers mutation to the job seen SUCCEEDED (polled every 20 ms).",
    "- Raw stream: a bare HostingClient per server reading what the job reads (server info, logging flag, sites, lists), warm, all servers at once.",
    "  Validation reads member counts (billed members only) when a plan that limits members covers a list of the server; sync always reads them by status.",
    "  ÷ raw is the job over the raw stream of what it reads: the overhead of the API, its database writes included.",
    "- Slowest answer: the longest job(id) query while a validation ran (the API's responsiveness under load).",
    "",
    "No list owned (a server just added): validation reads lists without member counts.",
    "",
    "| lists per server | raw stream, lists | validate before sync | ÷ raw | validate after sync | ÷ raw | validate again, unchanged | ÷ raw | slowest answer |",
    "|---|---|---|---|---|---|---|---|---|",
    ...unowned.map((row) => `| ${row} |`),
    "",
    "What those runs wrote, written again by a bare driver (raw write: the rows read back, then inserted into an empty copy of",
    `validation_error with the same indexes and foreign keys, ${mysqlUrl ? `mysql2 streaming them as LOAD DATA LOCAL INFILE statements of 2,000 rows as the API does (INSERT statements where local_infile is off), ${inFlight(servers)} in flight at once (a job keeps one)` : "better-sqlite3 binding them to one 2,000-row prepared statement"}).`,
    "A validation can finish no sooner than the slower of reading its raw stream and writing its rows: the limit below.",
    "",
    "| lists per server | phase | rows written | their values | raw write | limit | the phase | ÷ limit |",
    "|---|---|---|---|---|---|---|---|",
    ...writes.map((row) => `| ${row} |`),
    "",
    "Every list owned by a customer whose plan limits members per list (above any list's count; assigned through assignLists,",
    "1,000 a call): validation reads each list's billed members (normal and held), where sync reads its counts by status. Its first",
    "run supersedes every LIST_UNASSIGNED error; the second finds nothing. Before those lists were assigned, each server was",
    "assigned whole to its customer (one assignServers call per server, all at once) and those ended again (one unassignServers",
    "call for all): every list's owner written twice. With one server, the time an operator waits for each; with a fleet, for all.",
    "",
    "| lists per server | raw stream, lists and counts | sync | ÷ raw | assign every list | assign each server whole / end it | raw stream, lists and billed members | validate owned | ÷ raw | validate owned again | ÷ raw | slowest answer |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...owned.map((row) => `| ${row} |`),
    "",
    "A run that supersedes most of a server's errors withdraws the earlier runs whole, and the API's sweep writes SUPERSEDED into",
    "their rows afterwards, in the background (it waits while the process runs jobs, up to a minute a run). The phase's wall time",
    "above ends with its jobs; the sweep, timed here in the same API process, runs from then until no run is due:",
    "",
    `| lists per server | phase | sweep | phase and sweep | CPU of the sweep, API${databaseCpu.startsWith(" + ") ? " + database" : ""} |`,
    "|---|---|---|---|---|",
    ...(sweeps.length ? sweeps.map((row) => `| ${row} |`) : ["| none | | | | |"]),
    "",
    "The errors page an operator opens after each validation (and its sweep), in the same API process: the SPA's ValidationErrors",
    "query (the first 100 errors of every server with their server and customer, and totalCount) for each status, median of",
    "three requests (the first in brackets):",
    "",
    "| lists per server | after | OPEN errors | their page | SUPERSEDED errors | their page |",
    "|---|---|---|---|---|---|",
    ...errorsPages.map((row) => `| ${row} |`),
    "",
    "Peak RSS of the API process (VmHWM; start-up alone reaches the first column):",
    "",
    "| lists per server | start-up | validate before sync | validate after sync | validate again | sync | validate owned | validate owned again |",
    "|---|---|---|---|---|---|---|---|",
    ...memory.map((row) => `| ${row} |`),
    "",
    `CPU used during each phase, API + agents${databaseCpu}, and the share of the ${cpus().length} cores' time over the phase's wall time it is:`,
    "",
    "| lists per server | validate before sync | validate after sync | validate again | sync | validate owned | validate owned again |",
    "|---|---|---|---|---|---|---|",
    ...cpu.map((row) => `| ${row} |`),
    "",
    all[0]!.servers === 1
      ? "Target (bench issue): 2 s and 300 MB for 100,000 lists on one server, memory flat as lists grow."
      : "Target (bench issue): 30 s for 10 servers of 100,000 lists, 300 MB flat as lists grow; the API runs 4 jobs at a time (LISTBILL_WORKER_CONCURRENCY).",
  ].join("\n");
}

function printProfiles(dir: string): void {
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread, where the API runs.
  const mainThread = (phase: string) => readdirSync(join(dir, phase)).filter((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name)).map((name) => join(phase, name));
  for (const file of readdirSync(dir).sort().flatMap(mainThread)) {
    const summary = summarizeCpuProfile(join(dir, file));
    console.log(`\n${file}: ${seconds(summary.totalMs)} sampled`);
    console.log("  by place:");
    for (const spot of summary.places) console.log(`    ${(spot.share * 100).toFixed(1).padStart(5)}%  ${spot.selfMs.toFixed(0).padStart(6)} ms  ${spot.name}`);
    console.log("  by function (self time):");
    for (const spot of summary.functions) console.log(`    ${(spot.share * 100).toFixed(1).padStart(5)}%  ${spot.selfMs.toFixed(0).padStart(6)} ms  ${spot.name}`);
  }
}
