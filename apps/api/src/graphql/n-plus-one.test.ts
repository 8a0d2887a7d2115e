import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedInventory } from "../testing/seed.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";

/**
 * The guard against N+1 queries: the SQL a request sends must not grow with the rows it returns,
 * because every relation field goes through a DataLoader.
 */
describe.each(testDatabases())("SQL statements per request on %s", (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
    // The job worker polls the database on its own; only the requests' statements are counted.
    await app.services.worker.stop();
    const inventory = await seedInventory(app.db, { servers: 4, sitesPerServer: 3, listsPerSite: 10 });
    const customers: string[] = [];
    for (const company of ["Acme", "Globex", "Initech", "Umbrella", "Hooli"]) {
      customers.push(dataOf(await app.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { company } })).createCustomer.customer.id);
    }
    for (const [index, customerId] of customers.entries()) {
      const listIds = inventory.listIds.filter((_, i) => i % 6 === index);
      dataOf(await app.gql(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code } } }`, { input: { listIds, customerId } }));
    }
  });
  afterAll(async () => {
    await app?.stop();
  });

  async function statementsFor(query: string, variables: Record<string, unknown>): Promise<{ count: number; data: any }> {
    let data: any;
    const count = await app.countSql(async () => {
      data = dataOf(await app.gql(query, variables));
    });
    return { count, data };
  }

  it("lists(first: N) { server, customer } costs the same at 10 and 100 rows, at most 4 statements", async () => {
    const query = `query($first: Int) { lists(first: $first) { nodes { server { name } customer { company } } } }`;
    const ten = await statementsFor(query, { first: 10 });
    const hundred = await statementsFor(query, { first: 100 });
    expect(ten.data.lists.nodes).toHaveLength(10);
    expect(hundred.data.lists.nodes).toHaveLength(100);
    expect(new Set(hundred.data.lists.nodes.map((list: any) => list.server.name)).size).toBe(4);
    expect(hundred.data.lists.nodes.filter((list: any) => list.customer).length).toBeGreaterThan(50);
    console.log(`[n+1] ${kind}: lists { server customer } sends ${ten.count} statements for 10 rows and ${hundred.count} for 100`);
    expect(hundred.count).toBe(ten.count);
    expect(hundred.count).toBeLessThanOrEqual(4);
  });

  it("customers with plan, list counts and site relations stay flat too", async () => {
    const query = `query($first: Int) {
      customers(first: $first) { totalCount nodes { company plan { name } listCount memberCount } }
      lists(first: $first) { totalCount nodes { site { name server { name } } } } }`;
    const two = await statementsFor(query, { first: 2 });
    const all = await statementsFor(query, { first: 100 });
    expect(all.data.customers.nodes).toHaveLength(5);
    expect(all.data.customers.nodes.reduce((sum: number, c: any) => sum + c.listCount, 0)).toBe(100);
    expect(all.count).toBe(two.count);
  });
});
