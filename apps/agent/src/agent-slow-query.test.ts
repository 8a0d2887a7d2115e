import { HostingClient } from "@listbill/protocol";
import { generateListManagerDatabase, targetDatabase } from "@listbill/fixtures";
import { createScratchDatabase, mysqlTestUrl, type ScratchDatabase } from "@listbill/fixtures/testing";
import mysql from "mysql2/promise";
import { afterAll, describe, expect, it } from "vitest";
import { spawnAgent, type SpawnedAgent } from "./spawn-agent.js";

const mysqlUrl = mysqlTestUrl();
let scratch: ScratchDatabase | undefined;
let agent: SpawnedAgent | undefined;

afterAll(async () => {
  await agent?.stop();
  await scratch?.drop();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A large ListManager's database can take minutes before a lists stream's first row (the member
 * aggregate and the sort come first), and sends nothing meanwhile. Held here by a table lock
 * another session keeps on lists_, on a MySQL-backed fixture.
 */
describe.runIf(mysqlUrl)("a command the hosting server's database is slow to answer", () => {
  it("keeps its connection open past the idle timeout while the query runs, then sends the whole answer; an idle connection is still closed", async () => {
    scratch = await createScratchDatabase(mysqlUrl!, "lbslow");
    const target = { mysqlUrl: scratch.url };
    await generateListManagerDatabase({ target, seed: 3, sites: 2, lists: 25, membersPerList: 5, logRows: 0 });
    agent = await spawnAgent({ database: targetDatabase(target), idleTimeoutMs: 300 });
    const lock = await mysql.createConnection(scratch.url);
    const client = await HostingClient.connect({ host: agent.host, port: agent.port, password: "TCLPORTPasswd", requestTimeoutMs: 10_000 });
    try {
      await lock.query("LOCK TABLES lists_ WRITE");
      const reading = (async () => {
        const names: string[] = [];
        for await (const list of client.lists({ withMemberCounts: true })) names.push(list.name);
        return names;
      })();
      reading.catch(() => undefined);
      // Four idle timeouts with the query waiting on the lock, nothing sent either way.
      await pause(1_200);
      await lock.query("UNLOCK TABLES");
      expect(await reading).toHaveLength(25);
      expect(agent.stderr()).not.toContain("connection_idle_closed");

      // Nothing in flight: idle, and closed.
      await pause(1_000);
      expect(agent.stderr()).toContain("connection_idle_closed");
      await expect(client.serverInfo()).rejects.toMatchObject({ code: "UNREACHABLE" });
    } finally {
      await lock.end();
      await client.close();
    }
  }, 60_000);
});
