import { HostingClient, nameKey } from "@listbill/protocol";
import { addList, addMembers, changeListDescription, deleteList, listNames, openFixtureDb } from "@listbill/fixtures";
import { type FaultProxy, startFaultProxy } from "@listbill/fixtures/testing";
import { In } from "typeorm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditEntry } from "../audit/audit-entry.entity.js";
import { toGlobalId } from "../graphql/global-id.js";
import { ListMemberCount } from "../lists/list-member-count.entity.js";
import { List } from "../lists/list.entity.js";
import { Server } from "../servers/server.entity.js";
import { Site } from "../sites/site.entity.js";
import { FAST_JOBS_ENV, type HostingServer, openErrors, registerServer, runJobs, startHostingServer } from "../testing/hosting.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";
import { MessageLog } from "../usage/message-log.entity.js";
import { LOG_CHUNK, importLog } from "./log-import.js";
import { syncInventory } from "./sync-runner.js";

/** Everything a sync may write, to compare before and after. */
async function billingState(app: TestApp) {
  const { manager } = app.db;
  return {
    sites: await manager.find(Site, { order: { id: "ASC" } }),
    lists: await manager.find(List, { order: { id: "ASC" } }),
    snapshots: await manager.find(ListMemberCount, { order: { id: "ASC" } }),
    log: await manager.find(MessageLog, { order: { remoteLogId: "ASC" } }),
    highWater: (await manager.find(Server, { order: { id: "ASC" } })).map((server) => server.logHighWater),
  };
}

