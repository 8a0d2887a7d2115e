import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditEntry } from "../audit/audit-entry.entity.js";
import { fromGlobalId } from "../graphql/global-id.js";
import { List } from "../lists/list.entity.js";
import { seedInventory } from "../testing/seed.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";
import { MessageLog } from "../usage/message-log.entity.js";
import { Assignment } from "./assignment.entity.js";

const USER_ERRORS = "userErrors { code field message }";
const ASSIGN_LISTS = `mutation($input: AssignListsInput!) { assignLists(input: $input) { ${USER_ERRORS} } }`;
const ASSIGN_SITES = `mutation($input: AssignSitesInput!) { assignSites(input: $input) { ${USER_ERRORS} } }`;
const CREATE_CUSTOMER = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`;
const BY_CUSTOMER = `query($filter: UsageByCustomerFilter!) { usageByCustomer(filter: $filter) { customer { company } messages } }`;

/**
 * Assigning an object to the customer that owns it now, from an earlier day: the usage the
 * operator backdates must go to that customer, not to nobody. Before, the call pulled back the
 * owner in between and left the owner's own start where it was, so the days between went unbilled.
 */
describe.each(testDatabases())("backdating the current owner's assignment on %s", (kind) => {
  let app: TestApp;
  let inventory: Awaited<ReturnType<typeof seedInventory>>;
  let acme: string;
  let globex: string;

  beforeAll(async () => {
    app = await startTestApp(kind);
    inventory = await seedInventory(app.db, { servers: 1, sitesPerServer: 2, listsPerSite: 2, membersPerList: 5 });
    const create = async (company: string) => dataOf(await app.gql(CREATE_CUSTOMER, { input: { company } })).createCustomer.customer.id as string;
    acme = await create("Acme Mail");
    globex = await create("Globex");
  });
  afterAll(async () => {
    await app?.stop();
  });

  const assign = async (query: string, input: object) => {
    const payload = dataOf(await app.gql(query, { input }));
    expect(Object.values(payload)[0]).toMatchObject({ userErrors: [] });
  };
  /** One message a day from `from` to `to` (UTC) on the list, logged from no site. */
  async function messages(listId: number, from: string, to: string, firstLogId: number): Promise<void> {
    const list = await app.db.manager.findOneByOrFail(List, { id: listId });
    const rows = [];
    for (let day = new Date(`${from}T12:00:00Z`), id = firstLogId; day.toISOString().slice(0, 10) <= to; day.setUTCDate(day.getUTCDate() + 1), id++) {
      rows.push({ serverId: list.serverId, remoteLogId: id, listId: list.id, listName: list.name, siteName: null, sentAt: new Date(day), byteCount: 100, recipientCount: 1, importedAt: new Date() });
    }
    await app.db.manager.insert(MessageLog, rows);
  }
  const invoice = async (from: string, to: string) => dataOf(await app.gql(BY_CUSTOMER, { filter: { from, to } })).usageByCustomer.map((row: { customer: { company: string } | null; messages: number }) => [row.customer?.company ?? null, row.messages]);

  it("gives a list's current owner the days back to the new start, and the owner before keeps its days up to then", async () => {
    const listId = fromGlobalId("List", inventory.listIds[0])!;
    await assign(ASSIGN_LISTS, { listIds: [inventory.listIds[0]], customerId: acme, startDate: "2026-02-01" });
    await assign(ASSIGN_LISTS, { listIds: [inventory.listIds[0]], customerId: globex, startDate: "2026-02-15" });
    await messages(listId, "2026-02-01", "2026-02-28", 1);
    expect(await invoice("2026-02-01", "2026-02-28")).toEqual([["Acme Mail", 14], ["Globex", 14]]);

    // Globex in fact took the list over on the 10th.
    await assign(ASSIGN_LISTS, { listIds: [inventory.listIds[0]], customerId: globex, startDate: "2026-02-10" });
    const history = await app.db.manager.find(Assignment, { where: { listId }, order: { id: "ASC" } });
    expect(history.map((row) => [row.startDate, row.endDate])).toEqual([
      ["2026-02-01", "2026-02-09"],
      ["2026-02-10", null],
    ]);
    expect(await invoice("2026-02-01", "2026-02-28")).toEqual([["Acme Mail", 9], ["Globex", 19]]);
    const [audit] = await app.db.manager.find(AuditEntry, { where: { action: "list.assign", objectId: inventory.listIds[0] }, order: { id: "DESC" }, take: 1 });
    expect(audit).toMatchObject({ before: { owner: { company: "Globex" }, since: "2026-02-15" }, after: { owner: { company: "Globex" }, since: "2026-02-10" } });

    // A later start than the owner's own changes nothing.
    const rows = await app.db.manager.find(Assignment, { order: { id: "ASC" } });
    await assign(ASSIGN_LISTS, { listIds: [inventory.listIds[0]], customerId: globex, startDate: "2026-02-20" });
    expect(await app.db.manager.find(Assignment, { order: { id: "ASC" } })).toEqual(rows);
  });

  it("does the same for a whole site", async () => {
    const siteLists = await app.db.manager.find(List, { where: { siteId: fromGlobalId("Site", inventory.siteIds[1])! }, order: { id: "ASC" } });
    await assign(ASSIGN_SITES, { siteIds: [inventory.siteIds[1]], customerId: acme, startDate: "2026-04-01" });
    await assign(ASSIGN_SITES, { siteIds: [inventory.siteIds[1]], customerId: globex, startDate: "2026-04-21" });
    await messages(siteLists[0]!.id, "2026-04-01", "2026-04-30", 1_000);
    expect(await invoice("2026-04-01", "2026-04-30")).toEqual([["Acme Mail", 20], ["Globex", 10]]);
    await assign(ASSIGN_SITES, { siteIds: [inventory.siteIds[1]], customerId: globex, startDate: "2026-04-11" });
    expect(await invoice("2026-04-01", "2026-04-30")).toEqual([["Acme Mail", 10], ["Globex", 20]]);
  });
});
