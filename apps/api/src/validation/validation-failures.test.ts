import { HostingClient } from "@listbill/protocol";
import { type FaultProxy, startFaultProxy } from "@listbill/fixtures/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAST_JOBS_ENV, type HostingServer, openErrors, registerServer, runJobs, startHostingServer, waitForJob } from "../testing/hosting.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";
import { fromGlobalId } from "../graphql/global-id.js";
import { ValidationError } from "./validation-error.entity.js";
import { ValidationRun } from "./validation-run.entity.js";
import { openNow } from "./published.js";

/** Rows written by runs not published: a run that failed, or one still reading. */
const unpublishedRowsOf = (app: TestApp) =>
  app.db.manager.getRepository(ValidationError).createQueryBuilder("error").innerJoin(ValidationRun, "run", "run.id = error.runId").where("run.publishedAt IS NULL").getCount();

const TEST_CONNECTION = `mutation($input: TestServerConnectionInput!) { testServerConnection(input: $input) { ok reason message version latencyMs userErrors { code } } }`;

describe.each(testDatabases())("servers that cannot be validated, on %s", (kind) => {
  let app: TestApp;
  let hosting: HostingServer;
  let guarded: HostingServer;
  let proxy: FaultProxy;

  beforeAll(async () => {
    [app, hosting, guarded] = await Promise.all([
      startTestApp(kind, FAST_JOBS_ENV),
      startHostingServer({ lists: 6 }, { password: "agent-secret" }),
      startHostingServer({ lists: 3 }, { allow: ["192.0.2.10"] }),
    ]);
    proxy = await startFaultProxy({ target: { host: "127.0.0.1", port: hosting.agent.port } });
  });
  afterAll(async () => {
    await app?.stop();
    await proxy?.close();
    await Promise.all([hosting?.stop(), guarded?.stop()]);
  });

  const serverState = async (id: string) => dataOf(await app.gql(`query($id: ID!) { server(id: $id) { status validatedAt version openErrorCount } }`, { id })).server;

  it("tests a connection: the version and latency when it works, the typed reason when not", async () => {
    const good = await registerServer(app, { name: "Good", port: hosting.agent.port, password: "agent-secret" });
    const ok = dataOf(await app.gql(TEST_CONNECTION, { input: { id: good } })).testServerConnection;
    expect(ok).toMatchObject({ ok: true, reason: null, version: "8.95", userErrors: [] });
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0);

    const wrong = await registerServer(app, { name: "Wrong password", port: hosting.agent.port, password: "not-the-password" });
    const refused = dataOf(await app.gql(TEST_CONNECTION, { input: { id: wrong } })).testServerConnection;
    expect(refused).toMatchObject({ ok: false, reason: "AUTH_FAILED", version: null });
    expect(JSON.stringify(refused)).not.toContain("not-the-password");

    const unknown = dataOf(await app.gql(TEST_CONNECTION, { input: { id: "U2VydmVyOjk5OTk" } })).testServerConnection;
    expect(unknown).toMatchObject({ ok: null, userErrors: [{ code: "SERVER_NOT_FOUND" }] });
  });

  it("records AUTH_FAILED at once, without retrying, and keeps validatedAt", async () => {
    const id = await registerServer(app, { name: "Bad password", port: hosting.agent.port, password: "wrong-one" });
    const [job] = await runJobs(app, "validateServers", [id]);
    expect(job).toMatchObject({ state: "FAILED", attempts: 1, result: { outcome: "AUTH_FAILED" } });
    expect(job.error).not.toContain("wrong-one");
    expect(await serverState(id)).toMatchObject({ status: "AUTH_FAILED", validatedAt: null, openErrorCount: 1 });
    expect((await openErrors(app, id)).map((error) => error.code)).toEqual(["AUTH_FAILED"]);
  });

  it("records HOST_NOT_ALLOWED when the agent's allow-list leaves billing out", async () => {
    const id = await registerServer(app, { name: "Guarded", port: guarded.agent.port });
    const [job] = await runJobs(app, "validateServers", [id]);
    expect(job).toMatchObject({ state: "FAILED", attempts: 1, result: { outcome: "HOST_NOT_ALLOWED" } });
    expect(await serverState(id)).toMatchObject({ status: "HOST_NOT_ALLOWED", openErrorCount: 1 });
  });

  it("retries an unreachable server with backoff, then records SERVER_UNREACHABLE; its last validation stays", async () => {
    const id = await registerServer(app, { name: "Flaky", port: proxy.port, password: "agent-secret" });
    const [first] = await runJobs(app, "validateServers", [id]);
    expect(first.state).toBe("SUCCEEDED");
    const validated = await serverState(id);

    proxy.setMode({ kind: "black-hole" });
    const [job] = await runJobs(app, "validateServers", [id]);
    proxy.setMode({ kind: "pass" });
    expect(job).toMatchObject({ state: "FAILED", attempts: 3, maxAttempts: 3, result: { outcome: "UNREACHABLE" } });
    expect(await serverState(id)).toMatchObject({ status: "UNREACHABLE", validatedAt: validated.validatedAt, version: "8.95" });
    expect((await openErrors(app, id)).map((error) => error.code)).toEqual(["SERVER_UNREACHABLE"]);
  });

  it("refuses a selection that names no server, an unknown one, or both a list and all", async () => {
    const run = async (input: object) => dataOf(await app.gql(`mutation($input: ValidateServersInput!) { validateServers(input: $input) { jobs { id } userErrors { code field } } }`, { input })).validateServers;
    const before = dataOf(await app.gql(`{ jobs { totalCount } }`)).jobs.totalCount;
    expect(await run({ serverIds: [] })).toEqual({ jobs: [], userErrors: [{ code: "NO_SERVERS_SELECTED", field: ["input", "serverIds"] }] });
    expect(await run({ serverIds: ["U2VydmVyOjk5OTk"] })).toEqual({ jobs: [], userErrors: [{ code: "SERVER_NOT_FOUND", field: ["input", "serverIds", "0"] }] });
    expect((await run({ serverIds: ["U2VydmVyOjk5OTk"], all: true })).userErrors[0].code).toBe("AMBIGUOUS_SELECTION");
    expect(dataOf(await app.gql(`{ jobs { totalCount } }`)).jobs.totalCount).toBe(before);
  });
});

