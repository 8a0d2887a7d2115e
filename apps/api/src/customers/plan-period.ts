import type { EntityManager } from "typeorm";
import { CustomerPlanPeriod } from "./customer-plan-period.entity.js";

/** The day before any message: a customer's first period starts on it. */
export const FIRST_DAY = "1970-01-01";

/** What a customer is billed by: its plan and that plan's unit size. */
export interface PlanTerms {
  planId: number | null;
  messageUnitBytes: number;
}

/** Today's UTC date, the day a change of plan takes effect. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** A new customer's first period, from FIRST_DAY: its plan reaches back as far as its lists' assignments. */
export async function startPlanPeriods(manager: EntityManager, customerId: number, terms: PlanTerms): Promise<void> {
  await manager.insert(CustomerPlanPeriod, { customerId, startDate: FIRST_DAY, ...terms, createdAt: new Date() });
}

/**
 * The customer is billed by `terms` from `day` on (today, for a change made now): the days before
 * keep the terms they had (`before`, recorded first when the customer has no period yet), and the
 * periods that started after `day` (a back-dated change) give way to it. A second change on the
 * same day replaces the first: a day has one unit size. Whether anything changed.
 */
export async function changePlanTerms(manager: EntityManager, customerId: number, before: PlanTerms, terms: PlanTerms, day: string): Promise<boolean> {
  const periods = await manager.find(CustomerPlanPeriod, { where: { customerId }, order: { startDate: "ASC" } });
  if (periods.length === 0) {
    const base = manager.create(CustomerPlanPeriod, { customerId, startDate: FIRST_DAY, ...before, createdAt: new Date() });
    await manager.insert(CustomerPlanPeriod, base);
    periods.push(base);
  }
  const later = periods.filter((period) => period.startDate > day).map((period) => period.id);
  if (later.length) await manager.delete(CustomerPlanPeriod, later);
  const current = periods.filter((period) => period.startDate <= day).pop();
  if (current && current.planId === terms.planId && current.messageUnitBytes === terms.messageUnitBytes) return later.length > 0;
  if (current?.startDate === day) await manager.update(CustomerPlanPeriod, { id: current.id }, { ...terms });
  else await manager.insert(CustomerPlanPeriod, { customerId, startDate: day, ...terms, createdAt: new Date() });
  return true;
}
