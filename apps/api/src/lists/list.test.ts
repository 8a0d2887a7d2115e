import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Assignment } from "../assignments/assignment.entity.js";
import { fromGlobalId } from "../graphql/global-id.js";
import { seedInventory } from "../testing/seed.js";
import { type TestApp, dataOf, startTestApp, testDatabases, snapshotRows } from "../testing/test-app.js";

const ASSIGN = `mutation($input: AssignListsInput!) { assignLists(input: $input) { lists { id name customer { company } } userErrors { code field message } } }`;
const UNASSIGN = `mutation($input: UnassignListsInput!) { unassignLists(input: $input) { lists { id customer { company } } userErrors { code field message } } }`;
const CREATE_CUSTOMER = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id company isActive } userErrors { code field message } } }`;
const LISTS = `query($filter: ListFilter, $first: Int) { lists(first: $first, filter: $filter) { totalCount nodes { id name memberCount server { name } site { name } customer { company } } } }`;

describe.each(testDatabases())("lists and their assignment to customers on %s", (kind) => {
  let app: TestApp;
  let inventory: Awaited<ReturnType<typeof seedInventory>>;
  let acme: string;
  let globex: string;
  let dormant: string;

  beforeAll(async () => {
    app = await startTestApp(kind);
    inventory = await seedInventory(app.db, { servers: 2, sitesPerServer: 2, listsPerSite: 3, membersPerList: 25 });
    const create = async (company: string, isActive = true) => dataOf(await app.gql(CREATE_CUSTOMER, { input: { company, isActive } })).createCustomer.customer.id as string;
    acme = await create("Acme Mail");
    globex = await create("Globex");
    dormant = await create("Dormant Ltd", false);
  });
  afterAll(async () => {
    await app?.stop();
  });

  /** Every row of every table (assignments, lists, audit entries): what a refused change must leave as it was. */
  const ownershipRows = () => snapshotRows(app.db);

  it("lists every mirrored list with its server and site, all unassigned at first", async () => {
    const { lists } = dataOf(await app.gql(LISTS, { first: 100 }));
    expect(lists.totalCount).toBe(12);
    expect(lists.nodes[0]).toMatchObject({ name: "seed-s0-t0-list-0000", memberCount: 25, server: { name: "seed-server-0" }, site: { name: "site0" }, customer: null });
    const unassigned = dataOf(await app.gql(LISTS, { filter: { unassigned: true } })).lists;
    expect(unassigned.totalCount).toBe(12);
  });

  it("filters by server, site and name", async () => {
    const byServer = dataOf(await app.gql(LISTS, { filter: { serverId: inventory.serverIds[1] } })).lists;
    expect(byServer.totalCount).toBe(6);
    expect(byServer.nodes.every((list: { server: { name: string } }) => list.server.name === "seed-server-1")).toBe(true);
    const bySite = dataOf(await app.gql(LISTS, { filter: { siteId: inventory.siteIds[0] } })).lists;
    expect(bySite.nodes.map((list: { name: string }) => list.name)).toEqual(["seed-s0-t0-list-0000", "seed-s0-t0-list-0001", "seed-s0-t0-list-0002"]);
    const byName = dataOf(await app.gql(LISTS, { filter: { nameContains: "S1-T1-LIST-0002" } })).lists;
    expect(byName.nodes.map((list: { name: string }) => list.name)).toEqual(["seed-s1-t1-list-0002"]);
    const literal = dataOf(await app.gql(LISTS, { filter: { nameContains: "%" } })).lists;
    expect(literal.totalCount).toBe(0);
    const wrongType = await app.gql(LISTS, { filter: { serverId: inventory.listIds[0] } });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("assigns lists to a customer, who then owns and counts them", async () => {
    const listIds = inventory.listIds.slice(0, 3);
    const { assignLists } = dataOf(await app.gql(ASSIGN, { input: { listIds, customerId: acme, startDate: "2026-01-01" } }));
    expect(assignLists.userErrors).toEqual([]);
    expect(assignLists.lists.map((list: { customer: { company: string } }) => list.customer.company)).toEqual(["Acme Mail", "Acme Mail", "Acme Mail"]);

    const customer = dataOf(await app.gql(`query($id: ID!) { customer(id: $id) { company listCount memberCount lists { totalCount nodes { id } } } }`, { id: acme })).customer;
    expect(customer).toMatchObject({ company: "Acme Mail", listCount: 3, memberCount: 75, lists: { totalCount: 3 } });
    expect(customer.lists.nodes.map((list: { id: string }) => list.id).sort()).toEqual([...listIds].sort());
    expect(dataOf(await app.gql(LISTS, { filter: { customerId: acme } })).lists.totalCount).toBe(3);
    expect(dataOf(await app.gql(LISTS, { filter: { unassigned: true } })).lists.totalCount).toBe(9);
  });

  it("moves a list to another customer, ending the first assignment the day before", async () => {
    const listId = inventory.listIds[0];
    const { assignLists } = dataOf(await app.gql(ASSIGN, { input: { listIds: [listId], customerId: globex, startDate: "2026-03-01" } }));
    expect(assignLists.userErrors).toEqual([]);
    expect(assignLists.lists[0].customer.company).toBe("Globex");
    const history = await app.db.manager.find(Assignment, { order: { id: "ASC" } });
    const forList = history.filter((row) => row.listId === history[0].listId);
    expect(forList.map((row) => [row.startDate, row.endDate])).toEqual([
      ["2026-01-01", "2026-02-28"],
      ["2026-03-01", null],
    ]);
  });

  it.each([
    ["an empty selection", () => ({ listIds: [], customerId: acme }), "NO_LISTS_SELECTED"],
    ["an unknown list among known ones", () => ({ listIds: [inventory.listIds[5], "TGlzdDo5OTk5OQ"], customerId: acme }), "LIST_NOT_FOUND"],
    ["a server's ID passed as a list's", () => ({ listIds: [inventory.serverIds[0]], customerId: acme }), "LIST_NOT_FOUND"],
    ["an unknown customer", () => ({ listIds: [inventory.listIds[5]], customerId: "Q3VzdG9tZXI6OTk5OQ" }), "CUSTOMER_NOT_FOUND"],
    ["an inactive customer", () => ({ listIds: [inventory.listIds[5]], customerId: dormant }), "CUSTOMER_INACTIVE"],
    ["an impossible start date", () => ({ listIds: [inventory.listIds[5]], customerId: acme, startDate: "2026-02-30" }), "BAD_USER_INPUT"],
  ])("refuses %s and changes nothing", async (_label, input, code) => {
    const before = await ownershipRows();
    const response = await app.gql(ASSIGN, { input: input() });
    if (code === "BAD_USER_INPUT") {
      expect(response.errors?.[0]?.extensions?.code).toBe(code);
    } else {
      expect(dataOf(response).assignLists).toMatchObject({ lists: [], userErrors: [expect.objectContaining({ code })] });
    }
    expect(await ownershipRows()).toEqual(before);
  });

  it("unassigns lists, ending their assignment on the given day, and leaves unowned ones alone", async () => {
    const [owned, unowned] = [inventory.listIds[1], inventory.listIds[8]];
    const before = await app.db.manager.find(Assignment, { order: { id: "ASC" } });
    const { unassignLists } = dataOf(await app.gql(UNASSIGN, { input: { listIds: [owned, unowned], endDate: "2026-06-30" } }));
    expect(unassignLists.userErrors).toEqual([]);
    expect(unassignLists.lists.map((list: { customer: unknown }) => list.customer)).toEqual([null, null]);
    // One assignment ended, the owned list's; no other row changed, and none was added for the unowned one.
    const ended = await app.db.manager.findBy(Assignment, { endDate: "2026-06-30" });
    expect(ended).toHaveLength(1);
    expect(ended[0]!.startDate).toBe("2026-01-01");
    expect(await app.db.manager.find(Assignment, { order: { id: "ASC" } })).toEqual(before.map((row) => (row.id === ended[0]!.id ? { ...row, endDate: "2026-06-30" } : row)));
    const acmeNow = dataOf(await app.gql(`query($id: ID!) { customer(id: $id) { listCount } }`, { id: acme })).customer;
    expect(acmeNow.listCount).toBe(1);
  });
});

describe.each(testDatabases())("the audit trail on %s", (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
  });
  afterAll(async () => {
    await app?.stop();
  });

  const AUDIT = `query($filter: AuditEntryFilter) { auditEntries(first: 20, filter: $filter) { totalCount nodes { actor action objectType objectKey before after requestId } } }`;

  it("records who changed a server, what changed, and never the password", async () => {
    const created = dataOf(await app.gql(`mutation { createServer(input: { name: "Audited", hostName: "a.example.com", password: "hunter2-secret" }) { server { id } } }`)).createServer.server.id;
    dataOf(await app.gql(`mutation($input: UpdateServerInput!) { updateServer(input: $input) { userErrors { code } } }`, { input: { id: created, port: 3000, password: "another-secret" } }));
    const response = await app.gql(AUDIT, { filter: { objectId: created } });
    const { auditEntries } = dataOf(response);
    expect(auditEntries.nodes).toEqual([
      { actor: "admin", action: "server.update", objectType: "Server", objectKey: "Audited", before: { port: 2021, passwordChanged: false }, after: { port: 3000, passwordChanged: true }, requestId: expect.any(String) },
      { actor: "admin", action: "server.create", objectType: "Server", objectKey: "Audited", before: null, after: expect.objectContaining({ hostName: "a.example.com", passwordSet: true }), requestId: expect.any(String) },
    ]);
    expect(response.text).not.toContain("hunter2-secret");
    expect(response.text).not.toContain("another-secret");
  });

  it("records each list whose owner an assignment changed", async () => {
    const inventory = await seedInventory(app.db, { servers: 1, sitesPerServer: 1, listsPerSite: 2, prefix: "audit" });
    const customer = dataOf(await app.gql(`mutation { createCustomer(input: { company: "Owner Co" }) { customer { id } } }`)).createCustomer.customer.id;
    dataOf(await app.gql(ASSIGN, { input: { listIds: inventory.listIds, customerId: customer } }));
    dataOf(await app.gql(ASSIGN, { input: { listIds: inventory.listIds, customerId: customer } }));
    const { auditEntries } = dataOf(await app.gql(AUDIT, { filter: { actionPrefix: "list." } }));
    expect(auditEntries.totalCount).toBe(2);
    expect(auditEntries.nodes[0]).toMatchObject({ action: "list.assign", before: { owner: null }, after: { owner: { customerId: customer, company: "Owner Co" } } });
  });

  it("calls moving the same lists at the same time leave each exactly one current owner", async () => {
    const inventory = await seedInventory(app.db, { servers: 1, sitesPerServer: 1, listsPerSite: 3, prefix: "race" });
    const create = async (company: string) => dataOf(await app.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { company } })).createCustomer.customer.id as string;
    const [first, second] = [await create("Racer One"), await create("Racer Two")];
    const payloads = await Promise.all([first, second, first, second, first, second].map((customerId) => app.gql(ASSIGN, { input: { listIds: inventory.listIds, customerId } })));
    for (const payload of payloads) expect(dataOf(payload).assignLists.userErrors).toEqual([]);
    const rows = await app.db.manager.find(Assignment, { order: { id: "ASC" } });
    for (const globalId of inventory.listIds) {
      const id = fromGlobalId("List", globalId);
      expect(rows.filter((row) => row.listId === id && row.endDate === null)).toHaveLength(1);
    }
  });
});
