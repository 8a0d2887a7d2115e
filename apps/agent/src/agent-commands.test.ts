import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareNames, HostingClient } from "@listbill/protocol";
import {
  addList, changeListDescription, deleteList, disableLogging, generateListManagerDatabase, moveList, openFixtureDb,
  setVersion, targetDatabase, type FixtureTarget,
} from "@listbill/fixtures";
import { createScratchDatabase, mysqlTestUrl, type ScratchDatabase } from "@listbill/fixtures/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawConnection } from "./raw-connection.test-support.js";
import { spawnAgent, type SpawnedAgent } from "./spawn-agent.js";

const dir = mkdtempSync(join(tmpdir(), "listbill-agent-commands-"));
const mysqlUrl = mysqlTestUrl();
let scratch: ScratchDatabase | undefined;

const FIXTURE = { seed: 42, sites: 3, lists: 60, membersPerList: 30, logRows: 80, version: "8.95", serverName: "lists.test.example" };

afterAll(async () => {
  await scratch?.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function collect<T>(records: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const record of records) out.push(record);
  return out;
}

async function readEverything(agent: SpawnedAgent) {
  const client = await HostingClient.connect({ host: agent.host, port: agent.port, password: "TCLPORTPasswd" });
  try {
    return {
      serverInfo: await client.serverInfo(),
      loggingEnabled: await client.loggingEnabled(),
      sites: await collect(client.sites()),
      lists: await collect(client.lists({ withMemberCounts: true })),
      billed: await collect(client.lists({ withBilledMembers: true })),
      memberCounts: await collect(client.memberCounts()),
      log: await collect(client.logEntries({ afterId: 10, limit: 25 })),
    };
  } finally {
    await client.close();
  }
}

const engines: Array<[string, () => Promise<FixtureTarget>]> = [["SQLite", async () => ({ sqlitePath: join(dir, "lm.sqlite") })]];
if (mysqlUrl) {
  engines.push(["MySQL", async () => {
    scratch = await createScratchDatabase(mysqlUrl, "lbagent");
    return { mysqlUrl: scratch.url };
  }]);
}

const results = new Map<string, Awaited<ReturnType<typeof readEverything>>>();

describe.each(engines)("the agent's commands on a %s-backed fixture", (engine, makeTarget) => {
  let target: FixtureTarget;
  let agent: SpawnedAgent;

  beforeAll(async () => {
    target = await makeTarget();
    await generateListManagerDatabase({ target, ...FIXTURE });
    agent = await spawnAgent({ database: targetDatabase(target) });
  });
  afterAll(async () => agent?.stop());

  it("reads server info, sites, lists with counts, member counts and log entries", async () => {
    const everything = await readEverything(agent);
    results.set(engine, everything);
    expect(everything.serverInfo).toEqual({ product: "ListManager", version: "8.95", serverName: "lists.test.example", listCount: 60 });
    expect(everything.loggingEnabled).toBe(true);
    expect(everything.sites.map((site) => site.name)).toEqual(["site-01", "site-02", "site-03"]);
    expect(everything.lists).toHaveLength(60);
    // Streamed in exactly the order the API's diff uses.
    expect(everything.lists.map((list) => list.name)).toEqual(everything.lists.map((list) => list.name).sort(compareNames));
    expect(everything.lists.some((list) => /^[A-Z]/.test(list.name))).toBe(true);
    expect(everything.memberCounts.map((row) => row.list)).toEqual(everything.lists.map((list) => list.name));
    expect(everything.memberCounts.map((row) => row.counts)).toEqual(everything.lists.map((list) => list.memberCounts));
    // Asked for billed members alone, the same lists carry normal + held and no counts by status.
    expect(everything.billed).toEqual(everything.lists.map(({ memberCounts, ...list }) => ({ ...list, billedMembers: memberCounts!.normal + memberCounts!.held })));
    expect(everything.lists.some((list) => list.memberCounts!.held > 0 && list.memberCounts!.unsub + list.memberCounts!.other > 0)).toBe(true);
    expect(everything.log.map((entry) => entry.id)).toEqual(Array.from({ length: 25 }, (_, i) => i + 11));
    expect(everything.log[0].created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  });

  it("counts members by status as the database holds them", async () => {
    const db = await openFixtureDb(target);
    const list = results.get(engine)!.lists[5];
    const rows = await db.all<{ type: string; n: number }>("SELECT MemberType_ AS type, COUNT(*) AS n FROM members_ WHERE List_ = ? GROUP BY MemberType_", [list.name]);
    await db.close();
    const expected = { normal: 0, held: 0, unsub: 0, confirm: 0, private: 0, expired: 0, other: 0 } as Record<string, number>;
    for (const row of rows) expected[row.type in expected ? row.type : "other"] += Number(row.n);
    expect(list.memberCounts).toEqual(expected);
  });

  it("streams only the lists a request names, matched by name key, each as the full stream has it", async () => {
    const { lists, billed } = results.get(engine)!;
    // One of them spelled with capitals where it is stored, and asked for in lower case.
    const capital = lists.findIndex((list) => /[A-Z]/.test(list.name));
    expect(capital).not.toBe(-1);
    const picked = [...new Set([capital, 17, 42])].sort((a, b) => a - b);
    const client = await HostingClient.connect({ host: agent.host, port: agent.port, password: "TCLPORTPasswd" });
    try {
      // Another case, a name twice, one no list has, and out of order: the named lists, in stream order.
      const names = [lists[42]!.name.toUpperCase(), lists[17]!.name, "no-such-list", lists[capital]!.name.toLowerCase(), lists[17]!.name];
      expect(await collect(client.lists({ withMemberCounts: true, names }))).toEqual(picked.map((index) => lists[index]));
      expect(await collect(client.lists({ withBilledMembers: true, names }))).toEqual(picked.map((index) => billed[index]));
      expect(await collect(client.lists({ names }))).toEqual(picked.map((index) => { const { memberCounts, ...list } = lists[index]!; return list; }));
      expect(await collect(client.lists({ withMemberCounts: true, names: ["no-such-list"] }))).toEqual([]);
      expect(await collect(client.lists({ names: [] }))).toEqual([]);
    } finally {
      await client.close();
    }
    // On the wire: the agent itself sends those lists and no other (a client would drop the others too).
    const raw = await rawConnection(agent.port);
    raw.send(`${JSON.stringify({ id: 1, command: "auth", params: { password: "TCLPORTPasswd" } })}\n`);
    expect(await raw.next()).toMatchObject({ type: "result", data: { authenticated: true } });
    for (const [id, members] of [[2, { withMemberCounts: true }], [3, { withBilledMembers: true }], [4, {}]] as const) {
      raw.send(`${JSON.stringify({ id, command: "lists", params: { ...members, names: [lists[42]!.name, lists[capital]!.name.toLowerCase()] } })}\n`);
      const sent = [await raw.next(), await raw.next(), await raw.next()];
      expect(sent.map((line) => [line.type, line.data?.name])).toEqual([["record", lists[Math.min(capital, 42)]!.name], ["record", lists[Math.max(capital, 42)]!.name], ["end", undefined]]);
      expect(sent[2]).toMatchObject({ id, count: 2 });
    }
    raw.destroy();
  });

  it("serves several requests in flight at once, and a consumer leaving early does not wedge the connection", async () => {
    const client = await HostingClient.connect({ host: agent.host, port: agent.port, password: "TCLPORTPasswd" });
    const lists = client.lists()[Symbol.asyncIterator]();
    const counts = client.memberCounts()[Symbol.asyncIterator]();
    const [firstList, firstCount, info] = await Promise.all([lists.next(), counts.next(), client.serverInfo()]);
    expect(firstList.value.name).toBe(firstCount.value.list);
    expect(info.product).toBe("ListManager");
    await lists.return!();
    let rest = 1;
    while (!(await counts.next()).done) rest++;
    expect(rest).toBe(60);
    let again = 0;
    for await (const _ of client.lists()) again++;
    expect(again).toBe(60);
    await client.close();
  });

  it("shows what the scenario helpers changed on the hosting server", async () => {
    const before = results.get(engine)!.lists;
    const [gone, moved, described] = [before[0].name, before[1].name, before[2].name];
    const toSite = before[1].site === "site-03" ? "site-01" : "site-03";
    await deleteList(target, gone);
    await moveList(target, moved, toSite);
    await changeListDescription(target, described, "Now about something else");
    await addList(target, { name: "Brand-new", site: "site-02", members: { normal: 3, held: 2, other: 1 }, maxMembers: 250 });
    // Names beyond ASCII: both engines must still stream in compareNames order, or the client throws.
    for (const name of ["École-été", "émile-x", "Zulu-1", "\u{1F600}-smile", "\uFFFD-replacement"]) await addList(target, { name, site: "site-01" });
    await setVersion(target, "9.0");
    await disableLogging(target);

    const after = await readEverything(agent);
    const byName = new Map(after.lists.map((list) => [list.name, list]));
    expect(byName.has(gone)).toBe(false);
    expect(byName.get(moved)?.site).toBe(toSite);
    expect(byName.get(described)?.description).toBe("Now about something else");
    expect(byName.get("Brand-new")).toMatchObject({
      site: "site-02", maxMembers: 250, disabled: false,
      memberCounts: { normal: 3, held: 2, unsub: 0, confirm: 0, private: 0, expired: 0, other: 1 },
    });
    expect(after.lists.map((list) => list.name)).toEqual(after.lists.map((list) => list.name).sort(compareNames));
    expect(byName.has("\u{1F600}-smile")).toBe(true);
    expect(after.serverInfo.version).toBe("9.0");
    expect(after.loggingEnabled).toBe(false);
  });
});

describe.runIf(mysqlUrl)("SQLite and MySQL", () => {
  it("answer the same commands with identical records", () => {
    expect(results.get("MySQL")).toEqual(results.get("SQLite"));
  });
});
