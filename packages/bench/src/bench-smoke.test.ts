import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "listbill-bench-smoke-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `pnpm bench --smoke` with these arguments, as a child process. */
const benchSmoke = (args: string[]) =>
  spawnSync(process.execPath, ["--import", "@oxc-node/core/register", "src/main.ts", "--smoke", ...args], { cwd: join(import.meta.dirname, ".."), encoding: "utf8", timeout: 170_000 });

const mysql = Boolean(process.env.LISTBILL_BENCH_MYSQL_URL || process.env.LISTBILL_TEST_MYSQL_URL);

// The benchmarks as `pnpm bench --smoke` runs them, end to end, so that they cannot rot unnoticed.
// Their speed is not asserted: only that every phase succeeded and produced figures. The api, sync
// and scale-out benchmarks compare against mysql2 or share a MySQL queue, so their test runs only
// when a MySQL URL is set (as in CI), and shows as skipped otherwise.
describe("every benchmark end to end in smoke mode", () => {
  let run: ReturnType<typeof benchSmoke>;
  let output: any;
  let markdown: string;
  beforeAll(() => {
    const results = join(dir, "RESULTS.md");
    const json = join(dir, "figures.json");
    run = benchSmoke(["--results", results, "--json", json]);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    output = JSON.parse(readFileSync(json, "utf8"));
    markdown = readFileSync(results, "utf8");
  }, 180_000);

  it("reports the validation figures and the SQL statements per request", () => {
    const { figures, sqlCount } = output;
    expect(figures).toHaveLength(1);
    const [size] = figures;
    expect(size).toMatchObject({ lists: 2000, servers: 1 });
    expect(size.rawWarmMs).toBeGreaterThan(0);
    expect(size.rawBilledMs).toBeGreaterThan(0);
    expect(size.rawListsOnlyMs).toBeGreaterThan(0);
    for (const phase of [size.validateNew, size.sync, size.validateSynced, size.validateAgain, size.validateOwned, size.validateOwnedAgain]) {
      expect(phase.wallMs).toBeGreaterThan(0);
      expect(phase.startupPeakRssBytes).toBeGreaterThan(0);
      expect(phase.slowestPollMs).toBeGreaterThan(0);
    }
    // Before the sync every list is new to billing; after it, billing knows them all.
    expect(size.validateNew.results).toEqual([expect.objectContaining({ listsChecked: 2000, outcome: "ERRORS" })]);
    expect(size.sync.results).toEqual([expect.objectContaining({ listsWritten: 2000 })]);
    expect(size.validateSynced.results).toEqual([expect.objectContaining({ listsChecked: 2000 })]);
    // Nothing changed since: every finding is an error already open, kept as it is.
    expect(size.validateAgain.results).toEqual([expect.objectContaining({ listsChecked: 2000, unchanged: size.validateSynced.results[0].findings, membersCounted: false })]);
    // The raw write wrote again exactly the rows each of those runs wrote.
    for (const [phase, raw] of [[size.validateNew, size.rawWriteNew], [size.validateSynced, size.rawWriteSynced]]) {
      const written = phase.results[0].findings - phase.results[0].unchanged;
      expect(written).toBeGreaterThanOrEqual(2000);
      expect(raw).toMatchObject({ rows: written, bytes: expect.any(Number), wallMs: expect.any(Number) });
      expect(raw.bytes).toBeGreaterThan(written * 50);
    }
    // Once every list has an owner on a plan limiting members, validation counts them, and finds nothing the second time.
    expect(size.assign.lists).toBe(2000);
    // Each server was assigned whole and that ended, before the lists were assigned one by one (the bench checks the owners).
    expect(size.assign.wholeServers).toEqual({ assignMs: expect.any(Number), endMs: expect.any(Number) });
    expect(size.assign.wholeServers.assignMs).toBeGreaterThan(0);
    expect(size.validateOwned.results).toEqual([expect.objectContaining({ listsChecked: 2000, membersCounted: true })]);
    expect(size.validateOwnedAgain.results).toEqual([expect.objectContaining({ listsChecked: 2000, membersCounted: true, findings: 0, outcome: "OK" })]);

    // After each validation the errors page shows exactly what the run found as OPEN; what runs replaced is SUPERSEDED.
    for (const phase of [size.validateNew, size.validateSynced, size.validateAgain, size.validateOwned, size.validateOwnedAgain]) {
      expect(phase.errorsPages).toEqual([
        { status: "OPEN", totalCount: phase.results[0].findings, ms: expect.any(Number), firstMs: expect.any(Number) },
        { status: "SUPERSEDED", totalCount: expect.any(Number), ms: expect.any(Number), firstMs: expect.any(Number) },
      ]);
    }
    expect(size.validateNew.errorsPages[1].totalCount).toBe(0);
    // In the end nothing is OPEN: every row any run wrote (its findings less those it kept) is SUPERSEDED.
    const written = [size.validateNew, size.validateSynced, size.validateAgain, size.validateOwned].reduce((sum, phase) => sum + phase.results[0].findings - phase.results[0].unchanged, 0);
    expect(size.validateOwnedAgain.errorsPages[1].totalCount).toBe(written);

    expect(markdown).toContain("## Validation of one server, API on ");
    expect(markdown).toMatch(/\| 2,000 \| validate owned again \| 0 \| \d+ ms \(\d+ ms\) \| [\d,]+ \| \d+ ms \(\d+ ms\) \|/);
    expect(markdown).toMatch(/\| 2,000 \| [\d.]+ s \| [\d.]+ s \| [\d.]+× \| [\d.]+ s \| [\d.]+× \| [\d.]+ s \| [\d.]+× \| \d+ ms \|/);
    expect(markdown).toMatch(/\| 2,000 \| [\d.]+ s \| [\d.]+ s \| [\d.]+× \| [\d.]+ s \([\d,]+\/s\) \| [\d.]+ s \/ [\d.]+ s \| [\d.]+ s \| [\d.]+ s \| [\d.]+× \| [\d.]+ s \| [\d.]+× \| \d+ ms \|/);
    expect(markdown).toMatch(/\| 2,000 \| \d+ MB \| \d+ MB \| \d+ MB \| \d+ MB \|/);
    expect(markdown).toMatch(/\| 2,000 \| validate before sync \| 2,\d{3} \| [\d.]+ MB \| [\d.]+ s \| [\d.]+ s \| [\d.]+ s \| [\d.]+× \|/);
    expect(markdown).toMatch(/\| 2,000 \| validate after sync \| 2,\d{3} \| [\d.]+ MB \| [\d.]+ s \| [\d.]+ s \| [\d.]+ s \| [\d.]+× \|/);

    // Every query the SPA ships, at both page sizes; none may run more statements for more rows.
    expect(sqlCount.map((row: { operation: string }) => row.operation)).toEqual(expect.arrayContaining(["Lists", "ServerDetail", "ValidationErrors", "CustomerDetail", "Jobs"]));
    for (const row of sqlCount) {
      expect(row.statements[10], row.operation).toBeGreaterThan(0);
      expect(row.statements[100], row.operation).toBe(row.statements[10]);
    }
    expect(markdown).toContain("## SQL statements per request");
  });

  it.skipIf(!mysql)("reports the API throughput against raw mysql2, sync and log import, and the scale-out run (MySQL)", () => {
    const { throughput, sync, scaleOut } = output;
    for (const side of [throughput.listbill, throughput.raw]) {
      expect(side.requestsPerSecond).toBeGreaterThan(0);
      expect(side.errors).toBe(0);
    }
    expect(markdown).toMatch(/listbill ÷ raw: \*\*[\d.]+\*\*/);
    expect(sync.inventory.listbill.rows).toBe(200);
    expect(sync.inventory.raw.rows).toBe(200);
    expect(sync.logImport.listbill.rows).toBe(5000);
    expect(sync.logImport.peakRssBytes).toBeGreaterThan(0);
    expect(markdown).toContain("## Sync and log import");
    // The month-end usage queries over that log: each answered, every customer's owned lists billed.
    expect(sync.usage.messages).toBe(5000);
    expect(sync.usage.queries.map((query: { rows: number }) => query.rows)).toEqual([expect.any(Number), expect.any(Number), 3]);
    for (const query of [sync.usage.raw, ...sync.usage.queries]) expect(query.ms).toBeGreaterThan(0);
    expect(markdown).toMatch(/\| usageByCustomer of the server \| 3 \| [\d.]+ s \| \*\*[\d.]+×\*\* \|/);
    // A month's invoices for the whole fleet: the log's last month, read through the sentAt index.
    expect(sync.usage.month.messages).toBeGreaterThan(0);
    expect(sync.usage.month.messages).toBeLessThan(5000);
    expect(sync.usage.month.raw.rows).toBe(1);
    expect(sync.usage.month.queries[0].rows).toBeGreaterThan(0);
    expect(markdown).toMatch(/\| usageByCustomer of the fleet \| \d+ \| [\d.]+ m?s \| \*\*[\d.]+×\*\* \|/);

    expect(scaleOut.violations).toEqual([]);
    expect(scaleOut.failed).toBe(0);
    expect(scaleOut.jobs.validate + scaleOut.jobs.sync).toBeGreaterThanOrEqual(16);
    expect(scaleOut.orphaned).toBeGreaterThan(0);
    expect(markdown).toContain("## Scale-out: two API processes, one killed");
    expect(markdown).toContain("Every job ended exactly once; no duplicate rows.");
  });

  it.skipIf(mysql)("says, without MySQL, that it skipped the api, sync and scale-out benchmarks", () => {
    expect(run.stdout).toContain("api benchmark skipped");
    expect(run.stdout).toContain("sync benchmark skipped");
    expect(run.stdout).toContain("scale-out benchmark skipped");
    expect(output).not.toHaveProperty("throughput");
    expect(output).not.toHaveProperty("sync");
    expect(output).not.toHaveProperty("scaleOut");
  });
});

