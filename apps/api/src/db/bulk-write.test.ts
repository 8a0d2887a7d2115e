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
    const rows = Array.from({ length: 7 }, (_, index) => ({
      at,
      actor: index % 2 ? null : "admin",
      requestId: `bulk-${index}`,
      action: "test.bulk",
      objectType: "List",
      objectId: null,
      objectKey: `it's "list" ${index}`,
      before: null,
      after: { name: `list ${index}`, disabled: index % 2 === 1, nested: { n: index } },
    }));
    await app.db.transaction((manager) => bulkInsert(manager, AuditEntry, rows, { kind: "error" }, 3));
    const read = await app.db.manager.find(AuditEntry, { where: { action: "test.bulk" }, order: { id: "ASC" } });
    expect(read.map(({ id: _id, ...row }) => row)).toEqual(rows);
    expect(read[0]!.at.toISOString()).toBe("2026-01-31T23:59:58.123Z");
  });
});