describe.each(testDatabases())("a server that never answers, on %s", (kind) => {
  // Each attempt at it waits out the request timeout: 10 s here, against well under a second for
  // validating a small prompt server, so even a loaded machine shows which one waited for which.
  const REQUEST_TIMEOUT_MS = 10_000;
  let app: TestApp;
  let hosting: HostingServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    [app, hosting] = await Promise.all([startTestApp(kind, { ...FAST_JOBS_ENV, LISTBILL_AGENT_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) }), startHostingServer({ lists: 6 })]);
    proxy = await startFaultProxy({ target: { host: "127.0.0.1", port: hosting.agent.port } });
  });
  afterAll(async () => {
    await app?.stop();
    await proxy?.close();
    await hosting?.stop();
  });

  it("does not hold up the others: they are validated while its first attempt still waits for an answer", async () => {
    const silent = await registerServer(app, { name: "Silent", port: proxy.port });
    const good = await registerServer(app, { name: "Prompt", port: hosting.agent.port });
    proxy.setMode({ kind: "black-hole" });
    try {
      const payload = dataOf(await app.gql(`mutation($input: ValidateServersInput!) { validateServers(input: $input) { jobs { id server { name } } } }`, { input: { serverIds: [silent, good] } })).validateServers;
      const promptJob = payload.jobs.find((job: { server: { name: string } }) => job.server.name === "Prompt");
      const silentJob = payload.jobs.find((job: { server: { name: string } }) => job.server.name === "Silent");
      const prompt = await waitForJob(app, promptJob.id);
      const stillTrying = dataOf(await app.gql(`query($id: ID!) { job(id: $id) { state attempts error startedAt } }`, { id: silentJob.id })).job;
      expect(prompt.state).toBe("SUCCEEDED");
      // The silent server's job started no later than the prompt one and is still in its first
      // attempt, no answer and no timeout yet: the prompt one did not wait for it.
      expect(stillTrying).toMatchObject({ state: "RUNNING", attempts: 1, error: null });
      expect(Date.parse(stillTrying.startedAt)).toBeLessThanOrEqual(Date.parse(prompt.startedAt));

      // Its connection dropped and the server answering again, the next attempt validates it.
      proxy.setMode({ kind: "pass" });
      proxy.resetOpen();
      expect(await waitForJob(app, silentJob.id)).toMatchObject({ state: "SUCCEEDED", attempts: 2 });
    } finally {
      proxy.setMode({ kind: "pass" });
    }
  });
});

