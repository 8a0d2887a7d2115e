import { addList, addSite, deleteList, moveList, openFixtureDb, siteName } from "@listbill/fixtures";
import { IsNull } from "typeorm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditEntry } from "../audit/audit-entry.entity.js";
import { fromGlobalId, toGlobalId } from "../graphql/global-id.js";
import { Site } from "../sites/site.entity.js";
import { FAST_JOBS_ENV, type HostingServer, openErrors, registerServer, runJobs, startHostingServer } from "../testing/hosting.js";
import { seedInventory } from "../testing/seed.js";
import { type TestApp, dataOf, snapshotRows, startTestApp, testDatabases } from "../testing/test-app.js";
import { Assignment, AssignmentScope } from "./assignment.entity.js";

const USER_ERRORS = "userErrors { code field message }";
const ASSIGN_SITES = `mutation($input: AssignSitesInput!) { assignSites(input: $input) { sites { id name customer { company } assignment { scope startDate endDate customer { company } } } ${USER_ERRORS} } }`;
const UNASSIGN_SITES = `mutation($input: UnassignSitesInput!) { unassignSites(input: $input) { sites { id customer { company } assignment { startDate } } ${USER_ERRORS} } }`;
const ASSIGN_SERVERS = `mutation($input: AssignServersInput!) { assignServers(input: $input) { servers { id name customer { company } assignment { scope startDate } } ${USER_ERRORS} } }`;
const UNASSIGN_SERVERS = `mutation($input: UnassignServersInput!) { unassignServers(input: $input) { servers { id customer { company } assignment { startDate } } ${USER_ERRORS} } }`;
const ASSIGN_LISTS = `mutation($input: AssignListsInput!) { assignLists(input: $input) { ${USER_ERRORS} } }`;
const CREATE_CUSTOMER = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`;
const SERVER = `query($id: ID!) { server(id: $id) { customer { company } assignment { startDate } sites(first: 100) { nodes { id name customer { company } assignment { customer { company } } } } lists(first: 100) { nodes { id name site { name } customer { company } } } } }`;

/**
 * A customer owning a whole site or a whole server: its lists follow (unless a list has an owner
 * of its own, or a site inside the server does), and moving or ending it is history, not deletion.
 */
describe.each(testDatabases())("assigning whole sites and servers on %s", (kind) => {
  let app: TestApp;
  let inventory: Awaited<ReturnType<typeof seedInventory>>;
  let acme: string;
  let globex: string;
  let initech: string;
  let dormant: string;
  // seed-server-0 has site0 (lists 0-2) and site1 (lists 3-5); seed-server-1 the same (lists 6-11).
  let server0: string;
  let server1: string;
  let site0: string;
  let site1: string;

  beforeAll(async () => {
    app = await startTestApp(kind);
    inventory = await seedInventory(app.db, { servers: 2, sitesPerServer: 2, listsPerSite: 3, membersPerList: 20 });
    [server0, server1] = inventory.serverIds;
    [site0, site1] = inventory.siteIds;
    const create = async (company: string, isActive = true) => dataOf(await app.gql(CREATE_CUSTOMER, { input: { company, isActive } })).createCustomer.customer.id as string;
    acme = await create("Acme Mail");
    globex = await create("Globex");
    initech = await create("Initech");
    dormant = await create("Dormant Ltd", false);
  });
  afterAll(async () => {
    await app?.stop();
  });

  /** Each list of the server by name: its owner's company, or null. */
  async function owners(serverId: string): Promise<Record<string, string | null>> {
    const server = dataOf(await app.gql(SERVER, { id: serverId })).server;
    return Object.fromEntries(server.lists.nodes.map((list: { name: string; customer: { company: string } | null }) => [list.name, list.customer?.company ?? null]));
  }

  const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const listName = (server: number, site: number, list: number) => `seed-s${server}-t${site}-list-${String(list).padStart(4, "0")}`;

  it("gives a site's lists to the customer, and only that site's", async () => {
    const { assignSites } = dataOf(await app.gql(ASSIGN_SITES, { input: { siteIds: [site0], customerId: acme, startDate: "2026-01-01" } }));
    expect(assignSites.userErrors).toEqual([]);
    expect(assignSites.sites).toEqual([{ id: site0, name: "site0", customer: { company: "Acme Mail" }, assignment: { scope: "SITE", startDate: "2026-01-01", endDate: null, customer: { company: "Acme Mail" } } }]);
    expect(await owners(server0)).toEqual({
      [listName(0, 0, 0)]: "Acme Mail",
      [listName(0, 0, 1)]: "Acme Mail",
      [listName(0, 0, 2)]: "Acme Mail",
      [listName(0, 1, 0)]: null,
      [listName(0, 1, 1)]: null,
      [listName(0, 1, 2)]: null,
    });
    expect(Object.values(await owners(server1)).every((owner) => owner === null)).toBe(true);
    const customer = dataOf(await app.gql(`query($id: ID!) { customer(id: $id) { listCount memberCount } }`, { id: acme })).customer;
    expect(customer).toEqual({ listCount: 3, memberCount: 60 });
    const audit = await app.db.manager.findBy(AuditEntry, { action: "site.assign" });
    expect(audit).toEqual([expect.objectContaining({ objectType: "Site", objectId: site0, objectKey: "site0", actor: "admin", before: { owner: null }, after: { owner: { customerId: acme, company: "Acme Mail" } } })]);
  });

  it("keeps a list's own owner over its site's, and gives it back to the site when the list's assignment ends", async () => {
    const direct = inventory.listIds[1]!;
    expect(dataOf(await app.gql(ASSIGN_LISTS, { input: { listIds: [direct], customerId: globex, startDate: "2026-02-01" } })).assignLists.userErrors).toEqual([]);
    expect((await owners(server0))[listName(0, 0, 1)]).toBe("Globex");
    // Assigning the site again to its owner changes nothing, and the list stays Globex's.
    const again = dataOf(await app.gql(ASSIGN_SITES, { input: { siteIds: [site0], customerId: acme, startDate: "2026-03-01" } })).assignSites;
    expect(again.sites[0].assignment.startDate).toBe("2026-01-01");
    expect((await owners(server0))[listName(0, 0, 1)]).toBe("Globex");
    const unassigned = dataOf(await app.gql(`mutation($input: UnassignListsInput!) { unassignLists(input: $input) { lists { customer { company } } ${USER_ERRORS} } }`, { input: { listIds: [direct], endDate: "2026-02-28" } })).unassignLists;
    expect(unassigned).toEqual({ lists: [{ customer: { company: "Acme Mail" } }], userErrors: [] });
  });

  it("gives a server's other lists to its owner, leaving those of a site owned on its own", async () => {
    const { assignServers } = dataOf(await app.gql(ASSIGN_SERVERS, { input: { serverIds: [server0], customerId: initech, startDate: "2026-01-15" } }));
    expect(assignServers).toEqual({ servers: [{ id: server0, name: "seed-server-0", customer: { company: "Initech" }, assignment: { scope: "SERVER", startDate: "2026-01-15" } }], userErrors: [] });
    expect(await owners(server0)).toEqual({
      [listName(0, 0, 0)]: "Acme Mail",
      [listName(0, 0, 1)]: "Acme Mail",
      [listName(0, 0, 2)]: "Acme Mail",
      [listName(0, 1, 0)]: "Initech",
      [listName(0, 1, 1)]: "Initech",
      [listName(0, 1, 2)]: "Initech",
    });
    const server = dataOf(await app.gql(SERVER, { id: server0 })).server;
    expect(server.customer).toEqual({ company: "Initech" });
    // How each list is held: site0's through their site, site1's through the server.
    const held = dataOf(await app.gql(`query($id: ID!) { server(id: $id) { lists(first: 10) { nodes { name ownedThrough } } } }`, { id: server0 })).server.lists.nodes;
    expect(held.map((list: { name: string; ownedThrough: string }) => [list.name, list.ownedThrough])).toEqual([
      [listName(0, 0, 0), "SITE"],
      [listName(0, 0, 1), "SITE"],
      [listName(0, 0, 2), "SITE"],
      [listName(0, 1, 0), "SERVER"],
      [listName(0, 1, 1), "SERVER"],
      [listName(0, 1, 2), "SERVER"],
    ]);
    // site1 has no assignment of its own: it is owned through the server.
    expect(server.sites.nodes.map((site: { name: string; customer: unknown; assignment: unknown }) => [site.name, site.customer, site.assignment])).toEqual([
      ["site0", { company: "Acme Mail" }, { customer: { company: "Acme Mail" } }],
      ["site1", { company: "Initech" }, null],
    ]);
  });

  it("moves a site to another customer, ending the first assignment the day before", async () => {
    const { assignSites } = dataOf(await app.gql(ASSIGN_SITES, { input: { siteIds: [site0], customerId: globex, startDate: "2026-06-01" } }));
    expect(assignSites.userErrors).toEqual([]);
    expect(assignSites.sites[0].customer).toEqual({ company: "Globex" });
    const history = await app.db.manager.find(Assignment, { where: { siteId: fromGlobalId("Site", site0)! }, order: { id: "ASC" } });
    expect(history.map((row) => [row.scope, row.customerId, row.startDate, row.endDate])).toEqual([
      ["SITE", fromGlobalId("Customer", acme), "2026-01-01", "2026-05-31"],
      ["SITE", fromGlobalId("Customer", globex), "2026-06-01", null],
    ]);
    expect((await owners(server0))[listName(0, 0, 2)]).toBe("Globex");
    const customers = dataOf(await app.gql(`{ customers(first: 10) { nodes { company listCount } } }`)).customers.nodes;
    expect(Object.fromEntries(customers.map((row: { company: string; listCount: number }) => [row.company, row.listCount]))).toEqual({ "Acme Mail": 0, "Dormant Ltd": 0, Globex: 3, Initech: 3 });
  });

  it("refuses to end a site's ownership that comes from its server, and changes nothing", async () => {
    const before = await snapshotRows(app.db);
    const { unassignSites } = dataOf(await app.gql(UNASSIGN_SITES, { input: { siteIds: [site0, site1] } }));
    expect(unassignSites).toEqual({ sites: [], userErrors: [{ code: "INHERITED_ASSIGNMENT", field: ["input", "siteIds", "1"], message: "site1 is owned through its whole server; unassign the server instead" }] });
    expect(await snapshotRows(app.db)).toEqual(before);
  });

  it("ends a site's own assignment: its lists fall back to the server's owner", async () => {
    const { unassignSites } = dataOf(await app.gql(UNASSIGN_SITES, { input: { siteIds: [site0], endDate: "2026-09-30" } }));
    expect(unassignSites).toEqual({ sites: [{ id: site0, customer: { company: "Initech" }, assignment: null }], userErrors: [] });
    expect(Object.values(await owners(server0))).toEqual(Array(6).fill("Initech"));
    const ended = await app.db.manager.findOneByOrFail(Assignment, { siteId: fromGlobalId("Site", site0)!, customerId: fromGlobalId("Customer", globex)! });
    expect(ended.endDate).toBe("2026-09-30");
  });

  it("ends a server's assignment: lists owned only through it are nobody's, a list's own owner stays", async () => {
    const own = inventory.listIds[4]!;
    expect(dataOf(await app.gql(ASSIGN_LISTS, { input: { listIds: [own], customerId: acme, startDate: "2026-07-01" } })).assignLists.userErrors).toEqual([]);
    const { unassignServers } = dataOf(await app.gql(UNASSIGN_SERVERS, { input: { serverIds: [server0], endDate: "2026-10-31" } }));
    expect(unassignServers).toEqual({ servers: [{ id: server0, customer: null, assignment: null }], userErrors: [] });
    const after = await owners(server0);
    expect(after[listName(0, 1, 1)]).toBe("Acme Mail");
    const held = dataOf(await app.gql(`query($id: ID!) { server(id: $id) { lists(first: 10) { nodes { name ownedThrough } } } }`, { id: server0 })).server.lists.nodes;
    expect(held.filter((list: { ownedThrough: string | null }) => list.ownedThrough !== null)).toEqual([{ name: listName(0, 1, 1), ownedThrough: "LIST" }]);
    expect(Object.entries(after).filter(([name]) => name !== listName(0, 1, 1)).every(([, owner]) => owner === null)).toBe(true);
    // History stays: every assignment row is kept, the ended ones with their end dates.
    const open = await app.db.manager.findBy(Assignment, { endDate: IsNull() });
    expect(open.map((row) => row.scope)).toEqual(["LIST"]);
    expect(await app.db.manager.count(Assignment)).toBe(5);
    const audit = (await app.db.manager.find(AuditEntry, { order: { id: "ASC" } })).filter((entry) => /^(site|server)\./.test(entry.action));
    expect(audit.map((entry) => entry.action)).toEqual(["site.assign", "server.assign", "site.assign", "site.unassign", "server.unassign"]);
  });

  it("keeps each customer's assignments as history, newest first, filtered by scope and by being current", async () => {
    const ASSIGNMENTS = `query($id: ID!, $filter: AssignmentFilter) { customer(id: $id) { assignments(first: 10, filter: $filter) { totalCount nodes { scope startDate endDate server { name } site { name } list { name } customer { company } } } } }`;
    const of = async (id: string, filter?: Record<string, unknown>) => dataOf(await app.gql(ASSIGNMENTS, { id, filter })).customer.assignments;
    const row = (scope: string, startDate: string, endDate: string | null, server: string, site: string | null, list: string | null, company: string) => ({
      scope, startDate, endDate, server: { name: server }, site: site && { name: site }, list: list && { name: list }, customer: { company },
    });
    expect(await of(acme)).toEqual({
      totalCount: 2,
      nodes: [row("LIST", "2026-07-01", null, "seed-server-0", null, listName(0, 1, 1), "Acme Mail"), row("SITE", "2026-01-01", "2026-05-31", "seed-server-0", "site0", null, "Acme Mail")],
    });
    expect((await of(acme, { current: true })).nodes.map((node: { scope: string }) => node.scope)).toEqual(["LIST"]);
    expect((await of(acme, { current: false, scope: ["SITE", "SERVER"] })).nodes.map((node: { scope: string }) => node.scope)).toEqual(["SITE"]);
    expect(await of(globex)).toMatchObject({ totalCount: 2, nodes: [{ scope: "SITE", startDate: "2026-06-01", endDate: "2026-09-30" }, { scope: "LIST", endDate: "2026-02-28", list: { name: listName(0, 0, 1) } }] });
    expect(await of(initech, { scope: ["SERVER"] })).toEqual({ totalCount: 1, nodes: [row("SERVER", "2026-01-15", "2026-10-31", "seed-server-0", null, null, "Initech")] });
    expect(await of(dormant)).toEqual({ totalCount: 0, nodes: [] });
  });

  it("unassigning a site or server nobody owns changes nothing", async () => {
    const before = await snapshotRows(app.db);
    expect(dataOf(await app.gql(UNASSIGN_SITES, { input: { siteIds: [site1] } })).unassignSites).toEqual({ sites: [{ id: site1, customer: null, assignment: null }], userErrors: [] });
    expect(dataOf(await app.gql(UNASSIGN_SERVERS, { input: { serverIds: [server1] } })).unassignServers).toEqual({ servers: [{ id: server1, customer: null, assignment: null }], userErrors: [] });
    expect(await snapshotRows(app.db)).toEqual(before);
  });

  it("refuses bad input with a typed error per field, and changes nothing", async () => {
    const removed = inventory.siteIds[3]!;
    await app.db.manager.update(Site, { id: fromGlobalId("Site", removed)! }, { removedAt: new Date("2026-05-05T00:00:00Z") });
    const before = await snapshotRows(app.db);
    const refusals: [string, Record<string, unknown>, { code: string; field: string[] }[]][] = [
      [ASSIGN_SITES, { siteIds: [], customerId: acme }, [{ code: "NO_SITES_SELECTED", field: ["input", "siteIds"] }]],
      [ASSIGN_SITES, { siteIds: Array(1001).fill(site0), customerId: acme }, [{ code: "TOO_MANY_SITES", field: ["input", "siteIds"] }]],
      [ASSIGN_SITES, { siteIds: [site0, inventory.listIds[0]], customerId: acme }, [{ code: "SITE_NOT_FOUND", field: ["input", "siteIds", "1"] }]],
      [ASSIGN_SITES, { siteIds: [site1, removed], customerId: acme }, [{ code: "SITE_REMOVED", field: ["input", "siteIds", "1"] }]],
      [ASSIGN_SITES, { siteIds: [site1], customerId: dormant }, [{ code: "CUSTOMER_INACTIVE", field: ["input", "customerId"] }]],
      [ASSIGN_SITES, { siteIds: [site1], customerId: server0 }, [{ code: "CUSTOMER_NOT_FOUND", field: ["input", "customerId"] }]],
      [ASSIGN_SITES, { siteIds: [site1], customerId: acme, startDate: tomorrow() }, [{ code: "INVALID_DATE", field: ["input", "startDate"] }]],
      [UNASSIGN_SITES, { siteIds: [site1], endDate: tomorrow() }, [{ code: "INVALID_DATE", field: ["input", "endDate"] }]],
      [ASSIGN_SERVERS, { serverIds: [], customerId: acme }, [{ code: "NO_SERVERS_SELECTED", field: ["input", "serverIds"] }]],
      [ASSIGN_SERVERS, { serverIds: [server1, site0], customerId: acme }, [{ code: "SERVER_NOT_FOUND", field: ["input", "serverIds", "1"] }]],
      [UNASSIGN_SERVERS, { serverIds: [server0, toGlobalId("Server", 99_999)] }, [{ code: "SERVER_NOT_FOUND", field: ["input", "serverIds", "1"] }]],
    ];
    for (const [document, input, expected] of refusals) {
      const payload = Object.values(dataOf(await app.gql(document, { input })))[0] as { userErrors: { code: string; field: string[] }[]; sites?: unknown[]; servers?: unknown[] };
      expect(payload.userErrors.map(({ code, field }) => ({ code, field }))).toEqual(expected);
      expect(payload.sites ?? payload.servers).toEqual([]);
    }
    // An end before the start, on the one server an owner holds.
    expect(dataOf(await app.gql(ASSIGN_SERVERS, { input: { serverIds: [server1], customerId: acme, startDate: "2026-08-01" } })).assignServers.userErrors).toEqual([]);
    const owned = await snapshotRows(app.db);
    const early = dataOf(await app.gql(UNASSIGN_SERVERS, { input: { serverIds: [server1], endDate: "2026-07-31" } })).unassignServers;
    expect(early.userErrors).toEqual([{ code: "INVALID_DATE", field: ["input", "endDate"], message: "endDate 2026-07-31 is before the assignment's start 2026-08-01" }]);
    expect(await snapshotRows(app.db)).toEqual(owned);
    expect(before).not.toEqual(owned);
  });

  it("moving a site on or before the day its owner's assignment began voids that assignment: no day is billed to two customers", async () => {
    const site = inventory.siteIds[2]!;
    const siteRow = fromGlobalId("Site", site)!;
    const move = async (customerId: string, startDate: string) => expect(dataOf(await app.gql(ASSIGN_SITES, { input: { siteIds: [site], customerId, startDate } })).assignSites.userErrors).toEqual([]);
    await move(acme, "2026-04-01");
    await move(globex, "2026-04-01");
    await move(initech, "2026-03-15");
    const history = await app.db.manager.find(Assignment, { where: { siteId: siteRow }, order: { id: "ASC" } });
    expect(history.map((row) => [row.customerId, row.startDate, row.endDate])).toEqual([
      // Acme's, ended the day before Globex's start, overlapped Initech's from 03-15: pulled back too.
      [fromGlobalId("Customer", acme), "2026-04-01", "2026-03-14"],
      [fromGlobalId("Customer", globex), "2026-04-01", "2026-03-14"],
      [fromGlobalId("Customer", initech), "2026-03-15", null],
    ]);
    // Whatever the day, at most one of them was in effect.
    for (let day = Date.parse("2026-03-01T00:00:00Z"); day <= Date.parse("2026-05-01T00:00:00Z"); day += 86_400_000) {
      const date = new Date(day).toISOString().slice(0, 10);
      expect(history.filter((row) => row.startDate <= date && (row.endDate === null || row.endDate >= date)).length, date).toBeLessThanOrEqual(1);
    }
    expect(dataOf(await app.gql(SERVER, { id: server1 })).server.sites.nodes.find((node: { id: string }) => node.id === site).customer).toEqual({ company: "Initech" });
  });

  it("calls moving one site at the same time leave it exactly one current owner, whom its lists follow", async () => {
    const customers = [acme, globex, initech, acme, globex, initech];
    const payloads = await Promise.all(customers.map((customerId) => app.gql(ASSIGN_SITES, { input: { siteIds: [site1], customerId } })));
    for (const payload of payloads) expect(dataOf(payload).assignSites.userErrors).toEqual([]);
    const open = await app.db.manager.findBy(Assignment, { siteId: fromGlobalId("Site", site1)!, endDate: IsNull() });
    expect(open).toHaveLength(1);
    const shown = dataOf(await app.gql(SERVER, { id: server0 })).server.sites.nodes.find((node: { id: string }) => node.id === site1).customer.company;
    // Its lists follow that owner, except the one Acme Mail holds directly.
    const lists = await owners(server0);
    expect([listName(0, 1, 0), listName(0, 1, 2)].map((name) => lists[name])).toEqual([shown, shown]);
    expect(lists[listName(0, 1, 1)]).toBe("Acme Mail");
  });

  it("ends an assignment dated ahead (as written before such dates were refused) by voiding it, unless a date before its start is given", async () => {
    const serverRow = fromGlobalId("Server", server1)!;
    await app.db.manager.update(Assignment, { serverId: serverRow, endDate: IsNull() }, { endDate: "2026-08-15" });
    await app.db.manager.insert(Assignment, { customerId: fromGlobalId("Customer", globex)!, scope: AssignmentScope.SERVER, serverId: serverRow, siteId: null, listId: null, startDate: tomorrow(), endDate: null, createdAt: new Date() });
    const explicit = dataOf(await app.gql(UNASSIGN_SERVERS, { input: { serverIds: [server1], endDate: "2026-11-01" } })).unassignServers;
    expect(explicit.userErrors).toEqual([{ code: "INVALID_DATE", field: ["input", "endDate"], message: `endDate 2026-11-01 is before the assignment's start ${tomorrow()}` }]);
    expect(dataOf(await app.gql(UNASSIGN_SERVERS, { input: { serverIds: [server1] } })).unassignServers).toEqual({ servers: [{ id: server1, customer: null, assignment: null }], userErrors: [] });
    const voided = await app.db.manager.findOneByOrFail(Assignment, { serverId: serverRow, customerId: fromGlobalId("Customer", globex)! });
    expect(voided.endDate! < voided.startDate).toBe(true);
  });

  it("changes of lists, sites and the server at the same time leave every list with the owner the precedence gives", async () => {
    const LISTS_AND_SITES = `query($id: ID!) { server(id: $id) { customer { company } sites(first: 10) { nodes { id customer { company } } } lists(first: 10) { nodes { id name site { id } ownedThrough customer { company } } } } }`;
    const siteOnServer0 = [site0, site1];
    const lists0 = inventory.listIds.slice(0, 6);
    for (let round = 0; round < 3; round++) {
      const [a, b, c] = round % 2 ? [acme, globex, initech] : [initech, acme, globex];
      await Promise.all([
        app.gql(ASSIGN_SERVERS, { input: { serverIds: [server0], customerId: a } }),
        app.gql(ASSIGN_SITES, { input: { siteIds: [siteOnServer0[round % 2]], customerId: b } }),
        app.gql(ASSIGN_LISTS, { input: { listIds: [lists0[round], lists0[5 - round]], customerId: c } }),
        app.gql(UNASSIGN_SITES, { input: { siteIds: [siteOnServer0[(round + 1) % 2]] } }),
        app.gql(ASSIGN_SITES, { input: { siteIds: siteOnServer0, customerId: a } }),
      ]);
      const server = dataOf(await app.gql(LISTS_AND_SITES, { id: server0 })).server;
      const siteOwner = new Map(server.sites.nodes.map((site: { id: string; customer: { company: string } | null }) => [site.id, site.customer?.company ?? null]));
      for (const list of server.lists.nodes) {
        // A list not held directly has its site's owner (which falls back to the server's).
        if (list.ownedThrough !== "LIST") expect([round, list.name, list.customer?.company ?? null]).toEqual([round, list.name, siteOwner.get(list.site.id)]);
      }
      const open = await app.db.manager.findBy(Assignment, { endDate: IsNull() });
      const perObject = new Map<string, number>();
      for (const row of open) {
        const object = `${row.scope}:${row.listId ?? row.siteId ?? row.serverId}`;
        perObject.set(object, (perObject.get(object) ?? 0) + 1);
      }
      expect([...perObject.values()].every((count) => count === 1)).toBe(true);
    }
  });
});

