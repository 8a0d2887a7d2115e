import { addList, addMembers, addSite, changeListDescription, deleteList, disableLogging, listNames, moveList, openFixtureDb, setVersion, siteName } from "@listbill/fixtures";
import { HostingClient } from "@listbill/protocol";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Assignment } from "../assignments/assignment.entity.js";
import { Customer } from "../customers/customer.entity.js";
import { List } from "../lists/list.entity.js";
import { Site } from "../sites/site.entity.js";
import { FAST_JOBS_ENV, type HostingServer, openErrors, registerServer, runJobs, startHostingServer } from "../testing/hosting.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";
import { ValidationErrorStatus } from "./validation-codes.js";
import { ValidationError } from "./validation-error.entity.js";
import { fromGlobalId } from "../graphql/global-id.js";

const codesOf = (errors: { code: string }[]) => [...new Set(errors.map((error) => error.code))].sort();

describe.each(testDatabases())("validating a hosting server on %s", (kind) => {
  let app: TestApp;
  let hosting: HostingServer;
  let serverId: string;

  beforeAll(async () => {
    [app, hosting] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer()]);
    serverId = await registerServer(app, { name: "Hosting A", port: hosting.agent.port });
  });
  afterAll(async () => {
    await app?.stop();
    await hosting?.stop();
  });

  const server = async () =>
    dataOf(await app.gql(`query($id: ID!) { server(id: $id) { status version validatedAt syncedAt openErrorCount } }`, { id: serverId })).server;

  /** Every row validation must never touch. */
  const billingRows = async () => ({
    lists: await app.db.manager.find(List, { order: { id: "ASC" } }),
    sites: await app.db.manager.find(Site, { order: { id: "ASC" } }),
    customers: await app.db.manager.find(Customer, { order: { id: "ASC" } }),
    assignments: await app.db.manager.find(Assignment, { order: { id: "ASC" } }),
  });

  it("finds every site and list of a server billing has never seen, and records its version", async () => {
    const [job] = await runJobs(app, "validateServers", [serverId]);
    expect(job).toMatchObject({ kind: "VALIDATE", state: "SUCCEEDED", progress: 1, trigger: "MANUAL", server: { name: "Hosting A" } });
    // No list has an owner yet, so no plan needs the agent to count members.
    expect(job.result).toMatchObject({ outcome: "ERRORS", version: "8.95", listsChecked: 12, membersCounted: false });
    const errors = await openErrors(app, serverId);
    expect(errors.filter((error) => error.code === "NEW_SITE").map((error) => error.objectKey).sort()).toEqual([siteName(0), siteName(1)]);
    const newLists = errors.filter((error) => error.code === "NEW_LIST");
    expect(newLists).toHaveLength(12);
    expect(newLists[0]).toMatchObject({ severity: "ERROR", objectType: "LIST", fixable: true, status: "OPEN" });
    expect(newLists[0].hostingValue).toMatchObject({ name: newLists[0].objectKey, disabled: expect.any(Boolean) });
    expect(await server()).toMatchObject({ status: "ERRORS", version: "8.95", validatedAt: expect.any(String), openErrorCount: 14 });
  });

  it("filters errors by severity, object type and fixable, alone and with codes", async () => {
    const count = async (filter: Record<string, unknown>) =>
      dataOf(await app.gql(`query($filter: ValidationErrorFilter) { validationErrors(first: 100, filter: $filter) { totalCount nodes { code severity objectType fixable remedy } } }`, { filter: { serverId, ...filter } })).validationErrors;
    const warnings = await count({ severity: ["WARNING"] });
    expect(warnings.totalCount).toBe(2);
    expect(warnings.nodes.every((node: { code: string; severity: string; objectType: string; fixable: boolean; remedy: string }) => node.code === "NEW_SITE" && node.severity === "WARNING" && node.objectType === "SITE" && node.fixable && node.remedy.length > 0)).toBe(true);
    expect((await count({ objectType: ["LIST"] })).totalCount).toBe(12);
    expect((await count({ objectType: ["LIST", "SITE"], severity: ["ERROR", "WARNING"] })).totalCount).toBe(14);
    expect((await count({ fixable: true, severity: ["ERROR"] })).totalCount).toBe(12);
    expect((await count({ fixable: false })).totalCount).toBe(0);
    // Codes and rules that exclude each other: nothing, rather than either alone.
    expect((await count({ code: ["NEW_LIST"], severity: ["WARNING"] })).totalCount).toBe(0);
    expect((await count({ code: ["NEW_LIST", "NEW_SITE"], objectType: ["SITE"] })).totalCount).toBe(2);
  });

  it("after a sync, only the unassigned lists remain, and the first run's errors are superseded", async () => {
    const [sync] = await runJobs(app, "syncServers", [serverId]);
    expect(sync).toMatchObject({ kind: "SYNC", state: "SUCCEEDED", result: { listsWritten: 12, sitesWritten: 2 } });
    const before = await billingRows();
    const [job] = await runJobs(app, "validateServers", [serverId]);
    expect(job.result.outcome).toBe("ERRORS");
    const errors = await openErrors(app, serverId);
    expect(codesOf(errors)).toEqual(["LIST_UNASSIGNED"]);
    expect(errors).toHaveLength(12);
    expect(errors.every((error) => !error.fixable)).toBe(true);
    expect(await billingRows()).toEqual(before);
    const superseded = dataOf(await app.gql(`{ validationErrors(filter: { status: [SUPERSEDED], code: [NEW_LIST] }) { totalCount } }`)).validationErrors;
    expect(superseded.totalCount).toBe(12);
  });

  it("is clean once every list has an active customer", async () => {
    const customer = dataOf(await app.gql(`mutation { createCustomer(input: { company: "Acme" }) { customer { id } } }`)).createCustomer.customer.id;
    const listIds = dataOf(await app.gql(`query($id: ID!) { server(id: $id) { lists(first: 100) { nodes { id } } } }`, { id: serverId })).server.lists.nodes.map((list: { id: string }) => list.id);
    dataOf(await app.gql(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code } } }`, { input: { listIds, customerId: customer } }));
    const [job] = await runJobs(app, "validateServers", [serverId]);
    expect(job.result).toMatchObject({ outcome: "OK", errors: 0, warnings: 0 });
    expect(await openErrors(app, serverId)).toEqual([]);
    expect(await server()).toMatchObject({ status: "OK", openErrorCount: 0 });
  });

  it("names each change made on the hosting server with its own code, and changes no billing row", async () => {
    const names = await listNames(hosting.target, 100);
    await deleteList(hosting.target, names[0]);
    await moveList(hosting.target, names[1], siteName(1));
    await changeListDescription(hosting.target, names[2], "Changed on the hosting server");
    await addSite(hosting.target, { name: "site-new", title: "A new site" });
    await addList(hosting.target, { name: "brand-new-list", site: siteName(0), members: { normal: 3 } });
    await setVersion(hosting.target, "9.0");
    await disableLogging(hosting.target);
    const before = await billingRows();

    const [job] = await runJobs(app, "validateServers", [serverId]);
    expect(job.state).toBe("SUCCEEDED");
    const errors = await openErrors(app, serverId);
    const byCode = (code: string) => errors.filter((error) => error.code === code);
    expect(byCode("MISSING_LIST").map((error) => error.objectKey)).toEqual([names[0]]);
    expect(byCode("NEW_LIST").map((error) => error.objectKey)).toEqual(["brand-new-list"]);
    expect(byCode("NEW_SITE").map((error) => error.objectKey)).toEqual(["site-new"]);
    expect(byCode("VERSION_CHANGED")[0]).toMatchObject({ billingValue: { version: "8.95" }, hostingValue: { version: "9.0" }, severity: "INFO", fixable: true });
    expect(byCode("LOGGING_DISABLED")).toHaveLength(1);
    const changed = byCode("LIST_CHANGED");
    const moved = changed.find((error) => error.objectKey === names[1]);
    const described = changed.find((error) => error.objectKey === names[2]);

    // What each says. The messages that say only the object's name are not stored: the row keeps
    // an empty text, and the API writes it out from the code and objectKey.
    const said = (code: string) => byCode(code).map((error) => error.message);
    expect(said("MISSING_LIST")).toEqual([`List ${names[0]} is in billing but gone from the hosting server`]);
    expect(said("NEW_LIST")).toEqual(["List brand-new-list is on the hosting server but not in billing, so nobody is billed for it"]);
    expect(said("NEW_SITE")).toEqual(["Site site-new is on the hosting server but not in billing"]);
    expect(said("LOGGING_DISABLED")).toEqual(["Message logging is off on Hosting A, so its usage cannot be billed"]);
    expect(said("VERSION_CHANGED")).toEqual(["Hosting A was upgraded from ListManager 8.95 to 9.0"]);
    expect(moved?.message).toBe(`List ${names[1]} moved from site ${siteName(0)} to ${siteName(1)}`);
    expect(described?.message).toBe(`List ${names[2]} changed on the hosting server: description`);
    const stored = new Map((await app.db.manager.find(ValidationError, { where: { status: ValidationErrorStatus.OPEN } })).map((row) => [`${row.code} ${row.objectKey}`, row.message]));
    expect(stored.get("NEW_LIST brand-new-list")).toBe("");
    expect(stored.get(`MISSING_LIST ${names[0]}`)).toBe("");
    expect(stored.get("LOGGING_DISABLED Hosting A")).toBe("");
    expect(stored.get("VERSION_CHANGED Hosting A")).toBe("Hosting A was upgraded from ListManager 8.95 to 9.0");
    expect(stored.get(`LIST_CHANGED ${names[2]}`)).toBe(`List ${names[2]} changed on the hosting server: description`);
    expect(moved?.hostingValue).toMatchObject({ site: siteName(1) });
    expect(moved?.billingValue).toMatchObject({ site: siteName(0) });
    expect(described?.hostingValue).toEqual({ description: "Changed on the hosting server" });
    expect(await billingRows()).toEqual(before);
    expect(await server()).toMatchObject({ version: "9.0", status: "ERRORS" });
  });

  it("checks a plan that limits lists but not members without asking the agent to count members", async () => {
    const plan = dataOf(
      await app.gql(`mutation { createHostingPlan(input: { name: "Lists only", maxLists: 5, maxSites: 0, maxListsPerSite: 0, maxMembers: 0, maxMembersPerList: 0 }) { hostingPlan { id } } }`),
    ).createHostingPlan.hostingPlan.id;
    const customer = dataOf(await app.gql(`{ customers(first: 1) { nodes { id } } }`)).customers.nodes[0].id;
    dataOf(await app.gql(`mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { userErrors { code } } }`, { input: { id: customer, planId: plan } }));

    // What the job asks the agent for, not only what it says it did.
    const spy = vi.spyOn(HostingClient.prototype, "lists");
    let job;
    let asked: unknown[][];
    try {
      [job] = await runJobs(app, "validateServers", [serverId]);
    } finally {
      asked = [...spy.mock.calls];
      spy.mockRestore();
    }
    expect(job.result).toMatchObject({ membersCounted: false });
    expect(asked).toEqual([[{ withBilledMembers: false }]]);
    const errors = await openErrors(app, serverId);
    expect(errors.find((error) => error.code === "PLAN_MAX_LISTS_EXCEEDED")).toMatchObject({ objectKey: "Acme", billingValue: { maxLists: 5 } });
    expect(codesOf(errors).filter((code) => code.startsWith("PLAN_MAX_MEMBERS"))).toEqual([]);
  });

  it("reports plan limits, counting normal and held members, and an inactive customer", async () => {
    const plan = dataOf(
      await app.gql(`mutation { createHostingPlan(input: { name: "Tiny", maxLists: 5, maxSites: 1, maxListsPerSite: 4, maxMembers: 20, maxMembersPerList: 12 }) { hostingPlan { id } } }`),
    ).createHostingPlan.hostingPlan.id;
    const customer = dataOf(await app.gql(`{ customers(first: 1) { nodes { id } } }`)).customers.nodes[0].id;
    dataOf(await app.gql(`mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { userErrors { code } } }`, { input: { id: customer, planId: plan, isActive: false } }));
    const names = await listNames(hosting.target, 100);
    await addMembers(hosting.target, names[3], { normal: 20, held: 5, unsub: 50 });

    const [job] = await runJobs(app, "validateServers", [serverId]);
    expect(job.result).toMatchObject({ membersCounted: true });
    const errors = await openErrors(app, serverId);
    const codes = codesOf(errors);
    for (const code of ["PLAN_MAX_LISTS_EXCEEDED", "PLAN_MAX_SITES_EXCEEDED", "PLAN_MAX_LISTS_PER_SITE_EXCEEDED", "PLAN_MAX_MEMBERS_EXCEEDED", "PLAN_MAX_MEMBERS_PER_LIST_EXCEEDED", "LIST_ON_INACTIVE_CUSTOMER"]) {
      expect(codes).toContain(code);
    }
    const perList = errors.find((error) => error.code === "PLAN_MAX_MEMBERS_PER_LIST_EXCEEDED" && error.objectKey === names[3]);
    expect(perList).toMatchObject({ objectKey: names[3], customer: { company: "Acme" }, billingValue: { maxMembersPerList: 12 } });
    // Normal and held members count, as the hosting server holds them; the unsubscribed do not.
    const fixture = await openFixtureDb(hosting.target);
    const byType = await fixture.all<{ type: string; n: number }>("SELECT MemberType_ AS type, COUNT(*) AS n FROM members_ WHERE List_ = ? GROUP BY MemberType_", [names[3]]);
    await fixture.close();
    const members = (type: string) => Number(byType.find((row) => row.type === type)?.n ?? 0);
    expect(members("unsub")).toBeGreaterThanOrEqual(50);
    expect(perList.hostingValue.members).toBe(members("normal") + members("held"));
    expect(perList.hostingValue.members).toBeGreaterThanOrEqual(25);
    const lists = errors.find((error) => error.code === "PLAN_MAX_LISTS_EXCEEDED");
    expect(lists).toMatchObject({ objectType: "CUSTOMER", objectKey: "Acme", billingValue: { maxLists: 5 } });
  });

  it("flags a ListManager version listbill does not support", async () => {
    await setVersion(hosting.target, "7.5");
    await runJobs(app, "validateServers", [serverId]);
    expect(codesOf(await openErrors(app, serverId))).toContain("VERSION_UNSUPPORTED");
  });
});

describe.each(testDatabases())("re-validating a hosting server on %s", (kind) => {
  let app: TestApp;
  let hosting: HostingServer;
  let serverId: string;

  beforeAll(async () => {
    [app, hosting] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 8 })]);
    serverId = await registerServer(app, { name: "Hosting again", port: hosting.agent.port });
  });
  afterAll(async () => {
    await app?.stop();
    await hosting?.stop();
  });

  const errorRows = () => app.db.manager.count(ValidationError);
  const byKey = (errors: { id: string; code: string; objectKey: string; hostingValue: unknown }[]) => new Map(errors.map((error) => [`${error.code}:${error.objectKey}`, error]));

  it("keeps the errors it finds again as they are, and replaces only those that changed", async () => {
    const [first] = await runJobs(app, "validateServers", [serverId]);
    expect(first.result).toMatchObject({ listsChecked: 8, unchanged: 0 });
    const before = await openErrors(app, serverId);
    expect(before.filter((error) => error.code === "NEW_LIST")).toHaveLength(8);
    const rowsBefore = await errorRows();

    // Nothing changed on the hosting server: the same errors, the same rows, nothing written.
    const [again] = await runJobs(app, "validateServers", [serverId]);
    expect(again.result).toMatchObject({ listsChecked: 8, findings: first.result.findings, unchanged: first.result.findings });
    const same = await openErrors(app, serverId);
    expect(same).toEqual(before);
    expect(await errorRows()).toBe(rowsBefore);
    expect(dataOf(await app.gql(`{ validationErrors(filter: { status: [SUPERSEDED] }) { totalCount } }`)).validationErrors.totalCount).toBe(0);

    // One list changed: its error is replaced (the old one SUPERSEDED), every other stays.
    const [changed] = (await listNames(hosting.target, 1)) as string[];
    await changeListDescription(hosting.target, changed!, "Changed since the last validation");
    const [third] = await runJobs(app, "validateServers", [serverId]);
    expect(third.result).toMatchObject({ listsChecked: 8, unchanged: first.result.findings - 1 });
    const after = byKey(await openErrors(app, serverId));
    const old = byKey(before);
    expect([...after.keys()].sort()).toEqual([...old.keys()].sort());
    for (const [key, error] of after) {
      if (key === `NEW_LIST:${changed}`) {
        expect(error.id).not.toBe(old.get(key)!.id);
        expect(error.hostingValue).toMatchObject({ description: "Changed since the last validation" });
      } else expect(error).toEqual(old.get(key));
    }
    expect(await errorRows()).toBe(rowsBefore + 1);
    const superseded = dataOf(await app.gql(`{ validationErrors(filter: { status: [SUPERSEDED] }) { nodes { id } } }`)).validationErrors.nodes;
    expect(superseded).toEqual([{ id: old.get(`NEW_LIST:${changed}`)!.id }]);
    // Dated by the run that replaced it, for a purge of what was superseded before a day.
    const row = await app.db.manager.findOneByOrFail(ValidationError, { id: fromGlobalId("ValidationError", superseded[0].id)! });
    expect(row.supersededAt!.getTime()).toBeGreaterThanOrEqual(new Date(third.startedAt).getTime());
    expect(row.supersededAt!.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("replaces most errors at once and spares the few it finds again", async () => {
    const before = byKey(await openErrors(app, serverId));
    const supersededBefore = dataOf(await app.gql(`{ validationErrors(filter: { status: [SUPERSEDED] }) { totalCount } }`)).validationErrors.totalCount;
    const changed = ((await listNames(hosting.target, 6)) as string[]).sort();
    for (const name of changed) await changeListDescription(hosting.target, name, "Changed again");
    const [job] = await runJobs(app, "validateServers", [serverId]);
    // More errors vanish than stay: publishing supersedes by one ranged statement that spares the kept ones.
    const kept = before.size - changed.length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(changed.length);
    expect(job.result).toMatchObject({ findings: before.size, unchanged: kept });
    const after = byKey(await openErrors(app, serverId));
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const replaced = [...after].filter(([key, error]) => error.id !== before.get(key)!.id).map(([key]) => key);
    expect(replaced.sort()).toEqual(changed.map((name) => `NEW_LIST:${name}`));
    for (const key of replaced) expect(after.get(key)!.hostingValue).toMatchObject({ description: "Changed again" });
    const superseded = dataOf(await app.gql(`{ validationErrors(first: 100, filter: { status: [SUPERSEDED] }) { totalCount nodes { id } } }`)).validationErrors;
    expect(superseded.totalCount).toBe(supersededBefore + changed.length);
    expect(superseded.nodes.map((node: { id: string }) => node.id)).toEqual(expect.arrayContaining(replaced.map((key) => before.get(key)!.id)));
  });

  it("still replaces everything when the server cannot be read", async () => {
    const open = await openErrors(app, serverId);
    const supersededCount = async () => dataOf(await app.gql(`{ validationErrors(first: 100, filter: { status: [SUPERSEDED] }) { totalCount } }`)).validationErrors.totalCount;
    const supersededBefore = await supersededCount();
    await hosting.agent.stop();
    const [job] = await runJobs(app, "validateServers", [serverId]);
    expect(job.state).toBe("FAILED");
    expect((await openErrors(app, serverId)).map((error) => error.code)).toEqual(["SERVER_UNREACHABLE"]);
    expect(await supersededCount()).toBe(supersededBefore + open.length);
  });
});
