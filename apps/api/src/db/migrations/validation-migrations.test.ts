import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { Server } from "../../servers/server.entity.js";
import { seedInventory } from "../../testing/seed.js";
import { testDatabases } from "../../testing/test-app.js";
import { OpenErrors } from "../../validation/open-errors.js";
import { CODE_RULES, ValidationErrorCode } from "../../validation/validation-codes.js";
import { ValidationError } from "../../validation/validation-error.entity.js";
import { withScratchDatabase } from "../../testing/scratch-database.js";

const AT = "2026-11-01 10:00:00.000";

describe.each(testDatabases())("the migrations to published validation runs and rules from codes, on %s", (kind) => {
  it("publishes the runs that finished, keeps the others' rows hidden, drops the derived columns, and goes back down", async () => {
    await withScratchDatabase(kind, async (db) => {
      await seedInventory(db, { servers: 1, sitesPerServer: 1, listsPerSite: 1 });
      const serverId = (await db.manager.find(Server))[0]!.id;
      // Back to before both: rules stored on each row, PENDING rows flipped at publication.
      const undo = async (names: string[]) => {
        for (const name of names) {
          await db.dataSource.undoLastMigration({ transaction: "each" });
          const last: { name: string }[] = await db.dataSource.query("SELECT name FROM migrations ORDER BY id DESC LIMIT 1");
          expect(last[0]!.name).not.toBe(name);
        }
      };
      await undo(["ValidationErrorServerIndexCode1766000000000", "ValidationErrorSupersededAt1765900000000", "ApiTokenLastUsed1765800000000", "UserDisabled1765700000000", "AuditGlobalIds1765600000000", "CustomerPlanPeriod1765500000000", "MessageLogSentAtIndex1765400000000", "MessageLogEpoch1765300000000", "ServerTls1765200000000", "MessageLogSite1765100000000", "ValidationRunWithdrawn1765000000000", "ListCustomerServerIndex1764900000000", "ValidationErrorRulesFromCode1764800000000", "ValidationRunPublished1764700000000"]);
      const sql = (text: string, parameters: unknown[] = []) => db.dataSource.query(text, parameters);

      // As the code before it left things: a published run, an abandoned one, one that never ended.
      const run = async (finishedAt: string | null, outcome: string | null) => {
        await sql("INSERT INTO validation_run (serverId, jobId, startedAt, finishedAt, outcome, version, listsChecked, errorCount, warningCount) VALUES (?, NULL, ?, ?, ?, '9.0', 0, 0, 0)", [serverId, AT, finishedAt, outcome]);
        const rows: { id: number | string }[] = await sql("SELECT MAX(id) AS id FROM validation_run");
        return Number(rows[0]!.id);
      };
      const published = await run(AT, "ERRORS");
      const abandoned = await run(AT, "ABANDONED");
      const unfinished = await run(null, null);
      const error = (runId: number, status: string, fingerprint: string, withRules = true) =>
        withRules
          ? sql(
              "INSERT INTO validation_error (runId, serverId, code, severity, objectType, objectKey, message, fixable, remedy, status, detectedAt, fingerprint) VALUES (?, ?, 'LIST_UNASSIGNED', 'ERROR', 'LIST', 'list', 'unassigned', 1, 'assign it', ?, ?, ?)",
              [runId, serverId, status, AT, fingerprint],
            )
          : sql("INSERT INTO validation_error (runId, serverId, code, objectKey, message, status, detectedAt, fingerprint) VALUES (?, ?, 'LIST_UNASSIGNED', 'list', 'unassigned', ?, ?, ?)", [runId, serverId, status, AT, fingerprint]);
      await error(published, "OPEN", "open-1");
      await error(published, "OPEN", "open-2");
      await error(published, "SUPERSEDED", "old");
      // Cannot happen (publishing made a run's rows OPEN), and must not surface as "PENDING" if it did.
      await error(published, "PENDING", "stray");
      await error(unfinished, "PENDING", "scratch");

      await db.dataSource.runMigrations({ transaction: "each" });
      const runs: { id: number | string; publishedAt: unknown }[] = await sql("SELECT id, publishedAt FROM validation_run ORDER BY id");
      expect(runs.map((row) => [Number(row.id), row.publishedAt !== null])).toEqual([
        [published, true],
        [abandoned, false],
        [unfinished, false],
      ]);
      const statuses = async () => ((await sql("SELECT fingerprint, status FROM validation_error ORDER BY id")) as { fingerprint: string; status: string }[]).map((row) => `${row.fingerprint}:${row.status}`);
      expect(await statuses()).toEqual(["open-1:OPEN", "open-2:OPEN", "old:SUPERSEDED", "scratch:PENDING"]);
      // What a validation now sees as the server's open errors: the published run's only.
      const open = await OpenErrors.of(db.manager, serverId);
      await open.read(ValidationErrorCode.LIST_UNASSIGNED);
      expect(open.take("open-1") && open.take("open-2")).toBe(true);
      expect(open.take("scratch")).toBe(false);
      // The rules now come from the code, for the rows from before as for new ones.
      const columns = async (table: string) => Object.keys(((await sql(`SELECT * FROM ${table}`)) as Record<string, unknown>[])[0]!);
      for (const column of ["severity", "objectType", "fixable", "remedy"]) expect(await columns("validation_error")).not.toContain(column);
      const entity = await db.manager.findOneByOrFail(ValidationError, { fingerprint: "open-1" });
      expect({ severity: entity.severity, objectType: entity.objectType, fixable: entity.fixable, remedy: entity.remedy }).toEqual(CODE_RULES.LIST_UNASSIGNED);

      // A run withdrawn and not yet swept when the code goes back: the old code reads its rows' status, so they are written first.
      const withdrawn = await run(AT, "ERRORS");
      await sql("UPDATE validation_run SET publishedAt = ?, withdrawnAt = ?, sweepDueAt = ? WHERE id = ?", [AT, AT, AT, withdrawn]);
      await error(withdrawn, "OPEN", "withdrawn", false);
      await error(withdrawn, "FIXED", "fixed-before", false);
      // A run writing OPEN rows when the code goes back: the old code knows them as PENDING, with their rules stored again.
      await error(unfinished, "OPEN", "new", false);
      await undo(["ValidationErrorServerIndexCode1766000000000", "ValidationErrorSupersededAt1765900000000", "ApiTokenLastUsed1765800000000", "UserDisabled1765700000000", "AuditGlobalIds1765600000000", "CustomerPlanPeriod1765500000000", "MessageLogSentAtIndex1765400000000", "MessageLogEpoch1765300000000", "ServerTls1765200000000", "MessageLogSite1765100000000", "ValidationRunWithdrawn1765000000000"]);
      expect(await statuses()).toEqual(["open-1:OPEN", "open-2:OPEN", "old:SUPERSEDED", "scratch:PENDING", "withdrawn:SUPERSEDED", "fixed-before:FIXED", "new:OPEN"]);
      expect(await columns("validation_run")).not.toContain("sweepDueAt");
      await undo(["ListCustomerServerIndex1764900000000", "ValidationErrorRulesFromCode1764800000000", "ValidationRunPublished1764700000000"]);
      expect(await statuses()).toEqual(["open-1:OPEN", "open-2:OPEN", "old:SUPERSEDED", "scratch:PENDING", "withdrawn:SUPERSEDED", "fixed-before:FIXED", "new:PENDING"]);
      const rules: { severity: string; objectType: string; fixable: unknown; remedy: string }[] = await sql("SELECT severity, objectType, fixable, remedy FROM validation_error WHERE fingerprint = 'new'");
      // The rule as the code of that time had it (the remedy has been reworded since).
      expect({ ...rules[0]!, fixable: Boolean(Number(rules[0]!.fixable)) }).toEqual({ severity: "ERROR", objectType: "LIST", fixable: false, remedy: "Assign the list to a customer." });
      expect(await columns("validation_run")).not.toContain("publishedAt");
    });
  }, 60_000);
});
