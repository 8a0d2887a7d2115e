import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { List } from "../lists/list.entity.js";
import { seedInventory } from "../testing/seed.js";
import { type TestApp, startTestApp, testDatabases } from "../testing/test-app.js";
import { billingLists } from "./billing-lists.js";

describe.each(testDatabases())("billing's lists of a server, page by page, on %s", (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
    await app.stopBackgroundWork();
    // 4,500 lists on the first server: three pages of 2,000, the next read while one is compared.
    await seedInventory(app.db, { servers: 2, sitesPerServer: 10, listsPerSite: 450 });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  it("yields every list of the server once, in name-key order, however slowly it is read", async () => {
    const serverId = (await app.db.manager.findOneOrFail(List, { where: {}, order: { id: "ASC" } })).serverId;
    const expected = (await app.db.manager.find(List, { where: { serverId }, order: { nameKey: "ASC" } })).map((list) => list.id);
    expect(expected.length).toBe(4500);
    const read: number[] = [];
    for await (const page of billingLists(app.db.manager, serverId)) {
      read.push(...page.map((list) => list.id));
      // A slow consumer: the page read ahead waits for it.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(read).toEqual(expected);
  });

  it("can be left part way without an unhandled failure", async () => {
    const serverId = (await app.db.manager.findOneOrFail(List, { where: {}, order: { id: "ASC" } })).serverId;
    let read = 0;
    for await (const page of billingLists(app.db.manager, serverId)) {
      read += page.length;
      if (read >= 2000) break;
    }
    expect(read).toBe(2000);
  });
});
