import { changeListDescription, deleteList, listNames, openFixtureDb } from "@listbill/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Assignment } from "../assignments/assignment.entity.js";
import { List } from "../lists/list.entity.js";
import { Site } from "../sites/site.entity.js";
import { FAST_JOBS_ENV, type HostingServer, openErrors, registerServer, runJobs, startHostingServer, waitForJob } from "../testing/hosting.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";
import { ValidationError } from "../validation/validation-error.entity.js";

const FIX = `mutation($input: FixValidationErrorsInput!) { fixValidationErrors(input: $input) { results { errorId status code reason } job { id kind state result } userErrors { code field message } } }`;
const IGNORE = `mutation($input: IgnoreValidationErrorsInput!) { ignoreValidationErrors(input: $input) { errors { id status } userErrors { code } } }`;

describe.each(testDatabases())("fixing validation errors on %s", (kind) => {
  let app: TestApp;
  let hosting: HostingServer;
  let serverId: string;

  beforeAll(async () => {
    [app, hosting] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 10 })]);
    serverId = await registerServer(app, { name: "Fix A", port: hosting.agent.port });
    await runJobs(app, "validateServers", [serverId]);
  });
  afterAll(async () => {
    await app?.stop();
    await hosting?.stop();
  });

  const billingRows = async () => ({
    lists: await app.db.manager.find(List, { order: { id: "ASC" } }),
    sites: await app.db.manager.find(Site, { order: { id: "ASC" } }),
    assignments: await app.db.manager.find(Assignment, { order: { id: "ASC" } }),
    errors: await app.db.manager.find(ValidationError, { order: { id: "ASC" } }),
  });
  /**
   * billingRows as a fix that changes nothing leaves them. Errors without their status and its
   * date: the background sweep writes SUPERSEDED (and supersededAt) into the rows of runs a later
   * run withdrew, at any moment. The errors a test selects are checked by status on their own (statusOf).
   */
  const unchangedRows = async () => {
    const rows = await billingRows();
    return { ...rows, errors: rows.errors.map(({ status: _status, supersededAt: _superseded, ...error }) => error) };
  };
  const statusOf = async (errorIds: string[]) => (await app.db.manager.find(ValidationError, { order: { id: "ASC" } })).filter((error) => errorIds.includes(error.globalId)).map((error) => error.status);
  const fix = async (errorIds: string[], allowRemovals = false) => dataOf(await app.gql(FIX, { input: { errorIds, allowRemovals } })).fixValidationErrors;
  const latestValidation = async () => dataOf(await app.gql(`query($id: ID!) { jobs(first: 1, filter: { kind: [VALIDATE], serverId: $id }) { nodes { id trigger } } }`, { id: serverId })).jobs.nodes[0];

  it("refuses an empty selection and unknown errors, changing nothing", async () => {
    const before = await unchangedRows();
    expect(await fix([])).toMatchObject({ results: [], job: null, userErrors: [{ code: "NO_ERRORS_SELECTED" }] });
    const open = await openErrors(app, serverId);
    expect(await fix([open[0].id, "VmFsaWRhdGlvbkVycm9yOjk5OTk5"])).toMatchObject({ results: [], userErrors: [{ code: "VALIDATION_ERROR_NOT_FOUND", field: ["input", "errorIds", "1"] }] });
    expect(await unchangedRows()).toEqual(before);
  });

  it("creates the billing rows of selected new lists (with their site), records a FIX job and re-validates", async () => {
    const open = await openErrors(app, serverId);
    const chosen = open.filter((error) => error.code === "NEW_LIST").slice(0, 3);
    const payload = await fix(chosen.map((error) => error.id));
    expect(payload.userErrors).toEqual([]);
    expect(payload.results).toEqual(chosen.map((error) => ({ errorId: error.id, status: "FIXED", code: null, reason: null })));
    expect(payload.job).toMatchObject({ kind: "FIX", state: "SUCCEEDED", result: { fixed: 3, skipped: 0, failed: 0, revalidating: 1 } });
    const lists = await app.db.manager.findBy(List, {});
    expect(lists.map((list) => list.name).sort()).toEqual(chosen.map((error) => error.objectKey).sort());
    expect(lists.every((list) => list.siteId !== null)).toBe(true);
    // Each with its members as billing counts them (normal and held), read from the hosting server.
    const fixture = await openFixtureDb(hosting.target);
    for (const list of lists) {
      const [row] = await fixture.all<{ n: number }>("SELECT COUNT(*) AS n FROM members_ WHERE List_ = ? AND MemberType_ IN ('normal', 'held')", [list.name]);
      expect(list.memberCount, list.name).toBe(Number(row!.n));
    }
    await fixture.close();
    expect(lists.some((list) => list.memberCount > 0)).toBe(true);

    const revalidation = await latestValidation();
    expect(revalidation.trigger).toBe("AFTER_FIX");
    await waitForJob(app, revalidation.id);
    const after = await openErrors(app, serverId);
    expect(after.filter((error) => error.code === "NEW_LIST")).toHaveLength(7);
    expect(after.filter((error) => error.code === "LIST_UNASSIGNED").map((error) => error.objectKey).sort()).toEqual(chosen.map((error) => error.objectKey).sort());
  });

  it("does nothing the second time a fixed error is applied", async () => {
    const fixed = dataOf(await app.gql(`{ validationErrors(filter: { status: [FIXED] }) { nodes { id } } }`)).validationErrors.nodes;
    const before = await unchangedRows();
    const again = await fix([fixed[0].id]);
    expect(again.results).toEqual([{ errorId: fixed[0].id, status: "SKIPPED", code: "ALREADY_FIXED", reason: expect.any(String) }]);
    expect(await unchangedRows()).toEqual(before);
    expect(await statusOf([fixed[0].id])).toEqual(["FIXED"]);
  });

  it("skips errors only a person can resolve, saying what to do", async () => {
    const unassigned = (await openErrors(app, serverId)).find((error) => error.code === "LIST_UNASSIGNED");
    const { results } = await fix([unassigned.id]);
    expect(results[0]).toMatchObject({ status: "SKIPPED", code: "NOT_FIXABLE", reason: "Assign the list to a customer, or its whole site or server (on the server's page)." });
  });

  it("refuses, as PLAN_STALE, a fix the hosting server or billing has moved past since validation", async () => {
    await runJobs(app, "syncServers", [serverId]);
    const names = await listNames(hosting.target, 100);
    await changeListDescription(hosting.target, names[4], "First change");
    await runJobs(app, "validateServers", [serverId]);
    const changed = (await openErrors(app, serverId)).find((error) => error.code === "LIST_CHANGED" && error.objectKey === names[4]);
    await changeListDescription(hosting.target, names[4], "Second change");
    const before = await unchangedRows();
    const { results } = await fix([changed.id]);
    expect(results[0]).toMatchObject({ status: "SKIPPED", code: "PLAN_STALE" });
    expect(results[0].reason).toMatch(/changed again/);
    expect(await unchangedRows()).toEqual(before);
    expect(await statusOf([changed.id])).toEqual(["OPEN"]);
  });

  it("copies the hosting values of a changed list that still matches what was reviewed", async () => {
    await runJobs(app, "validateServers", [serverId]);
    const names = await listNames(hosting.target, 100);
    const changed = (await openErrors(app, serverId)).find((error) => error.code === "LIST_CHANGED" && error.objectKey === names[4]);
    expect((await fix([changed.id])).results[0].status).toBe("FIXED");
    expect((await app.db.manager.findOneByOrFail(List, { name: names[4] })).description).toBe("Second change");
  });

  it("touches a list gone from the hosting server only when removals are allowed, and never deletes it", async () => {
    const names = await listNames(hosting.target, 100);
    const customer = dataOf(await app.gql(`mutation { createCustomer(input: { company: "Gone Ltd" }) { customer { id } } }`)).createCustomer.customer.id;
    const list = await app.db.manager.findOneByOrFail(List, { name: names[0] });
    dataOf(await app.gql(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code } } }`, { input: { listIds: [list.globalId], customerId: customer } }));
    await deleteList(hosting.target, names[0]);
    await runJobs(app, "validateServers", [serverId]);
    const missing = (await openErrors(app, serverId)).find((error) => error.code === "MISSING_LIST");
    expect(missing.objectKey).toBe(names[0]);

    const before = await unchangedRows();
    const refused = await fix([missing.id]);
    expect(refused.results[0]).toMatchObject({ status: "SKIPPED", code: "REMOVALS_NOT_ALLOWED" });
    expect(await unchangedRows()).toEqual(before);
    expect(await statusOf([missing.id])).toEqual(["OPEN"]);

    const allowed = await fix([missing.id], true);
    expect(allowed.results[0].status).toBe("FIXED");
    const removed = await app.db.manager.findOneByOrFail(List, { id: list.id });
    expect(removed.removedAt).not.toBeNull();
    expect(removed.customerId).toBeNull();
    const assignment = await app.db.manager.findOneByOrFail(Assignment, { listId: list.id });
    expect(assignment.endDate).not.toBeNull();
    // The audit entry names the owner it took away by the customer's ID.
    const audit = dataOf(await app.gql(`query($id: String!) { auditEntries(first: 1, filter: { objectId: $id }) { nodes { action before after } } }`, { id: list.globalId })).auditEntries.nodes[0];
    expect(audit).toMatchObject({ action: "fix.MISSING_LIST", before: { removedAt: null, customerId: customer }, after: { customerId: null } });
  });

  it("fails every item of a server it cannot reach, changing nothing", async () => {
    const names = await listNames(hosting.target, 100);
    await changeListDescription(hosting.target, names[5], "Changed before the server went away");
    await runJobs(app, "validateServers", [serverId]);
    const fixable = (await openErrors(app, serverId)).filter((error) => error.fixable);
    expect(fixable.length).toBeGreaterThan(0);
    dataOf(await app.gql(`mutation($input: UpdateServerInput!) { updateServer(input: $input) { userErrors { code } } }`, { input: { id: serverId, port: 1 } }));
    const before = await unchangedRows();
    const payload = await fix(fixable.map((error) => error.id));
    expect(payload.results.every((result: { status: string; code: string }) => result.status === "FAILED" && result.code === "SERVER_UNREACHABLE")).toBe(true);
    expect(payload.job.state).toBe("FAILED");
    expect(await unchangedRows()).toEqual(before);
    expect(await statusOf(fixable.map((error) => error.id))).toEqual(fixable.map(() => "OPEN"));
    dataOf(await app.gql(`mutation($input: UpdateServerInput!) { updateServer(input: $input) { userErrors { code } } }`, { input: { id: serverId, port: hosting.agent.port } }));
  });

  it("ignores open errors on request", async () => {
    const open = await openErrors(app, serverId);
    const { ignoreValidationErrors } = dataOf(await app.gql(IGNORE, { input: { errorIds: [open[0].id] } }));
    expect(ignoreValidationErrors).toEqual({ errors: [{ id: open[0].id, status: "IGNORED" }], userErrors: [] });
    expect((await openErrors(app, serverId)).map((error) => error.id)).not.toContain(open[0].id);
  });
});
