import type { EntityManager, EntityTarget, ObjectLiteral } from "typeorm";
import { refuse } from "../graphql/user-error.js";

/**
 * Values that hold from a day until the next change (a customer's plan, a plan's unit size): one
 * row per owner and start day, the first from FIRST_DAY. Billing reads the row in effect on a
 * message's day, so a change counts from its day on and the days before keep what they had.
 */

/** The first period's start: before any message. */
export const FIRST_DAY = "1970-01-01";

/** The day before a calendar date (YYYY-MM-DD), in UTC. */
export function dayBefore(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** An owner's periods, oldest first, each with its last day (null for the one in effect now). */
export function withEndDates<P extends { startDate: string }>(periods: readonly P[]): (P & { endDate: string | null })[] {
  return periods.map((period, index) => ({ ...period, endDate: index + 1 < periods.length ? dayBefore(periods[index + 1]!.startDate) : null }));
}

/** Today's UTC date: the day a change made now counts from. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * setFromDay for an update input: `change.day` is the input field `change.field` (today when
 * absent; INVALID_DATE after today, which is not decided yet, or before FIRST_DAY). Given with the
 * value, the value holds from that day on and the days before keep theirs (asked twice, the
 * same); given alone, it is the first day of the owner's current value, later too (startsOn).
 * NothingBefore is refused with `change.nothingBefore`'s code and message, at the day's field.
 */
export function setFromInputDay<P extends Period>(
  manager: EntityManager,
  entity: EntityTarget<P>,
  owner: Partial<P>,
  value: Partial<P>,
  before: Partial<P>,
  change: { day: string | null | undefined; field: string; what: string; valueGiven: boolean; nothingBefore: { code: string; message: (since: string, day: string) => string } },
): Promise<{ replaced: P[]; written: P[] }> {
  const day = changeDay(change.day, change.field, change.what);
  return setFromDay(manager, entity, owner, value, before, day, { startsOn: Boolean(change.day) && !change.valueGiven }).catch((error: unknown) => {
    if (!(error instanceof NothingBefore)) throw error;
    refuse(change.nothingBefore.code, change.nothingBefore.message(error.since, day), ["input", change.field]);
  });
}

/** The day a change of a period's value counts from: `given` (the input field `field`), else today. */
function changeDay(given: string | null | undefined, field: string, what: string): string {
  const now = today();
  const day = given ?? now;
  if (day > now) refuse("INVALID_DATE", `${field} must not be after today (UTC): ${what} bills from the day it is set, or earlier`, ["input", field]);
  if (day < FIRST_DAY) refuse("INVALID_DATE", `${field} must not be before ${FIRST_DAY}`, ["input", field]);
  return day;
}

interface Period extends ObjectLiteral {
  id: number;
  startDate: string;
}

/**
 * Sets `value` from `day` on for the owner (`owner`: its key column and id): the periods that
 * started after `day` (a back-dated change) give way, a period starting on `day` takes the value (a
 * day has one), and otherwise one starts on it, unless the period in effect already has it; the
 * days before `day` keep theirs. With `startsOn`, when the value is the owner's current one (in
 * effect on `day` and after) and began before `day`, it begins on `day` instead: the value starts
 * later, and the one before it holds until then. When nothing different came before it,
 * NothingBefore is thrown before anything is written. Neighbouring periods never hold the same
 * value: a period that would repeat the one before it is not kept. An owner without periods first
 * gets one from FIRST_DAY with `before`. Returns the periods removed or overwritten (as they were)
 * and the one written, for the audit entry: both empty when nothing changed.
 */
export async function setFromDay<P extends Period>(
  manager: EntityManager,
  entity: EntityTarget<P>,
  owner: Partial<P>,
  value: Partial<P>,
  before: Partial<P>,
  day: string,
  { startsOn = false }: { startsOn?: boolean } = {},
): Promise<{ replaced: P[]; written: P[] }> {
  const periods = await manager.find(entity, { where: owner as never, order: { startDate: "ASC" } as never });
  if (periods.length === 0) periods.push(manager.create(entity, { ...owner, ...before, startDate: FIRST_DAY, createdAt: new Date() } as never) as P);
  const has = (period: P | undefined) => period !== undefined && Object.entries(value).every(([field, wanted]) => period[field] === wanted);
  const at = periods.findLastIndex((period) => period.startDate <= day);
  const covering = periods[at];
  const later = periods.slice(at + 1);
  // The periods holding the value without a break around `day` (several only where an older write
  // left repeats): it is the current value when the run goes on to the last period.
  let first = at;
  while (first > 0 && has(covering) && has(periods[first - 1])) first -= 1;
  const moves = startsOn && has(covering) && later.every(has) && periods[first]!.startDate < day;
  if (moves && first === 0) throw new NothingBefore(periods[0]!.startDate);
  if (periods[0]!.id === undefined) await manager.insert(entity, periods[0] as never);
  if (moves) {
    // The run of the value begins on `day`: its first period moves there, any repeats go.
    const run = periods.slice(first);
    if (run.length > 1) await manager.delete(entity, run.slice(1).map((period) => period.id));
    await manager.update(entity, run[0]!.id, { startDate: day } as never);
    return { replaced: run, written: [{ ...run[0]!, startDate: day }] };
  }
  if (later.length) await manager.delete(entity, later.map((period) => period.id));
  if (has(covering)) return { replaced: later, written: [] };
  const written = { ...owner, ...value, startDate: day } as unknown as P;
  if (covering?.startDate !== day) {
    await manager.insert(entity, { ...written, createdAt: new Date() } as never);
    return { replaced: later, written: [written] };
  }
  // The day's own period takes the value, or goes when the period before it already holds it.
  if (has(periods[at - 1])) {
    await manager.delete(entity, covering.id);
    return { replaced: [covering, ...later], written: [] };
  }
  await manager.update(entity, covering.id, value as never);
  return { replaced: [covering, ...later], written: [written] };
}

/** A value asked to start later than it does, when no earlier period could hold the days before. */
export class NothingBefore extends Error {
  constructor(readonly since: string) {
    super(`The value has held since ${since}, and nothing else before it could hold the days until the later start`);
  }
}
