import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SelectQueryBuilder } from "typeorm";
import { Customer } from "../customers/customer.entity.js";
import { List } from "../lists/list.entity.js";
import { seedInventory } from "../testing/seed.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";
import { rawManyReusingSql, shapeKey } from "./reused-sql.js";

/** One variant of a lists query: filters, a join, an order and a limit, with its parameters. */
interface Variant {
  name: string;
  build(query: SelectQueryBuilder<List>, value: number): SelectQueryBuilder<List>;
}

const VARIANTS: Variant[] = [
  { name: "by server", build: (query, value) => query.where("list.serverId = :serverId", { serverId: value }) },
  { name: "by site", build: (query, value) => query.where("list.siteId = :siteId", { siteId: value }) },
  { name: "by server, unassigned", build: (query, value) => query.where("list.serverId = :serverId", { serverId: value }).andWhere("list.customerId IS NULL") },
  { name: "by server, assigned", build: (query, value) => query.where("list.serverId = :serverId", { serverId: value }).andWhere("list.customerId IS NOT NULL") },
  { name: "by server or site", build: (query, value) => query.where("list.serverId = :serverId", { serverId: value }).orWhere("list.siteId = :siteId", { siteId: value }) },
  { name: "ids in", build: (query, value) => query.where("list.id IN (:...ids)", { ids: [value, value + 1, value + 2] }) },
  { name: "ids in, owners joined", build: (query, value) => query.leftJoin(Customer, "customer", "customer.id = list.customerId").addSelect("customer.company", "company").where("list.id IN (:...ids)", { ids: [value, value + 3] }) },
  { name: "descending, 2", build: (query, value) => query.where("list.serverId = :serverId", { serverId: value }).orderBy("list.nameKey", "DESC").limit(2) },
  { name: "ascending, 2", build: (query, value) => query.where("list.serverId = :serverId", { serverId: value }).orderBy("list.nameKey", "ASC").limit(2) },
  { name: "ascending, 3", build: (query, value) => query.where("list.serverId = :serverId", { serverId: value }).orderBy("list.nameKey", "ASC").limit(3) },
];

describe.each(testDatabases())("reused SQL on %s", (kind) => {
  let app: TestApp;
  let serverIds: number[];
  beforeAll(async () => {
    app = await startTestApp(kind);
    await app.stopBackgroundWork();
    const inventory = await seedInventory(app.db, { servers: 3, sitesPerServer: 2, listsPerSite: 3 });
    const customer = dataOf(await app.gql(`mutation { createCustomer(input: { company: "Reuse Ltd", startDate: "2026-01-01" }) { customer { id } } }`)).createCustomer.customer.id;
    dataOf(await app.gql(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code } } }`, { input: { customerId: customer, listIds: inventory.listIds.filter((_, index) => index % 2 === 0) } }));
    serverIds = (await app.db.manager.find(List, { select: { serverId: true } })).map((list) => list.serverId).filter((id, index, all) => all.indexOf(id) === index);
  });
  afterAll(async () => {
    await app?.stop();
  });

  const select = (variant: Variant, value: number, reuse: boolean) => {
    const query = variant.build(app.db.manager.getRepository(List).createQueryBuilder("list").select("list.id", "id").addSelect("list.name", "name"), value);
    return reuse ? rawManyReusingSql(query) : query.getRawMany();
  };

  it("answers every shape exactly as a freshly built query, whichever shape ran before", async () => {
    const values = () => [...serverIds, serverIds[0]! + 1, 1];
    // Twice round, and the second time in reverse order: a text kept for one shape must never serve another.
    const rounds = [VARIANTS, [...VARIANTS].reverse()];
    let compared = 0;
    for (const variants of rounds) {
      for (const variant of variants) {
        for (const value of values()) {
          const expected = await select(variant, value, false);
          expect(await select(variant, value, true), `${variant.name} (${value})`).toEqual(expected);
          compared += expected.length;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it("keys every variant apart, and the same variant alike whatever its parameters", () => {
    const key = (variant: Variant, value: number) => shapeKey(variant.build(app.db.manager.getRepository(List).createQueryBuilder("list").select("list.id", "id"), value) as SelectQueryBuilder<never>);
    const keys = VARIANTS.map((variant) => key(variant, 1));
    expect(keys.every((k) => k !== null)).toBe(true);
    expect(new Set(keys).size).toBe(VARIANTS.length);
    for (const variant of VARIANTS) expect(key(variant, 2)).toBe(key(variant, 1));
    // Pages clone their query before reading: a clone keys as its original.
    for (const variant of VARIANTS) {
      const query = variant.build(app.db.manager.getRepository(List).createQueryBuilder("list").select("list.id", "id"), 1);
      expect(shapeKey(query.clone() as SelectQueryBuilder<never>)).toBe(shapeKey(query as SelectQueryBuilder<never>));
    }
  });

  it("leaves the builder as it was: what is chained on afterwards counts, and an entity read reads as before", async () => {
    const [serverId] = serverIds;
    const query = app.db.manager.getRepository(List).createQueryBuilder("list").select("list.name", "name").where("list.serverId = :serverId", { serverId });
    const all = await rawManyReusingSql(query);
    const unassigned = await query.andWhere("list.customerId IS NULL").getRawMany();
    expect(unassigned.length).toBeGreaterThan(0);
    expect(unassigned.length).toBeLessThan(all.length);
    const named = app.db.manager.getRepository(List).createQueryBuilder("list").select("list.name").where("list.serverId = :serverId", { serverId });
    const fresh = await named.clone().getMany();
    await rawManyReusingSql(named);
    expect(await named.getMany()).toEqual(fresh);
    expect(fresh.length).toBe(all.length);
  });

  it("leaves shapes it does not cover to TypeORM", () => {
    const repository = app.db.manager.getRepository(List);
    // A sub-query join and an extra FROM table: their SQL is not in the key.
    expect(shapeKey(repository.createQueryBuilder("list").leftJoin((sub) => sub.select("c.id", "id").from(Customer, "c").where("c.isActive = 1"), "active", "active.id = list.customerId") as SelectQueryBuilder<never>)).toBeNull();
    expect(shapeKey(repository.createQueryBuilder("list").addFrom(Customer, "c") as SelectQueryBuilder<never>)).toBeNull();
    expect(shapeKey(repository.createQueryBuilder("list").select("list.serverId", "serverId").addSelect("COUNT(*)", "lists").groupBy("list.serverId") as SelectQueryBuilder<never>)).toBeNull();
    expect(shapeKey(repository.createQueryBuilder("list").take(5) as SelectQueryBuilder<never>)).toBeNull();
    expect(shapeKey(repository.createQueryBuilder("list").where({ serverId: 1 }) as SelectQueryBuilder<never>)).toBeNull();
  });
});
