import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditEntry } from "../audit/audit-entry.entity.js";
import { instantOf, instantParameter } from "../db/columns.js";
import { fromGlobalId } from "../graphql/global-id.js";
import { FAST_JOBS_ENV, type HostingServer, registerServer, runJobs, startHostingServer } from "../testing/hosting.js";
import { type TestApp, dataOf, snapshotRows, startTestApp, testDatabases } from "../testing/test-app.js";
import { DEFAULT_SWEEP_OPTIONS, SupersededSweep } from "./superseded-sweep.js";

const PURGE = `mutation($input: PurgeValidationErrorsInput!) { purgeValidationErrors(input: $input) { deleted hasMore remaining userErrors { code field } } }`;
const IGNORE = `mutation($input: IgnoreValidationErrorsInput!) { ignoreValidationErrors(input: $input) { userErrors { code } } }`;

// One clock for the whole file: a midnight (UTC) passing mid-run must not move the days.
const NOW = Date.now();
const day = (daysAgo: number) => new Date(NOW - daysAgo * 86_400_000).toISOString().slice(0, 10);
const TEN_DAYS_AGO = instantParameter(new Date(`${day(10)}T12:00:00.000Z`));

// An admin deleting what a fleet's re-validations leave behind: errors superseded before a day,
// a call at a time, never anything else.
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
      for (const status of ["OPEN", "SUPERSEDED", "IGNORED", "FIXED"]) {
        const total = dataOf(await app.gql(`query($filter: ValidationErrorFilter) { validationErrors(first: 1, filter: $filter) { totalCount } }`, { filter: { serverId: id, status: [status] } })).validationErrors.totalCount as number;
        if (total) result[`${name} ${status}`] = total;
      }
    }
    return result;
  };
  /** Rows still stored OPEN in runs withdrawn and not yet swept. */
  const unswept = async () => Number((await app.db.manager.query("SELECT COUNT(*) AS n FROM validation_error WHERE status = 'OPEN' AND runId IN (SELECT id FROM validation_run WHERE sweepDueAt IS NOT NULL)"))[0].n);
  const purge = async (input: Record<string, unknown>) => dataOf(await app.gql(PURGE, { input })).purgeValidationErrors;
  const audited = async () => (await app.db.manager.find(AuditEntry, { where: { action: "validationErrors.purge" }, order: { id: "ASC" } })).map((entry) => [entry.actor, entry.objectKey, entry.after]);

  beforeAll(async () => {
    [app, alpha, beta] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 12 }), startHostingServer({ lists: 5, sites: 1 })]);
    await app.services.sweep.stop();
    alphaId = await registerServer(app, { name: "alpha", port: alpha.agent.port });
    betaId = await registerServer(app, { name: "beta", port: beta.agent.port });
    await runJobs(app, "validateServers", [alphaId, betaId], 60_000);
    // An operator ignores one of beta's new lists.
    const betaErrors = dataOf(await app.gql(`query($filter: ValidationErrorFilter) { validationErrors(first: 1, filter: $filter) { nodes { id } } }`, { filter: { serverId: betaId, code: ["NEW_LIST"] } })).validationErrors.nodes;
    expect(dataOf(await app.gql(IGNORE, { input: { errorIds: [betaErrors[0].id] } })).ignoreValidationErrors.userErrors).toEqual([]);
    // Synced, then found unassigned: every other NEW_* error superseded, by withdrawing the first
    // runs (their rows say OPEN until a sweep writes them; this app's sweep is stopped).
    await runJobs(app, "syncServers", [alphaId, betaId], 60_000);
    await runJobs(app, "validateServers", [alphaId, betaId], 60_000);
    const withdrawn = "runId IN (SELECT id FROM validation_run WHERE withdrawnAt IS NOT NULL)";
    // All superseded ten days ago, when the first runs were withdrawn. Of alpha's, one (as if it
    // were a list made again) is a LIST_RECREATED, and one an operator had fixed.
    await app.db.manager.query("UPDATE validation_run SET withdrawnAt = ?, sweepDueAt = ? WHERE withdrawnAt IS NOT NULL", [TEN_DAYS_AGO, TEN_DAYS_AGO]);
    const alphaRows: { id: number | string }[] = await app.db.manager.query(`SELECT id FROM validation_error WHERE ${withdrawn} AND serverId = ? ORDER BY id`, [fromGlobalId("Server", alphaId)]);
    await app.db.manager.query("UPDATE validation_error SET code = 'LIST_RECREATED' WHERE id = ?", [alphaRows[0]!.id]);
    await app.db.manager.query("UPDATE validation_error SET status = 'FIXED' WHERE id = ?", [alphaRows[1]!.id]);
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await Promise.all([alpha?.stop(), beta?.stop()]);
  });

  it("starts with each server's NEW_* errors superseded (one fixed, one ignored), none swept yet, and its LIST_UNASSIGNED ones open", async () => {
    expect(await counts()).toEqual({ "alpha OPEN": 12, "alpha SUPERSEDED": 13, "alpha FIXED": 1, "beta OPEN": 5, "beta SUPERSEDED": 5, "beta IGNORED": 1 });
    expect(await unswept()).toBe(18);
  });

  it("refuses a day that does not exist, an unknown server and a limit out of range with typed errors, deleting nothing", async () => {
    const before = await snapshotRows(app.db);
    // A day the calendar has not: the Date scalar refuses it before the mutation runs.
    expect((await app.gql(PURGE, { input: { supersededBefore: "2026-02-30" } })).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(await purge({ supersededBefore: day(0), serverIds: [alphaId, "U2VydmVyOjk5OTk="] })).toEqual({ deleted: null, hasMore: null, remaining: null, userErrors: [{ code: "SERVER_NOT_FOUND", field: ["input", "serverIds", "1"] }] });
    expect((await purge({ supersededBefore: day(0), serverIds: Array(1001).fill(alphaId) })).userErrors).toEqual([{ code: "TOO_MANY_SERVERS", field: ["input", "serverIds"] }]);
    for (const limit of [0, 20_001]) {
      expect((await purge({ supersededBefore: day(0), limit })).userErrors).toEqual([{ code: "INVALID_LIMIT", field: ["input", "limit"] }]);
    }
    expect(await snapshotRows(app.db)).toEqual(before);
  });

  it("counts without deleting on a dry run, and counts only errors superseded before the day", async () => {
    const before = await snapshotRows(app.db);
    // Superseded during day(10): not before it.
    expect(await purge({ supersededBefore: day(10), dryRun: true })).toEqual({ deleted: 0, hasMore: false, remaining: 0, userErrors: [] });
    // Neither the LIST_RECREATED one, nor the fixed and the ignored ones.
    expect(await purge({ supersededBefore: day(9), dryRun: true })).toEqual({ deleted: 0, hasMore: true, remaining: 17, userErrors: [] });
    expect(await purge({ supersededBefore: day(9), serverIds: [betaId], dryRun: true })).toEqual({ deleted: 0, hasMore: true, remaining: 5, userErrors: [] });
    expect(await snapshotRows(app.db)).toEqual(before);
  });

  it("deletes one server's, not yet swept, a limit at a time, each call audited with what it deleted", async () => {
    expect(await purge({ supersededBefore: day(9), serverIds: [betaId], limit: 3 })).toEqual({ deleted: 3, hasMore: true, remaining: null, userErrors: [] });
    expect(await purge({ supersededBefore: day(9), serverIds: [betaId], limit: 3 })).toEqual({ deleted: 2, hasMore: false, remaining: null, userErrors: [] });
    expect(await counts()).toEqual({ "alpha OPEN": 12, "alpha SUPERSEDED": 13, "alpha FIXED": 1, "beta OPEN": 5, "beta IGNORED": 1 });
    expect(await unswept()).toBe(13);
    const key = `SUPERSEDED before ${day(9)}`;
    expect(await audited()).toEqual([
      ["admin", key, { status: "SUPERSEDED", supersededBefore: day(9), serverIds: [betaId], deleted: 3 }],
      ["admin", key, { status: "SUPERSEDED", supersededBefore: day(9), serverIds: [betaId], deleted: 2 }],
    ]);
  });

  it("deletes every server's once swept, two purges at once deleting each row once, and leaves the LIST_RECREATED, fixed, ignored, open and more recent errors", async () => {
    expect(await new SupersededSweep(app.db, DEFAULT_SWEEP_OPTIONS).sweep()).toBe(13);
    expect(await unswept()).toBe(0);
    // The sweep dates each row by its run's withdrawal, not by when it got there.
    const dated: { supersededAt: Date | string }[] = await app.db.manager.query("SELECT DISTINCT supersededAt FROM validation_error WHERE status = 'SUPERSEDED'");
    expect(dated.map((row) => instantOf(row.supersededAt)!.toISOString())).toEqual([new Date(`${day(10)}T12:00:00.000Z`).toISOString()]);
    // Swept, the same rows go as before: superseded during day(10), before day(9).
    expect(await purge({ supersededBefore: day(10), dryRun: true })).toMatchObject({ remaining: 0 });
    expect(await purge({ supersededBefore: day(9), dryRun: true })).toMatchObject({ remaining: 12 });
    // Two superseded before listbill recorded when: they count from their first finding, one of
    // them twenty days ago (it goes), the other today (it stays).
    const legacy: { id: number | string }[] = await app.db.manager.query("SELECT id FROM validation_error WHERE status = 'SUPERSEDED' AND serverId = ? AND code <> 'LIST_RECREATED' ORDER BY id DESC", [fromGlobalId("Server", alphaId)]);
    await app.db.manager.query("UPDATE validation_error SET supersededAt = NULL WHERE id IN (?, ?)", [legacy[0]!.id, legacy[1]!.id]);
    await app.db.manager.query("UPDATE validation_error SET detectedAt = ? WHERE id = ?", [instantParameter(new Date(`${day(20)}T12:00:00.000Z`)), legacy[1]!.id]);
    expect(await purge({ supersededBefore: day(10), dryRun: true })).toMatchObject({ remaining: 1 });
    expect(await purge({ supersededBefore: day(9), dryRun: true })).toMatchObject({ remaining: 11 });
    const [first, second] = await Promise.all([purge({ supersededBefore: day(0), limit: 8 }), purge({ supersededBefore: day(0), limit: 8 })]);
    expect(first.deleted + second.deleted).toBe(11);
    expect(await counts()).toEqual({ "alpha OPEN": 12, "alpha SUPERSEDED": 2, "alpha FIXED": 1, "beta OPEN": 5, "beta IGNORED": 1 });
    const page = dataOf(await app.gql(`{ validationErrors(first: 5, filter: { status: [SUPERSEDED] }) { totalCount nodes { code server { name } } } }`)).validationErrors;
    expect(page).toEqual({ totalCount: 2, nodes: [{ code: "LIST_RECREATED", server: { name: "alpha" } }, { code: "NEW_LIST", server: { name: "alpha" } }] });
    // Each call audited what it deleted itself.
    expect((await audited()).slice(2).map(([, , after]) => (after as { deleted: number }).deleted).sort((a, b) => a - b)).toEqual([first.deleted, second.deleted].filter((n) => n > 0).sort((a, b) => a - b));

    const entries = (await audited()).length;
    expect(await purge({ supersededBefore: day(0) })).toEqual({ deleted: 0, hasMore: false, remaining: null, userErrors: [] });
    expect((await audited()).length).toBe(entries);
  });
});
