import { In } from "typeorm";
import { z } from "zod";
import { type ChangeAuthor, recordChanges } from "../audit/audit.js";
import { instantParameter } from "../db/columns.js";
import type { Database } from "../db/database.js";
import { fromGlobalId, toGlobalId } from "../graphql/global-id.js";
import { parseInput } from "../graphql/input-validation.js";
import { UserInputFailure, userError } from "../graphql/user-error.js";
import { calendarDateField } from "../graphql/validators.js";
import { Server } from "../servers/server.entity.js";
import { statusNowIn, withdrawnRuns } from "./published.js";
import { ValidationErrorCode, ValidationErrorStatus } from "./validation-codes.js";
import { ValidationError } from "./validation-error.entity.js";

/** Rows one call deletes at most, in one transaction: a script or the SPA calls again while some remain. */
export const PURGE_MAX = 100_000;
const PURGE_DEFAULT = 10_000;
const DELETE_CHUNK = 1000;

const purgeSchema = z.object({
  before: calendarDateField,
  serverIds: z.array(z.string()).max(1000, "At most 1,000 servers").nullish(),
  limit: z.number().int().min(1, "At least 1").max(PURGE_MAX, `At most ${PURGE_MAX.toLocaleString("en")}`).nullish(),
  dryRun: z.boolean().nullish(),
});

const purgeFieldCodes: Record<string, string> = { before: "INVALID_DATE", serverIds: "SERVER_NOT_FOUND", limit: "INVALID_LIMIT" };

export interface PurgeOutcome {
  deleted: number;
  remaining: number;
}

/**
 * Deletes SUPERSEDED validation errors found before a day: a later run replaced each of them, and
 * a fleet validated daily leaves a million a day. SUPERSEDED as every reader sees it, the rows
 * of a withdrawn run the sweep has not reached yet included (the sweep then writes fewer rows).
 * Only when an admin asks, only that status, and
 * never LIST_RECREATED (the fix dates the end of a recreated list's old assignments from its
 * first report). At most `limit` rows a call, in one transaction with its audit entry, so a
 * killed process leaves either the whole call or none of it. `dryRun` only counts.
 */
export async function purgeSupersededErrors(db: Database, input: unknown, author: ChangeAuthor): Promise<PurgeOutcome> {
  const fields = parseInput(purgeSchema, input, purgeFieldCodes);
  const serverIds = fields.serverIds ? await knownServers(db, fields.serverIds) : null;
  const before = instantParameter(new Date(`${fields.before}T00:00:00.000Z`));
  return db.transaction(async (manager) => {
    // SUPERSEDED as readers see it: the rows of runs withdrawn and not yet swept too.
    const superseded = statusNowIn("error", [ValidationErrorStatus.SUPERSEDED], await withdrawnRuns(manager));
    const eligible = () => {
      const query = manager
        .getRepository(ValidationError)
        .createQueryBuilder("error")
        .where(superseded)
        .andWhere("error.code <> :recreated", { recreated: ValidationErrorCode.LIST_RECREATED })
        .andWhere("error.detectedAt < :before", { before });
      if (serverIds) query.andWhere("error.serverId IN (:...serverIds)", { serverIds: serverIds.length ? serverIds : [0] });
      return query;
    };
    if (fields.dryRun) return { deleted: 0, remaining: await eligible().getCount() };
    const rows: { id: number | string }[] = await eligible()
      .select("error.id", "id")
      .orderBy("error.id", "ASC")
      .limit(fields.limit ?? PURGE_DEFAULT)
      .getRawMany();
    const ids = rows.map((row) => Number(row.id));
    for (let offset = 0; offset < ids.length; offset += DELETE_CHUNK) {
      await manager.delete(ValidationError, { id: In(ids.slice(offset, offset + DELETE_CHUNK)) });
    }
    if (ids.length) {
      await recordChanges(manager, author, [
        {
          action: "validationErrors.purge",
          objectType: "ValidationError",
          objectKey: `SUPERSEDED before ${fields.before}`,
          before: null,
          after: { status: ValidationErrorStatus.SUPERSEDED, before: fields.before, serverIds: serverIds?.map((id) => toGlobalId("Server", id)) ?? null, deleted: ids.length },
        },
      ]);
    }
    return { deleted: ids.length, remaining: await eligible().getCount() };
  });
}

/** The servers' row ids; an ID no server has refuses the call, naming each. */
async function knownServers(db: Database, globalIds: string[]): Promise<number[]> {
  const ids = globalIds.map((globalId) => fromGlobalId("Server", globalId));
  const known = ids.filter((id): id is number => id !== null);
  const found = new Set((known.length ? await db.manager.find(Server, { select: { id: true }, where: { id: In(known) } }) : []).map((server) => server.id));
  const problems = ids.flatMap((id, index) => (id !== null && found.has(id) ? [] : [userError("SERVER_NOT_FOUND", `No server has the ID "${globalIds[index]}"`, ["input", "serverIds", String(index)])]));
  if (problems.length) throw new UserInputFailure(problems);
  return [...new Set(known)];
}
