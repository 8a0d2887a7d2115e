import { HostingClient, type HostingList, nameKey } from "@listbill/protocol";
import { addList, generateListManagerDatabase, openFixtureDb } from "@listbill/fixtures";
import { createScratchDatabase, mysqlTestUrl, type ScratchDatabase } from "@listbill/fixtures/testing";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListManagerQueries } from "./listmanager-queries.js";
import { spawnAgent, type SpawnedAgent } from "./spawn-agent.js";

const mysqlUrl = mysqlTestUrl();

/**
 * Lists named in a lists request, on a MySQL ListManager database: the names a client sends never
 * become SQL text, and they match by name key whatever the character set of the name columns.
 */
describe.runIf(mysqlUrl)("named lists on a MySQL ListManager database", () => {
  let scratch: ScratchDatabase;
  let agent: SpawnedAgent;

  beforeAll(async () => {
    scratch = await createScratchDatabase(mysqlUrl!, "lbnames");
    const target = { mysqlUrl: scratch.url };
    await generateListManagerDatabase({ target, seed: 5, sites: 2, lists: 8, membersPerList: 5 });
    // Names in latin1, as an older installation may keep them: bytes other than UTF-8's.
    const db = await openFixtureDb(target);
    await db.run("ALTER TABLE lists_ MODIFY Name_ VARCHAR(100) CHARACTER SET latin1 NOT NULL");
    await db.run("ALTER TABLE members_ MODIFY List_ VARCHAR(100) CHARACTER SET latin1 NOT NULL");
    await db.close();
    await addList(target, { name: "École-Été", site: "site-01", members: { normal: 2, held: 1 } });
    agent = await spawnAgent({ database: scratch.url });
  });
  afterAll(async () => {
    await agent?.stop();
    await scratch?.drop();
  });

  async function lists(options: Parameters<HostingClient["lists"]>[0]): Promise<HostingList[]> {
    const client = await HostingClient.connect({ host: agent.host, port: agent.port, password: "TCLPORTPasswd" });
    try {
      const out: HostingList[] = [];
      for await (const list of client.lists(options)) out.push(list);
      return out;
    } finally {
      await client.close();
    }
  }

  it("finds a latin1 name by its key, with its members, in the order of the whole stream", async () => {
    const all = await lists({ withMemberCounts: true });
    const accented = all.find((list) => list.name === "École-Été")!;
    expect(accented.memberCounts).toMatchObject({ normal: 2, held: 1 });
    // ASCII letters fold, others do not: É is not é.
    expect(await lists({ withMemberCounts: true, names: ["ÉCOLE-Été"] })).toEqual([accented]);
    expect(await lists({ withBilledMembers: true, names: ["école-été"] })).toEqual([]);
    const capital = all.find((list) => /[A-Z]/.test(list.name) && list !== accented);
    const wanted = [accented, ...(capital ? [capital] : [])];
    expect(await lists({ withMemberCounts: true, names: wanted.map((list) => nameKey(list.name)) })).toEqual(all.filter((list) => wanted.includes(list)));
  });

  it("puts no name a client sends into SQL text, even where a backslash escapes nothing", async () => {
    // A session that reads backslashes as plain characters, where mysql2's client-side escaping
    // of a quote (\') would end the string early.
    const connection = await mysql.createConnection(scratch.url);
    try {
      await connection.query("SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES')");
      const { sql, params } = new ListManagerQueries("mysql").namedLists("none", ["x') or 1=1 #", "x' or '1'='1"]);
      const [rows] = await connection.query(sql, params);
      expect(rows).toEqual([]);
    } finally {
      await connection.end();
    }
  });
});
