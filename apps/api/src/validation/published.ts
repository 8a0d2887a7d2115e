import { type EntityManager, In, IsNull, Not } from "typeorm";
import { ValidationErrorStatus } from "./validation-codes.js";
import type { ValidationError } from "./validation-error.entity.js";
import { ValidationRun } from "./validation-run.entity.js";

/**
 * A validation run writes its errors as OPEN rows while it reads the hosting server, and they
 * count only once the run is published (validation_run.publishedAt, set in the run's final
 * transaction with its figures). Until then, and for ever for a run that died or was abandoned,
 * they are invisible: every read of validation_error adds this condition for its alias.
 *
 * Publishing so costs one row, where making a run's rows OPEN at the end cost an UPDATE of each
 * (0.7 to 1 s for 100,000 errors on MariaDB). Unpublished runs are few (at most one running per
 * server, and the rare dead one), and the indexes that find OPEN errors carry runId, so the test
 * is read from the index.
 */
export function publishedOnly(alias: string): string {
  return `${alias}.runId NOT IN (SELECT unpublished.id FROM validation_run unpublished WHERE unpublished.publishedAt IS NULL)`;
}

/**
 * The same goes for superseding. A run that finds few of the server's OPEN errors again (the
 * first after a sync replaces 100,000 NEW_LIST errors with as many LIST_UNASSIGNED ones) takes
 * the few into itself and withdraws the earlier runs as a whole (validation_run.withdrawnAt and
 * sweepDueAt): one row a run, where writing SUPERSEDED into each error cost MariaDB about 30 µs
 * a row, 3 s a server, while the run's own inserts waited. A background sweep (superseded-sweep.ts)
 * writes SUPERSEDED into those rows afterwards and then clears sweepDueAt. Until it has, a row of
 * a withdrawn run that still says OPEN is SUPERSEDED: every read that asks for a status asks
 * through these functions, and every error it returns goes through `effectiveStatuses`.
 */
const WITHDRAWN_RUNS = "SELECT withdrawn.id FROM validation_run withdrawn WHERE withdrawn.sweepDueAt IS NOT NULL";

/**
 * The condition for the alias's errors that are OPEN now: published, and not of a withdrawn run.
 * For a server's errors (its open errors, its count, and their codes), read from the
 * (serverId, status, id, runId, code) index.
 */
export function openNow(alias: string): string {
  return `${alias}.status = '${ValidationErrorStatus.OPEN}' AND ${alias}.runId NOT IN (${WITHDRAWN_RUNS}) AND ${publishedOnly(alias)}`;
}

/** Ids of validation runs withdrawn and not yet swept. */
export type WithdrawnRuns = ReadonlySet<number>;

/**
 * The runs withdrawn whose rows the sweep has still to write: few (the sweep clears each within
 * about a minute of its withdrawal), read once per request and named in its conditions.
 */
export async function withdrawnRuns(manager: EntityManager): Promise<WithdrawnRuns> {
  const runs = await manager.find(ValidationRun, { select: { id: true }, where: { sweepDueAt: Not(IsNull()) } });
  return new Set(runs.map((run) => Number(run.id)));
}

/**
 * The condition for the alias's errors whose status now is one of `statuses` (constants, not user
 * text), given the runs withdrawn now. They are named rather than asked for by a subquery: with
 * the subquery, MariaDB answered "SUPERSEDED" by reading every OPEN entry of the status index to
 * test its run, 0.4 to 2 s for a fleet's 1,000,000 OPEN errors, however few were superseded;
 * named (none, usually), it reads only what it counts.
 */
export function statusNowIn(alias: string, statuses: readonly ValidationErrorStatus[], withdrawn: WithdrawnRuns): string {
  const known = new Set<string>(Object.values(ValidationErrorStatus));
  const wanted = new Set(statuses.filter((status) => known.has(status)));
  const runs = [...withdrawn].map((id) => {
    if (!Number.isSafeInteger(id)) throw new Error(`a run id that is not an integer: ${id}`);
    return id;
  });
  const alternatives: string[] = [];
  const open = `${alias}.status = '${ValidationErrorStatus.OPEN}'`;
  if (wanted.has(ValidationErrorStatus.OPEN)) alternatives.push(runs.length ? `(${open} AND ${alias}.runId NOT IN (${runs.join(", ")}))` : open);
  if (wanted.has(ValidationErrorStatus.SUPERSEDED) && runs.length) alternatives.push(`(${open} AND ${alias}.runId IN (${runs.join(", ")}))`);
  const stored = [...wanted].filter((status) => status !== ValidationErrorStatus.OPEN);
  if (stored.length) alternatives.push(`${alias}.status IN (${stored.map((status) => `'${status}'`).join(", ")})`);
  return alternatives.length ? `(${alternatives.join(" OR ")})` : "1 = 0";
}

/**
 * Errors as they stand now: an OPEN one of a withdrawn run, not yet swept, is SUPERSEDED. Given
 * the withdrawn runs a request has read already (withdrawnRuns), it costs no query; otherwise
 * one, on validation_run's primary key, and none when no error given is OPEN.
 */
export async function effectiveStatuses<T extends Pick<ValidationError, "runId" | "status">>(manager: EntityManager, errors: T[], withdrawn?: WithdrawnRuns): Promise<T[]> {
  const runIds = [...new Set(errors.filter((error) => error.status === ValidationErrorStatus.OPEN).map((error) => error.runId))];
  if (runIds.length === 0) return errors;
  const due = withdrawn ?? new Set((await manager.find(ValidationRun, { select: { id: true }, where: { id: In(runIds), sweepDueAt: Not(IsNull()) } })).map((run) => Number(run.id)));
  if (due.size) for (const error of errors) if (error.status === ValidationErrorStatus.OPEN && due.has(error.runId)) error.status = ValidationErrorStatus.SUPERSEDED;
  return errors;
}
