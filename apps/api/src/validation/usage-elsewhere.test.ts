import { listNames } from "@listbill/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromGlobalId } from "../graphql/global-id.js";
import { List } from "../lists/list.entity.js";
import { FAST_JOBS_ENV, type HostingServer, openErrors, registerServer, runJobs, startHostingServer } from "../testing/hosting.js";
import { seedInventory } from "../testing/seed.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";
import { usageElsewhereQuery } from "./validation-runner.js";

// A plan limits a customer's whole account: validating one server counts the customer's lists on
// the others from billing's copy.
describe.each(testDatabases())("a plan's limits across servers, on %s", (kind) => {
  let app: TestApp;
  let a: HostingServer;
  let b: HostingServer;

  beforeAll(async () => {
    [app, a, b] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 6 }), startHostingServer({ lists: 6 })]);
  });
  afterAll(async () => {
    await app?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const gql = async (query: string, variables?: Record<string, unknown>) => dataOf(await app.gql(query, variables));

  it("counts the customer's lists on the other servers, and only those still live", async () => {
    const [serverA, serverB] = [await registerServer(app, { name: "Across A", port: a.agent.port }), await registerServer(app, { name: "Across B", port: b.agent.port })];
    await runJobs(app, "syncServers", [serverA, serverB]);
    const plan = (await gql(`mutation { createHostingPlan(input: { name: "Five lists", maxLists: 5 }) { hostingPlan { id } } }`)).createHostingPlan.hostingPlan.id;
    const customer = (await gql(`mutation($plan: ID!) { createCustomer(input: { company: "Across", planId: $plan }) { customer { id } } }`, { plan })).createCustomer.customer.id;
    const listsOf = async (serverId: string, names: string[]) => {
      const nodes: { id: string; name: string }[] = (await gql(`query($id: ID!) { server(id: $id) { lists(first: 100) { nodes { id name } } } }`, { id: serverId })).server.lists.nodes;
      return nodes.filter((list) => names.includes(list.name)).map((list) => list.id);
    };
    const assign = async (listIds: string[]) => {
      const { assignLists } = await gql(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code } } }`, { input: { listIds, customerId: customer } });
      expect(assignLists.userErrors).toEqual([]);
    };
    await assign(await listsOf(serverA, (await listNames(a.target, 100)).slice(0, 4)));
    const onB = await listsOf(serverB, (await listNames(b.target, 100)).slice(0, 3));
    await assign(onB);

    // 4 lists here and 3 on B: 7 against 5.
    await runJobs(app, "validateServers", [serverA]);
    const over = (await openErrors(app, serverA)).find((error) => error.code === "PLAN_MAX_LISTS_EXCEEDED");
    expect(over).toMatchObject({ objectKey: "Across", billingValue: { maxLists: 5 }, hostingValue: { actual: 7 } });

    // Two of B's lists marked removed in billing (gone from their server) no longer count: 5 of 5.
    await app.db.manager.update(List, { id: fromGlobalId("List", onB[0]!)! }, { removedAt: new Date() });
    await app.db.manager.update(List, { id: fromGlobalId("List", onB[1]!)! }, { removedAt: new Date() });
    await runJobs(app, "validateServers", [serverA]);
    expect((await openErrors(app, serverA)).map((error) => error.code)).not.toContain("PLAN_MAX_LISTS_EXCEEDED");
  });

  it("reads the customer's lists on the other servers from an index, without those on the server validated", async () => {
    // 10,000 lists a server, all of one customer on the first, ten of the same customer on the second.
    const { serverIds } = await seedInventory(app.db, { servers: 2, sitesPerServer: 20, listsPerSite: 500, membersPerList: 3, prefix: "plan" });
    const [here, there] = serverIds.map((id) => fromGlobalId("Server", id)!);
    const customerId = fromGlobalId("Customer", (await gql(`mutation { createCustomer(input: { company: "Big here" }) { customer { id } } }`)).createCustomer.customer.id)!;
    await app.db.manager.update(List, { serverId: here }, { customerId });
    const tenThere = (await app.db.manager.find(List, { select: { id: true }, where: { serverId: there }, order: { id: "ASC" }, take: 10 })).map((list) => list.id);
    await app.db.manager.createQueryBuilder().update(List).set({ customerId }).whereInIds(tenThere).execute();
    if (kind === "mysql") await app.db.manager.query("ANALYZE TABLE `list`");

    const query = usageElsewhereQuery(app.db.manager, [customerId], here);
    const rows: { serverId: number | string; lists: number | string; members: number | string }[] = await query.getRawMany();
    expect(rows.map((row) => ({ serverId: Number(row.serverId), lists: Number(row.lists), members: Number(row.members) }))).toEqual([{ serverId: there, lists: 10, members: 30 }]);

    const [sql, parameters] = query.getQueryAndParameters();
    const plan: Record<string, unknown>[] = await app.db.manager.query(`${kind === "sqlite" ? "EXPLAIN QUERY PLAN" : "EXPLAIN"} ${sql}`, parameters);
    if (kind === "sqlite") {
      // SQLite tests the server on the index's entries, before it reads a list's row.
      expect(plan.map((step) => step.detail).join("\n")).toMatch(/SEARCH list USING (COVERING )?INDEX IDX_list_customer_server \(customerId=\?/);
    } else {
      const listStep = plan.find((step) => step.table === "list")!;
      expect(listStep).toMatchObject({ key: "IDX_list_customer_server", type: "range" });
      // The optimizer's estimate of rows to read: the ten elsewhere, not the 10,000 here.
      expect(Number(listStep.rows)).toBeLessThan(1000);
    }
  }, 60_000);
});
