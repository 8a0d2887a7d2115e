import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { HostingClient, HostingError, MAX_LINE_BYTES, MAX_NAMED_LISTS } from "@listbill/protocol";
import { generateListManagerDatabase } from "@listbill/fixtures";
import { startFaultProxy } from "@listbill/fixtures/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawConnection } from "./raw-connection.test-support.js";
import { spawnAgent, type SpawnedAgent } from "./spawn-agent.js";

const PASSWORD = "s3cret-Agent-Pw";
/** Passwords tried and refused: an operator's mistyped real password must not reach a log or an answer either. */
const WRONG_PASSWORDS = ["wrong-Pw-1st-try", "nope-Pw-2nd-try"];
const SECRETS = [PASSWORD, ...WRONG_PASSWORDS];
/** Every agent the tests start, for the log check at the end. */
const spawned: { stderr(): string }[] = [];
let dir: string;
let database: string;
let agent: SpawnedAgent;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "listbill-agent-errors-"));
  database = join(dir, "lm.sqlite");
  await generateListManagerDatabase({ target: { sqlitePath: database }, seed: 7, sites: 2, lists: 40, logRows: 30 });
  agent = await spawnAgent({ database, password: PASSWORD, idleTimeoutMs: 1_500 });
});

afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const connect = (overrides: Partial<Parameters<typeof HostingClient.connect>[0]> = {}) =>
  HostingClient.connect({ host: agent.host, port: agent.port, password: PASSWORD, requestTimeoutMs: 5_000, ...overrides });

async function failure(work: () => Promise<unknown>): Promise<HostingError> {
  const error = await work().then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(HostingError);
  for (const secret of SECRETS) expect(String((error as Error).message) + String((error as Error).stack)).not.toContain(secret);
  return error as HostingError;
}

function rssBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
}

async function authenticatedRaw(port = agent.port) {
  const raw = await rawConnection(port);
  raw.send(`${JSON.stringify({ id: 1, command: "auth", params: { password: PASSWORD } })}\n`);
  expect(await raw.next()).toEqual({ id: 1, type: "result", data: { authenticated: true } });
  return raw;
}

