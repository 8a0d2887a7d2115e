import { QueryFailedError } from "typeorm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditEntry } from "../audit/audit-entry.entity.js";
import { type TestApp, startTestApp, testDatabases } from "../testing/test-app.js";
import { bulkInsert } from "./bulk-write.js";
import { isUniqueViolation } from "./database.js";

describe.each(testDatabases())("bulkInsert on %s", (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("writes instants, JSON and nulls that TypeORM reads back as it wrote them, in chunks", async () => {
    const at = new Date(Date.UTC(2026, 0, 31, 23, 59, 58, 123));
    // Instants shared by neighbours, equal in other instances, and changing; text MySQL must unescape.
    const instants = [at, at, new Date(at.getTime()), new Date(at.getTime() + 1), at, new Date(Date.UTC(1999, 11, 31, 0, 0, 0, 1)), at];
    const awkward = ["", "back\\slash \\' and \\\"", "line\nbreak\r\ttab", "nul\u0000ctrl-z\u001a", "ünïcode 🚀 ✓", "?? ? :name", "'; DROP TABLE audit_entry; --"];
    const rows = Array.from({ length: 7 }, (_, index) => ({
      at: instants[index]!,
      actor: index % 2 ? null : "admin",
      requestId: `bulk-${index}`,
      action: "test.bulk",
      objectType: "List",
      objectId: null,
      objectKey: `it's "list" ${index} ${awkward[index]}`,
      before: null,
      after: { name: `list ${index}`, disabled: index % 2 === 1, nested: { n: index } },
    }));
    await app.db.transaction((manager) => bulkInsert(manager, AuditEntry, rows, { kind: "error" }, 3));
    const read = await app.db.manager.find(AuditEntry, { where: { action: "test.bulk" }, order: { id: "ASC" } });
    expect(read.map(({ id: _id, ...row }) => row)).toEqual(rows);
    expect(read[0]!.at.toISOString()).toBe("2026-01-31T23:59:58.123Z");
    expect(read.map((row) => row.at.getTime())).toEqual(instants.map((instant) => instant.getTime()));
  });

  it("writes outside a transaction too, each chunk one statement the counter sees; a chunk that fails is a QueryFailedError and writes nothing", async () => {
    const at = new Date(Date.UTC(2026, 10, 27, 8, 0, 0, 5));
    const entry = (index: number) => ({ at, actor: null, requestId: `single-${index}`, action: "test.single", objectType: "List", objectId: String(index), objectKey: `list ${index} 'quoted'`, before: null, after: { index } });
    const before = app.db.sqlCounter.count;
    await app.db.statement((manager) => bulkInsert(manager, AuditEntry, [0, 1, 2, 3, 4].map(entry), { kind: "error" }, 2));
    // Three chunks; on SQLite statement() also opens and commits a transaction.
    expect(app.db.sqlCounter.count - before).toBe(kind === "mysql" ? 3 : 5);
    const written = await app.db.manager.find(AuditEntry, { where: { action: "test.single" }, order: { id: "ASC" } });
    expect(written.map(({ id: _id, ...row }) => row)).toEqual([0, 1, 2, 3, 4].map(entry));

    // A full chunk whose second row takes an id already used: the whole statement fails.
    const taken = written[0]!.id;
    const clash = [{ id: taken + 1_000_000, ...entry(5) }, { id: taken, ...entry(6) }];
    const error = await app.db.statement((manager) => bulkInsert(manager, AuditEntry, clash, { kind: "error" }, 2)).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueryFailedError);
    if (kind === "mysql") expect(isUniqueViolation(error)).toBe(true);
    expect(await app.db.manager.count(AuditEntry, { where: { action: "test.single" } })).toBe(5);
  });
});