/** Ownership of a whole site reaches the lists a hosting server adds or moves later, through a real agent. */
describe.each(testDatabases())("a whole site's owner and the hosting server's changes on %s", (kind) => {
  let app: TestApp;
  let hosting: HostingServer;
  let serverId: string;
  let acme: string;

  const LISTS = `query($filter: ListFilter) { lists(first: 100, filter: $filter) { nodes { name site { name } customer { company } } } }`;
  /** Each list billing has, by name: its site's name and its owner's company. */
  async function billingLists(): Promise<Record<string, [string | null, string | null]>> {
    const nodes = dataOf(await app.gql(LISTS, { filter: { serverId } })).lists.nodes;
    return Object.fromEntries(nodes.map((list: { name: string; site: { name: string } | null; customer: { company: string } | null }) => [list.name, [list.site?.name ?? null, list.customer?.company ?? null]]));
  }
  const siteIdOf = async (name: string) => (await app.db.manager.findOneByOrFail(Site, { name })).globalId;

  beforeAll(async () => {
    [app, hosting] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ sites: 2, lists: 12 })]);
    serverId = await registerServer(app, { name: "Whole sites", port: hosting.agent.port });
    acme = dataOf(await app.gql(CREATE_CUSTOMER, { input: { company: "Acme Mail" } })).createCustomer.customer.id;
    const [synced] = await runJobs(app, "syncServers", [serverId]);
    expect(synced.state).toBe("SUCCEEDED");
  });
  afterAll(async () => {
    await app?.stop();
    await hosting?.stop();
  });

  it("gives the site's lists added or moved in by a later sync to its owner, and takes moved-out ones away", async () => {
    const { assignSites } = dataOf(await app.gql(ASSIGN_SITES, { input: { siteIds: [await siteIdOf(siteName(0))], customerId: acme } }));
    expect(assignSites.userErrors).toEqual([]);
    const before = await billingLists();
    const onSite = (site: string) => Object.keys(before).filter((name) => before[name]![0] === site);
    expect(onSite(siteName(0)).length).toBeGreaterThan(1);
    expect(onSite(siteName(1)).length).toBeGreaterThan(0);
    expect(Object.values(before).every(([site, owner]) => owner === (site === siteName(0) ? "Acme Mail" : null))).toBe(true);

    const [movedOut] = onSite(siteName(0));
    const [movedIn] = onSite(siteName(1));
    await addList(hosting.target, { name: "late-arrival", site: siteName(0), members: { normal: 4 } });
    await moveList(hosting.target, movedOut!, siteName(1));
    await moveList(hosting.target, movedIn!, siteName(0));
    const [job] = await runJobs(app, "syncServers", [serverId]);
    expect(job.state).toBe("SUCCEEDED");

    const after = await billingLists();
    expect(after["late-arrival"]).toEqual([siteName(0), "Acme Mail"]);
    expect(after[movedIn!]).toEqual([siteName(0), "Acme Mail"]);
    expect(after[movedOut!]).toEqual([siteName(1), null]);
    expect(Object.values(after).every(([site, owner]) => owner === (site === siteName(0) ? "Acme Mail" : null))).toBe(true);

    // Validation then finds every list of the owned site assigned.
    await runJobs(app, "validateServers", [serverId]);
    const unassigned = (await openErrors(app, serverId)).filter((error) => error.code === "LIST_UNASSIGNED").map((error) => error.objectKey).sort();
    expect(unassigned).toEqual(Object.keys(after).filter((name) => after[name]![0] !== siteName(0)).sort());
  });

  it("fixing a site the hosting server dropped ends its assignment, and its lists still in billing lose that owner", async () => {
    await addSite(hosting.target, { name: "short-lived" });
    await addList(hosting.target, { name: "short-lived-list", site: "short-lived" });
    await runJobs(app, "syncServers", [serverId]);
    const short = await siteIdOf("short-lived");
    expect(dataOf(await app.gql(ASSIGN_SITES, { input: { siteIds: [short], customerId: acme } })).assignSites.userErrors).toEqual([]);
    expect((await billingLists())["short-lived-list"]).toEqual(["short-lived", "Acme Mail"]);

    await deleteList(hosting.target, "short-lived-list");
    const db = await openFixtureDb(hosting.target);
    await db.run("DELETE FROM topics_ WHERE SiteName_ = ?", ["short-lived"]);
    await db.run("DELETE FROM sites_ WHERE Name_ = ?", ["short-lived"]);
    await db.close();
    await runJobs(app, "validateServers", [serverId]);
    const missingSite = (await openErrors(app, serverId)).find((error) => error.code === "MISSING_SITE" && error.objectKey === "short-lived");
    expect(missingSite).toBeDefined();
    const { fixValidationErrors } = dataOf(await app.gql(`mutation($input: FixValidationErrorsInput!) { fixValidationErrors(input: $input) { results { status } userErrors { code } } }`, { input: { errorIds: [missingSite.id], allowRemovals: true } }));
    expect(fixValidationErrors).toEqual({ results: [{ status: "FIXED" }], userErrors: [] });

    const site = dataOf(await app.gql(`query($id: ID!) { server(id: $id) { sites(first: 10) { nodes { id removedAt customer { company } assignment { endDate } } } } }`, { id: serverId })).server.sites.nodes.find((node: { id: string }) => node.id === short);
    expect(site).toMatchObject({ removedAt: expect.any(String), customer: null, assignment: null });
    const ended = await app.db.manager.findOneByOrFail(Assignment, { siteId: fromGlobalId("Site", short)! });
    expect(ended.endDate).not.toBeNull();
    // The list is not removed (its own error is not fixed yet), but nobody owns it now.
    expect((await billingLists())["short-lived-list"]).toEqual(["short-lived", null]);
    // The fix's audit entry says whose site it was.
    const audit = await app.db.manager.findOneByOrFail(AuditEntry, { objectId: short, action: "fix.MISSING_SITE" });
    expect(audit).toMatchObject({ before: { removedAt: null, owner: { customerId: acme, ownedSince: ended.startDate } }, after: { owner: null } });
  });
});
