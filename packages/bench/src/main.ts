import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { summarizeCpuProfile } from "./cpu-profile.js";
import { machineLine, mb, seconds, writeSection } from "./results.js";
import { type SizeFigures, runValidationBench } from "./validation-bench.js";

const USAGE = `pnpm bench [options]

Validation of hosting servers over real agents on loopback, with the API in its own process
(MySQL when LISTBILL_BENCH_MYSQL_URL or LISTBILL_TEST_MYSQL_URL is set, else embedded SQLite).

  --lists 20000,100000  lists per server, one measurement per size (default 20000,100000)
  --members 100         mean members per list (default 100)
  --fleet               validate --servers servers at once (default 10 × 100,000 lists)
  --servers N           servers in the fleet run
  --smoke               2,000 lists of ~10 members: proves the benchmark runs, measures nothing
  --results PATH        the Markdown file to update (default packages/bench/RESULTS.md; none in --smoke)
  --json PATH           also write the figures as JSON
  --cpu-prof            profile the API (node --cpu-prof) and print where its time went
`;

const { values } = parseArgs({
  options: {
    lists: { type: "string" },
    members: { type: "string" },
    fleet: { type: "boolean", default: false },
    servers: { type: "string" },
    smoke: { type: "boolean", default: false },
    results: { type: "string" },
    json: { type: "string" },
    "cpu-prof": { type: "boolean", default: false },
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

const machine = machineLine(database);
console.log(`validation benchmark: ${sizes.join(", ")} lists × ${servers} server(s), ~${membersPerList} members per list\n${machine}`);
const figures = await runValidationBench({ sizes, servers, membersPerList, mysqlUrl, cpuProfileDir, log: (line) => console.log(line) });

const markdown = report(figures);
console.log(`\n${markdown}`);
if (resultsPath) {
  writeSection(resultsPath, servers === 1 ? "Validation of one server" : "Validation of a fleet", markdown);
  console.log(`\nwritten to ${resultsPath}`);
}
if (values.json) writeFileSync(values.json, `${JSON.stringify({ machine, sizes, servers, membersPerList, figures }, null, 2)}\n`);
if (cpuProfileDir) printProfiles(cpuProfileDir);

function report(all: SizeFigures[]): string {
  const ratio = (ms: number, raw: number) => `${(ms / raw).toFixed(1)}×`;
  const lists = (f: SizeFigures) => f.lists.toLocaleString("en");
  const times = all.map((f) =>
    [
      lists(f),
      seconds(f.rawWarmMs),
      seconds(f.rawListsOnlyMs),
      seconds(f.validateNew.wallMs),
      ratio(f.validateNew.wallMs, f.rawWarmMs),
      seconds(f.validateSynced.wallMs),
      ratio(f.validateSynced.wallMs, f.rawWarmMs),
      seconds(f.sync.wallMs),
      `${Math.round(Math.max(f.validateNew.slowestPollMs, f.validateSynced.slowestPollMs))} ms`,
    ].join(" | "),
  );
  const memory = all.map((f) =>
    [lists(f), mb(Math.max(f.validateNew.startupPeakRssBytes, f.validateSynced.startupPeakRssBytes)), mb(f.validateNew.peakRssBytes), mb(f.validateSynced.peakRssBytes), mb(f.sync.peakRssBytes)].join(" | "),
  );
  const fleet = servers > 1 ? `${servers} servers at once (one fixture served by ${servers} agents); times run until the last job ended. ` : "";
  return [
    `${machine}`,
    "",
    `${fleet}~${membersPerList} members per list (0 to ${membersPerList * 2}). Agents and API on loopback; each phase in a fresh API process.`,
    "",
    "- Wall time: from the validateServers / syncServers mutation to the job seen SUCCEEDED (polled every 20 ms).",
    "- Raw stream: a bare HostingClient per server reading what validation reads (server info, sites, lists with member counts), warm;",
    "  \"lists only\" is the same without member counts. ÷ raw is validation over the raw stream with counts: the overhead of the API.",
    "- Slowest answer: the longest job(id) query while a validation ran (the API's responsiveness under load).",
    "",
    "| lists per server | raw stream | raw, lists only | validate before sync | ÷ raw | validate after sync | ÷ raw | sync | slowest answer |",
    "|---|---|---|---|---|---|---|---|---|",
    ...times.map((row) => `| ${row} |`),
    "",
    "Peak RSS of the API process (VmHWM; start-up alone reaches the first column):",
    "",
    "| lists per server | start-up | validate before sync | validate after sync | sync |",
    "|---|---|---|---|---|",
    ...memory.map((row) => `| ${row} |`),
    "",
    "Target (validation issue): 2 s and 300 MB for 100,000 lists on one server, memory flat as lists grow.",
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
