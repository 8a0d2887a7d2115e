import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { FAST_JOBS_ENV, type HostingServer, registerServer, runJobs, startHostingServer } from "../testing/hosting.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";

/**
 * The nested connections of many parents (each server's sites, lists, jobs and errors; each
 * customer's lists and assignments) are read together, one statement per field whatever the
 * number of parents: each parent's page must be exactly the page it gets when asked alone.
 */
const PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }";

const SERVER_PAGES = `fragment ServerPages on Server {
  name
  sites(first: 1) { totalCount ${PAGE_INFO} edges { cursor node { name } } }
  lists(first: 3) { totalCount ${PAGE_INFO} nodes { name customer { company } server { name } ownedThrough } }
  lastLists: lists(last: 2, filter: { nameContains: "0" }) { totalCount ${PAGE_INFO} nodes { name } }
  jobs(first: 2) { totalCount ${PAGE_INFO} nodes { kind state } }
  withdrawn: validationErrors(first: 3, filter: { status: [OPEN, SUPERSEDED] }) { totalCount ${PAGE_INFO} nodes { code objectKey status } }
  validationErrors(last: 2) { totalCount ${PAGE_INFO} nodes { code objectKey status } }
}`;

const CUSTOMER_PAGES = `fragment CustomerPages on Customer {
  company
  lists(first: 2) { totalCount ${PAGE_INFO} nodes { name server { name } } }
  assignments(first: 2) { totalCount ${PAGE_INFO} nodes { scope endDate list { name } site { name } } }
  current: assignments(last: 1, filter: { current: true }) { totalCount nodes { scope } }
}`;

