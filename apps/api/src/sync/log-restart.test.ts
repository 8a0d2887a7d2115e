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
    expect(error.message).toContain("Its usage is not imported until this is fixed");

    const [sync] = await runJobs(app, "syncServers", [serverId]);
    expect(sync.state).toBe("SUCCEEDED");
    expect(sync.result).toMatchObject({ logRowsImported: 0, logHighWater: 120 });
    expect(sync.result.logRestarted).toContain("started its numbering over");
    expect(await imported()).toEqual(before);

    const payload = await fix([error.id]);
    expect(payload.results).toEqual([{ errorId: error.id, status: "FIXED", code: null, reason: null }]);
    expect(await server()).toMatchObject({ logEpoch: 1, logHighWater: 80 });
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
    const db = await openFixtureDb(hosting.target);
    const original = await db.all<Record<string, SqlValue>>("SELECT * FROM log_ WHERE LogID_ > 80 ORDER BY LogID_");
    await db.close();
    await rewriteLog("LogID_ <= 80", 81, 20);
    await runJobs(app, "validateServers", [serverId]);
    const [error] = await restartErrors();

    // The host name pointed at the wrong machine for a while: the real log is back.
    const back = await openFixtureDb(hosting.target);
    await back.run("DELETE FROM log_ WHERE LogID_ > 80");
    for (const row of original) {
      const columns = Object.keys(row);
      await back.run(`INSERT INTO log_ (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`, columns.map((column) => row[column]));
    }
    await back.close();

    const payload = await fix([error.id]);
    expect(payload.results[0]).toMatchObject({ status: "SKIPPED", code: "PLAN_STALE" });
    expect(payload.results[0].reason).toContain("no longer reads as started over");
    expect(await server()).toMatchObject({ logEpoch: 0, logHighWater: 120 });
    await waitForJob(app, payload.job.id);
  }, 60_000);
});
