import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedInventory } from "../testing/seed.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";

/**
 * The guard against N+1 queries: the SQL a request sends must not grow with the rows it returns,
 * because every relation field goes through a DataLoader.
 */
describe.each(testDatabases())("SQL statements per request on %s", (kind) => {
  let app: TestApp;
  let inventory: Awaited<ReturnType<typeof seedInventory>>;
  const customers: string[] = [];
  beforeAll(async () => {
    app = await startTestApp(kind);
    // The job worker polls the database on its own; only the requests' statements are counted.
    await app.stopBackgroundWork();
    inventory = await seedInventory(app.db, { servers: 4, sitesPerServer: 3, listsPerSite: 10 });
    // Every other customer on a plan, the others without one.
    const planId = dataOf(await app.gql(`mutation { createHostingPlan(input: { name: "Standard" }) { hostingPlan { id } } }`)).createHostingPlan.hostingPlan.id;
    for (const [index, company] of ["Acme", "Globex", "Initech", "Umbrella", "Hooli"].entries()) {
      const input = index % 2 === 0 ? { company, planId } : { company };
      customers.push(dataOf(await app.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input })).createCustomer.customer.id);
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

  it("a lists page joins the servers and owners its nodes select: the token check and one statement, the same answers", async () => {
    const direct = `query($first: Int) { lists(first: $first) { nodes { id name server { id name } customer { id company } } } }`;
    const viaFragment = `query($first: Int) { lists(first: $first) { edges { node { id ...Owner } } } }
      fragment Owner on List { name ... on List { server { id name } } customer { id company } }`;
    const joined = await statementsFor(direct, { first: 100 });
    const fragment = await statementsFor(viaFragment, { first: 100 });
    expect(joined.count).toBe(2);
    expect(fragment.count).toBe(2);
    expect(fragment.data.lists.edges.map((edge: any) => edge.node)).toEqual(joined.data.lists.nodes);
    // The same lists one at a time, through the loaders alone, answer the same servers and owners.
    const one = `query($id: ID!) { list(id: $id) { id name server { id name } customer { id company } } }`;
    for (const node of joined.data.lists.nodes.filter((_: unknown, index: number) => index % 9 === 0)) {
      expect(dataOf(await app.gql(one, { id: node.id })).list).toEqual(node);
    }
    expect(joined.data.lists.nodes.filter((list: any) => list.customer === null).length).toBeGreaterThan(0);
    // Nested pages join too: a server's and a customer's lists cost one statement each beyond their parent.
    const nested = await statementsFor(`query($id: ID!) { node: customer(id: $id) { lists(first: 100) { nodes { server { name } customer { company } } } } }`, { id: joined.data.lists.nodes.find((list: any) => list.customer)!.customer.id });
    expect(nested.count).toBe(3);
    expect(nested.data.node.lists.nodes.length).toBeGreaterThan(0);
  });

  it("customers with plan, list counts and site relations stay flat too", async () => {
    const query = `query($first: Int) {
      customers(first: $first) { totalCount nodes { company plan { name } planHistory { startDate endDate plan { name } } listCount memberCount } }
      lists(first: $first) { totalCount nodes { site { name server { name } } } } }`;
    const two = await statementsFor(query, { first: 2 });
    const all = await statementsFor(query, { first: 100 });
    expect(all.data.customers.nodes).toHaveLength(5);
    expect(all.data.customers.nodes.reduce((sum: number, c: any) => sum + c.listCount, 0)).toBe(100);
    // Each customer's plan of creation, from the start.
    for (const customer of all.data.customers.nodes) expect(customer.planHistory).toEqual([{ startDate: "1970-01-01", endDate: null, plan: customer.plan }]);
    expect(all.data.customers.nodes.filter((customer: any) => customer.plan?.name === "Standard")).toHaveLength(3);
    expect(all.count).toBe(two.count);
  });

  it("how each list of a page is owned costs the same at 10 and 100 rows", async () => {
    const query = `query($first: Int) { lists(first: $first) { nodes { ownedThrough customer { company } } } }`;
    const ten = await statementsFor(query, { first: 10 });
    const hundred = await statementsFor(query, { first: 100 });
    expect(new Set(hundred.data.lists.nodes.map((list: { ownedThrough: string | null }) => list.ownedThrough))).toEqual(new Set(["LIST", null]));
    expect(hundred.count).toBe(ten.count);
  });

  it("whole-server and whole-site owners cost the same for one server or site as for all of them", async () => {
    const { siteIds, serverIds } = inventory;
    const assign = async (document: string, input: Record<string, unknown>) => expect(Object.values(dataOf(await app.gql(document, { input })))[0]).toMatchObject({ userErrors: [] });
    await assign(`mutation($input: AssignServersInput!) { assignServers(input: $input) { userErrors { code } } }`, { serverIds: serverIds.slice(0, 2), customerId: customers[0] });
    await assign(`mutation($input: AssignSitesInput!) { assignSites(input: $input) { userErrors { code } } }`, { siteIds: [siteIds[0], siteIds[4], siteIds[9]], customerId: customers[1] });
    // Servers' owners, one server or all four; a server's sites' owners, one site or all three.
    const servers = `query($first: Int) { servers(first: $first) { nodes { name customer { company } assignment { startDate customer { company } } } } }`;
    const sites = `query($id: ID!, $first: Int) { server(id: $id) { sites(first: $first) { nodes { name customer { company } assignment { scope customer { company } } } } } }`;
    const oneServer = await statementsFor(servers, { first: 1 });
    const allServers = await statementsFor(servers, { first: 4 });
    expect(allServers.data.servers.nodes.map((server: any) => server.customer?.company ?? null)).toEqual(["Acme", "Acme", null, null]);
    expect(allServers.count).toBe(oneServer.count);
    const owners: (string | null)[][] = [];
    for (const id of serverIds) {
      const oneSite = await statementsFor(sites, { id, first: 1 });
      const allSites = await statementsFor(sites, { id, first: 3 });
      owners.push(allSites.data.server.sites.nodes.map((site: any) => site.customer?.company ?? null));
      expect(allSites.count).toBe(oneSite.count);
    }
    expect(owners).toEqual([
      ["Globex", "Acme", "Acme"],
      ["Acme", "Globex", "Acme"],
      [null, null, null],
      ["Globex", null, null],
    ]);
  });
});