describe.each(testDatabases())("nested connections on %s", (kind) => {
  let app: TestApp;
  const hosting: HostingServer[] = [];
  const serverIds: string[] = [];
  const customerIds: string[] = [];

  beforeAll(async () => {
    const shapes = Promise.all([startHostingServer({ sites: 2, lists: 12 }), startHostingServer({ sites: 1, lists: 5, seed: 3 }), startHostingServer({ sites: 3, lists: 7, seed: 11 })]);
    app = await startTestApp(kind, FAST_JOBS_ENV);
    hosting.push(...(await shapes));
    for (const [index, server] of hosting.entries()) serverIds.push(await registerServer(app, { name: `Hosting ${"ABC"[index]}`, port: server.agent.port }));
    // One that never answers (its validation fails with an error row), one never validated.
    serverIds.push(await registerServer(app, { name: "Hosting D", port: 1 }));
    serverIds.push(await registerServer(app, { name: "Hosting E", port: 2 }));
    await runJobs(app, "validateServers", serverIds.slice(0, 4));
    await runJobs(app, "syncServers", serverIds.slice(0, 2));
    // A's first run is superseded by its second; B keeps its first run's errors withdrawn by the sync.
    await runJobs(app, "validateServers", serverIds.slice(0, 1));

    for (const company of ["Acme", "Globex", "Initech"]) {
      customerIds.push(dataOf(await app.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { company } })).createCustomer.customer.id);
    }
    const inventory = dataOf(await app.gql(`query { servers(first: 10) { nodes { name sites(first: 10) { nodes { id } } lists(first: 100) { nodes { id } } } } }`)).servers.nodes;
    const [a, b] = inventory;
    const mutate = async (document: string, input: Record<string, unknown>) => expect(Object.values(dataOf(await app.gql(document, { input })))[0]).toMatchObject({ userErrors: [] });
    const listIdsOf = (server: any) => server.lists.nodes.map((list: { id: string }) => list.id);
    await mutate(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code } } }`, { customerId: customerIds[0], listIds: listIdsOf(a).slice(0, 5) });
    await mutate(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code } } }`, { customerId: customerIds[1], listIds: listIdsOf(a).slice(5, 8) });
    await mutate(`mutation($input: AssignSitesInput!) { assignSites(input: $input) { userErrors { code } } }`, { customerId: customerIds[0], siteIds: [b.sites.nodes[0].id] });
    await mutate(`mutation($input: UnassignListsInput!) { unassignLists(input: $input) { userErrors { code } } }`, { listIds: listIdsOf(a).slice(0, 2) });
    await app.stopBackgroundWork();
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
    await Promise.all(hosting.map((server) => server.stop()));
  });

  async function statementsFor(query: string, variables: Record<string, unknown> = {}): Promise<{ count: number; data: any }> {
    let data: any;
    const count = await app.countSql(async () => {
      data = dataOf(await app.gql(query, variables));
    });
    return { count, data };
  }

  it("gives every server the pages it gets alone, in one statement per field for one server or five", async () => {
    const nested = `query($first: Int) { servers(first: $first) { nodes { id ...ServerPages } } } ${SERVER_PAGES}`;
    const one = await statementsFor(nested, { first: 1 });
    const five = await statementsFor(nested, { first: 5 });
    const servers = five.data.servers.nodes;
    expect(servers.map((server: any) => server.name)).toEqual(["Hosting A", "Hosting B", "Hosting C", "Hosting D", "Hosting E"]);
    for (const server of servers) {
      const alone = dataOf(await app.gql(`query($id: ID!) { server(id: $id) { id ...ServerPages } } ${SERVER_PAGES}`, { id: server.id })).server;
      expect(server).toEqual(alone);
    }
    // What the pages hold differs from server to server: the comparison above is not of empty pages.
    const [a, b, c, d, e] = servers;
    expect(a.lists.totalCount).toBe(12);
    expect(a.lists.nodes.map((list: any) => list.customer?.company ?? null)).toEqual([null, null, "Acme"]);
    expect(a.lists.pageInfo.hasNextPage).toBe(true);
    expect(b.lists.nodes.map((list: any) => list.ownedThrough)).toEqual(["SITE", "SITE", "SITE"]);
    expect(a.jobs.nodes.map((job: any) => job.kind)).toEqual(["VALIDATE", "SYNC"]);
    expect(a.jobs.totalCount).toBe(3);
    expect(c.lists.totalCount).toBe(0);
    expect(c.withdrawn.totalCount).toBeGreaterThan(0);
    expect(a.withdrawn.nodes.map((error: any) => error.status)).toContain("SUPERSEDED");
    expect(a.validationErrors.nodes.map((error: any) => error.status)).not.toContain("SUPERSEDED");
    expect(d.validationErrors.nodes.map((error: any) => error.code)).toEqual(["SERVER_UNREACHABLE"]);
    expect(e).toMatchObject({ sites: { totalCount: 0 }, lists: { totalCount: 0 }, jobs: { totalCount: 0 }, validationErrors: { totalCount: 0 } });
    expect(new Set(servers.map((server: any) => server.withdrawn.totalCount)).size).toBeGreaterThan(2);
    console.log(`[nested] ${kind}: a server's pages take ${one.count} statements for one server and ${five.count} for five`);
    expect(five.count).toBe(one.count);
  });

  it("pages on from the same cursor for every server, forwards and backwards", async () => {
    const first = dataOf(await app.gql(`query { servers(first: 1) { nodes { lists(first: 4) { edges { cursor } } } } }`)).servers.nodes[0].lists.edges;
    const cursor = first[2].cursor;
    const fragment = `fragment Around on Server { after: lists(first: 2, after: $cursor) { ${PAGE_INFO} nodes { name } } before: lists(last: 2, before: $cursor) { ${PAGE_INFO} nodes { name } } }`;
    const nested = dataOf(await app.gql(`query($cursor: String) { servers(first: 5) { nodes { id ...Around } } } ${fragment}`, { cursor })).servers.nodes;
    for (const server of nested) {
      expect(server).toEqual(dataOf(await app.gql(`query($id: ID!, $cursor: String) { server(id: $id) { id ...Around } } ${fragment}`, { id: server.id, cursor })).server);
    }
    // Hosting A's lists around its own third list; lists sort by name, so the others' fall wherever their names do.
    expect(nested[0].before.nodes).toHaveLength(2);
    expect(nested[0].after.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    expect(nested.some((server: any) => server.after.nodes.length !== nested[0].after.nodes.length || server.before.nodes.length !== 2)).toBe(true);
  });

  it("gives every customer the lists and assignments it gets alone, in one statement per field for one customer or three", async () => {
    const nested = `query($first: Int) { customers(first: $first) { nodes { id ...CustomerPages } } } ${CUSTOMER_PAGES}`;
    const one = await statementsFor(nested, { first: 1 });
    const three = await statementsFor(nested, { first: 3 });
    const customers = three.data.customers.nodes;
    for (const customer of customers) {
      expect(customer).toEqual(dataOf(await app.gql(`query($id: ID!) { customer(id: $id) { id ...CustomerPages } } ${CUSTOMER_PAGES}`, { id: customer.id })).customer);
    }
    const [acme, globex, initech] = customers;
    expect(acme.assignments.totalCount).toBe(6);
    expect(acme.assignments.nodes[0]).toMatchObject({ scope: "SITE", endDate: null, list: null, site: { name: expect.any(String) } });
    expect(acme.current).toEqual({ totalCount: 4, nodes: [{ scope: "LIST" }] });
    expect(acme.lists.totalCount).toBeGreaterThan(3);
    expect(globex.lists.totalCount).toBe(3);
    expect(globex.assignments.pageInfo.hasNextPage).toBe(true);
    expect(initech).toMatchObject({ lists: { totalCount: 0, nodes: [] }, assignments: { totalCount: 0, nodes: [] } });
    expect(three.count).toBe(one.count);
  });

  it("refuses a bad filter ID of a nested connection as the top-level one does: a typed error, not an internal one", async () => {
    for (const [filter, message] of [
      [`{ siteId: "bogus" }`, "filter.siteId is not a Site ID"],
      [`{ customerId: "bogus" }`, "filter.customerId is not a Customer ID"],
    ]) {
      for (const query of [`{ servers(first: 3) { nodes { lists(filter: ${filter}) { nodes { name } } } } }`, `query($id: ID!) { server(id: $id) { lists(filter: ${filter}) { nodes { name } } } }`]) {
        const response = await app.gql(query, { id: serverIds[0] });
        expect(response.errors?.length).toBeGreaterThan(0);
        for (const error of response.errors ?? []) expect(error).toMatchObject({ message, extensions: { code: "BAD_USER_INPUT" } });
      }
    }
  });

  it("reads afresh for each mutation of a document: the second sees what the first changed, in nested pages and rows read by id", async () => {
    const server = dataOf(await app.gql(`query($id: ID!) { server(id: $id) { lists(first: 1) { nodes { id name } } } }`, { id: serverIds[1] })).server;
    const list = server.lists.nodes[0];
    const selection = `lists { server { lists(first: 1) { nodes { name customer { company } } } } } userErrors { code }`;
    const response = dataOf(
      await app.gql(`mutation($assign: AssignListsInput!, $unassign: UnassignListsInput!) { first: assignLists(input: $assign) { ${selection} } second: unassignLists(input: $unassign) { ${selection} } }`, {
        assign: { customerId: customerIds[2], listIds: [list.id] },
        unassign: { listIds: [list.id] },
      }),
    );
    expect(response.first.lists[0].server.lists.nodes).toEqual([{ name: list.name, customer: { company: "Initech" } }]);
    // Back to its site's owner.
    expect(response.second.lists[0].server.lists.nodes).toEqual([{ name: list.name, customer: { company: "Acme" } }]);
    // Rows read by id too: the second assignment's payload counts both lists, not what the first one's read.
    const [one, two] = dataOf(await app.gql(`query($id: ID!) { server(id: $id) { lists(first: 3) { nodes { id } } } }`, { id: serverIds[1] })).server.lists.nodes;
    const count = `lists { customer { listCount } } userErrors { code }`;
    const before = dataOf(await app.gql(`query($id: ID!) { customer(id: $id) { listCount } }`, { id: customerIds[2] })).customer.listCount;
    const counted = dataOf(
      await app.gql(`mutation($a: AssignListsInput!, $b: AssignListsInput!) { a: assignLists(input: $a) { ${count} } b: assignLists(input: $b) { ${count} } }`, {
        a: { customerId: customerIds[2], listIds: [one.id] },
        b: { customerId: customerIds[2], listIds: [two.id] },
      }),
    );
    expect([counted.a.lists[0].customer.listCount, counted.b.lists[0].customer.listCount]).toEqual([before + 1, before + 2]);
    dataOf(await app.gql(`mutation($input: UnassignListsInput!) { unassignLists(input: $input) { userErrors { code } } }`, { input: { listIds: [one.id, two.id] } }));
  });

  it("reads a nested page and the server afresh for each event of a subscription", async () => {
    await app.services.worker.stop();
    const jobId = dataOf(await app.gql(`mutation($input: ValidateServersInput!) { validateServers(input: $input) { jobs { id } } }`, { input: { serverIds: [serverIds[1]] } })).validateServers.jobs[0].id;
    const client = createClient({ url: `${app.url.replace("http", "ws")}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${await app.tokenOf("admin")}` }, retryAttempts: 0 });
    const events: { state: string; nested: string; validatedAt: string }[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        client.subscribe<{ jobUpdated: { state: string; server: { validatedAt: string; jobs: { nodes: { id: string; state: string }[] } } } }>(
          { query: `subscription($id: ID!) { jobUpdated(id: $id) { state server { validatedAt jobs(first: 1) { nodes { id state } } } } }`, variables: { id: jobId } },
          {
            next: (message) => {
              const job = message.data?.jobUpdated;
              if (!job) return reject(new Error(JSON.stringify(message.errors)));
              expect(job.server.jobs.nodes[0]!.id).toBe(jobId);
              if (events.push({ state: job.state, nested: job.server.jobs.nodes[0]!.state, validatedAt: job.server.validatedAt }) === 1) app.services.worker.start();
            },
            error: reject,
            complete: resolve,
          },
        );
      });
    } finally {
      await client.dispose();
      await app.stopBackgroundWork();
    }
    expect(events.at(-1)!.state).toBe("SUCCEEDED");
    for (const event of events) expect(event.nested).toBe(event.state);
    // The server too is read afresh: the last event shows the validation that just ended.
    const { validatedAt } = dataOf(await app.gql(`query($id: ID!) { server(id: $id) { validatedAt } }`, { id: serverIds[1] })).server;
    expect(events.at(-1)!.validatedAt).toBe(validatedAt);
    expect(events[0]!.validatedAt).not.toBe(validatedAt);
  });

  it("refuses a bad page of a nested connection for each parent, with the same typed error as alone", async () => {
    const response = await app.gql(`query { servers(first: 3) { nodes { name lists(first: 0) { nodes { name } } } } }`);
    expect(response.data).toBeNull();
    const errors = (response as { errors?: { message: string; extensions?: { code?: string } }[] }).errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error).toMatchObject({ message: "first must be from 1 to 100", extensions: { code: "BAD_USER_INPUT" } });
  });
});
