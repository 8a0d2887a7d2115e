import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Customer } from "../customers/customer.entity.js";
import { CustomerPlanPeriod } from "../customers/customer-plan-period.entity.js";
import { HostingPlan } from "../plans/hosting-plan.entity.js";
import { type TestApp, startTestApp, testDatabases } from "../testing/test-app.js";
import { NothingBefore, setFromDay, withEndDates } from "./periods.js";

/**
 * setFromDay over a customer's plan periods, case by case: what each call leaves, and what it
 * reports for the audit entry. Periods are written as [plan, first day] with plans named A, B, C.
 */
describe.each(testDatabases())("plan periods set from a day on %s", (kind) => {
  let app: TestApp;
  const plans = new Map<string, number>();
  const nameOf = (planId: number | null) => (planId === null ? null : [...plans].find(([, id]) => id === planId)![0]);

  beforeAll(async () => {
    app = await startTestApp(kind);
    for (const name of ["A", "B", "C"]) plans.set(name, (await app.db.manager.save(HostingPlan, app.db.manager.create(HostingPlan, { name: `Plan ${name}`, nameKey: `plan ${name.toLowerCase()}`, createdAt: new Date(), updatedAt: new Date() }))).id);
  });
  afterAll(async () => {
    await app?.stop();
  });

  type Shown = [string | null, string];
  /** A customer with these periods (none: a customer without any yet). */
  async function customerWith(periods: Shown[]): Promise<number> {
    const now = new Date();
    const customer = await app.db.manager.save(Customer, app.db.manager.create(Customer, { company: `Customer ${Math.random()}`, isActive: true, planId: null, createdAt: now, updatedAt: now }));
    for (const [plan, startDate] of periods) await app.db.manager.insert(CustomerPlanPeriod, { customerId: customer.id, planId: plan === null ? null : plans.get(plan)!, startDate, createdAt: now });
    return customer.id;
  }
  const periodsOf = async (customerId: number): Promise<Shown[]> =>
    (await app.db.manager.find(CustomerPlanPeriod, { where: { customerId }, order: { startDate: "ASC" } })).map((period) => [nameOf(period.planId), period.startDate]);
  /** setFromDay in a transaction of its own, as updateCustomer calls it; the periods it reports, shown. */
  async function set(customerId: number, plan: string | null, day: string, startsOn: boolean, before: string | null = null) {
    const result = await app.db.transaction((manager) =>
      setFromDay(manager, CustomerPlanPeriod, { customerId }, { planId: plan === null ? null : plans.get(plan)! }, { planId: before === null ? null : plans.get(before)! }, day, { startsOn }),
    );
    const show = (periods: CustomerPlanPeriod[]): Shown[] => periods.map((period) => [nameOf(period.planId), period.startDate]);
    return { replaced: show(result.replaced), written: show(result.written) };
  }

  it("back-dates a plan over the later ones, the days before as they were", async () => {
    const id = await customerWith([["A", "1970-01-01"], ["B", "2026-01-01"], ["C", "2026-10-20"]]);
    expect(await set(id, "B", "2026-10-10", true)).toEqual({ replaced: [["C", "2026-10-20"]], written: [] });
    expect(await periodsOf(id)).toEqual([["A", "1970-01-01"], ["B", "2026-01-01"]]);
    // The same for the first plan: it holds from the start, and C gives way.
    const first = await customerWith([["A", "1970-01-01"], ["C", "2026-10-20"]]);
    expect(await set(first, "A", "2026-10-10", true)).toEqual({ replaced: [["C", "2026-10-20"]], written: [] });
    expect(await periodsOf(first)).toEqual([["A", "1970-01-01"]]);
  });

  it("starts the current plan later when asked for its first day, the plan before it holding until then", async () => {
    const id = await customerWith([["A", "1970-01-01"], ["B", "2026-03-01"]]);
    expect(await set(id, "B", "2026-11-01", false)).toEqual({ replaced: [], written: [] });
    expect(await set(id, "B", "2026-11-01", true)).toEqual({ replaced: [["B", "2026-03-01"]], written: [["B", "2026-11-01"]] });
    expect(await periodsOf(id)).toEqual([["A", "1970-01-01"], ["B", "2026-11-01"]]);
    expect(withEndDates((await periodsOf(id)).map(([plan, startDate]) => ({ plan, startDate })))).toEqual([
      { plan: "A", startDate: "1970-01-01", endDate: "2026-10-31" },
      { plan: "B", startDate: "2026-11-01", endDate: null },
    ]);
    // Its own first day again: nothing to do.
    expect(await set(id, "B", "2026-11-01", true)).toEqual({ replaced: [], written: [] });
  });

  it("refuses to start the first plan later, or no plan, writing nothing", async () => {
    const only = await customerWith([["A", "1970-01-01"]]);
    await expect(set(only, "A", "2026-10-16", true)).rejects.toBeInstanceOf(NothingBefore);
    expect(await periodsOf(only)).toEqual([["A", "1970-01-01"]]);
    // A customer without periods yet: the one from the start is not written either.
    const none = await customerWith([]);
    await expect(set(none, null, "2026-10-16", true)).rejects.toThrow(/since 1970-01-01/);
    expect(await periodsOf(none)).toEqual([]);
  });

  it("treats repeats an older write left as one period", async () => {
    // A from the start and again from 10-01: starting A later has no other plan before it.
    const repeated = await customerWith([["A", "1970-01-01"], ["A", "2026-10-01"]]);
    await expect(set(repeated, "A", "2026-10-16", true)).rejects.toBeInstanceOf(NothingBefore);
    // After C, A twice: the run of A starts on the day, its repeat gone.
    const id = await customerWith([["C", "1970-01-01"], ["A", "2026-05-01"], ["A", "2026-10-01"]]);
    expect(await set(id, "A", "2026-10-16", true)).toEqual({ replaced: [["A", "2026-05-01"], ["A", "2026-10-01"]], written: [["A", "2026-10-16"]] });
    expect(await periodsOf(id)).toEqual([["C", "1970-01-01"], ["A", "2026-10-16"]]);
    // A repeat after the day is the same run: A starts on the day all the same.
    const after = await customerWith([["C", "1970-01-01"], ["A", "2026-05-01"], ["A", "2026-10-01"]]);
    expect(await set(after, "A", "2026-07-01", true)).toEqual({ replaced: [["A", "2026-05-01"], ["A", "2026-10-01"]], written: [["A", "2026-07-01"]] });
    expect(await periodsOf(after)).toEqual([["C", "1970-01-01"], ["A", "2026-07-01"]]);
    const fromStart = await customerWith([["A", "1970-01-01"], ["A", "2026-10-01"]]);
    await expect(set(fromStart, "A", "2026-07-01", true)).rejects.toBeInstanceOf(NothingBefore);
    expect(await periodsOf(fromStart)).toEqual([["A", "1970-01-01"], ["A", "2026-10-01"]]);
  });

  it("writes no period that repeats the one before it", async () => {
    // B from 10-01 set back to A on the same day: A holds on, from the start.
    const id = await customerWith([["A", "1970-01-01"], ["B", "2026-10-01"]]);
    expect(await set(id, "A", "2026-10-01", false)).toEqual({ replaced: [["B", "2026-10-01"]], written: [] });
    expect(await periodsOf(id)).toEqual([["A", "1970-01-01"]]);
    // Another plan on a period's own day takes its place; a new day starts a period.
    expect(await set(id, "C", "2026-10-05", false)).toEqual({ replaced: [], written: [["C", "2026-10-05"]] });
    expect(await set(id, "B", "2026-10-05", false)).toEqual({ replaced: [["C", "2026-10-05"]], written: [["B", "2026-10-05"]] });
    expect(await periodsOf(id)).toEqual([["A", "1970-01-01"], ["B", "2026-10-05"]]);
  });

  it("gives an owner without periods one from the start with what it had before", async () => {
    const id = await customerWith([]);
    expect(await set(id, "B", "2026-10-01", false, "A")).toEqual({ replaced: [], written: [["B", "2026-10-01"]] });
    expect(await periodsOf(id)).toEqual([["A", "1970-01-01"], ["B", "2026-10-01"]]);
  });
});
