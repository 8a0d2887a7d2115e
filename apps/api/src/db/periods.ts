import type { EntityManager, EntityTarget, ObjectLiteral } from "typeorm";

/**
 * Values that hold from a day until the next change (a customer's plan, a plan's unit size): one
 * row per owner and start day, the first from FIRST_DAY. Billing reads the row in effect on a
 * message's day, so a change counts from its day on and the days before keep what they had.
 */

/** The first period's start: before any message. */
export const FIRST_DAY = "1970-01-01";

/** Today's UTC date: the day a change made now counts from. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

interface Period extends ObjectLiteral {
  id: number;
  startDate: string;
}

/**
 * Sets `value` from `day` on for the owner (`owner`: its key column and id): the periods that
 * started after `day` (a back-dated change) give way, a period starting on `day` takes the value (a
 * day has one), and otherwise one starts on it, unless the period in effect already has it. An
 * owner without periods first gets one from FIRST_DAY with `before`. Returns the periods removed or
 * overwritten (as they were) and the one written, for the audit entry: both empty when nothing changed.
 */
export async function setFromDay<P extends Period>(
  manager: EntityManager,
  entity: EntityTarget<P>,
  owner: Partial<P>,
  value: Partial<P>,
  before: Partial<P>,
  day: string,
): Promise<{ replaced: P[]; written: P[] }> {
  const periods = await manager.find(entity, { where: owner as never, order: { startDate: "ASC" } as never });
  if (periods.length === 0) {
    const base = manager.create(entity, { ...owner, ...before, startDate: FIRST_DAY, createdAt: new Date() } as never) as P;
    await manager.insert(entity, base as never);
    periods.push(base);
  }
  const covering = periods.filter((period) => period.startDate <= day).pop();
  const later = periods.filter((period) => period.startDate > day);
  if (later.length) await manager.delete(entity, later.map((period) => period.id));
  const holds = covering !== undefined && Object.entries(value).every(([field, wanted]) => covering[field] === wanted);
  if (holds) return { replaced: later, written: [] };
  const written = { ...owner, ...value, startDate: day } as unknown as P;
  if (covering?.startDate === day) {
    await manager.update(entity, covering.id, value as never);
    return { replaced: [covering, ...later], written: [written] };
  }
  await manager.insert(entity, { ...written, createdAt: new Date() } as never);
  return { replaced: later, written: [written] };
}