describe("listbill-agent errors, over TCP to the real agent process", () => {
  it("AUTH_FAILED: a wrong password is refused and the connection closed", async () => {
    const error = await failure(() => connect({ password: WRONG_PASSWORDS[0] }));
    expect(error.code).toBe("AUTH_FAILED");
    const raw = await rawConnection(agent.port);
    raw.send(`${JSON.stringify({ id: 3, command: "auth", params: { password: WRONG_PASSWORDS[1] } })}\n`);
    const refusal = await raw.next();
    expect(refusal).toMatchObject({ id: 3, type: "error", code: "AUTH_FAILED" });
    for (const secret of SECRETS) expect(JSON.stringify(refusal)).not.toContain(secret);
    await raw.closed;
  });

  it("AUTH_FAILED: a first request that is not auth is refused", async () => {
    const raw = await rawConnection(agent.port);
    raw.send(`${JSON.stringify({ id: 1, command: "sites" })}\n`);
    expect(await raw.next()).toMatchObject({ id: 1, type: "error", code: "AUTH_FAILED" });
    await raw.closed;
  });

  it("AUTH_FAILED: before the password, any line that is not a correct auth request ends the connection", async () => {
    const lines = [
      "this is not json",
      JSON.stringify({ id: 2 }),
      JSON.stringify({ id: 3, command: "auth", params: {} }),
      JSON.stringify({ id: 4, command: "no-such-command" }),
      `{"id": 5, "command": "auth", "params": "${"x".repeat(MAX_LINE_BYTES + 10)}"}`,
    ];
    for (const text of lines) {
      const raw = await rawConnection(agent.port);
      raw.send(`${text}\n`);
      expect(await raw.next()).toMatchObject({ type: "error", code: "AUTH_FAILED" });
      await raw.closed;
    }
  });

  it("closes a connection beyond --max-connections as it arrives, and takes one again once another has gone", async () => {
    const small = await spawnAgent({ database, password: PASSWORD, maxConnections: 2 });
    spawned.push(small);
    try {
      const [first, second] = [await rawConnection(small.port), await rawConnection(small.port)];
      // Both held by the agent: each is answered.
      for (const raw of [first, second]) {
        raw.send(`${JSON.stringify({ id: 1, command: "auth", params: { password: PASSWORD } })}\n`);
        expect(await raw.next()).toMatchObject({ id: 1, type: "result" });
      }
      const third = await rawConnection(small.port);
      await third.closed;
      await expect(third.next(100)).rejects.toThrow(/closed without a line/);
      expect(small.stderr()).toMatch(/"event":"connection_dropped"/);
      // A client dropped so is told it may be one too many.
      const dropped = await HostingClient.connect({ host: small.host, port: small.port, password: PASSWORD, connectTimeoutMs: 1_000, requestTimeoutMs: 1_000 }).catch((error: unknown) => error);
      expect(dropped).toBeInstanceOf(HostingError);
      expect((dropped as HostingError).message).toMatch(/closed before the agent answered a byte: .* to one beyond its --max-connections/);
      first.destroy();
      await first.closed;
      // The agent sees the close a moment later; then there is room again.
      const deadline = Date.now() + 5_000;
      for (;;) {
        const client = await HostingClient.connect({ host: small.host, port: small.port, password: PASSWORD, connectTimeoutMs: 1_000, requestTimeoutMs: 1_000 }).catch(() => undefined);
        if (client) {
          expect((await client.serverInfo()).product).toBe("ListManager");
          await client.close();
          break;
        }
        if (Date.now() > deadline) throw new Error("no room on the agent after a connection closed");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      second.destroy();
    } finally {
      await small.stop();
    }
  });

  it("refuses to start with an auth timeout a timer cannot keep (0, or past 2^31 - 1 ms, which Node fires at once)", async () => {
    for (const authTimeoutMs of [0, 2 ** 31]) {
      await expect(spawnAgent({ database, password: PASSWORD, authTimeoutMs })).rejects.toThrow(/--auth-timeout-ms must be from 1 to 2147483647/);
    }
  });

  it("AUTH_FAILED: a connection that has not given the password within its auth timeout is closed, however busy it keeps the line", async () => {
    const strict = await spawnAgent({ database, password: PASSWORD, authTimeoutMs: 1_000 });
    spawned.push(strict);
    try {
      const raw = await rawConnection(strict.port);
      const opened = Date.now();
      // A byte every 100 ms, never a whole line: activity enough to hold off any idle timeout.
      const trickle = setInterval(() => raw.send(" "), 100);
      try {
        expect(await raw.next(10_000)).toEqual({ id: null, type: "error", code: "AUTH_FAILED", message: "no authentication in time" });
        await raw.closed;
      } finally {
        clearInterval(trickle);
      }
      expect(Date.now() - opened).toBeGreaterThanOrEqual(900);
      expect(strict.stderr()).toMatch(/auth_timeout/);
      // The deadline is for the password only: an authenticated connection outlives it.
      const client = await HostingClient.connect({ host: strict.host, port: strict.port, password: PASSWORD });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect((await client.serverInfo()).product).toBe("ListManager");
      await client.close();
    } finally {
      await strict.stop();
    }
  });

  it("stops reading a client that sends requests and never reads the answers, so its memory stays flat", async () => {
    const socket = net.connect({ host: agent.host, port: agent.port });
    socket.on("error", () => undefined);
    try {
      await once(socket, "connect");
      socket.write(`${JSON.stringify({ id: 1, command: "auth", params: { password: PASSWORD } })}\n`);
      await once(socket, "data");
      socket.pause();
      const before = rssBytes(agent.pid);
      // 32 M malformed lines (64 MiB, more than loopback's buffers hold, here 36 MB): answered in
      // full, their BAD_REQUEST lines would be about 2.7 GB.
      const junk = Buffer.from("x\n".repeat(1 << 20));
      for (let i = 0; i < 32; i++) socket.write(junk);
      let peak = before;
      for (let waited = 0; waited < 3_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        peak = Math.max(peak, rssBytes(agent.pid));
      }
      expect(peak - before).toBeLessThan(64 * 2 ** 20);
      // What the agent did not read is still waiting on this side.
      expect(socket.writableLength).toBeGreaterThan(0);
    } finally {
      socket.destroy();
    }
  });

  it("HOST_NOT_ALLOWED: an address outside the allow-list is refused before any request", async () => {
    const strict = await spawnAgent({ database, password: PASSWORD, allow: ["10.0.0.0/8", "::1"] });
    spawned.push(strict);
    try {
      const error = await failure(() => HostingClient.connect({ host: strict.host, port: strict.port, password: PASSWORD }));
      expect(error.code).toBe("HOST_NOT_ALLOWED");
      const raw = await rawConnection(strict.port);
      expect(await raw.next()).toMatchObject({ id: null, type: "error", code: "HOST_NOT_ALLOWED" });
      await raw.closed;
    } finally {
      await strict.stop();
    }
    const allowing = await spawnAgent({ database, password: PASSWORD, allow: ["127.0.0.0/8"] });
    spawned.push(allowing);
    try {
      const client = await HostingClient.connect({ host: allowing.host, port: allowing.port, password: PASSWORD });
      expect((await client.serverInfo()).product).toBe("ListManager");
      await client.close();
    } finally {
      await allowing.stop();
    }
  });

  it("BAD_REQUEST: malformed and oversized lines are answered and the connection keeps working", async () => {
    const raw = await authenticatedRaw();
    raw.send("this is not json\n");
    expect(await raw.next()).toMatchObject({ id: null, type: "error", code: "BAD_REQUEST" });
    raw.send(`${JSON.stringify({ id: 2, command: "logEntries", params: { afterId: -5, limit: 10 } })}\n`);
    expect(await raw.next()).toMatchObject({ id: 2, type: "error", code: "BAD_REQUEST" });
    raw.send(`{"id": 3, "command": "sites", "params": "${"x".repeat(MAX_LINE_BYTES + 10)}"}\n`);
    expect(await raw.next()).toMatchObject({ id: null, type: "error", code: "BAD_REQUEST", message: expect.stringMatching(/1 MiB/) });
    raw.send(`${JSON.stringify({ id: 4, command: "serverInfo" })}\n`);
    expect(await raw.next()).toMatchObject({ id: 4, type: "result", data: { product: "ListManager" } });
    raw.destroy();
  });

  it("BAD_REQUEST: a lists parameter the agent does not know is refused as invalid parameters, before any record", async () => {
    // How a client tells an agent that predates a parameter (HostingClient.lists asks such an agent again without it).
    const raw = await authenticatedRaw();
    raw.send(`${JSON.stringify({ id: 5, command: "lists", params: { withMemberCount: true } })}\n`);
    expect(await raw.next()).toMatchObject({ id: 5, type: "error", code: "BAD_REQUEST", message: expect.stringMatching(/^invalid lists parameters: /) });
    raw.destroy();
  });

  it("BAD_REQUEST: a lists request naming no list, or more than MAX_NAMED_LISTS, is refused before any record", async () => {
    const raw = await authenticatedRaw();
    raw.send(`${JSON.stringify({ id: 6, command: "lists", params: { names: [] } })}\n`);
    expect(await raw.next()).toMatchObject({ id: 6, type: "error", code: "BAD_REQUEST", message: expect.stringMatching(/^invalid lists parameters: /) });
    raw.send(`${JSON.stringify({ id: 7, command: "lists", params: { names: Array.from({ length: MAX_NAMED_LISTS + 1 }, (_, i) => `absent-${i}`) } })}\n`);
    expect(await raw.next()).toMatchObject({ id: 7, type: "error", code: "BAD_REQUEST", message: expect.stringMatching(/^invalid lists parameters: /) });
    raw.send(`${JSON.stringify({ id: 8, command: "lists", params: { names: Array.from({ length: MAX_NAMED_LISTS }, (_, i) => `absent-${i}`) } })}\n`);
    expect(await raw.next()).toMatchObject({ id: 8, type: "end", count: 0 });
    raw.destroy();
  });

  it("UNKNOWN_COMMAND: reported with the request id; the client sees REMOTE_ERROR", async () => {
    const raw = await authenticatedRaw();
    raw.send(`${JSON.stringify({ id: 9, command: "deleteEverything" })}\n`);
    expect(await raw.next()).toMatchObject({ id: 9, type: "error", code: "UNKNOWN_COMMAND" });
    raw.send(`${JSON.stringify({ id: 10, command: "loggingEnabled" })}\n`);
    expect(await raw.next()).toEqual({ id: 10, type: "result", data: { enabled: true } });
    raw.destroy();
  });

  it("INTERNAL: a database the agent cannot read gives REMOTE_ERROR with remote code INTERNAL", async () => {
    const broken = join(dir, "broken.sqlite");
    await generateListManagerDatabase({ target: { sqlitePath: broken }, seed: 1, sites: 1, lists: 3 });
    const brokenAgent = await spawnAgent({ database: broken, password: PASSWORD });
    spawned.push(brokenAgent);
    try {
      const db = new Database(broken);
      db.exec("DROP TABLE lists_");
      db.close();
      const client = await HostingClient.connect({ host: brokenAgent.host, port: brokenAgent.port, password: PASSWORD });
      const error = await failure(async () => {
        for await (const _ of client.lists());
      });
      expect(error.code).toBe("REMOTE_ERROR");
      expect(error.remoteCode).toBe("INTERNAL");
      // The connection survives a failed command.
      expect(await client.loggingEnabled()).toBe(true);
      await client.close();
    } finally {
      await brokenAgent.stop();
    }
    expect(brokenAgent.stderr()).toMatch(/command_failed/);
  });

  it("UNREACHABLE: nothing listening, a black hole, a reset in the middle of a stream", async () => {
    const dead = await spawnAgent({ database, password: PASSWORD });
    spawned.push(dead);
    await dead.kill();
    expect((await failure(() => HostingClient.connect({ host: dead.host, port: dead.port, password: PASSWORD }))).code).toBe("UNREACHABLE");

    const proxy = await startFaultProxy({ target: { host: agent.host, port: agent.port }, mode: { kind: "black-hole" } });
    try {
      const hole = await failure(() => HostingClient.connect({ host: proxy.host, port: proxy.port, password: PASSWORD, requestTimeoutMs: 300 }));
      expect(hole.code).toBe("UNREACHABLE");

      proxy.setMode({ kind: "pass" });
      const client = await HostingClient.connect({ host: proxy.host, port: proxy.port, password: PASSWORD });
      proxy.setMode({ kind: "reset", afterBytes: 2_000 });
      const names: string[] = [];
      const reset = await failure(async () => {
        for await (const list of client.lists()) names.push(list.name);
      });
      expect(reset.code).toBe("UNREACHABLE");
      expect(names.length).toBeGreaterThan(0);
      expect(names.length).toBeLessThan(40);
    } finally {
      await proxy.close();
    }
  });

  it("PROTOCOL_ERROR: garbage instead of an answer", async () => {
    const proxy = await startFaultProxy({ target: { host: agent.host, port: agent.port } });
    try {
      const client = await HostingClient.connect({ host: proxy.host, port: proxy.port, password: PASSWORD });
      proxy.setMode({ kind: "garbage" });
      expect((await failure(() => client.serverInfo())).code).toBe("PROTOCOL_ERROR");
    } finally {
      await proxy.close();
    }
  });

  it("closes a connection on which nothing is sent once its 1.5 s idle timeout has passed, not before, and logs connection_idle_closed", async () => {
    const idleClosings = () => agent.stderr().split("connection_idle_closed").length - 1;
    const before = idleClosings();
    const raw = await rawConnection(agent.port);
    const closedWithin = (ms: number) => Promise.race([raw.closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
    try {
      // The agent's clock started at about the same moment as ours; two thirds of the timeout
      // leaves room for the two processes seeing the connection at different times.
      expect(await closedWithin(1_000)).toBe(false);
      // Closed by the agent, long before the test's own timeout.
      expect(await closedWithin(10_000)).toBe(true);
    } finally {
      raw.destroy();
    }
    // Its log line reaches this process by another pipe than the close: waited for, not assumed there.
    const deadline = Date.now() + 5_000;
    while (idleClosings() === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(idleClosings()).toBeGreaterThan(before);
  });

  it("answers a request while a long stream runs on the same connection, and ends that stream when it is cancelled", async () => {
    // 20,000 lists, read as fast as loopback allows: the agent's writes never back up (this
    // machine's loopback buffers hold 36 MB), so only its own turns let it read the cancel.
    const big = join(dir, "big.sqlite");
    await generateListManagerDatabase({ target: { sqlitePath: big }, seed: 3, sites: 2, lists: 20_000, membersPerList: 0, logRows: 0 });
    const bigAgent = await spawnAgent({ database: big, password: PASSWORD });
    spawned.push(bigAgent);
    try {
      const raw = await authenticatedRaw(bigAgent.port);
      raw.send(`${JSON.stringify({ id: 2, command: "lists" })}\n${JSON.stringify({ id: 3, command: "serverInfo" })}\n`);
      let records = 0;
      let line: any;
      while ((line = await raw.next()).id !== 3) {
        expect(line).toMatchObject({ id: 2, type: "record" });
        records += 1;
      }
      // Answered in the middle of the stream, not after it.
      expect(line).toMatchObject({ type: "result", data: { product: "ListManager" } });
      expect(records).toBeLessThan(20_000);

      raw.send(`${JSON.stringify({ id: 4, command: "cancel", params: { requestId: 2 } })}\n`);
      while ((line = await raw.next()).type === "record") records += 1;
      expect(line).toEqual({ id: 2, type: "end", count: records, cancelled: true });
      expect(records).toBeLessThan(20_000);
      // The connection goes on serving.
      raw.send(`${JSON.stringify({ id: 5, command: "loggingEnabled" })}\n`);
      expect(await raw.next()).toEqual({ id: 5, type: "result", data: { enabled: true } });
    } finally {
      await bigAgent.stop();
    }
  }, 60_000);

  it("never writes the password, or one tried and refused, to its log", () => {
    expect(agent.stderr().length).toBeGreaterThan(0);
    for (const one of [agent, ...spawned]) for (const secret of SECRETS) expect(one.stderr()).not.toContain(secret);
    // The refusals were logged, without what was tried.
    expect(agent.stderr()).toMatch(/auth_failed/i);
  });
});
