import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAST_JOBS_ENV, type HostingServer, registerServer, runJobs, startHostingServer } from "../testing/hosting.js";
import { seedInventory } from "../testing/seed.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";
import { RawEntityReader } from "./hydrate.js";

/** The reader behind pages and loaders must give exactly what TypeORM's getMany() gives, for every entity. */
describe.each(testDatabases())("RawEntityReader on %s", (kind) => {
  let app: TestApp;
  let hosting: HostingServer;
  beforeAll(async () => {
    [app, hosting] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 5 })]);
    // A server validated, synced (lists, member counts, log rows) and validated again: runs and
    // errors of every kind of value, before the jobs stop.
    const hosted = await registerServer(app, { name: "Hydrated", port: hosting.agent.port });
    for (const mutation of ["validateServers", "syncServers", "validateServers"] as const) {
      expect((await runJobs(app, mutation, [hosted]))[0]).toMatchObject({ state: "SUCCEEDED" });
    }
    await app.stopBackgroundWork();
    const inventory = await seedInventory(app.db, { servers: 2, sitesPerServer: 2, listsPerSite: 3 });
    const plan = dataOf(await app.gql(`mutation { createHostingPlan(input: { name: "Gold", maxLists: 5 }) { hostingPlan { id } } }`)).createHostingPlan.hostingPlan.id;
    const customer = dataOf(await app.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { company: "Ünïcode & Co", planId: plan, startDate: "2026-02-28" } })).createCustomer.customer.id;
    dataOf(await app.gql(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code } } }`, { input: { customerId: customer, listIds: inventory.listIds.slice(0, 4) } }));
    dataOf(await app.gql(`mutation($input: ValidateServersInput!) { validateServers(input: $input) { jobs { id } } }`, { input: { serverIds: inventory.serverIds } }));
  });
  afterAll(async () => {
    await app?.stop();
    await hosting?.stop();
  });

  it("reads every column of every entity as getMany() does", async () => {
    const entities = app.db.dataSource.entityMetadatas;
    let compared = 0;
    for (const metadata of entities) {
      const repository = app.db.dataSource.getRepository(metadata.target);
      const expected = await repository.createQueryBuilder("row").orderBy("row.id", "ASC").getMany();
      const query = repository.createQueryBuilder("row");
      const reader = RawEntityReader.forMainAlias(query);
      const read = (await query.orderBy("row.id", "ASC").getRawMany()).map((raw: Record<string, unknown>) => reader.read(raw));
      expect(expected.length, `${metadata.name} rows`).toBeGreaterThan(0);
      expect(read, metadata.name).toEqual(expected);
      for (const [index, entity] of read.entries()) expect(Object.getPrototypeOf(entity), metadata.name).toBe(Object.getPrototypeOf(expected[index]));
      compared += expected.length;
    }
    // Servers, sites, lists, customers, plans, assignments, jobs, audit entries, users, tokens…
    expect(entities.filter((metadata) => metadata.columns.length > 0).length).toBeGreaterThan(10);
    expect(compared).toBeGreaterThan(30);
  });

  it("answers null for a left join that found nothing", async () => {
    const query = app.db.dataSource.getRepository("List").createQueryBuilder("list").where("list.customerId IS NULL");
    const reader = RawEntityReader.forMainAlias(query);
    const customer = new RawEntityReader(query, app.db.dataSource.getMetadata("Customer"), "customer");
    query.leftJoin("customer", "customer", "customer.id = list.customerId");
    customer.selectInto(query);
    const rows = await query.getRawMany();
    expect(rows.length).toBeGreaterThan(0);
    for (const raw of rows) {
      expect(reader.read(raw)).not.toBeNull();
      expect(customer.read(raw)).toBeNull();
    }
  });
});
