import type { QueryRunner } from "typeorm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromGlobalId, toGlobalId } from "../graphql/global-id.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";

/**
 * Two changes of one customer's plan, or of one plan's unit size, at the same time on MariaDB:
 * each writes periods (one row per day), and the second must see the first's. The first is played
 * by a transaction of this test on a connection of its own, holding its row lock while the API's
 * mutation runs, so the order is certain. (SQLite runs one write at a time.)
 */
describe.skipIf(!testDatabases().includes("mysql"))("plan periods written by concurrent changes, on mysql", () => {
  let app: TestApp;
  let other: QueryRunner;

  beforeAll(async () => {
    app = await startTestApp("mysql");
    other = app.db.dataSource.createQueryRunner();
    await other.connect();
  });
  afterAll(async () => {
    if (other?.isTransactionActive) await other.rollbackTransaction();
    await other?.release();
    await app?.stop();
  });

  const gql = async (query: string, variables?: Record<string, unknown>) => dataOf(await app.gql(query, variables));
  const plan = async (name: string, messageUnitBytes: number) => fromGlobalId("HostingPlan", (await gql(`mutation($input: CreateHostingPlanInput!) { createHostingPlan(input: $input) { hostingPlan { id } } }`, { input: { name, messageUnitBytes } })).createHostingPlan.hostingPlan.id)!;
  const rows = async (sql: string, id: number) => ((await app.db.manager.query(sql, [id])) as Record<string, number | string | null>[]).map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value === null ? null : Number(value)])));
  /** Whether `promise` is still pending after `ms`: the mutation waits for the other transaction's lock. */
  const stillWaiting = async (promise: Promise<unknown>, ms = 400) => Promise.race([promise.then(() => false, () => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), ms))]);

  it("a second change of a customer's plan on the same day waits for the first and replaces its period", async () => {
    const [first, second, third] = [await plan("First", 100), await plan("Second", 200), await plan("Third", 300)];
    const customer = fromGlobalId("Customer", (await gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { company: "Changed twice", planId: toGlobalId("HostingPlan", first) } })).createCustomer.customer.id)!;

    // The other side moves the customer to the second plan from today and has not committed yet.
    await other.startTransaction("READ COMMITTED");
    await other.query("SELECT id FROM customer WHERE id = ? FOR UPDATE", [customer]);
    await other.query("UPDATE customer SET planId = ? WHERE id = ?", [second, customer]);
    await other.query("INSERT INTO customer_plan_period (customerId, startDate, planId, createdAt) VALUES (?, UTC_DATE(), ?, UTC_TIMESTAMP(3))", [customer, second]);
    const move = app.gql(`mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { userErrors { code } } }`, { input: { id: toGlobalId("Customer", customer), planId: toGlobalId("HostingPlan", third) } });
    expect(await stillWaiting(move)).toBe(true);
    await other.commitTransaction();
    expect(dataOf(await move).updateCustomer.userErrors).toEqual([]);

    // One period for today, the last plan set: not a duplicate key, not the second plan kept.
    expect(await rows("SELECT planId FROM customer_plan_period WHERE customerId = ? ORDER BY startDate", customer)).toEqual([{ planId: first }, { planId: third }]);
  });

  it("a second edit of a plan's unit size on the same day, back to the size before the first, waits for it and undoes it", async () => {
    const edited = await plan("Edited twice", 1_000);

    // The other side sets the plan's size to 4,000 from today and has not committed yet.
    await other.startTransaction("READ COMMITTED");
    await other.query("SELECT id FROM hosting_plan WHERE id = ? FOR UPDATE", [edited]);
    await other.query("UPDATE hosting_plan SET messageUnitBytes = 4000 WHERE id = ?", [edited]);
    await other.query("INSERT INTO hosting_plan_unit_period (planId, startDate, messageUnitBytes, createdAt) VALUES (?, UTC_DATE(), 4000, UTC_TIMESTAMP(3))", [edited]);
    // Read unlocked, the plan would still say 1,000: the edit would see nothing to change and
    // leave the first's 4,000 in place.
    const edit = app.gql(`mutation($input: UpdateHostingPlanInput!) { updateHostingPlan(input: $input) { userErrors { code } hostingPlan { messageUnitBytes } } }`, { input: { id: toGlobalId("HostingPlan", edited), messageUnitBytes: 1_000 } });
    expect(await stillWaiting(edit)).toBe(true);
    await other.commitTransaction();
    expect(dataOf(await edit).updateHostingPlan).toEqual({ userErrors: [], hostingPlan: { messageUnitBytes: 1_000 } });

    expect(await rows("SELECT messageUnitBytes FROM hosting_plan WHERE id = ?", edited)).toEqual([{ messageUnitBytes: 1_000 }]);
    // Today's 4,000 gives way to the 1,000 it followed, which holds on: no period repeats the one before.
    expect(await rows("SELECT messageUnitBytes FROM hosting_plan_unit_period WHERE planId = ? ORDER BY startDate", edited)).toEqual([{ messageUnitBytes: 1_000 }]);
  });
});
