import type { EntityManager } from "typeorm";
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

  it("can be left part way: the page it read ahead failing afterwards is no unhandled rejection, which would end the API process", async () => {
    const serverId = (await app.db.manager.findOneOrFail(List, { where: {}, order: { id: "ASC" } })).serverId;
    // The database answers the first page, then fails the next one (a dropped connection) once
    // the comparison has already stopped reading.
    let reads = 0;
    let readAheadFailed!: () => void;
    const failedAfterLeaving = new Promise<void>((resolve) => (readAheadFailed = resolve));
    const failingAfterFirstPage = new Proxy(app.db.manager, {
      get(manager, property, receiver) {
        if (property !== "getRepository") return Reflect.get(manager, property, receiver);
        return (...args: Parameters<EntityManager["getRepository"]>) => {
          const repository = manager.getRepository(...args);
          return new Proxy(repository, {
            get(target, key, receiverOfRepository) {
              if (key !== "createQueryBuilder") return Reflect.get(target, key, receiverOfRepository);
              return (...builderArgs: Parameters<typeof repository.createQueryBuilder>) => {
                const builder = target.createQueryBuilder(...builderArgs);
                const getRawMany = builder.getRawMany.bind(builder);
                builder.getRawMany = (() => {
                  reads += 1;
                  if (reads === 1) return getRawMany();
                  return new Promise((_, reject) =>
                    setTimeout(() => {
                      reject(new Error("connection lost"));
                      readAheadFailed();
                    }, 20),
                  );
                }) as typeof builder.getRawMany;
                return builder;
              };
            },
          });
        };
      },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      let read = 0;
      for await (const page of billingLists(failingAfterFirstPage, serverId)) {
        read += page.length;
        break;
      }
      expect(read).toBe(2000);
      // The next page was asked for before the comparison left, and failed after it left.
      expect(reads).toBe(2);
      await failedAfterLeaving;
      // Node reports a rejection nobody handles once the microtasks after it have run: by the next turn.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
