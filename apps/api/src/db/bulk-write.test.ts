import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditEntry } from "../audit/audit-entry.entity.js";
import { type TestApp, startTestApp, testDatabases } from "../testing/test-app.js";
import { bulkInsert } from "./bulk-write.js";

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
});
