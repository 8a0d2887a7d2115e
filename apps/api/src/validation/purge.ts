import { Brackets, type EntityManager, In, IsNull, LessThan, Not } from "typeorm";
import { z } from "zod";
import { type ChangeAuthor, recordChanges } from "../audit/audit.js";
import { instantParameter } from "../db/columns.js";
import type { Database } from "../db/database.js";
import { refreshStatistics } from "../db/statistics.js";
import { toGlobalId } from "../graphql/global-id.js";
import { parseInput } from "../graphql/input-validation.js";
import { calendarDateField } from "../graphql/validators.js";
import { namedServerIds } from "../servers/named-servers.js";
import { Server } from "../servers/server.entity.js";
import { ValidationErrorCode, ValidationErrorStatus } from "./validation-codes.js";
import { ValidationError } from "./validation-error.entity.js";
import { ValidationRun } from "./validation-run.entity.js";

/**
 * Rows one call deletes at most, in one transaction: a script or the SPA calls again while more
 * remain. Kept small: a transaction's row images travel whole to a replica (Galera, group
 * replication), and on SQLite the statements run synchronously, holding up every request.
 */
export const PURGE_MAX = 20_000;
const PURGE_DEFAULT = 10_000;
const DELETE_CHUNK = 1000;

const purgeSchema = z.object({
  supersededBefore: calendarDateField,
  serverIds: z.array(z.string()).nullish(),
  limit: z.number().int().min(1, "At least 1").max(PURGE_MAX, `At most ${PURGE_MAX.toLocaleString("en")}`).nullish(),
  dryRun: z.boolean().nullish(),
});

// Too many servers and unknown server IDs are refused by namedServerIds.
const purgeFieldCodes: Record<string, string> = { supersededBefore: "INVALID_DATE", limit: "INVALID_LIMIT" };

export interface PurgeOutcome {
  deleted: number;
  hasMore: boolean;
  /** A dry run's count; null otherwise (counting every row at each call would cost more than deleting). */
  remaining: number | null;
}

/**
 * Deletes the validation errors a later validation replaced before a day: a fleet validated daily
 * leaves a million a day. SUPERSEDED as every reader sees it: rows written SUPERSEDED (dated by
 * supersededAt, or by their first finding for rows from before that column), and the OPEN rows of
 * runs withdrawn before that day that the sweep has not reached yet (the sweep then writes fewer
 * rows). Only when an admin asks, only those, and never LIST_RECREATED (the fix dates the end of
 * a recreated list's old assignments from its first report). At most `limit` rows a call, in one
 * transaction with its audit entry, so a killed process leaves either the whole call or none of
 * it. On MySQL the rows are taken FOR UPDATE SKIP LOCKED: two purges at once delete different
 * rows, and each says what it deleted. `dryRun` only counts.
 */
export async function purgeSupersededErrors(db: Database, input: unknown, author: ChangeAuthor): Promise<PurgeOutcome> {
  const fields = parseInput(purgeSchema, input, purgeFieldCodes);
  const serverIds = fields.serverIds ? await namedServerIds(db.manager.getRepository(Server), fields.serverIds) : null;
  const day = new Date(`${fields.supersededBefore}T00:00:00.000Z`);
  const before = instantParameter(day);
  // Named rather than asked for by a subquery (see statusNowIn), and none in the locking read
  // below: it would lock those validation_run rows too. Only published runs are withdrawn.
  const unsweptRuns = async (manager: EntityManager) => (await manager.find(ValidationRun, { select: { id: true }, where: { sweepDueAt: Not(IsNull()), withdrawnAt: LessThan(day) } })).map((run) => Number(run.id));
  const eligible = (manager: EntityManager, unswept: number[]) => {
    const query = manager
      .getRepository(ValidationError)
      .createQueryBuilder("error")
      .where(
        new Brackets((superseded) => {
          superseded.where("error.status = :superseded AND COALESCE(error.supersededAt, error.detectedAt) < :before", { superseded: ValidationErrorStatus.SUPERSEDED, before });
          if (unswept.length) superseded.orWhere(`error.status = :open AND error.runId IN (${unswept.join(", ")})`, { open: ValidationErrorStatus.OPEN });
        }),
      )
      .andWhere("error.code <> :recreated", { recreated: ValidationErrorCode.LIST_RECREATED });
    if (serverIds) query.andWhere("error.serverId IN (:...serverIds)", { serverIds: serverIds.length ? serverIds : [0] });
    return query;
  };
  if (fields.dryRun) {
    const remaining = await eligible(db.manager, await unsweptRuns(db.manager)).getCount();
    return { deleted: 0, hasMore: remaining > 0, remaining };
  }
  const limit = fields.limit ?? PURGE_DEFAULT;
  const outcome = await db.transaction(async (manager) => {
    const unswept = await unsweptRuns(manager);
    const query = eligible(manager, unswept).select("error.id", "id").orderBy("error.id", "ASC").limit(limit);
    if (db.kind === "mysql") query.setLock("pessimistic_write").setOnLocked("skip_locked");
    const ids = (await query.getRawMany<{ id: number | string }>()).map((row) => Number(row.id));
    let deleted = 0;
    for (let offset = 0; offset < ids.length; offset += DELETE_CHUNK) {
      deleted += (await manager.delete(ValidationError, { id: In(ids.slice(offset, offset + DELETE_CHUNK)) })).affected ?? 0;
    }
    // One more, not locked: rows another purge holds count too (a further call finds them gone).
    const hasMore = (await eligible(manager, unswept).select("error.id", "id").orderBy("error.id", "ASC").limit(1).getRawMany()).length > 0;
    if (deleted > 0) {
      await recordChanges(manager, author, [
        {
          action: "validationErrors.purge",
          objectType: "ValidationError",
          objectKey: `SUPERSEDED before ${fields.supersededBefore}`,
          before: null,
          after: { status: ValidationErrorStatus.SUPERSEDED, supersededBefore: fields.supersededBefore, serverIds: serverIds?.map((id) => toGlobalId("Server", id)) ?? null, deleted },
        },
      ]);
    }
    return { deleted, hasMore, remaining: null };
  });
  await refreshStatistics(db, ["validation_error"], outcome.deleted);
  return outcome;
}