describe.each(testDatabases())("syncing a hosting server into billing on %s", (kind) => {
  let app: TestApp;
  let hosting: HostingServer;
  let serverId: string;

  beforeAll(async () => {
    [app, hosting] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 40, logRows: 120 })]);
    serverId = await registerServer(app, { name: "Sync A", port: hosting.agent.port });
  });
  afterAll(async () => {
    await app?.stop();
    await hosting?.stop();
  });

  it("copies sites, lists, member counts and log rows, and a second sync writes nothing", async () => {
    const [first] = await runJobs(app, "syncServers", [serverId]);
    expect(first).toMatchObject({ state: "SUCCEEDED", result: { sitesWritten: 2, listsWritten: 40, snapshots: 40, listsSeen: 40, logRowsImported: 120, logHighWater: 120 } });
    const after = await billingState(app);
    expect(after.lists).toHaveLength(40);
    expect(after.log.map((row) => row.remoteLogId)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(dataOf(await app.gql(`query($id: ID!) { server(id: $id) { syncedAt } }`, { id: serverId })).server.syncedAt).not.toBeNull();

    const [second] = await runJobs(app, "syncServers", [serverId]);
    expect(second.result).toMatchObject({ sitesWritten: 0, listsWritten: 0, snapshots: 0, logRowsImported: 0 });
    expect(await billingState(app)).toEqual(after);
  });

  it("leaves validation with nothing a sync would resolve", async () => {
    await runJobs(app, "validateServers", [serverId]);
    const codes = new Set((await openErrors(app, serverId)).map((error) => error.code));
    for (const code of ["NEW_SITE", "NEW_LIST", "SITE_CHANGED", "LIST_CHANGED", "MISSING_LIST", "MISSING_SITE"]) expect(codes).not.toContain(code);
  });

  it("writes exactly what changed, audits it, and never removes what the hosting server lost", async () => {
    const names = await listNames(hosting.target, 100);
    await changeListDescription(hosting.target, names[0], "New words");
    await addMembers(hosting.target, names[1], { normal: 3, unsub: 2 });
    await deleteList(hosting.target, names[2]);
    const db = await openFixtureDb(hosting.target);
    await db.run("INSERT INTO log_ (LogID_, Created_, List_, Site_, ByteCount_, RecipientCount_, OutmailID_, SubsetID_, Source_, Title_) VALUES (121, '2026-11-20 10:00:00', ?, 'site-01', 5000, 10, NULL, NULL, 'lm', 'hello')", [names[0]]);
    await db.close();

    const [job] = await runJobs(app, "syncServers", [serverId]);
    expect(job.result).toMatchObject({ listsWritten: 2, snapshots: 1, logRowsImported: 1, logHighWater: 121 });
    const described = await app.db.manager.findOneByOrFail(List, { name: names[0] });
    expect(described.description).toBe("New words");
    const deleted = await app.db.manager.findOneByOrFail(List, { name: names[2] });
    expect(deleted.removedAt).toBeNull();
    const audit = await app.db.manager.findBy(AuditEntry, { action: "sync.list.update" });
    expect(audit.map((entry) => entry.objectKey)).toEqual([names[0]]);
    expect(audit[0]).toMatchObject({ before: { description: expect.any(String) }, after: { description: "New words" }, actor: "admin" });
    await runJobs(app, "validateServers", [serverId]);
    expect((await openErrors(app, serverId)).filter((error) => error.code === "MISSING_LIST").map((error) => error.objectKey)).toEqual([names[2]]);
  });

  it("takes a list renamed only in case: validation reports it, a sync writes the hosting server's spelling", async () => {
    const name = (await listNames(hosting.target, 100))[5]!;
    const renamed = name.toUpperCase();
    expect(renamed).not.toBe(name);
    const db = await openFixtureDb(hosting.target);
    await db.run("UPDATE lists_ SET Name_ = ? WHERE Name_ = ?", [renamed, name]);
    await db.run("UPDATE members_ SET List_ = ? WHERE List_ = ?", [renamed, name]);
    await db.close();

    await runJobs(app, "validateServers", [serverId]);
    const changed = (await openErrors(app, serverId)).filter((error) => error.code === "LIST_CHANGED");
    expect(changed.map((error) => [error.objectKey, error.billingValue, error.hostingValue])).toEqual([[name, { name }, { name: renamed }]]);
    const [job] = await runJobs(app, "syncServers", [serverId]);
    expect(job.result).toMatchObject({ listsWritten: 1, snapshots: 0 });
    // Read by key: MySQL compares names without case.
    expect((await app.db.manager.findBy(List, { nameKey: nameKey(name) })).map((list) => list.name)).toEqual([renamed]);
    await runJobs(app, "validateServers", [serverId]);
    expect((await openErrors(app, serverId)).filter((error) => error.code === "LIST_CHANGED")).toEqual([]);
  });
  it("gives messages imported before billing had their list that list, once a later sync brings the list", async () => {
    // A list made on the hosting server after a sync read the inventory, before it read the log:
    // here its log rows come first and its lists_ row after. Logged in two spellings of its name,
    // after a name alike but for an accent (another key), which comes first; and a name with a
    // trailing space, another key too, which MySQL's padding would take for a list's.
    const [settled] = await runJobs(app, "syncServers", [serverId]);
    const first = settled.result.logHighWater + 1;
    const logged = ["láte-list", "late-list", "LATE-List", "padded-list "];
    const sent = new Date().toISOString().slice(0, 19).replace("T", " ");
    const db = await openFixtureDb(hosting.target);
    for (const [index, list] of logged.entries()) {
      await db.run("INSERT INTO log_ (LogID_, Created_, List_, Site_, ByteCount_, RecipientCount_, OutmailID_, SubsetID_, Source_, Title_) VALUES (?, ?, ?, 'site-01', 4000, 3, NULL, NULL, 'lm', 'early')", [first + index, sent, list]);
    }
    await db.close();
    const [imported] = await runJobs(app, "syncServers", [serverId]);
    expect(imported.result).toMatchObject({ logRowsImported: 4, logRowsGivenList: 0, logRowsGivenSite: 0 });
    const listsOf = async () => (await app.db.manager.find(MessageLog, { where: { remoteLogId: In(logged.map((_, index) => first + index)) }, order: { remoteLogId: "ASC" } })).map((row) => row.listId);
    expect(await listsOf()).toEqual([null, null, null, null]);

    await addList(hosting.target, { name: "Late-List", site: "site-01" });
    await addList(hosting.target, { name: "Padded-List", site: "site-01" });
    const [placed] = await runJobs(app, "syncServers", [serverId]);
    expect(placed.result).toMatchObject({ listsWritten: 2, logRowsGivenList: 2, logRowsImported: 0 });
    const list = await app.db.manager.findOneByOrFail(List, { nameKey: "late-list" });
    expect(await listsOf()).toEqual([null, list.id, list.id, null]);
    // The list's usage has both of its messages.
    const day = sent.slice(0, 10);
    const usage = dataOf(await app.gql(`query($filter: UsageFilter!) { usage(filter: $filter) { period messages recipients } }`, { filter: { listId: toGlobalId("List", list.id), from: day, to: day, groupBy: "DAY" } })).usage;
    expect(usage).toEqual([{ period: day, messages: 2, recipients: 6 }]);
    // Placed once: the next sync finds nothing more to place.
    const [again] = await runJobs(app, "syncServers", [serverId]);
    expect(again.result).toMatchObject({ logRowsGivenList: 0 });
  });

  it("fails validation and sync with what to do when the hosting server has two lists whose names differ only in case, and changes nothing", async () => {
    const names = await listNames(hosting.target, 100);
    const [kept, twin] = [names[7]!, names[8]!];
    const db = await openFixtureDb(hosting.target);
    await db.run("UPDATE lists_ SET Name_ = ? WHERE Name_ = ?", [kept.toUpperCase(), twin]);
    await db.close();
    try {
      const before = await billingState(app);
      const expected = new RegExp(`^Sync A: the hosting server has two lists named "${nameKey(kept)}" but for case; .* rename one of them on the hosting server`);
      const [validation] = await runJobs(app, "validateServers", [serverId]);
      expect(validation).toMatchObject({ state: "FAILED", attempts: 1 });
      expect(validation.error).toMatch(expected);
      const [sync] = await runJobs(app, "syncServers", [serverId]);
      expect(sync).toMatchObject({ state: "FAILED", attempts: 1 });
      expect(sync.error).toMatch(expected);
      expect(await billingState(app)).toEqual(before);
    } finally {
      const restore = await openFixtureDb(hosting.target);
      await restore.run("UPDATE lists_ SET Name_ = ? WHERE Name_ = ?", [twin, kept.toUpperCase()]);
      await restore.close();
    }
  });
});

