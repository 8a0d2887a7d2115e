import type { Checkout } from "./against.js";
import { mb, median, seconds } from "./results.js";
import type { PhaseFigures, SizeFigures } from "./validation-bench.js";

/** One run of the validation benchmark: A by this checkout's API, B by the other's. */
export interface ComparisonRun {
  side: "A" | "B";
  figures: SizeFigures[];
}

const ROWS: { name: string; value: (f: SizeFigures) => number; unit: "ms" | "bytes" }[] = [
  { name: "raw stream, lists", value: (f) => f.rawListsOnlyMs, unit: "ms" },
  { name: "raw stream, lists and counts", value: (f) => f.rawWarmMs, unit: "ms" },
  { name: "raw stream, lists and billed members", value: (f) => f.rawBilledMs, unit: "ms" },
  { name: "validate before sync", value: (f) => f.validateNew.wallMs, unit: "ms" },
  { name: "sync", value: (f) => f.sync.wallMs, unit: "ms" },
  { name: "validate after sync", value: (f) => f.validateSynced.wallMs, unit: "ms" },
  // Until the superseded rows are written too: the same work on both sides, whether or not one defers it to a sweep.
  { name: "validate after sync, and its sweep", value: (f) => f.validateSynced.wallMs + (f.validateSynced.sweep?.wallMs ?? 0), unit: "ms" },
  { name: "validate again, unchanged", value: (f) => f.validateAgain.wallMs, unit: "ms" },
  { name: "assign every list", value: (f) => f.assign.wallMs, unit: "ms" },
  { name: "validate owned", value: (f) => f.validateOwned.wallMs, unit: "ms" },
  { name: "validate owned, and its sweep", value: (f) => f.validateOwned.wallMs + (f.validateOwned.sweep?.wallMs ?? 0), unit: "ms" },
  { name: "validate owned again", value: (f) => f.validateOwnedAgain.wallMs, unit: "ms" },
  // What the API and its database spent, without the agents' share. On these machines it drifts about as much as
  // wall time (identical code: 1.09 to 1.11 between sides, 2026-11-27): read beside the wall times, not instead.
  ...([
    ["validate before sync", (f: SizeFigures) => f.validateNew],
    ["validate after sync", (f: SizeFigures) => f.validateSynced],
    ["validate again", (f: SizeFigures) => f.validateAgain],
    ["validate owned again", (f: SizeFigures) => f.validateOwnedAgain],
  ] as const).map(([phase, of]) => ({ name: `${phase}, CPU of API and database`, value: (f: SizeFigures) => apiAndDatabaseMs(of(f)), unit: "ms" as const })),
  {
    name: "peak RSS, highest phase",
    value: (f) => Math.max(...[f.validateNew, f.sync, f.validateSynced, f.validateAgain, f.validateOwned, f.validateOwnedAgain].map((phase) => phase.peakRssBytes)),
    unit: "bytes",
  },
];

/** The API's CPU and the database server's (none on SQLite, inside the API) in a phase: what a change to the API can move. */
function apiAndDatabaseMs(phase: PhaseFigures): number {
  return phase.cpu.apiMs + (phase.cpu.databaseMs ?? 0);
}

/**
 * Two checkouts' validation runs side by side, per list size: each run's figure in the order run,
 * and the ratio of the medians (below 1: this checkout is faster or smaller). The raw streams'
 * ratio shows how far the machine itself moved between the two sides' runs.
 */
export function comparisonReport(machine: string, ours: Checkout, theirs: Checkout, runs: ComparisonRun[], servers: number): string {
  const sides = (["A", "B"] as const).map((side) => runs.filter((run) => run.side === side));
  const sizes = runs[0]!.figures.map((figures) => figures.lists);
  const format = (value: number, unit: "ms" | "bytes") => (unit === "ms" ? seconds(value) : mb(value));
  const order = runs.map((run) => run.side).join("");
  const sections = sizes.map((lists, index) => {
    const rows = ROWS.map((row) => {
      const [a, b] = sides.map((side) => side.map((run) => row.value(run.figures[index]!)));
      return `| ${row.name} | ${a!.map((value) => format(value, row.unit)).join(" / ")} | ${b!.map((value) => format(value, row.unit)).join(" / ")} | ${(median(a!) / median(b!)).toFixed(2)} |`;
    });
    return [
      `${lists.toLocaleString("en")} lists × ${servers} server(s):`,
      "",
      `| | A: ${ours.label} | B: ${theirs.label} | A ÷ B (medians) |`,
      "|---|---|---|---|",
      ...rows,
    ].join("\n");
  });
  return [
    machine,
    "",
    `A is this checkout's API, B the API of ${theirs.label}; agents, fixtures and the benchmark are this checkout's. Runs in the order ${order}, each side first as often as second, so that a machine drifting during the runs favours neither.`,
    "",
    ...sections.flatMap((section) => [section, ""]),
  ].join("\n");
}