describe.each(testDatabases())("Auto-Sync on %s", (kind) => {
  let app: TestApp;
  let hosting: HostingServer;
  beforeAll(async () => {
    [app, hosting] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 5 })]);
  });
  afterAll(async () => {
    await app?.stop();
    await hosting?.stop();
  });

  it("copies what a successful validation found into billing without an operator", async () => {
    const id = dataOf(await app.gql(`mutation($input: CreateServerInput!) { createServer(input: $input) { server { id autoSync } } }`, { input: { name: "Auto", hostName: "127.0.0.1", port: hosting.agent.port, autoSync: true } })).createServer.server.id;
    const [validation] = await runJobs(app, "validateServers", [id]);
    expect(validation.result).toMatchObject({ outcome: "ERRORS", autoSync: true });
    const sync = dataOf(await app.gql(`query($id: ID!) { jobs(filter: { kind: [SYNC], serverId: $id }) { nodes { id trigger actor } } }`, { id })).jobs.nodes;
    expect(sync).toEqual([{ id: expect.any(String), trigger: "AUTO_SYNC", actor: "admin" }]);
    expect((await waitForJob(app, sync[0].id)).result).toMatchObject({ listsWritten: 5 });
    const [again] = await runJobs(app, "validateServers", [id]);
    expect(again.result.autoSync).toBe(false);
    expect(new Set((await openErrors(app, id)).map((error) => error.code))).toEqual(new Set(["LIST_UNASSIGNED"]));
  });
});

