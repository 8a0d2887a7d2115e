import type { QueryRunner } from "typeorm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromGlobalId, toGlobalId } from "../graphql/global-id.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";

/**
 * A customer's move to another plan and an edit of a plan's unit size, at the same time on
 * MariaDB: each writes the customer's plan periods, and neither may undo the other. The other
 * side is played by a transaction of this test on a connection of its own, holding its row locks
 * while the API's mutation runs, so the order is certain. (SQLite runs one write at a time.)
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
  const customer = async (company: string, planId: number) => fromGlobalId("Customer", (await gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { company, planId: toGlobalId("HostingPlan", planId) } })).createCustomer.customer.id)!;
  const periods = async (customerId: number) =>
    ((await app.db.manager.query("SELECT planId, messageUnitBytes FROM customer_plan_period WHERE customerId = ? ORDER BY startDate", [customerId])) as { planId: number | string | null; messageUnitBytes: number | string }[]).map((row) => ({
      planId: row.planId === null ? null : Number(row.planId),
      messageUnitBytes: Number(row.messageUnitBytes),
    }));
  /** Whether `promise` is still pending after `ms`: the mutation waits for the other transaction's lock. */
  const stillWaiting = async (promise: Promise<unknown>, ms = 400) => Promise.race([promise.then(() => false, () => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), ms))]);

  it("an edit of a plan's unit size leaves alone a customer moving off the plan meanwhile", async () => {
    const [a, b] = [await plan("Edited", 1_000), await plan("Elsewhere", 500)];
    const [moving, staying] = [await customer("Moving off", a), await customer("Staying on", a)];

    // The other side moves the customer off the plan and has not committed yet.
    await other.startTransaction("READ COMMITTED");
    await other.query("SELECT id FROM customer WHERE id = ? FOR UPDATE", [moving]);
    await other.query("UPDATE customer SET planId = ? WHERE id = ?", [b, moving]);
    const edit = app.gql(`mutation($input: UpdateHostingPlanInput!) { updateHostingPlan(input: $input) { userErrors { code } } }`, { input: { id: toGlobalId("HostingPlan", a), messageUnitBytes: 2_000 } });
    expect(await stillWaiting(edit)).toBe(true);
    await other.query("INSERT INTO customer_plan_period (customerId, startDate, planId, messageUnitBytes, createdAt) VALUES (?, UTC_DATE(), ?, 500, UTC_TIMESTAMP(3))", [moving, b]);
    await other.commitTransaction();
    expect(dataOf(await edit).updateHostingPlan.userErrors).toEqual([]);

    // The customer that moved keeps the move; the one that stayed gets the new size from today.
    expect(await periods(moving)).toEqual([{ planId: a, messageUnitBytes: 1_000 }, { planId: b, messageUnitBytes: 500 }]);
    expect(await periods(staying)).toEqual([{ planId: a, messageUnitBytes: 1_000 }, { planId: a, messageUnitBytes: 2_000 }]);
  });

  it("a customer moving onto a plan whose unit size is being edited gets the edited size", async () => {
    const [from, onto] = [await plan("Before the move", 300), await plan("Being edited", 1_000)];
    const mover = await customer("Moving on", from);

    // The other side edits the plan's unit size and has not committed yet.
    await other.startTransaction("READ COMMITTED");
    await other.query("UPDATE hosting_plan SET messageUnitBytes = 4000 WHERE id = ?", [onto]);
    const move = app.gql(`mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { userErrors { code } } }`, { input: { id: toGlobalId("Customer", mover), planId: toGlobalId("HostingPlan", onto) } });
    expect(await stillWaiting(move)).toBe(true);
    await other.commitTransaction();
    expect(dataOf(await move).updateCustomer.userErrors).toEqual([]);

    expect(await periods(mover)).toEqual([{ planId: from, messageUnitBytes: 300 }, { planId: onto, messageUnitBytes: 4_000 }]);
  });
});
