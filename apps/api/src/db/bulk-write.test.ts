import { DataSource, type EntityManager, QueryFailedError } from "typeorm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditEntry } from "../audit/audit-entry.entity.js";
import { type TestApp, startTestApp, testDatabases } from "../testing/test-app.js";
import { bulkInsert } from "./bulk-write.js";
import { isUniqueViolation } from "./database.js";
import { loadDataAllowed, setLoadDataAllowed } from "./load-data.js";

describe.each(testDatabases())("bulkInsert on %s", (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it.each([false, true])("writes instants, JSON and nulls that TypeORM reads back as it wrote them, in chunks (loadData %s)", async (loadData) => {
    const at = new Date(Date.UTC(2026, 0, 31, 23, 59, 58, 123));
    // Instants shared by neighbours, equal in other instances, and changing; text MySQL must unescape.
    const instants = [at, at, new Date(at.getTime()), new Date(at.getTime() + 1), at, new Date(Date.UTC(1999, 11, 31, 0, 0, 0, 1)), at];
    const awkward = ["", "back\\slash \\' and \\\"", "line\nbreak\r\ttab", "nul\u0000ctrl-z\u001a", "ünïcode 🚀 ✓", "?? ? :name", "'; DROP TABLE audit_entry; --"];
    const rows = Array.from({ length: 7 }, (_, index) => ({
      at: instants[index]!,
      actor: index % 2 ? null : "admin",
      requestId: `bulk-${index}`,
      action: `test.bulk.${loadData}`,
      objectType: "List",
      objectId: null,
      objectKey: `it's "list" ${index} ${awkward[index]}`,
      before: null,
      after: { name: `list ${index}`, disabled: index % 2 === 1, nested: { n: index } },
    }));
    const before = app.db.sqlCounter.count;
    const loads = await app.db.transaction(async (manager) => {
      const started = await sessionLoads(manager, kind);
      await bulkInsert(manager, AuditEntry, rows, { kind: "error" }, 3, { loadData });
      return (await sessionLoads(manager, kind)) - started;
    });
    if (kind === "mysql") {
      // The transaction's isolation level, start and commit; two statements counting the session's
      // loads; three chunks, each one statement (LOAD DATA when asked for and the server allows it).
      expect(app.db.sqlCounter.count - before).toBe(3 + 2 + 3);
      expect(loads).toBe(loadData && loadDataAllowed(app.db.dataSource) ? 3 : 0);
    }
    const read = await app.db.manager.find(AuditEntry, { where: { action: `test.bulk.${loadData}` }, order: { id: "ASC" } });
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

/** LOAD DATA statements this session (the transaction's connection) has run so far; 0 on SQLite. */
async function sessionLoads(manager: EntityManager, kind: string): Promise<number> {
  if (kind !== "mysql") return 0;
  const [row] = (await manager.query("SHOW SESSION STATUS LIKE 'Com_load'")) as { Value: string }[];
  return Number(row!.Value);
}

describe.skipIf(!testDatabases().includes("mysql"))("bulkInsert by LOAD DATA LOCAL on MySQL", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp("mysql");
  });
  // MySQL 8 turns local_infile off by default: there every write is an INSERT, as the tests above show.
  const loadIt = (name: string, test: () => Promise<void>) =>
    it(name, async (context) => {
      if (!loadDataAllowed(app.db.dataSource)) context.skip();
      await test();
    });
  afterAll(async () => {
    await app?.stop();
  });
  const entry = (action: string, index: number) => ({ at: new Date(Date.UTC(2026, 10, 27, 9, 0, 0, index)), actor: null, requestId: `load-${index}`, action, objectType: "List", objectId: String(index), objectKey: `list\t${index}\\N`, before: null, after: { index } });

  loadIt("sends each chunk as one LOAD DATA statement, and fails a chunk the database took in part, saying so", async () => {
    const before = app.db.sqlCounter.count;
    await app.db.statement((manager) => bulkInsert(manager, AuditEntry, [0, 1, 2, 3, 4].map((index) => entry("test.load", index)), { kind: "error" }, 2, { loadData: true }));
    expect(app.db.sqlCounter.count - before).toBe(3);
    // Which statements those were, counted by the session that ran them.
    const loads = await app.db.transaction(async (manager) => {
      const started = await sessionLoads(manager, "mysql");
      await bulkInsert(manager, AuditEntry, [0, 1, 2].map((index) => entry("test.load.counted", index)), { kind: "error" }, 2, { loadData: true });
      return (await sessionLoads(manager, "mysql")) - started;
    });
    expect(loads).toBe(2);
    const written = await app.db.manager.find(AuditEntry, { where: { action: "test.load" }, order: { id: "ASC" } });
    expect(written.map(({ id: _id, ...row }) => row)).toEqual([0, 1, 2, 3, 4].map((index) => entry("test.load", index)));

    // The price of LOAD DATA LOCAL: a duplicate key is skipped, not refused, so the chunk's other row is in.
    const taken = written[0]!.id;
    const clash = [{ id: taken + 1_000_000, ...entry("test.load", 5) }, { id: taken, ...entry("test.load", 6) }];
    await expect(app.db.statement((manager) => bulkInsert(manager, AuditEntry, clash, { kind: "error" }, 2, { loadData: true }))).rejects.toThrow("LOAD DATA into `audit_entry` wrote 1 of 2 rows, with 1 warnings");
    expect(await app.db.manager.count(AuditEntry, { where: { action: "test.load" } })).toBe(6);

    // In a transaction the failed chunk rolls back with everything before it.
    const rolledBack = [0, 1, 2].map((index) => ({ id: taken + 2_000_000 + index, ...entry("test.load.rolled-back", index) }));
    await expect(app.db.transaction((manager) => bulkInsert(manager, AuditEntry, [...rolledBack, { id: taken, ...entry("test.load.rolled-back", 3) }], { kind: "error" }, 2, { loadData: true }))).rejects.toThrow("wrote 1 of 2 rows");
    expect(await app.db.manager.count(AuditEntry, { where: { action: "test.load.rolled-back" } })).toBe(0);
  });

  loadIt("checks what the database took: a value its column cannot hold fails the chunk, as an INSERT would", async () => {
    const tooLong = { ...entry("test.load.too-long", 0), objectKey: "x".repeat(201) };
    await expect(app.db.transaction((manager) => bulkInsert(manager, AuditEntry, [tooLong], { kind: "error" }, 2, { loadData: true }))).rejects.toThrow("wrote 1 of 1 rows, with 1 warnings");
    const insertError = await app.db.transaction((manager) => bulkInsert(manager, AuditEntry, [tooLong], { kind: "error" }, 2)).then(() => undefined, (caught: unknown) => caught);
    expect(insertError).toBeInstanceOf(QueryFailedError);
    expect(await app.db.manager.count(AuditEntry, { where: { action: "test.load.too-long" } })).toBe(0);
  });

  loadIt("sends a chunk holding a value LOAD DATA text cannot carry (an invalid date) as an INSERT, which refuses it as before", async () => {
    const rows = [entry("test.load.mixed", 0), entry("test.load.mixed", 1), { ...entry("test.load.mixed", 2), at: new Date(Number.NaN) }];
    let loads = 0;
    const error = await app.db.transaction(async (manager) => {
      const started = await sessionLoads(manager, "mysql");
      try {
        await bulkInsert(manager, AuditEntry, rows, { kind: "error" }, 2, { loadData: true });
      } finally {
        loads = (await sessionLoads(manager, "mysql")) - started;
      }
    }).then(() => undefined, (caught: unknown) => caught);
    // The first chunk was loaded; the second, as an INSERT, failed on its NULL instant, and the transaction rolled both back.
    expect(loads).toBe(1);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(String(error)).toContain("'at' cannot be null");
    expect(await app.db.manager.count(AuditEntry, { where: { action: "test.load.mixed" } })).toBe(0);
  });

  loadIt("serves the server no file it names, only the rows registered for the statement", async () => {
    const before = await app.db.manager.count(AuditEntry);
    const error = await app.db.manager.query("LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE audit_entry (objectKey)").then(() => undefined, (caught: unknown) => caught);
    expect(String(error)).toContain("listbill sends only rows it registered for LOAD DATA LOCAL");
    expect(await app.db.manager.count(AuditEntry)).toBe(before);
  });

  loadIt("writes INSERT statements instead when the database refuses LOAD DATA LOCAL, and from then on", async () => {
    // A pool whose connections do not offer LOCAL_FILES: MariaDB and MySQL refuse the statement (1148 / 3948) before any row.
    const options = app.db.dataSource.options as { extra: Record<string, unknown> };
    const refusing = new DataSource({ ...app.db.dataSource.options, migrations: [], extra: { ...options.extra, flags: "-LOCAL_FILES" } } as typeof app.db.dataSource.options);
    await refusing.initialize();
    try {
      setLoadDataAllowed(refusing, true);
      const rows = [0, 1, 2].map((index) => entry("test.refused", index));
      const loads = await refusing.transaction(async (manager) => {
        const started = await sessionLoads(manager, "mysql");
        await bulkInsert(manager, AuditEntry, rows, { kind: "error" }, 2, { loadData: true });
        return (await sessionLoads(manager, "mysql")) - started;
      });
      // The server counts the one it refused; the second chunk was not tried as a LOAD DATA.
      expect(loads).toBe(1);
      expect(loadDataAllowed(refusing)).toBe(false);
      const written = await refusing.manager.find(AuditEntry, { where: { action: "test.refused" }, order: { id: "ASC" } });
      expect(written.map(({ id: _id, ...row }) => row)).toEqual(rows);
    } finally {
      await refusing.destroy();
    }
    // The app's own pool still loads.
    expect(loadDataAllowed(app.db.dataSource)).toBe(true);
  });
});