describe.each(testDatabases())("a validation cut off mid-stream, on %s", (kind) => {
  // 3,000 lists unknown to billing: findings are written in chunks of 2,000 while the stream still runs.
  let app: TestApp;
  let hosting: HostingServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    [app, hosting] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 3000 })]);
    proxy = await startFaultProxy({ target: { host: "127.0.0.1", port: hosting.agent.port } });
  });
  afterAll(async () => {
    await app?.stop();
    await proxy?.close();
    await hosting?.stop();
  });

  const unpublishedRows = () => unpublishedRowsOf(app);
  const openCount = async (id: string) => dataOf(await app.gql(`query($id: ID!) { server(id: $id) { openErrorCount } }`, { id })).server.openErrorCount;

  /** About how many bytes the agent's list stream takes, as validation reads it here: without member counts (no plan limits members). */
  const listStreamBytes = async (): Promise<number> => {
    const client = await HostingClient.connect({ host: "127.0.0.1", port: hosting.agent.port, password: "TCLPORTPasswd" });
    let bytes = 0;
    for await (const list of client.lists()) bytes += JSON.stringify(list).length;
    await client.close();
    return bytes;
  };

  /** Starts a validation whose list stream the proxy cuts at 80 %, again at every attempt until told to pass. */
  const validateCutOff = async (serverId: string): Promise<string> => {
    proxy.setMode({ kind: "reset", afterBytes: Math.floor((await listStreamBytes()) * 0.8) });
    return dataOf(await app.gql(`mutation($input: ValidateServersInput!) { validateServers(input: $input) { jobs { id } } }`, { input: { serverIds: [serverId] } })).validateServers.jobs[0].id;
  };

  it("keeps the last validation's errors while it fails, and leaves no unpublished rows once it converges", async () => {
    const serverId = await registerServer(app, { name: "Cut off", port: proxy.port });
    const [first] = await runJobs(app, "validateServers", [serverId], 60_000);
    expect(first).toMatchObject({ state: "SUCCEEDED", result: { listsChecked: 3000 } });
    const open = await openCount(serverId);
    expect(open).toBe(first.result.findings);
    // Synced, so that the next run's findings (every list LIST_UNASSIGNED) are new rows, written
    // while its stream still runs: each cut-off attempt leaves a chunk of them unpublished.
    expect((await runJobs(app, "syncServers", [serverId], 60_000))[0]).toMatchObject({ state: "SUCCEEDED" });

    const id = await validateCutOff(serverId);
    // Until an attempt has failed: the job waits for its next one, or runs it.
    let job = { state: "QUEUED", attempts: 0 };
    for (let i = 0; i < 400 && !((job.state === "QUEUED" && job.attempts >= 1) || job.attempts >= 2); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      job = dataOf(await app.gql(`query($id: ID!) { job(id: $id) { state attempts } }`, { id })).job;
    }
    expect(job.state === "QUEUED" ? job.attempts : job.attempts - 1).toBeGreaterThanOrEqual(1);
    expect(await openCount(serverId)).toBe(open);

    proxy.setMode({ kind: "pass" });
    const done = await waitForJob(app, id, 60_000);
    expect(done).toMatchObject({ state: "SUCCEEDED", result: { listsChecked: 3000 } });
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    // Its 3,000 LIST_UNASSIGNED errors are new; whatever else it found was open already.
    expect(done.result.findings - done.result.unchanged).toBe(3000);
    expect(await openCount(serverId)).toBe(done.result.findings);
    expect(await unpublishedRows()).toBe(0);
  });

  it("shows none of a run's errors until it is published, and clears a failed attempt's", async () => {
    const serverId = await registerServer(app, { name: "Cut off first", port: proxy.port });
    // The answers trickle (about 4 s for the lists), so the first attempt is seen mid-way.
    proxy.setMode({ kind: "drip", bytes: Math.ceil((await listStreamBytes()) / 400), intervalMs: 10 });
    const id = dataOf(await app.gql(`mutation($input: ValidateServersInput!) { validateServers(input: $input) { jobs { id } } }`, { input: { serverIds: [serverId] } })).validateServers.jobs[0].id;
    const visible = async () => ({
      open: await openCount(serverId),
      listed: dataOf(await app.gql(`query($id: ID!) { validationErrors(filter: { serverId: $id }) { totalCount } }`, { id: serverId })).validationErrors.totalCount,
    });
    const job = async () => dataOf(await app.gql(`query($id: ID!) { job(id: $id) { state attempts } }`, { id })).job;
    let written = 0;
    for (let i = 0; i < 800 && written < 2000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      written = await unpublishedRows();
    }
    // 2,000 findings written (one chunk), none of them to be seen while the run goes on.
    expect(written).toBeGreaterThanOrEqual(2000);
    expect(await visible()).toEqual({ open: 0, listed: 0 });
    expect(await job()).toEqual({ state: "RUNNING", attempts: 1 });

    // The attempt dies mid-stream (its connection reset; the next ones pass): its rows stay
    // hidden, and the next attempt clears them.
    proxy.setMode({ kind: "pass" });
    proxy.resetOpen();
    const done = await waitForJob(app, id, 60_000);
    expect(done).toMatchObject({ state: "SUCCEEDED", result: { listsChecked: 3000 } });
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    expect(await openCount(serverId)).toBe(done.result.findings);
    expect(done.result.findings).toBeGreaterThanOrEqual(3000);
    expect(await unpublishedRows()).toBe(0);
  });
});

