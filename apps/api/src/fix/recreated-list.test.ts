import { addList, deleteList, listNames, recreateList, setMemberCounts } from "@listbill/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Assignment } from "../assignments/assignment.entity.js";
import { AuditEntry } from "../audit/audit-entry.entity.js";
import { dayBefore } from "../db/periods.js";
import { List } from "../lists/list.entity.js";
import { fromGlobalId, toGlobalId } from "../graphql/global-id.js";
import { FAST_JOBS_ENV, type HostingServer, openErrors, registerServer, runJobs, startHostingServer, waitForJob } from "../testing/hosting.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";
import { recreatedAt } from "../validation/diff.js";
import { ValidationError } from "../validation/validation-error.entity.js";

const FIX = `mutation($input: FixValidationErrorsInput!) { fixValidationErrors(input: $input) { results { errorId status code reason } job { id } userErrors { code } } }`;
const ASSIGN_SITES = `mutation($input: AssignSitesInput!) { assignSites(input: $input) { userErrors { code } } }`;
const DAY = 86_400_000;
/** A creation time `days` ago, in whole seconds as ListManager stores it. */
const daysAgo = (days: number) => new Date(Math.floor((Date.now() - days * DAY) / 1000) * 1000);

describe("recreatedAt", () => {
  const billing = { hostCreatedAt: Date.parse("2024-06-01T10:00:00.000Z") };
  it("reports a later creation on the hosting server, and nothing for the same, an earlier or an unknown one", () => {
    expect(recreatedAt(billing, { created: "2026-11-20T08:30:00Z" })).toBe("2026-11-20T08:30:00.000Z");
    expect(recreatedAt(billing, { created: "2024-06-01T10:00:00.000Z" })).toBeNull();
    expect(recreatedAt(billing, { created: "2024-05-01T10:00:00.000Z" })).toBeNull();
    expect(recreatedAt(billing, { created: null })).toBeNull();
    expect(recreatedAt({ hostCreatedAt: null }, { created: "2026-11-20T08:30:00Z" })).toBeNull();
  });
});

