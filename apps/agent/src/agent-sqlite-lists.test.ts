import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { HostingClient, type HostingList, type MemberCounts, nameKey } from "@listbill/protocol";
import { addList, generateListManagerDatabase } from "@listbill/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countedMemberTypes } from "./listmanager-schema.js";
import { spawnAgent, type SpawnedAgent } from "./spawn-agent.js";

const dir = mkdtempSync(join(tmpdir(), "listbill-agent-sqlite-lists-"));
const database = join(dir, "lm.sqlite");
let agent: SpawnedAgent;

async function readLists() {
  const client = await HostingClient.connect({ host: agent.host, port: agent.port, password: "TCLPORTPasswd" });
  try {
    const lists: HostingList[] = [];
    for await (const list of client.lists({ withMemberCounts: true })) lists.push(list);
    const memberCounts: Array<{ list: string; counts: MemberCounts }> = [];
    for await (const row of client.memberCounts()) memberCounts.push(row);
    const billed: HostingList[] = [];
    for await (const list of client.lists({ withBilledMembers: true })) billed.push(list);
    // Two lists named (one in another case): the agent counts their members alone.
    const names = [lists[0]!.name, "ZULU-1"];
    const named: HostingList[] = [];
    for await (const list of client.lists({ withMemberCounts: true, names })) named.push(list);
    const namedBilled: HostingList[] = [];
    for await (const list of client.lists({ withBilledMembers: true, names })) namedBilled.push(list);
    return { lists, memberCounts, billed, named, namedBilled };
  } finally {
    await client.close();
  }
}

/** Member counts as a plain reading of members_ gives them, by exact list name and status. */
function countsInDatabase(): Map<string, MemberCounts> {
  const db = new Database(database, { readonly: true });
  const counts = new Map<string, MemberCounts>();
  for (const { name } of db.prepare("SELECT Name_ AS name FROM lists_").all() as Array<{ name: string }>) {
    counts.set(name, { other: 0, normal: 0, held: 0, unsub: 0, confirm: 0, private: 0, expired: 0 });
  }
  for (const member of db.prepare("SELECT List_ AS list, MemberType_ AS type FROM members_").iterate() as Iterable<{ list: string; type: string }>) {
    const list = counts.get(member.list);
    if (!list) continue;
    const type = (countedMemberTypes as readonly string[]).includes(member.type) ? (member.type as keyof MemberCounts) : "other";
    list[type]++;
  }
  db.close();
  return counts;
}

beforeAll(async () => {
  const target = { sqlitePath: database };
  await generateListManagerDatabase({ target, seed: 11, sites: 3, lists: 2_500, membersPerList: 12, logRows: 0 });
  // Names that sort differently by bytes and by name key, names that differ only in case,
  // and a list without members.
  for (const name of ["École-été", "émile-x", "Zulu-1", "zulu-1", "\u{1F600}-smile", "\uFFFD-replacement"]) {
    await addList(target, { name, site: "site-01", members: { normal: 4, held: 1, other: 2 } });
  }
  await addList(target, { name: "nobody-here", site: "site-02" });
  const db = new Database(database);
  const member = db.prepare("INSERT INTO members_ (List_, EmailAddr_, Domain_, MemberType_) VALUES (?, ?, 'odd.example', ?)");
  // Statuses spelled almost like counted ones count as other; members of a list that is gone
  // count nowhere.
  for (const [list, type] of [["zulu-1", "Normal"], ["zulu-1", "normal "], ["zulu-1", ""], ["École-été", "expired"], ["gone-list", "normal"]]) {
    member.run(list, `${type || "blank"}.${list}@odd.example`, type);
  }
  // Creation times as a hosting server may hold them: each reads as the instant Date makes of it.
  const created = db.prepare("UPDATE lists_ SET Creatstamp_ = ? WHERE Name_ = ?");
  created.run("2024-02-29 12:00:00", "École-été");
  created.run("2023-02-29 12:00:00", "émile-x");
  created.run("2024-12-31 24:00:00", "Zulu-1");
  created.run(" 2024-01-02 03:04:05 ", "zulu-1");
  created.run("2024-01-02T03:04:05Z", "\u{1F600}-smile");
  created.run("not a time", "\uFFFD-replacement");
  db.close();
  agent = await spawnAgent({ database });
});

afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("lists with member counts from a SQLite hosting server", () => {
  it("counts every list's members (by status, and billed ones alone) as members_ holds them, with or without the members_ (List_, MemberType_) index", async () => {
    const expected = countsInDatabase();
    const indexed = await readLists();
    expect(indexed.lists).toHaveLength(expected.size);
    expect(new Map(indexed.lists.map((list) => [list.name, list.memberCounts]))).toEqual(expected);
    expect(indexed.memberCounts).toEqual(indexed.lists.map((list) => ({ list: list.name, counts: list.memberCounts })));
    expect(indexed.lists.find((list) => list.name === "zulu-1")?.memberCounts).toEqual({ other: 5, normal: 4, held: 1, unsub: 0, confirm: 0, private: 0, expired: 0 });
    // Billed members alone: normal and held as members_ spells them, "Normal" and "normal " not among them.
    expect(new Map(indexed.billed.map((list) => [list.name, list.billedMembers]))).toEqual(new Map([...expected].map(([name, counts]) => [name, counts.normal + counts.held])));
    expect(indexed.billed.find((list) => list.name === "zulu-1")).toMatchObject({ billedMembers: 5 });
    expect(indexed.billed.every((list) => list.memberCounts === undefined)).toBe(true);
    // By name key: "ZULU-1" names every list spelled zulu-1 in any case.
    const isNamed = (list: HostingList) => list === indexed.lists[0] || nameKey(list.name) === "zulu-1";
    expect(indexed.named).toEqual(indexed.lists.filter(isNamed));
    expect(indexed.named.map((list) => list.name)).toEqual([indexed.lists[0]!.name, "Zulu-1", "zulu-1"]);
    expect(indexed.namedBilled).toEqual(indexed.billed.filter((_, index) => isNamed(indexed.lists[index]!)));

    // Without the index the agent counts with one scan of members_: the same records, in the same order.
    const db = new Database(database);
    db.exec("DROP INDEX members_list_type");
    db.close();
    expect(await readLists()).toEqual(indexed);
  });

  it("reads creation times as the instants they name, odd spellings included", async () => {
    const { lists } = await readLists();
    const created = new Map(lists.map((list) => [list.name, list.created]));
    expect(created.get("École-été")).toBe("2024-02-29T12:00:00.000Z");
    expect(created.get("émile-x")).toBe("2023-03-01T12:00:00.000Z");
    expect(created.get("Zulu-1")).toBe("2025-01-01T00:00:00.000Z");
    expect(created.get("zulu-1")).toBe("2024-01-02T03:04:05.000Z");
    expect(created.get("\u{1F600}-smile")).toBe("2024-01-02T03:04:05.000Z");
    expect(created.get("\uFFFD-replacement")).toBeNull();
  });
});
