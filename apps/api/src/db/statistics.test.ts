import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { List } from "../lists/list.entity.js";
import { FAST_JOBS_ENV, type HostingServer, registerServer, runJobs, startHostingServer } from "../testing/hosting.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";

const LISTS = 20000;

// A sync that grows the list table from nothing must leave the optimizer knowing it: MariaDB plans
// with the statistics of the moment it opened the table, and paging a big server's lists from
// those sorted every list of the server for each page (see db/statistics.ts).
describe.each(testDatabases())("planning after a sync grows a table on %s", (kind) => {
  let app: TestApp;
  let hosting: HostingServer;
  let serverId: string;

  beforeAll(async () => {
    [app, hosting] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: LISTS, membersPerList: 1, logRows: 0 })]);
    serverId = await registerServer(app, { name: "Grown", port: hosting.agent.port });
  });
  afterAll(async () => {
    await app?.stop();
    await hosting?.stop();
  });

  it("pages a freshly synced server's lists from an index, without sorting them", async () => {
    // Read while empty, so the database holds the table open with an empty table's statistics.
    expect(dataOf(await app.gql(`query($id: ID!) { server(id: $id) { lists(first: 5) { totalCount } } }`, { id: serverId })).server.lists.totalCount).toBe(0);
    const [sync] = await runJobs(app, "syncServers", [serverId]);
    expect(sync.result).toMatchObject({ listsWritten: LISTS });

    const middle = await app.db.manager.getRepository(List).createQueryBuilder("list").orderBy("list.nameKey").offset(LISTS / 2).limit(1).getOneOrFail();
    // The shape of a `lists(after:)` page (graphql/connection.ts): keyset on (nameKey, id), LIMIT size + 1.
    const [sql, parameters] = app.db.manager
      .getRepository(List)
      .createQueryBuilder("list")
      .select(["list.id", "list.nameKey"])
      .where("list.serverId = :serverId", { serverId: middle.serverId })
      .andWhere("list.removedAt IS NULL")
      .andWhere("((list.nameKey > :key) OR (list.nameKey = :key AND list.id > :id))", { key: middle.nameKey, id: middle.id })
      .orderBy("list.nameKey", "ASC")
      .addOrderBy("list.id", "ASC")
      .limit(101)
      .getQueryAndParameters();
    const plan = JSON.stringify(await app.db.manager.query(`${kind === "sqlite" ? "EXPLAIN QUERY PLAN" : "EXPLAIN"} ${sql}`, parameters));
    expect(plan).toMatch(/IDX_list|UQ_list/);
    expect(plan).not.toMatch(/filesort|TEMP B-TREE/i);
  });
});