describe.each(testDatabases())("a list deleted and made again under its name, on %s", (kind) => {
  let app: TestApp;
  let hosting: HostingServer;
  let serverId: string;
  let names: string[];

  beforeAll(async () => {
    [app, hosting] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 6 })]);
    serverId = await registerServer(app, { name: "Recreated", port: hosting.agent.port });
    await runJobs(app, "syncServers", [serverId]);
    names = await listNames(hosting.target, 100);
  });
  afterAll(async () => {
    await app?.stop();
    await hosting?.stop();
  });

  const listNamed = (name: string) => app.db.manager.findOneByOrFail(List, { name });
  const recreatedErrors = async () => (await openErrors(app, serverId)).filter((error) => error.code === "LIST_RECREATED");
  const fix = async (errorIds: string[], allowRemovals = true) => dataOf(await app.gql(FIX, { input: { errorIds, allowRemovals } })).fixValidationErrors;
  const customer = async (company: string) => dataOf(await app.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { company } })).createCustomer.customer.id as string;
  const assign = async (listName: string, company: string, startDate: string) => {
    const list = await listNamed(listName);
    const payload = dataOf(await app.gql(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code } } }`, { input: { listIds: [list.globalId], customerId: await customer(company), startDate } })).assignLists;
    expect(payload.userErrors).toEqual([]);
  };
  const periodsOf = async (listName: string) => (await app.db.manager.find(Assignment, { where: { listId: (await listNamed(listName)).id }, order: { id: "ASC" } })).map(({ startDate, endDate }) => ({ startDate, endDate }));
  const dayOf = (date: Date, days = 0) => new Date(date.getTime() + days * DAY).toISOString().slice(0, 10);

  it("is reported by validation, kept by a sync, and fixed by ending the old owner's assignment the day before", async () => {
    const name = names[1]!;
    await assign(name, "Former Owner Ltd", "2025-01-01");
    await assign(name, "Old Owner Ltd", "2025-07-01");
    const old = (await listNamed(name)).hostCreatedAt!;
    expect(old).toBeInstanceOf(Date);
    const created = daysAgo(3);
    const day = created.toISOString().slice(0, 10);
    await recreateList(hosting.target, name, created, { normal: 7 });

    await runJobs(app, "validateServers", [serverId]);
    const [found, ...more] = await recreatedErrors();
    expect(more).toEqual([]);
    expect(found).toMatchObject({
      objectKey: name,
      severity: "ERROR",
      objectType: "LIST",
      fixable: true,
      billingValue: { created: old.toISOString() },
      hostingValue: { created: created.toISOString() },
      customer: { company: "Old Owner Ltd" },
    });
    expect(found.message).toBe(`List ${name} was deleted and created again on the hosting server on ${day}: billing still bills it as the list created on ${old.toISOString().slice(0, 10)}, to Old Owner Ltd`);

    // A sync takes the new list's members, not its creation: that is the fix's to record.
    await runJobs(app, "syncServers", [serverId]);
    const synced = await listNamed(name);
    expect(synced.memberCount).toBe(7);
    expect(synced.hostCreatedAt).toEqual(old);
    expect(synced.customerId).not.toBeNull();
    await runJobs(app, "validateServers", [serverId]);
    const [again] = await recreatedErrors();
    expect(again).toMatchObject({ objectKey: name, hostingValue: { created: created.toISOString() } });

    // It takes an owner away: only with removals allowed.
    const periods = await periodsOf(name);
    expect((await fix([again.id], false)).results).toEqual([{ errorId: again.id, status: "SKIPPED", code: "REMOVALS_NOT_ALLOWED", reason: "Ending the assignments of a list deleted from the hosting server needs allowRemovals: true" }]);
    expect(await periodsOf(name)).toEqual(periods);
    expect((await listNamed(name)).hostCreatedAt).toEqual(old);

    const payload = await fix([again.id]);
    expect(payload.results).toEqual([{ errorId: again.id, status: "FIXED", code: null, reason: null }]);
    const fixed = await listNamed(name);
    expect(fixed.hostCreatedAt).toEqual(created);
    expect(fixed.customerId).toBeNull();
    // The owner before, whose assignment had ended already, keeps its days.
    expect(await periodsOf(name)).toEqual([{ startDate: "2025-01-01", endDate: "2025-06-30" }, { startDate: "2025-07-01", endDate: dayBefore(day) }]);
    const audit = await app.db.manager.findOneByOrFail(AuditEntry, { action: "fix.LIST_RECREATED" });
    expect(audit).toMatchObject({ objectKey: name, before: { created: old.toISOString(), assignments: [{ startDate: "2025-07-01", endDate: null }] }, after: { created: created.toISOString(), customerId: null, assignments: [{ startDate: "2025-07-01", endDate: dayBefore(day) }] } });

    // The fix validates the server again: the list is now the new one, owned by nobody yet.
    const revalidation = dataOf(await app.gql(`query($id: ID!) { jobs(first: 1, filter: { kind: [VALIDATE], serverId: $id }) { nodes { id trigger } } }`, { id: serverId })).jobs.nodes[0];
    expect(revalidation.trigger).toBe("AFTER_FIX");
    await waitForJob(app, revalidation.id);
    const open = await openErrors(app, serverId);
    expect(open.filter((error) => error.objectKey === name).map((error) => error.code)).toEqual(["LIST_UNASSIGNED"]);
  });

  it("leaves the assignment an operator made for the new list, backdated before it too", async () => {
    const name = names[2]!;
    const created = daysAgo(5);
    await assign(name, "First Owner Ltd", "2025-03-01");
    await recreateList(hosting.target, name, created);
    await runJobs(app, "validateServers", [serverId]);
    // The operator already gave the list its new owner, from two days before the new list was made
    // (ending the first owner's the day before that).
    const from = dayOf(created, -2);
    await assign(name, "New Owner Ltd", from);
    await runJobs(app, "validateServers", [serverId]);
    const found = (await recreatedErrors()).find((error) => error.objectKey === name);
    expect(found.customer).toEqual({ company: "New Owner Ltd" });
    expect((await fix([found.id])).results[0].status).toBe("FIXED");
    expect(await periodsOf(name)).toEqual([{ startDate: "2025-03-01", endDate: dayOf(created, -3) }, { startDate: from, endDate: null }]);
    const list = await listNamed(name);
    expect(list.customerId).not.toBeNull();
    expect(list.hostCreatedAt).toEqual(created);
  });

  it("refuses, as PLAN_STALE, the fix of a list made again once more since it was validated, changing nothing", async () => {
    const name = names[3]!;
    await recreateList(hosting.target, name, daysAgo(4));
    await runJobs(app, "validateServers", [serverId]);
    const found = (await recreatedErrors()).find((error) => error.objectKey === name);
    await recreateList(hosting.target, name, daysAgo(2));
    const before = { list: await listNamed(name), assignments: await app.db.manager.find(Assignment, { order: { id: "ASC" } }) };
    const { results } = await fix([found.id]);
    expect(results[0]).toMatchObject({ status: "SKIPPED", code: "PLAN_STALE", reason: expect.stringMatching(/changed again on the hosting server/) });
    expect({ list: await listNamed(name), assignments: await app.db.manager.find(Assignment, { order: { id: "ASC" } }) }).toEqual(before);
    expect((await app.db.manager.findOneByOrFail(ValidationError, { id: fromGlobalId("ValidationError", found.id)! })).status).toBe("OPEN");

    // A creation dated after today is a clock's doing: ownership by day cannot end on a day not yet come.
    const ahead = daysAgo(-2);
    await recreateList(hosting.target, name, ahead);
    await runJobs(app, "validateServers", [serverId]);
    const future = (await recreatedErrors()).find((error) => error.objectKey === name);
    expect(future.hostingValue).toEqual({ created: ahead.toISOString() });
    expect((await fix([future.id])).results[0]).toMatchObject({ status: "SKIPPED", code: "PLAN_STALE", reason: expect.stringContaining(`was created on ${dayOf(ahead)}, after today (UTC)`) });
    expect((await listNamed(name)).hostCreatedAt).toEqual(before.list.hostCreatedAt);
  });

  it("takes the creation of a list made again after billing marked the old one removed, reporting nothing", async () => {
    const name = names[4]!;
    await deleteList(hosting.target, name);
    await runJobs(app, "validateServers", [serverId]);
    const missing = (await openErrors(app, serverId)).find((error) => error.code === "MISSING_LIST" && error.objectKey === name);
    expect(dataOf(await app.gql(`mutation($input: FixValidationErrorsInput!) { fixValidationErrors(input: $input) { results { status } } }`, { input: { errorIds: [missing.id], allowRemovals: true } })).fixValidationErrors.results).toEqual([{ status: "FIXED" }]);
    const created = daysAgo(1);
    await addList(hosting.target, { name, site: await siteOf(name), created, members: { normal: 2 } });
    await runJobs(app, "syncServers", [serverId]);
    const back = await listNamed(name);
    expect(back.removedAt).toBeNull();
    expect(back.hostCreatedAt).toEqual(created);
    await runJobs(app, "validateServers", [serverId]);
    expect((await recreatedErrors()).map((error) => error.objectKey)).not.toContain(name);
  });

  it("takes the hosting server's creation where billing has none, or a later one than the hosting server's", async () => {
    const name = names[0]!;
    const hostingCreated = (await listNamed(name)).hostCreatedAt!;
    for (const [billing, members] of [[null, 3], [new Date(), 4]] as const) {
      await app.db.manager.update(List, { name }, { hostCreatedAt: billing });
      // New counts, so that the sync writes the list.
      await setMemberCounts(hosting.target, name, { normal: members });
      await runJobs(app, "syncServers", [serverId]);
      expect((await listNamed(name)).hostCreatedAt).toEqual(hostingCreated);
    }
    await runJobs(app, "validateServers", [serverId]);
    expect((await recreatedErrors()).map((error) => error.objectKey)).not.toContain(name);
  });

  it("keeps the owner of the list's whole site, whose site the new list is in", async () => {
    const name = names[5]!;
    const list = await listNamed(name);
    const siteOwner = await customer("Site Owner Ltd");
    expect(dataOf(await app.gql(ASSIGN_SITES, { input: { siteIds: [toGlobalId("Site", list.siteId!)], customerId: siteOwner, startDate: "2025-01-01" } })).assignSites.userErrors).toEqual([]);
    await assign(name, "List Owner Ltd", "2025-02-01");
    const created = daysAgo(6);
    await recreateList(hosting.target, name, created);
    await runJobs(app, "validateServers", [serverId]);
    const found = (await recreatedErrors()).find((error) => error.objectKey === name);
    expect(found.customer).toEqual({ company: "List Owner Ltd" });
    expect((await fix([found.id])).results[0].status).toBe("FIXED");
    expect(await periodsOf(name)).toEqual([{ startDate: "2025-02-01", endDate: dayOf(created, -1) }]);
    expect((await listNamed(name)).customerId).toBe(fromGlobalId("Customer", siteOwner));
  });

  /** The name of the site of a list billing has. */
  const siteOf = async (name: string) => {
    const list = await listNamed(name);
    const [site] = await app.db.manager.query(`SELECT name FROM site WHERE id = ?`, [list.siteId]);
    return site.name as string;
  };
});
