import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ignoreStillOpen } from "../fix/fix.service.js";
import { fromGlobalId } from "../graphql/global-id.js";
import { FAST_JOBS_ENV, type HostingServer, openErrors, registerServer, runJobs, startHostingServer } from "../testing/hosting.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";
import { DEFAULT_SWEEP_OPTIONS, SupersededSweep } from "./superseded-sweep.js";

const FIX = `mutation($input: FixValidationErrorsInput!) { fixValidationErrors(input: $input) { results { errorId status code } userErrors { code } } }`;
const IGNORE = `mutation($input: IgnoreValidationErrorsInput!) { ignoreValidationErrors(input: $input) { errors { id status } userErrors { code } } }`;

// A run that replaces most of a server's errors (the first after a sync) withdraws the earlier
// runs whole instead of writing SUPERSEDED into each error; a sweep writes the rows later. Every
// reader must see the same thing before, during and after that sweep.
describe.each(testDatabases())("superseding a server's errors, on %s", (kind) => {
  let app: TestApp;
  let big: HostingServer;
  let small: HostingServer;

  beforeAll(async () => {
    [app, big, small] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 3000, membersPerList: 2 }), startHostingServer({ lists: 5, membersPerList: 2 })]);
    // This test sweeps by hand, to look at the rows between the withdrawal and the sweep.
    await app.services.sweep.stop();
  });
  afterAll(async () => {
    await app?.stop();
    await Promise.all([big?.stop(), small?.stop()]);
  });

  const count = async (server: string, status: string, code?: string) => {
    const filter = { serverId: server, status: [status], ...(code ? { code: [code] } : {}) };
    return dataOf(await app.gql(`query($filter: ValidationErrorFilter) { validationErrors(first: 1, filter: $filter) { totalCount } }`, { filter })).validationErrors.totalCount as number;
  };
  /** What the rows themselves say, by status, for one server and code. */
  const stored = async (server: string, code: string) => {
    const rows: { status: string; n: number | string }[] = await app.db.manager.query("SELECT status, COUNT(*) AS n FROM validation_error WHERE serverId = ? AND code = ? GROUP BY status ORDER BY status", [fromGlobalId("Server", server), code]);
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
  };
  /** What the rows of the server's withdrawn runs say, by status. */
  const storedWithdrawn = async (server: string) => {
    const rows: { status: string; n: number | string }[] = await app.db.manager.query("SELECT status, COUNT(*) AS n FROM validation_error WHERE runId IN (SELECT id FROM validation_run WHERE serverId = ? AND withdrawnAt IS NOT NULL) GROUP BY status ORDER BY status", [fromGlobalId("Server", server)]);
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
  };
  /** Every node of one of the server's connections (`field` as "lists" or "validationErrors(filter: …)"), 100 a page. */
  const everyNode = async (server: string, field: string, selection: string) => {
    const [name, args] = field.includes("(") ? [field.slice(0, field.indexOf("(")), `, ${field.slice(field.indexOf("(") + 1, -1)}`] : [field, ""];
    const nodes: Record<string, string>[] = [];
    for (let after: string | null = null; ; ) {
      const page: any = dataOf(await app.gql(`query($id: ID!, $after: String) { server(id: $id) { ${name}(first: 100, after: $after${args}) { nodes { ${selection} } pageInfo { hasNextPage endCursor } } } }`, { id: server, after })).server[name];
      nodes.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) return nodes;
      after = page.pageInfo.endCursor;
    }
  };
  const openErrorCount = async (server: string) => dataOf(await app.gql(`query($id: ID!) { server(id: $id) { openErrorCount } }`, { id: server })).server.openErrorCount as number;
  const firstError = async (server: string, status: string, code: string) => {
    const filter = { serverId: server, status: [status], code: [code] };
    return dataOf(await app.gql(`query($filter: ValidationErrorFilter) { validationErrors(first: 1, filter: $filter) { nodes { id status } } }`, { filter })).validationErrors.nodes[0] as { id: string; status: string };
  };

  let bigId: string;
  let smallId: string;
  let smallBefore: unknown[];

  it("after a sync, the earlier errors read as SUPERSEDED everywhere before any row is rewritten", async () => {
    [bigId, smallId] = [await registerServer(app, { name: "Most errors", port: big.agent.port }), await registerServer(app, { name: "Few errors", port: small.agent.port })];
    await runJobs(app, "validateServers", [bigId, smallId], 60_000);
    smallBefore = await openErrors(app, smallId);
    expect(await count(bigId, "OPEN", "NEW_LIST")).toBe(3000);
    const before = await firstError(bigId, "OPEN", "NEW_LIST");

    await runJobs(app, "syncServers", [bigId], 60_000);
    await runJobs(app, "validateServers", [bigId], 60_000);

    // Readers: the filtered list and its count, the server's open count, one error by id.
    expect(await count(bigId, "OPEN", "NEW_LIST")).toBe(0);
    expect(await count(bigId, "SUPERSEDED", "NEW_LIST")).toBe(3000);
    expect(await count(bigId, "OPEN", "LIST_UNASSIGNED")).toBe(3000);
    expect(await openErrorCount(bigId)).toBe(3000);
    const one = dataOf(await app.gql(`query($id: ID!) { validationError(id: $id) { id status } }`, { id: before.id })).validationError;
    expect(one).toEqual({ id: before.id, status: "SUPERSEDED" });
    // The rows still say OPEN: the run withdrew the earlier one instead of writing 3,000 rows.
    expect(await stored(bigId, "NEW_LIST")).toEqual({ OPEN: 3000 });
    const runs: { withdrawnAt: unknown; sweepDueAt: unknown }[] = await app.db.manager.query("SELECT withdrawnAt, sweepDueAt FROM validation_run WHERE serverId = ? ORDER BY id", [fromGlobalId("Server", bigId)]);
    expect(runs.map((run) => [run.withdrawnAt !== null, run.sweepDueAt !== null])).toEqual([
      [true, true],
      [false, false],
    ]);
    expect(await openErrors(app, smallId)).toEqual(smallBefore);

    // An operator acting on a withdrawn error is told it was replaced, and nothing changes.
    const fixed = dataOf(await app.gql(FIX, { input: { errorIds: [before.id] } })).fixValidationErrors;
    expect(fixed.results).toEqual([{ errorId: before.id, status: "SKIPPED", code: "PLAN_STALE" }]);
    const ignored = dataOf(await app.gql(IGNORE, { input: { errorIds: [before.id] } })).ignoreValidationErrors;
    expect(ignored.errors).toEqual([{ id: before.id, status: "SUPERSEDED" }]);
    // So is one whose selection was read as OPEN just before the run withdrew it.
    const errorIds = (await everyNode(bigId, "validationErrors(filter: { status: [SUPERSEDED], code: [NEW_LIST] })", "id")).map((error) => fromGlobalId("ValidationError", error.id)!);
    expect(await app.db.transaction((manager) => ignoreStillOpen(manager, errorIds))).toBe(0);
    expect(await stored(bigId, "NEW_LIST")).toEqual({ OPEN: 3000 });
  }, 120_000);

  it("a sweep cut short leaves the rest to the next one, and readers see the same throughout", async () => {
    // Killed after its first batch: one batch written, the run still due.
    let asked = 0;
    const first = new SupersededSweep(app.db, { ...DEFAULT_SWEEP_OPTIONS, batch: 1000 });
    const withdrawn = await storedWithdrawn(bigId);
    expect(withdrawn.OPEN).toBeGreaterThan(3000); // 3,000 NEW_LIST errors and the sites'
    expect(await first.sweep({ yieldTo: () => asked++ > 0 })).toBe(1000);
    expect(await storedWithdrawn(bigId)).toEqual({ OPEN: withdrawn.OPEN! - 1000, SUPERSEDED: 1000 });
    expect(await count(bigId, "SUPERSEDED", "NEW_LIST")).toBe(3000);
    expect(await count(bigId, "OPEN", "NEW_LIST")).toBe(0);

    const second = new SupersededSweep(app.db, { ...DEFAULT_SWEEP_OPTIONS, batch: 1000 });
    expect(await second.sweep()).toBe(withdrawn.OPEN! - 1000);
    expect(await storedWithdrawn(bigId)).toEqual({ SUPERSEDED: withdrawn.OPEN });
    expect(await stored(bigId, "NEW_LIST")).toEqual({ SUPERSEDED: 3000 });
    expect(await count(bigId, "SUPERSEDED", "NEW_LIST")).toBe(3000);
    expect(await count(bigId, "OPEN", "LIST_UNASSIGNED")).toBe(3000);
    const due: unknown[] = await app.db.manager.query("SELECT id FROM validation_run WHERE sweepDueAt IS NOT NULL");
    expect(due).toEqual([]);
    // Nothing left: a further sweep writes nothing.
    expect(await second.sweep()).toBe(0);
    expect(await openErrors(app, smallId)).toEqual(smallBefore);
  }, 60_000);

  it("the sweep finds a run's rows from the runId index, not by reading the table", async () => {
    const sql = "SELECT error.id AS id FROM validation_error error WHERE error.runId = ? AND error.id > ? ORDER BY error.id ASC LIMIT 5000";
    if (kind === "mysql") await app.db.manager.query("ANALYZE TABLE `validation_error`");
    const plan: Record<string, unknown>[] = await app.db.manager.query(`${kind === "sqlite" ? "EXPLAIN QUERY PLAN" : "EXPLAIN"} ${sql}`, [1, 0]);
    if (kind === "sqlite") {
      expect(plan.map((step) => step.detail).join("\n")).toMatch(/SEARCH error USING COVERING INDEX IDX_validation_error_run_id \(runId=\? AND rowid>\?\)/);
    } else {
      // "range" on (runId, id), or "ref" on runId read in id order until the LIMIT: either way, no sort and no scan.
      expect(plan[0]).toMatchObject({ table: "error", key: "IDX_validation_error_run_id", type: expect.stringMatching(/^(range|ref)$/) });
      expect(String(plan[0]!.Extra)).not.toMatch(/filesort/);
    }
  });

  it("a run that finds a few errors again keeps them, with their ids, and withdraws the rest", async () => {
    // Two thirds of the lists get an owner: their LIST_UNASSIGNED errors vanish, a third stay.
    const customer = dataOf(await app.gql(`mutation { createCustomer(input: { company: "Acme" }) { customer { id } } }`)).createCustomer.customer.id;
    const lists = dataOf(await app.gql(`query($id: ID!) { server(id: $id) { validationErrors(first: 100, filter: { status: [OPEN], code: [LIST_UNASSIGNED] }) { nodes { id } } } }`, { id: bigId }));
    expect(lists.server.validationErrors.nodes).toHaveLength(100);
    const listIds = (await everyNode(bigId, "lists", "id")).map((list) => list.id);
    expect(listIds).toHaveLength(3000);
    const owned = listIds.filter((_, index) => index % 3 !== 0);
    for (let offset = 0; offset < owned.length; offset += 500) {
      const result = dataOf(await app.gql(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code } } }`, { input: { listIds: owned.slice(offset, offset + 500), customerId: customer } }));
      expect(result.assignLists.userErrors).toEqual([]);
    }
    const openBefore = new Set((await everyNode(bigId, "validationErrors(filter: { status: [OPEN] })", "id")).map((error) => error.id));
    expect(openBefore.size).toBe(3000);

    await runJobs(app, "validateServers", [bigId], 60_000);
    expect(await openErrorCount(bigId)).toBe(1000);
    expect(await count(bigId, "SUPERSEDED", "LIST_UNASSIGNED")).toBe(2000);
    // The thousand still unowned are the same errors as before: the same ids, carried into the new run.
    const openAfter = (await everyNode(bigId, "validationErrors(filter: { status: [OPEN] })", "id code")).map((node) => (expect(node.code).toBe("LIST_UNASSIGNED"), node.id));
    expect(openAfter).toHaveLength(1000);
    expect(openAfter.every((id) => openBefore.has(id))).toBe(true);
    const latest: { id: number | string }[] = await app.db.manager.query("SELECT MAX(id) AS id FROM validation_run WHERE serverId = ?", [fromGlobalId("Server", bigId)]);
    const inRun: { n: number | string }[] = await app.db.manager.query("SELECT COUNT(*) AS n FROM validation_error WHERE runId = ? AND status = 'OPEN'", [latest[0]!.id]);
    expect(Number(inRun[0]!.n)).toBe(1000);

    // Swept, the rows say what the readers said, and the log says so once.
    const lines: string[] = [];
    expect(await new SupersededSweep(app.db, DEFAULT_SWEEP_OPTIONS, () => false, (line) => lines.push(line)).sweep()).toBe(2000);
    expect(lines).toEqual([expect.stringMatching(/^\[sweep\] validation run \d+: 2,000 withdrawn errors written SUPERSEDED in \d+\.\d s$/)]);
    expect(await stored(bigId, "LIST_UNASSIGNED")).toEqual({ OPEN: 1000, SUPERSEDED: 2000 });
    expect(await openErrorCount(bigId)).toBe(1000);
  }, 120_000);

  it("the app's own sweep writes the rows once its jobs are done", async () => {
    // The small server's five lists are synced and validated again: its NEW_LIST errors are withdrawn.
    await runJobs(app, "syncServers", [smallId], 60_000);
    app.services.sweep.start();
    await runJobs(app, "validateServers", [smallId], 60_000);
    expect(await count(smallId, "SUPERSEDED", "NEW_LIST")).toBe(5);
    const deadline = Date.now() + 10_000;
    while (JSON.stringify(await stored(smallId, "NEW_LIST")) !== JSON.stringify({ SUPERSEDED: 5 })) {
      if (Date.now() > deadline) throw new Error(`not swept: ${JSON.stringify(await stored(smallId, "NEW_LIST"))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await app.services.sweep.stop();
  }, 60_000);
});