describe.each(testDatabases())("a hosting server failing in the middle of a sync, on %s", (kind) => {
  let app: TestApp;
  let hosting: HostingServer;
  let proxy: FaultProxy;

  beforeAll(async () => {
    [app, hosting] = await Promise.all([
      // Slow retries leave time to look at billing between two attempts.
      startTestApp(kind, { ...FAST_JOBS_ENV, LISTBILL_RETRY_BASE_MS: "1500", LISTBILL_RETRY_CAP_MS: "1500" }),
      startHostingServer({ lists: 1500, membersPerList: 2, logRows: 3500 }),
    ]);
    proxy = await startFaultProxy({ target: { host: "127.0.0.1", port: hosting.agent.port } });
  });
  afterAll(async () => {
    await app?.stop();
    await proxy?.close();
    await hosting?.stop();
  });

  /**
   * Waits for the job's attempt to fail and the job to be queued for the next one (up to 20 s: CI
   * machines are busy), then reads billing with `read`. On SQLite the test reads through the
   * connection the job writes on, so a read overlapped by the next attempt could see its writes
   * before they commit: a read after which the job is no longer waiting is taken again at the
   * next wait.
   */
  async function whileQueuedForRetry<T>(id: string, read: () => Promise<T>): Promise<{ job: { state: string; attempts: number }; value: T }> {
    const jobOf = async (): Promise<{ state: string; attempts: number }> => dataOf(await app.gql(`query($id: ID!) { job(id: $id) { state attempts } }`, { id })).job;
    let seen = 0;
    for (let i = 0; i < 800; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const job = await jobOf();
      if (job.state !== "QUEUED" || job.attempts <= seen) {
        if (job.state !== "QUEUED" && job.state !== "RUNNING") throw new Error(`the job ended ${job.state} while the test waited for a retry`);
        continue;
      }
      const value = await read();
      const after = await jobOf();
      if (after.state === "QUEUED" && after.attempts === job.attempts) return { job, value };
      seen = job.attempts;
    }
    throw new Error("the job was never seen waiting for a retry");
  }

  /** Bytes the agent sends for the inventory part of a sync (sites and lists with counts), measured on the wire's content. */
  async function inventoryBytes(): Promise<number> {
    const client = await HostingClient.connect({ host: "127.0.0.1", port: hosting.agent.port, password: "TCLPORTPasswd" });
    let bytes = 0;
    for await (const site of client.sites()) bytes += JSON.stringify(site).length;
    for await (const list of client.lists({ withMemberCounts: true })) bytes += JSON.stringify(list).length;
    await client.close();
    return bytes;
  }

  it("leaves the inventory exactly as before when the connection dies mid-stream, then converges", async () => {
    const serverId = await registerServer(app, { name: "Reset inventory", port: proxy.port });
    const before = await billingState(app);
    const half = Math.floor((await inventoryBytes()) / 2);
    proxy.setMode({ kind: "reset", afterBytes: half });
    const sync = dataOf(await app.gql(`mutation($input: SyncServersInput!) { syncServers(input: $input) { jobs { id } } }`, { input: { serverIds: [serverId] } })).syncServers.jobs[0].id;
    const { job, value } = await whileQueuedForRetry(sync, () => billingState(app));
    expect(job.attempts).toBeGreaterThanOrEqual(1);
    expect(value).toEqual(before);
    proxy.setMode({ kind: "pass" });
    const { waitForJob } = await import("../testing/hosting.js");
    const done = await waitForJob(app, sync, 30_000);
    // At least one failed attempt, then success (a slow machine may time out one more attempt).
    expect(done).toMatchObject({ state: "SUCCEEDED", result: { listsWritten: 1500, logRowsImported: 3500 } });
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    expect(await app.db.manager.countBy(List, { serverId: Number(Buffer.from(serverId, "base64url").toString().split(":")[1]) })).toBe(1500);
  }, 90_000);

  it("stops writing once its job is aborted (its worker stopping, or its lease taken over): the inventory rolls back whole, the log keeps whole chunks", async () => {
    const serverId = await registerServer(app, { name: "Aborted", port: hosting.agent.port });
    const rowId = Number(Buffer.from(serverId, "base64url").toString().split(":")[1]);
    const author = { actor: "test-admin", requestId: "test" };
    const client = await HostingClient.connect({ host: "127.0.0.1", port: hosting.agent.port, password: "TCLPORTPasswd" });
    try {
      const before = await billingState(app);
      const inventoryAbort = new AbortController();
      // Aborted once 1,000 of the 1,500 lists were seen (and their first 500 written).
      const stopped = await app.db
        .transaction((manager) => syncInventory(manager, rowId, client, author, (seen) => seen >= 1000 && inventoryAbort.abort(new Error("worker stopping")), inventoryAbort.signal))
        .catch((error: unknown) => error);
      expect(stopped).toMatchObject({ message: "worker stopping" });
      expect(await billingState(app)).toEqual(before);

      await app.db.transaction((manager) => syncInventory(manager, rowId, client, author));
      const logAbort = new AbortController();
      const cut = await importLog(app.db, rowId, client, { signal: logAbort.signal, onChunk: () => logAbort.abort(new Error("worker stopping")) }).catch((error: unknown) => error);
      expect(cut).toMatchObject({ message: "worker stopping" });
      // The chunk read ahead while the first committed was not written.
      expect((await app.db.manager.findOneByOrFail(Server, { id: rowId })).logHighWater).toBe(LOG_CHUNK);
      const imported = (await app.db.manager.find(MessageLog, { where: { serverId: rowId }, order: { remoteLogId: "ASC" } })).map((row) => row.remoteLogId);
      expect(imported).toEqual(Array.from({ length: LOG_CHUNK }, (_, i) => i + 1));
      // And the next import goes on from there.
      expect(await importLog(app.db, rowId, client)).toEqual({ imported: 3500 - LOG_CHUNK, highWater: 3500, restarted: null });
    } finally {
      await client.close();
    }
  }, 60_000);

  it("keeps a clean prefix of the log when the connection dies mid-import, and resumes without duplicates or gaps", async () => {
    const serverId = await registerServer(app, { name: "Reset log", port: proxy.port });
    const inventory = await inventoryBytes();
    // Past the whole inventory, into the second half of the log.
    proxy.setMode({ kind: "reset", afterBytes: inventory + 450_000 });
    const sync = dataOf(await app.gql(`mutation($input: SyncServersInput!) { syncServers(input: $input) { jobs { id } } }`, { input: { serverIds: [serverId] } })).syncServers.jobs[0].id;
    const rowId = Number(Buffer.from(serverId, "base64url").toString().split(":")[1]);
    const { job, value } = await whileQueuedForRetry(sync, async () => ({
      server: await app.db.manager.findOneByOrFail(Server, { id: rowId }),
      imported: (await app.db.manager.find(MessageLog, { where: { serverId: rowId }, order: { remoteLogId: "ASC" } })).map((row) => row.remoteLogId),
    }));
    expect(job.attempts).toBeGreaterThanOrEqual(1);
    const { server, imported } = value;
    expect(server.logHighWater).toBeGreaterThan(0);
    expect(server.logHighWater).toBeLessThan(3500);
    expect(imported).toEqual(Array.from({ length: server.logHighWater }, (_, i) => i + 1));
    expect(await app.db.manager.countBy(List, { serverId: rowId })).toBe(1500);

    proxy.setMode({ kind: "pass" });
    const { waitForJob } = await import("../testing/hosting.js");
    const done = await waitForJob(app, sync, 30_000);
    expect(done.state).toBe("SUCCEEDED");
    // The last attempt read the log from the mark on, not from the start: INSERT IGNORE would hide re-read rows.
    expect(done.result.logHighWater).toBe(3500);
    expect(done.result.logRowsImported).toBeGreaterThan(0);
    expect(done.result.logRowsImported).toBeLessThanOrEqual(3500 - server.logHighWater);
    const all = (await app.db.manager.find(MessageLog, { where: { serverId: rowId }, order: { remoteLogId: "ASC" } })).map((row) => row.remoteLogId);
    expect(all).toEqual(Array.from({ length: 3500 }, (_, i) => i + 1));
  }, 90_000);
});
