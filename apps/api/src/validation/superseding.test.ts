import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromGlobalId } from "../graphql/global-id.js";
import { FAST_JOBS_ENV, type HostingServer, openErrors, registerServer, runJobs, startHostingServer } from "../testing/hosting.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";
import { supersedingStatement } from "./validation-runner.js";

// A run that replaces most of a server's errors (the first after a sync) supersedes them by one
// UPDATE. It must read the server's OPEN errors from their index, however large a share of the
// table they are: a scan of the whole table grows with every error ever recorded.
describe.each(testDatabases())("superseding a server's errors, on %s", (kind) => {
  let app: TestApp;
  let big: HostingServer;
  let small: HostingServer;

  beforeAll(async () => {
    [app, big, small] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 3000, membersPerList: 2 }), startHostingServer({ lists: 5, membersPerList: 2 })]);
  });
  afterAll(async () => {
    await app?.stop();
    await Promise.all([big?.stop(), small?.stop()]);
  });

  const count = async (server: string, status: string, code?: string) => {
    const filter = { serverId: server, status: [status], ...(code ? { code: [code] } : {}) };
    return dataOf(await app.gql(`query($filter: ValidationErrorFilter) { validationErrors(first: 1, filter: $filter) { totalCount } }`, { filter })).validationErrors.totalCount as number;
  };

  it("reads only the server's OPEN errors, and leaves other servers' errors as they were", async () => {
    const [bigId, smallId] = [await registerServer(app, { name: "Most errors", port: big.agent.port }), await registerServer(app, { name: "Few errors", port: small.agent.port })];
    await runJobs(app, "validateServers", [bigId, smallId], 60_000);
    const smallBefore = await openErrors(app, smallId);
    expect(await count(smallId, "OPEN", "NEW_LIST")).toBe(5);
    expect(await count(bigId, "OPEN", "NEW_LIST")).toBe(3000);

    // The big server's OPEN errors are nearly all the table: the plan must still take the index.
    if (kind === "mysql") await app.db.manager.query("ANALYZE TABLE `validation_error`");
    const [sql, parameters] = supersedingStatement(kind, fromGlobalId("Server", bigId)!, [2_000_000_000], []);
    const plan: Record<string, unknown>[] = await app.db.manager.query(`${kind === "sqlite" ? "EXPLAIN QUERY PLAN" : "EXPLAIN"} ${sql}`, parameters);
    if (kind === "sqlite") {
      expect(plan.map((step) => step.detail).join("\n")).toMatch(/SEARCH validation_error USING INDEX IDX_validation_error_server_status_run \(serverId=\? AND status=\?\)/);
    } else {
      expect(plan[0]).toMatchObject({ table: "validation_error", key: "IDX_validation_error_server_status_run", type: "range" });
    }

    // After a sync every NEW_LIST error gives way to a LIST_UNASSIGNED one, by that statement.
    await runJobs(app, "syncServers", [bigId], 60_000);
    await runJobs(app, "validateServers", [bigId], 60_000);
    expect(await count(bigId, "OPEN", "NEW_LIST")).toBe(0);
    expect(await count(bigId, "OPEN", "LIST_UNASSIGNED")).toBe(3000);
    expect(await count(bigId, "SUPERSEDED", "NEW_LIST")).toBe(3000);
    expect(await openErrors(app, smallId)).toEqual(smallBefore);
  }, 120_000);
});