// `--against`: the validation benchmark with this checkout's API and with another commit's,
// alternated. Against HEAD, so that it needs no history; the checkout of HEAD stays in the
// temporary folder (one per commit) for the next run.
it("compares validation with another commit's API in smoke mode", () => {
  const json = join(dir, "comparison.json");
  const run = benchSmoke(["--against", "HEAD", "--rounds", "1", "--json", json]);
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

  const { comparison } = JSON.parse(readFileSync(json, "utf8"));
  expect(comparison.b).toMatch(/^[0-9a-f]{10}$/);
  expect(comparison.runs.map((one: { side: string }) => one.side)).toEqual(["A", "B"]);
  for (const one of comparison.runs) {
    expect(one.figures).toEqual([expect.objectContaining({ lists: 2000, servers: 1 })]);
    expect(one.figures[0].validateOwnedAgain.results).toEqual([expect.objectContaining({ listsChecked: 2000, findings: 0 })]);
  }
  expect(run.stdout).toContain(`| | A: ${comparison.a} | B: ${comparison.b} | A ÷ B (medians) |`);
  expect(run.stdout).toMatch(/\| validate before sync \| [\d.]+ s \| [\d.]+ s \| [\d.]+ \|/);
  expect(run.stdout).toMatch(/\| validate again, CPU of API and database \| [\d.]+ s \| [\d.]+ s \| [\d.]+ \|/);
}, 180_000);
