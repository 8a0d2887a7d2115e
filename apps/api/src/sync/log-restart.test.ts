import { type SqlValue, openFixtureDb } from "@listbill/fixtures";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuditEntry } from "../audit/audit-entry.entity.js";
import { Server } from "../servers/server.entity.js";
import { FAST_JOBS_ENV, type HostingServer, openErrors, registerServer, runJobs, startHostingServer, waitForJob } from "../testing/hosting.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";
import { MessageLog } from "../usage/message-log.entity.js";

const FIX = `mutation($input: FixValidationErrorsInput!) { fixValidationErrors(input: $input) { results { errorId status code reason } job { id } userErrors { code } } }`;

/**
 * A hosting server whose log_ starts its LogID_ over (ListManager restored from a backup, or
 * reinstalled): billing must notice, import nothing it would skip or drop, and on the operator's
 * fix import the new log from where it parts from what billing has, without billing a message twice.
 */
describe.each(testDatabases())("a hosting server's message log that starts its numbering over, on %s", (kind) => {
  let app: TestApp;
  let hosting: HostingServer;
  let serverId: string;
  let rowId: number;

  beforeEach(async () => {
    [app, hosting] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 5, logRows: 120 })]);
    serverId = await registerServer(app, { name: "Restarted", port: hosting.agent.port });
    rowId = Number(Buffer.from(serverId, "base64url").toString().split(":")[1]);
    const [sync] = await runJobs(app, "syncServers", [serverId]);
    expect(sync.result).toMatchObject({ logRowsImported: 120, logHighWater: 120 });
  });
  afterEach(async () => {
    await app?.stop();
    await hosting?.stop();
  });

  /** Rewrites the hosting server's log_: keeps the rows `keep` says, then adds rows numbered from `from` sent on 2026-12-01. */
  async function rewriteLog(keep: string, from: number, count: number): Promise<void> {
    const db = await openFixtureDb(hosting.target);
    await db.run(`DELETE FROM log_ WHERE NOT (${keep})`);
    for (let id = from; id < from + count; id++) {
      await db.run("INSERT INTO log_ (LogID_, Created_, List_, Site_, ByteCount_, RecipientCount_, OutmailID_, SubsetID_, Source_, Title_) VALUES (?, '2026-12-01 09:00:00', NULL, NULL, 777, 3, NULL, NULL, 'lm', 'after the restore')", [id]);
    }
    await db.close();
  }
  /** The hosting server's log_ rows as they are, to put back with putLog. */
  async function readLog(where = "1"): Promise<Record<string, SqlValue>[]> {
    const db = await openFixtureDb(hosting.target);
    const rows = await db.all<Record<string, SqlValue>>(`SELECT * FROM log_ WHERE ${where} ORDER BY LogID_`);
    await db.close();
    return rows;
  }
  /** Replaces the hosting server's log_ rows matching `where` by `rows`. */
  async function putLog(rows: Record<string, SqlValue>[], where = "1"): Promise<void> {
    const db = await openFixtureDb(hosting.target);
    await db.run(`DELETE FROM log_ WHERE ${where}`);
    for (const row of rows) {
      const columns = Object.keys(row);
      await db.run(`INSERT INTO log_ (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`, columns.map((column) => row[column] ?? null));
    }
    await db.close();
  }
  const imported = async () => (await app.db.manager.find(MessageLog, { where: { serverId: rowId }, order: { logEpoch: "ASC", remoteLogId: "ASC" } })).map((row) => `${row.logEpoch}:${row.remoteLogId}:${row.byteCount}`);
  const restartErrors = async () => (await openErrors(app, serverId)).filter((error) => error.code === "LOG_RESTARTED");
  const fix = async (errorIds: string[]) => dataOf(await app.gql(FIX, { input: { errorIds } })).fixValidationErrors;
  const server = () => app.db.manager.findOneByOrFail(Server, { id: rowId });

  it("restored from a backup: validation reports it, sync imports nothing, and the fix imports the new rows after the backup's last", async () => {
    const before = await imported();
    // The backup had rows 1..80; since the restore, 50 new messages took ids 81..130.
    await rewriteLog("LogID_ <= 80", 81, 50);

    await runJobs(app, "validateServers", [serverId]);
    const [error] = await restartErrors();
    expect(error).toMatchObject({ severity: "ERROR", objectType: "SERVER", fixable: true, objectKey: "Restarted" });
    expect(error.message).toContain("The message log of Restarted started its numbering over: its log row 120 is not the one billing imported with that id (sent 2026-12-01T09:00:00.000Z, billing's 20");
    expect(error.message).toContain("No usage is imported from it until this is fixed.");

    const [sync] = await runJobs(app, "syncServers", [serverId]);
    expect(sync.state).toBe("SUCCEEDED");
    expect(sync.result).toMatchObject({ logRowsImported: 0, logHighWater: 120 });
    expect(sync.result.logRestarted).toContain("started its numbering over");
    expect(await imported()).toEqual(before);

    const payload = await fix([error.id]);
    expect(payload.results).toEqual([{ errorId: error.id, status: "FIXED", code: null, reason: null }]);
    expect(await server()).toMatchObject({ logEpoch: 1, logHighWater: 80 });
    expect(dataOf(await app.gql(`query($id: ID!) { server(id: $id) { logImportedThrough logRestarts } }`, { id: serverId })).server).toEqual({ logImportedThrough: 80, logRestarts: 1 });
    const [audit] = await app.db.manager.findBy(AuditEntry, { action: "fix.LOG_RESTARTED" });
    expect(audit).toMatchObject({ objectKey: "Restarted", before: { logEpoch: 0, logHighWater: 120 }, after: { logEpoch: 1, logHighWater: 80 } });

    const [after] = await runJobs(app, "syncServers", [serverId]);
    expect(after.result).toMatchObject({ logRowsImported: 50, logHighWater: 130 });
    expect(after.result.logRestarted).toBeUndefined();
    // The messages billed before the restore stay, once each; the 50 new ones come in as epoch 1.
    expect(await imported()).toEqual([...before, ...Array.from({ length: 50 }, (_, i) => `1:${81 + i}:777`)]);

    await runJobs(app, "validateServers", [serverId]);
    expect(await restartErrors()).toEqual([]);
  }, 60_000);

  it("finds where a restored log parts from billing's though billing lacks a row the hosting server has", async () => {
    // A row committed on the hosting server after a later one had been imported is never imported;
    // here the row at 60, where the search's first halving of 1..120 looks.
    await app.db.manager.delete(MessageLog, { serverId: rowId, remoteLogId: 60 });
    await rewriteLog("LogID_ <= 80", 81, 50);
    await runJobs(app, "validateServers", [serverId]);
    const [error] = await restartErrors();
    expect((await fix([error.id])).results[0].status).toBe("FIXED");
    expect(await server()).toMatchObject({ logEpoch: 1, logHighWater: 80 });
  }, 60_000);

  it("after a fix made while the host name pointed at another machine, takes the real log back without billing its rows twice, and goes on importing it", async () => {
    const real = await readLog();
    // Another machine's log: 150 rows of its own, more than the real one had imported.
    await rewriteLog("0", 1, 150);
    await runJobs(app, "validateServers", [serverId]);
    expect((await fix([(await restartErrors())[0].id])).results[0].status).toBe("FIXED");
    const [wrong] = await runJobs(app, "syncServers", [serverId]);
    expect(wrong.result).toMatchObject({ logRowsImported: 150, logHighWater: 150 });
    expect(await server()).toMatchObject({ logEpoch: 1, logHighWater: 150 });
    // A row of the real log committed after a later one had been imported, so never imported:
    // epoch 0 lacks the LogID_ where the search's first halving of 1..120 looks, epoch 1 has it.
    await app.db.manager.delete(MessageLog, { serverId: rowId, logEpoch: 0, remoteLogId: 60 });

    // The host name corrected: the real log, with 10 rows more since.
    await putLog(real);
    await rewriteLog("1", 121, 10);
    await runJobs(app, "validateServers", [serverId]);
    const [error] = await restartErrors();
    expect((await fix([error.id])).results[0].status).toBe("FIXED");
    // Epoch 0 has the real rows up to 120 already: the new epoch starts after them.
    expect(await server()).toMatchObject({ logEpoch: 2, logHighWater: 120 });
    // The mark is epoch 0's row 120, though epoch 1 holds another row 120: the log reads as continued.
    const [sync] = await runJobs(app, "syncServers", [serverId]);
    expect(sync.result).toMatchObject({ logRowsImported: 10, logHighWater: 130 });
    expect(sync.result.logRestarted).toBeUndefined();
    expect(await app.db.manager.countBy(MessageLog, { serverId: rowId })).toBe(119 + 150 + 10);
    await runJobs(app, "validateServers", [serverId]);
    expect(await restartErrors()).toEqual([]);
  }, 60_000);

  it("fails the fix, changing nothing, when rows missing on both sides leave the restart point unknown", async () => {
    // Billing lacks the odd rows 41..99, the restored log the even ones: no row both have near where the search looks.
    for (let id = 41; id < 100; id += 2) await app.db.manager.delete(MessageLog, { serverId: rowId, remoteLogId: id });
    await rewriteLog("LogID_ <= 80 AND NOT (LogID_ BETWEEN 41 AND 99 AND LogID_ % 2 = 0)", 81, 50);
    await putLog((await readLog("LogID_ BETWEEN 81 AND 99")).filter((row) => Number(row.LogID_) % 2 === 1), "LogID_ BETWEEN 81 AND 99");
    await runJobs(app, "validateServers", [serverId]);
    const [error] = await restartErrors();
    const payload = await fix([error.id]);
    expect(payload.results[0]).toMatchObject({ status: "FAILED", code: "RESTART_POINT_UNKNOWN" });
    expect(await server()).toMatchObject({ logEpoch: 0, logHighWater: 120 });
  }, 60_000);

  it("takes an emptied log for no restart until it has rows again", async () => {
    await rewriteLog("0", 1, 0);
    await runJobs(app, "validateServers", [serverId]);
    expect(await restartErrors()).toEqual([]);
    const [sync] = await runJobs(app, "syncServers", [serverId]);
    expect(sync.result).toMatchObject({ logRowsImported: 0, logHighWater: 120 });
    expect(sync.result.logRestarted).toBeUndefined();
  }, 60_000);

  it("reinstalled: a log with no row at the mark is imported again from its first row", async () => {
    await rewriteLog("0", 1, 5);
    await runJobs(app, "validateServers", [serverId]);
    const [error] = await restartErrors();
    expect(error.message).toContain("its log has no row numbered 120 or above, though billing imported up to 120");
    expect((await fix([error.id])).results[0].status).toBe("FIXED");
    expect(await server()).toMatchObject({ logEpoch: 1, logHighWater: 0 });
    const [sync] = await runJobs(app, "syncServers", [serverId]);
    expect(sync.result).toMatchObject({ logRowsImported: 5, logHighWater: 5 });
    expect(await app.db.manager.countBy(MessageLog, { serverId: rowId })).toBe(125);
  }, 60_000);

  it("purged up to and past the mark is no restart: later rows import as usual", async () => {
    // ListManager purged its oldest rows, the mark's among them; rows 121..130 are new.
    await rewriteLog("0", 121, 10);
    await runJobs(app, "validateServers", [serverId]);
    expect(await restartErrors()).toEqual([]);
    const [sync] = await runJobs(app, "syncServers", [serverId]);
    expect(sync.result).toMatchObject({ logRowsImported: 10, logHighWater: 130 });
    expect(sync.result.logRestarted).toBeUndefined();
  }, 60_000);

  it("refuses a fix once the log reads as continued again, and changes nothing", async () => {
    const original = await readLog("LogID_ > 80");
    await rewriteLog("LogID_ <= 80", 81, 20);
    await runJobs(app, "validateServers", [serverId]);
    const [error] = await restartErrors();

    // The host name pointed at the wrong machine for a while: the real log is back.
    await putLog(original, "LogID_ > 80");

    const payload = await fix([error.id]);
    expect(payload.results[0]).toMatchObject({ status: "SKIPPED", code: "PLAN_STALE" });
    expect(payload.results[0].reason).toContain("no longer reads as started over");
    expect(await server()).toMatchObject({ logEpoch: 0, logHighWater: 120 });
    await waitForJob(app, payload.job.id);
  }, 60_000);
});
