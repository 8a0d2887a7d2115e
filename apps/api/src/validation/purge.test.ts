import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditEntry } from "../audit/audit-entry.entity.js";
import { instantParameter } from "../db/columns.js";
import { fromGlobalId } from "../graphql/global-id.js";
import { FAST_JOBS_ENV, type HostingServer, registerServer, runJobs, startHostingServer } from "../testing/hosting.js";
import { type TestApp, dataOf, snapshotRows, startTestApp, testDatabases } from "../testing/test-app.js";
import { DEFAULT_SWEEP_OPTIONS, SupersededSweep } from "./superseded-sweep.js";

const PURGE = `mutation($input: PurgeValidationErrorsInput!) { purgeValidationErrors(input: $input) { deleted remaining userErrors { code field } } }`;

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

// An admin deleting what a fleet's re-validations leave behind: SUPERSEDED errors, found before a
// day, a call at a time, never anything else.
describe.each(testDatabases())("purging superseded validation errors, on %s", (kind) => {
  let app: TestApp;
  let alpha: HostingServer;
  let beta: HostingServer;
  let alphaId: string;
  let betaId: string;

  /** Each server's errors by status, as readers see them (a withdrawn run's rows are SUPERSEDED before the sweep writes it). */
  const counts = async () => {
    const result: Record<string, number> = {};
    for (const [name, id] of [["alpha", alphaId], ["beta", betaId]] as const) {
      for (const status of ["OPEN", "SUPERSEDED"]) {
        const total = dataOf(await app.gql(`query($filter: ValidationErrorFilter) { validationErrors(first: 1, filter: $filter) { totalCount } }`, { filter: { serverId: id, status: [status] } })).validationErrors.totalCount as number;
        if (total) result[`${name} ${status}`] = total;
      }
    }
    return result;
  };
  /** Rows still stored OPEN in runs withdrawn and not yet swept. */
  const unswept = async () => Number((await app.db.manager.query("SELECT COUNT(*) AS n FROM validation_error WHERE status = 'OPEN' AND runId IN (SELECT id FROM validation_run WHERE sweepDueAt IS NOT NULL)"))[0].n);
  const purge = async (input: Record<string, unknown>) => dataOf(await app.gql(PURGE, { input })).purgeValidationErrors;

  beforeAll(async () => {
    [app, alpha, beta] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 12 }), startHostingServer({ lists: 5, sites: 1 })]);
    await app.services.sweep.stop();
    alphaId = await registerServer(app, { name: "alpha", port: alpha.agent.port });
    betaId = await registerServer(app, { name: "beta", port: beta.agent.port });
    // Found new, synced, found unassigned: every NEW_* error superseded, by withdrawing the first
    // runs (their rows say OPEN until a sweep writes them; this app's sweep is stopped).
    await runJobs(app, "validateServers", [alphaId, betaId], 60_000);
    await runJobs(app, "syncServers", [alphaId, betaId], 60_000);
    await runJobs(app, "validateServers", [alphaId, betaId], 60_000);
    const withdrawn = "runId IN (SELECT id FROM validation_run WHERE withdrawnAt IS NOT NULL)";
    // Found ten days ago; one of alpha's (as if it were a list made again) is a LIST_RECREATED.
    await app.db.manager.query(`UPDATE validation_error SET detectedAt = ? WHERE ${withdrawn}`, [instantParameter(new Date(`${day(10)}T12:00:00.000Z`))]);
    const first: { id: number | string }[] = await app.db.manager.query(`SELECT MIN(id) AS id FROM validation_error WHERE ${withdrawn} AND serverId = ?`, [fromGlobalId("Server", alphaId)]);
    await app.db.manager.query("UPDATE validation_error SET code = 'LIST_RECREATED' WHERE id = ?", [first[0]!.id]);
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await Promise.all([alpha?.stop(), beta?.stop()]);
  });

  it("starts with each server's NEW_* errors superseded, none swept yet, and its LIST_UNASSIGNED ones open", async () => {
    expect(await counts()).toEqual({ "alpha OPEN": 12, "alpha SUPERSEDED": 14, "beta OPEN": 5, "beta SUPERSEDED": 6 });
    expect(await unswept()).toBe(20);
  });

  it("refuses a day that does not exist, an unknown server and a limit out of range with typed errors, deleting nothing", async () => {
    const before = await snapshotRows(app.db);
    // A day the calendar has not: the Date scalar refuses it before the mutation runs.
    expect((await app.gql(PURGE, { input: { before: "2026-02-30" } })).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(await purge({ before: day(0), serverIds: [alphaId, "U2VydmVyOjk5OTk="] })).toEqual({ deleted: null, remaining: null, userErrors: [{ code: "SERVER_NOT_FOUND", field: ["input", "serverIds", "1"] }] });
    for (const limit of [0, 100_001]) {
      expect((await purge({ before: day(0), limit })).userErrors).toEqual([{ code: "INVALID_LIMIT", field: ["input", "limit"] }]);
    }
    expect(await snapshotRows(app.db)).toEqual(before);
  });

  it("counts without deleting on a dry run, and counts only errors found before the day", async () => {
    const before = await snapshotRows(app.db);
    // Found during day(10): not before it.
    expect(await purge({ before: day(10), dryRun: true })).toEqual({ deleted: 0, remaining: 0, userErrors: [] });
    // The LIST_RECREATED one is never counted.
    expect(await purge({ before: day(9), dryRun: true })).toEqual({ deleted: 0, remaining: 19, userErrors: [] });
    expect(await purge({ before: day(9), serverIds: [betaId], dryRun: true })).toEqual({ deleted: 0, remaining: 6, userErrors: [] });
    expect(await snapshotRows(app.db)).toEqual(before);
  });

  it("deletes one server's, not yet swept, a limit at a time, each call audited with what it deleted", async () => {
    expect(await purge({ before: day(9), serverIds: [betaId], limit: 4 })).toEqual({ deleted: 4, remaining: 2, userErrors: [] });
    expect(await purge({ before: day(9), serverIds: [betaId], limit: 4 })).toEqual({ deleted: 2, remaining: 0, userErrors: [] });
    expect(await counts()).toEqual({ "alpha OPEN": 12, "alpha SUPERSEDED": 14, "beta OPEN": 5 });
    expect(await unswept()).toBe(14);
    const audited = await app.db.manager.find(AuditEntry, { where: { action: "validationErrors.purge" }, order: { id: "ASC" } });
    expect(audited.map((entry) => [entry.actor, entry.objectKey, entry.after])).toEqual([
      ["admin", `SUPERSEDED before ${day(9)}`, { status: "SUPERSEDED", before: day(9), serverIds: [betaId], deleted: 4 }],
      ["admin", `SUPERSEDED before ${day(9)}`, { status: "SUPERSEDED", before: day(9), serverIds: [betaId], deleted: 2 }],
    ]);
  });

  it("deletes every server's once swept, leaving the LIST_RECREATED error and every open one; a call with nothing to delete writes nothing", async () => {
    expect(await new SupersededSweep(app.db, DEFAULT_SWEEP_OPTIONS).sweep()).toBe(14);
    expect(await unswept()).toBe(0);
    expect(await purge({ before: day(0) })).toEqual({ deleted: 13, remaining: 0, userErrors: [] });
    expect(await counts()).toEqual({ "alpha OPEN": 12, "alpha SUPERSEDED": 1, "beta OPEN": 5 });
    const page = dataOf(await app.gql(`{ validationErrors(first: 5, filter: { status: [SUPERSEDED] }) { totalCount nodes { code server { name } } } }`)).validationErrors;
    expect(page).toEqual({ totalCount: 1, nodes: [{ code: "LIST_RECREATED", server: { name: "alpha" } }] });

    const entries = await app.db.manager.count(AuditEntry, { where: { action: "validationErrors.purge" } });
    expect(await purge({ before: day(0) })).toEqual({ deleted: 0, remaining: 0, userErrors: [] });
    expect(await app.db.manager.count(AuditEntry, { where: { action: "validationErrors.purge" } })).toBe(entries);
    // The open errors are still there to fix.
    expect(dataOf(await app.gql(`{ validationErrors(first: 1, filter: { status: [OPEN] }) { totalCount } }`)).validationErrors.totalCount).toBe(17);
  });
});