describe.each(testDatabases())("a validation whose database write fails part-way, on %s", (kind) => {
  // 7,000 lists: their findings go in four statements; the third one is refused.
  let app: TestApp;
  let hosting: HostingServer;
  beforeAll(async () => {
    [app, hosting] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 7000, membersPerList: 2 })]);
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await hosting?.stop();
  });

  const unpublishedRows = () => unpublishedRowsOf(app);
  const openByCode = async (serverId: string) => {
    const rows: { code: string; count: number | string }[] = await app.db.manager
      .getRepository(ValidationError)
      .createQueryBuilder("error")
      .select("error.code", "code")
      .addSelect("COUNT(*)", "count")
      .where("error.serverId = :serverId", { serverId: fromGlobalId("Server", serverId) })
      .andWhere(openNow("error"))
      .groupBy("error.code")
      .getRawMany();
    return Object.fromEntries(rows.map((row) => [row.code, Number(row.count)]));
  };
  /** A trigger that makes the database refuse the validation_error row of one list, as a full disk or a dropped connection would refuse a statement. */
  const refuseRowOf = async (objectKey: string) => {
    const quoted = `'${objectKey.replace(/'/g, "''")}'`;
    if (app.db.kind === "mysql") {
      await app.db.manager.query(`CREATE TRIGGER refuse_one_error BEFORE INSERT ON validation_error FOR EACH ROW BEGIN IF NEW.objectKey = ${quoted} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'; END IF; END`);
    } else {
      await app.db.manager.query(`CREATE TRIGGER refuse_one_error BEFORE INSERT ON validation_error WHEN NEW.objectKey = ${quoted} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    }
  };

  it("fails the run, keeps the last validation's errors, and leaves no half-written run once the database takes the rows", async () => {
    const serverId = await registerServer(app, { name: "Refused write", port: hosting.agent.port });
    expect((await runJobs(app, "validateServers", [serverId], 60_000))[0]).toMatchObject({ state: "SUCCEEDED" });
    expect((await runJobs(app, "syncServers", [serverId], 60_000))[0]).toMatchObject({ state: "SUCCEEDED" });
    const before = await openByCode(serverId);
    expect(before.NEW_LIST).toBe(7000);

    // After the sync every list is LIST_UNASSIGNED: 7,000 new rows. The 5,000th list's is refused.
    const names = (await app.db.manager.query(`SELECT name FROM list ORDER BY nameKey`)).map((row: { name: string }) => row.name);
    expect(names).toHaveLength(7000);
    await refuseRowOf(names[4999]);
    try {
      const [refused] = await runJobs(app, "validateServers", [serverId], 60_000);
      expect(refused).toMatchObject({ state: "FAILED", error: expect.stringMatching(/internal error/i) });
      // Nothing of the failed run counts: the server still shows what the last published run found.
      expect(await openByCode(serverId)).toEqual(before);
      expect(dataOf(await app.gql(`query($id: ID!) { server(id: $id) { openErrorCount } }`, { id: serverId })).server.openErrorCount).toBe(Object.values(before).reduce((a, b) => a + b, 0));
    } finally {
      await app.db.manager.query(`DROP TRIGGER refuse_one_error`);
    }

    const [done] = await runJobs(app, "validateServers", [serverId], 60_000);
    expect(done).toMatchObject({ state: "SUCCEEDED", result: { listsChecked: 7000 } });
    const after = await openByCode(serverId);
    expect(after).toEqual({ LIST_UNASSIGNED: 7000 });
    expect(await unpublishedRows()).toBe(0);
  }, 120_000);
});
