import net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HostingClient, plainRecord } from "./client.js";
import { z } from "zod";
import { billedMembers, type HostingList, MAX_NAMED_LISTS, responseLine } from "./messages.js";
import { HostingError } from "./errors.js";

// Scripted peers over real TCP: they play an agent that misbehaves in ways the real agent never
// does, which the client must still turn into typed errors.
const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function peer(onLine: (line: { id: number; command: string }, socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    let buffer = "";
    socket.on("error", () => undefined);
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = JSON.parse(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        if (line.command === "auth") socket.write(`${JSON.stringify({ id: line.id, type: "result", data: { authenticated: true } })}\n`);
        else onLine(line, socket);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

async function failure(work: () => Promise<unknown>): Promise<HostingError> {
  const error = await work().then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(HostingError);
  return error as HostingError;
}

const send = (socket: net.Socket, message: unknown) => socket.write(`${JSON.stringify(message)}\n`);
const site = (id: number, name: string) => ({ id, name, hostName: null, title: null });

describe("HostingClient against a misbehaving peer", () => {
  it("throws PROTOCOL_ERROR when records arrive out of name order", async () => {
    const port = await peer((line, socket) => {
      send(socket, { id: line.id, type: "record", data: site(1, "beta") });
      send(socket, { id: line.id, type: "record", data: site(2, "Alpha") });
      send(socket, { id: line.id, type: "end", count: 2 });
    });
    const client = await HostingClient.connect({ host: "127.0.0.1", port, password: "secret-pw" });
    const error = await failure(async () => {
      for await (const _ of client.sites());
    });
    expect(error.code).toBe("PROTOCOL_ERROR");
    expect(error.message).toMatch(/out of name order/);
  });

  it("accepts names equal up to case in either order and ASCII case-folded order", async () => {
    const port = await peer((line, socket) => {
      for (const [index, name] of ["alpha", "Beta", "beta", "GAMMA"].entries()) send(socket, { id: line.id, type: "record", data: site(index, name) });
      send(socket, { id: line.id, type: "end", count: 4 });
    });
    const client = await HostingClient.connect({ host: "127.0.0.1", port, password: "pw" });
    const names: string[] = [];
    for await (const record of client.sites()) names.push(record.name);
    expect(names).toEqual(["alpha", "Beta", "beta", "GAMMA"]);
    await client.close();
  });

  it("throws PROTOCOL_ERROR for a stream whose end does not match what it sent: a cut-off stream is not taken for the whole", async () => {
    const ends = [{ count: 3 }, { count: 1 }, { count: 2, cancelled: true }];
    let asked = 0;
    const port = await peer((line, socket) => {
      send(socket, { id: line.id, type: "record", data: site(1, "alpha") });
      send(socket, { id: line.id, type: "record", data: site(2, "beta") });
      send(socket, { id: line.id, type: "end", ...ends[asked++ % ends.length] });
    });
    for (const _ of ends) {
      const client = await HostingClient.connect({ host: "127.0.0.1", port, password: "pw" });
      const seen: string[] = [];
      const error = await failure(async () => {
        for await (const record of client.sites()) seen.push(record.name);
      });
      expect(error.code).toBe("PROTOCOL_ERROR");
      expect(error.message).toMatch(/ended a stream after 2 records/);
      await client.close();
    }
  });

  it("throws PROTOCOL_ERROR for log rows beyond the limit asked, or not above the row before them", async () => {
    const entry = (id: number) => ({ id, created: "2026-11-20T10:00:00.000Z", list: "news", site: null, byteCount: 1, recipientCount: 1, outmailId: null, subsetId: null, source: null, title: null });
    const answers: Record<number, number[]> = { 10: [11, 12, 13], 20: [21, 21], 30: [29], 40: [41, 42] };
    const port = await peer((line, socket) => {
      const ids = answers[(line as unknown as { params: { afterId: number } }).params.afterId]!;
      for (const id of ids) send(socket, { id: line.id, type: "record", data: entry(id) });
      send(socket, { id: line.id, type: "end", count: ids.length });
    });
    const client = await HostingClient.connect({ host: "127.0.0.1", port, password: "pw" });
    const read = async (afterId: number) => {
      const ids: number[] = [];
      for await (const row of client.logEntries({ afterId, limit: 2 })) ids.push(row.id);
      return ids;
    };
    expect(await read(40)).toEqual([41, 42]);
    for (const [afterId, message] of [[10, /more than the 2 rows asked for/], [20, /LogID_ 21 after 21/], [30, /LogID_ 29 after 30/]] as const) {
      const again = await HostingClient.connect({ host: "127.0.0.1", port, password: "pw" });
      const error = await failure(() => (async () => {
        for await (const _ of again.logEntries({ afterId, limit: 2 }));
      })());
      expect(error.code).toBe("PROTOCOL_ERROR");
      expect(error.message).toMatch(message);
      await again.close();
    }
    await client.close();
  });

  it("keeps serving after a consumer leaves a stream that had already ended with many records unread", async () => {
    // The whole stream and its end in one write: the client has them all queued (and its socket
    // paused, past its high-water mark) before the consumer reads the first.
    const commands: string[] = [];
    const port = await peer((line, socket) => {
      commands.push(line.command);
      if (line.command === "serverInfo") return send(socket, { id: line.id, type: "result", data: { product: "ListManager", version: "9.3", serverName: "lm" } });
      if (line.command !== "sites") return;
      // 600 records (past the client's high-water mark of 512) in 50 KB: one read.
      const names = Array.from({ length: 600 }, (_, i) => `s${String(i).padStart(3, "0")}`);
      socket.write(names.map((name, i) => `${JSON.stringify({ id: line.id, type: "record", data: site(i, name) })}\n`).join("") + `${JSON.stringify({ id: line.id, type: "end", count: 600 })}\n`);
    });
    const client = await HostingClient.connect({ host: "127.0.0.1", port, password: "pw", requestTimeoutMs: 2_000 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    const sites = client.sites()[Symbol.asyncIterator]();
    expect((await sites.next()).value).toMatchObject({ name: "s000" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sites.return!();
    expect(await client.serverInfo()).toMatchObject({ product: "ListManager" });
    // The stream had ended when the consumer left (a cancel would mean it had not: the case under test did not arise).
    expect(commands).toEqual(["sites", "serverInfo"]);
    await client.close();
  });

  it("throws PROTOCOL_ERROR for a record that does not match the schema", async () => {
    const port = await peer((line, socket) => send(socket, { id: line.id, type: "result", data: { product: "ListManager" } }));
    const client = await HostingClient.connect({ host: "127.0.0.1", port, password: "pw" });
    const error = await failure(() => client.serverInfo());
    expect(error.code).toBe("PROTOCOL_ERROR");
  });

  it("throws UNREACHABLE when a request gets no answer within the request timeout", async () => {
    const port = await peer(() => undefined);
    const client = await HostingClient.connect({ host: "127.0.0.1", port, password: "pw", requestTimeoutMs: 200 });
    const started = Date.now();
    const error = await failure(() => client.serverInfo());
    expect(error.code).toBe("UNREACHABLE");
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await client.close();
  });

  it("waits up to the first-record timeout for the first list, and the request timeout for anything else", async () => {
    // The agent's database takes 400 ms before its first row of any stream (lists: an aggregate
    // of every member), then sends the rest at once; memberCounts stalls 400 ms after its first.
    const list = (name: string) => ({ id: 1, name, site: null, topic: null, description: null, created: null, disabled: false, maxMembers: 0 });
    const counts = { normal: 1, held: 0, unsub: 0, confirm: 0, private: 0, expired: 0, other: 0 };
    const port = await peer((line, socket) => {
      if (line.command === "memberCounts") {
        send(socket, { id: line.id, type: "record", data: { list: "a", counts } });
        setTimeout(() => send(socket, { id: line.id, type: "end", count: 1 }), 400);
        return;
      }
      setTimeout(() => {
        send(socket, { id: line.id, type: "record", data: line.command === "lists" ? list("a") : site(1, "a") });
        send(socket, { id: line.id, type: "record", data: line.command === "lists" ? list("b") : site(2, "b") });
        send(socket, { id: line.id, type: "end", count: 2 });
      }, 400);
    });
    const collect = async <T>(records: AsyncIterable<T>) => {
      const out: T[] = [];
      for await (const record of records) out.push(record);
      return out;
    };
    const patient = await HostingClient.connect({ host: "127.0.0.1", port, password: "pw", requestTimeoutMs: 150, firstRecordTimeoutMs: 2_000 });
    expect((await collect(patient.lists())).map((row) => row.name)).toEqual(["a", "b"]);
    for (const stalled of [await failure(() => collect(patient.sites())), await failure(() => collect(patient.memberCounts()))]) {
      expect(stalled.code).toBe("UNREACHABLE");
      expect(stalled.message).toMatch(/did not answer within 150 ms/);
    }
    await patient.close();

    const hasty = await HostingClient.connect({ host: "127.0.0.1", port, password: "pw", requestTimeoutMs: 150, firstRecordTimeoutMs: 200 });
    const error = await failure(() => collect(hasty.lists()));
    expect(error.code).toBe("UNREACHABLE");
    expect(error.message).toMatch(/sent no record of the stream within 200 ms/);
    await hasty.close();
  });

  it("throws UNREACHABLE when connecting times out (a TLS handshake nobody answers)", async () => {
    // Reads and discards, so it notices the client leaving and its close() can finish.
    const silent = net.createServer((socket) => socket.on("error", () => undefined).resume());
    servers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const error = await failure(() => HostingClient.connect({ host: "127.0.0.1", port, password: "pw", tls: {}, connectTimeoutMs: 200 }));
    expect(error.code).toBe("UNREACHABLE");
    expect(error.message).toMatch(/timed out/);
  });

  it("throws UNREACHABLE for a refused connection and for an unknown host name", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect((await failure(() => HostingClient.connect({ host: "127.0.0.1", port, password: "pw" }))).message).toMatch(/refused/);
    const dns = await failure(() => HostingClient.connect({ host: "no-such-host.invalid", port, password: "pw" }));
    expect(dns.code).toBe("UNREACHABLE");
  });

  it("names the likely causes when the agent closes the connection unanswered, whether the close comes clean or as a reset", async () => {
    // An agent beyond its --max-connections closes at once. If the password line got there first,
    // unread, the close is a reset (RST); if not, a clean one. Both are shown here, each made sure.
    // Reading what comes, so that it also sees the client leave.
    const clean = net.createServer((socket) => socket.resume().end());
    const reset = net.createServer((socket) => socket.once("data", () => socket.resetAndDestroy()));
    for (const server of [clean, reset]) {
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as net.AddressInfo).port;
      const error = await failure(() => HostingClient.connect({ host: "127.0.0.1", port, password: "pw", connectTimeoutMs: 1_000, requestTimeoutMs: 1_000 }));
      expect(error.code).toBe("UNREACHABLE");
      expect(error.message).toMatch(/closed before the agent answered a byte: .* to one beyond its --max-connections/);
    }
  });

  it("closes an idle connection after the idle timeout", async () => {
    const port = await peer(() => undefined);
    const client = await HostingClient.connect({ host: "127.0.0.1", port, password: "pw", idleTimeoutMs: 100 });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const error = await failure(() => client.serverInfo());
    expect(error.code).toBe("UNREACHABLE");
    expect(error.message).toMatch(/idle/);
  });
});

describe("HostingClient and an agent from before withBilledMembers", () => {
  // Such an agent checks the lists command's parameters against its own, older schema.
  const olderListsParams = z.strictObject({ withMemberCounts: z.boolean().optional() }).optional();
  const counts = (normal: number, held: number) => ({ normal, held, unsub: 3, confirm: 0, private: 0, expired: 0, other: 1 });
  const list = (id: number, name: string, memberCounts?: ReturnType<typeof counts>) => ({ id, name, site: null, topic: null, description: null, created: null, disabled: false, maxMembers: 0, ...(memberCounts && { memberCounts }) });

  async function olderAgent(listsAsked: unknown[], failAfterFirst = false): Promise<number> {
    return peer((line, socket) => {
      const params = (line as { params?: unknown }).params;
      listsAsked.push(params);
      if (!olderListsParams.safeParse(params).success) return send(socket, { id: line.id, type: "error", code: "BAD_REQUEST", message: "invalid lists parameters: (root): unrecognized_keys" });
      send(socket, { id: line.id, type: "record", data: list(1, "alpha", counts(4, 2)) });
      if (failAfterFirst) return send(socket, { id: line.id, type: "error", code: "BAD_REQUEST", message: "more than 8 requests in flight" });
      send(socket, { id: line.id, type: "record", data: list(2, "beta", counts(0, 0)) });
      send(socket, { id: line.id, type: "end", count: 2 });
    });
  }

  it("asks an agent that refuses names for every list, and keeps only the named ones", async () => {
    const asked: unknown[] = [];
    const client = await HostingClient.connect({ host: "127.0.0.1", port: await olderAgent(asked), password: "pw" });
    const named = async (options: Parameters<HostingClient["lists"]>[0]) => {
      const names: string[] = [];
      for await (const record of client.lists(options)) names.push(record.name);
      return names;
    };
    // Sent as name keys, once each; refused, then asked again without names (and without withBilledMembers).
    expect(await named({ withBilledMembers: true, names: ["BETA", "beta", "gamma"] })).toEqual(["beta"]);
    expect(asked).toEqual([{ withBilledMembers: true, names: ["beta", "gamma"] }, { withBilledMembers: true }, { withMemberCounts: true }]);
    // More names than one request takes: every list is read at once, the same way.
    asked.length = 0;
    expect(await named({ withMemberCounts: true, names: ["alpha", ...Array.from({ length: MAX_NAMED_LISTS }, (_, i) => `other-${i}`)] })).toEqual(["alpha"]);
    expect(asked).toEqual([{ withMemberCounts: true }]);
    await client.close();
  });

  it("asks again with counts by status when the agent refuses withBilledMembers, and billedMembers reads them", async () => {
    const asked: unknown[] = [];
    const client = await HostingClient.connect({ host: "127.0.0.1", port: await olderAgent(asked), password: "pw" });
    const lists: HostingList[] = [];
    for await (const record of client.lists({ withBilledMembers: true })) lists.push(record);
    expect(asked).toEqual([{ withBilledMembers: true }, { withMemberCounts: true }]);
    expect(lists.map((record) => [record.name, billedMembers(record)])).toEqual([["alpha", 6], ["beta", 0]]);
    // The connection goes on serving requests.
    const again: string[] = [];
    for await (const record of client.lists()) again.push(record.name);
    expect(again).toEqual(["alpha", "beta"]);
    await client.close();
  });

  it("does not ask again once a record has arrived, for another refusal, nor for a request that asked no billed members", async () => {
    // An agent that knows withBilledMembers, sends a record, then refuses (a refusal after a record is the consumer's).
    const asked: unknown[] = [];
    const port = await peer((line, socket) => {
      const params = (line as { params?: unknown }).params;
      asked.push(params);
      if (asked.length > 1) return send(socket, { id: line.id, type: "error", code: "BAD_REQUEST", message: "more than 16 requests in flight" });
      send(socket, { id: line.id, type: "record", data: { ...list(1, "alpha"), billedMembers: 6 } });
      send(socket, { id: line.id, type: "error", code: "BAD_REQUEST", message: "invalid lists parameters: withBilledMembers: invalid_type" });
    });
    const client = await HostingClient.connect({ host: "127.0.0.1", port, password: "pw" });
    const names: string[] = [];
    const afterRecord = await failure(async () => {
      for await (const record of client.lists({ withBilledMembers: true })) names.push(record.name);
    });
    expect(afterRecord.remoteCode).toBe("BAD_REQUEST");
    expect(names).toEqual(["alpha"]);
    expect(asked).toEqual([{ withBilledMembers: true }]);
    // A refusal that is not about the parameters (too many requests at once) is not retried either.
    const busy = await failure(async () => {
      for await (const _ of client.lists({ withBilledMembers: true })) expect.unreachable();
    });
    expect(busy.message).toMatch(/in flight/);
    expect(asked).toEqual([{ withBilledMembers: true }, { withBilledMembers: true }]);
    await client.close();

    const older: unknown[] = [];
    const olderClient = await HostingClient.connect({ host: "127.0.0.1", port: await olderAgent(older, true), password: "pw" });
    const counted: string[] = [];
    const refused = await failure(async () => {
      for await (const record of olderClient.lists({ withMemberCounts: true })) counted.push(record.name);
    });
    expect(refused.remoteCode).toBe("BAD_REQUEST");
    expect(counted).toEqual(["alpha"]);
    expect(older).toEqual([{ withMemberCounts: true }]);
    await olderClient.close();
  });

  it("closes the stream it fell back to when the consumer leaves early", async () => {
    const asked: unknown[] = [];
    const port = await peer((line, socket) => {
      const params = (line as { params?: unknown }).params;
      if (line.command === "cancel") return asked.push(line.command);
      asked.push(params);
      if (!olderListsParams.safeParse(params).success) return send(socket, { id: line.id, type: "error", code: "BAD_REQUEST", message: "invalid lists parameters: (root): unrecognized_keys" });
      // Records and no end: the stream stays open until the client cancels it.
      for (let id = 1; id <= 3; id++) send(socket, { id: line.id, type: "record", data: list(id, `list-${id}`, counts(1, 1)) });
    });
    const client = await HostingClient.connect({ host: "127.0.0.1", port, password: "pw" });
    for await (const record of client.lists({ withBilledMembers: true })) {
      expect(billedMembers(record)).toBe(2);
      break;
    }
    await vi.waitFor(() => expect(asked).toEqual([{ withBilledMembers: true }, { withMemberCounts: true }, "cancel"]));
    await client.close();
  });
});

describe("plainRecord, the record lines checked without the envelope's schema", () => {
  it("takes exactly the record lines responseLine accepts as they are, and leaves everything else to it", () => {
    const data = { id: 1, name: "news" };
    const lines: unknown[] = [
      { id: 0, type: "record", data },
      { id: Number.MAX_SAFE_INTEGER, type: "record", data: null },
      { id: 7, type: "record", data: [1, 2] },
      { id: 7, type: "record" },
      { id: 7, type: "record", data, extra: 1 },
      { id: -1, type: "record", data },
      { id: 1.5, type: "record", data },
      { id: Number.MAX_SAFE_INTEGER + 1, type: "record", data },
      { id: "7", type: "record", data },
      { id: null, type: "record", data },
      { id: 7, type: "end", count: 1 },
      { id: 7, type: "result", data },
      JSON.parse('{"id": 7, "type": "record", "data": 1, "__proto__": {"x": 1}}'),
      [7, "record", data],
      null,
      "record",
    ];
    for (const line of lines) {
      const fast = plainRecord(line);
      const parsed = responseLine.safeParse(line);
      // Whatever it takes, the schema takes too, unchanged; whatever it leaves, the schema decides.
      if (fast) expect(parsed).toEqual({ success: true, data: fast });
      expect(fast === undefined || parsed.success).toBe(true);
    }
    expect(lines.map((line) => plainRecord(line) !== undefined)).toEqual([true, true, true, false, false, false, false, false, false, false, false, false, false, false, false, false]);
  });
});
