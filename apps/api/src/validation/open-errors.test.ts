import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkInsert } from "../db/bulk-write.js";
import { seedInventory } from "../testing/seed.js";
import { type TestApp, startTestApp, testDatabases } from "../testing/test-app.js";
import { Server } from "../servers/server.entity.js";
import { OpenErrors, openCountQuery, openPageQuery } from "./open-errors.js";
import { ValidationErrorCode, ValidationErrorStatus } from "./validation-codes.js";
import { ValidationError } from "./validation-error.entity.js";
import { ValidationRun } from "./validation-run.entity.js";

describe.each(testDatabases())("a server's open errors by fingerprint, on %s", (kind) => {
  let app: TestApp;
  let serverId: number;
  const ids = new Map<string, number[]>();
  beforeAll(async () => {
    app = await startTestApp(kind);
    await app.stopBackgroundWork();
    await seedInventory(app.db, { servers: 2, sitesPerServer: 1, listsPerSite: 1 });
    const [server, other] = await app.db.manager.find(Server, { order: { id: "ASC" } });
    serverId = server!.id;
    const newRun = (server: Server, published: boolean) =>
      app.db.manager.save(ValidationRun, app.db.manager.create(ValidationRun, { serverId: server.id, jobId: null, startedAt: new Date(), finishedAt: published ? new Date() : null, publishedAt: published ? new Date() : null, outcome: published ? "ERRORS" : null, version: "9.0" }));
    const runs = await Promise.all([newRun(server!, true), newRun(other!, true)]);
    const running = await newRun(server!, false);
    // Withdrawn by a later run, its rows not yet swept: they read as SUPERSEDED, not OPEN.
    const withdrawn = await newRun(server!, true);
    await app.db.manager.update(ValidationRun, { id: withdrawn.id }, { withdrawnAt: new Date(), sweepDueAt: new Date() });
    const row = (server: number, fingerprint: string | null, status: ValidationErrorStatus, runId = runs[server === serverId ? 0 : 1]!.id, code = ValidationErrorCode.LIST_UNASSIGNED) => ({
      runId, serverId: server, customerId: null, siteId: null, listId: null, code,
      objectKey: "list", message: "unassigned", billingValue: null, hostingValue: null, status, detectedAt: new Date(), fixedAt: null, fingerprint,
    });
    // 12,003 open errors, more than two pages of the read: "once" each, "twice" twice, "thrice" three times, one from before fingerprints.
    const rows = [
      ...Array.from({ length: 11_994 }, (_, i) => row(serverId, `once-${i}`, ValidationErrorStatus.OPEN)),
      ...["twice", "twice", "thrice", "thrice", "thrice"].map((fingerprint) => row(serverId, fingerprint, ValidationErrorStatus.OPEN)),
      row(serverId, null, ValidationErrorStatus.OPEN),
      // Not open, or another server's: not read.
      row(serverId, "fixed", ValidationErrorStatus.FIXED),
      row(other!.id, "elsewhere", ValidationErrorStatus.OPEN),
      // Written by a run not yet published: not an open error yet.
      row(serverId, "unpublished", ValidationErrorStatus.OPEN, running.id),
      row(serverId, "withdrawn", ValidationErrorStatus.OPEN, withdrawn.id),
      // Of another code: read only when asked for.
      ...["new-1", "new-2", "new-2"].map((fingerprint) => row(serverId, fingerprint, ValidationErrorStatus.OPEN, runs[0]!.id, ValidationErrorCode.NEW_LIST)),
    ];
    await app.db.transaction((manager) => bulkInsert(manager, ValidationError, rows));
    for (const error of await app.db.manager.find(ValidationError, { where: { serverId, status: ValidationErrorStatus.OPEN, runId: runs[0]!.id }, order: { id: "ASC" } })) {
      const key = error.fingerprint ?? "none";
      ids.set(key, [...(ids.get(key) ?? []), error.id]);
    }
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
  });

  it("takes each open error once and leaves exactly the ones not found again", async () => {
    const open = await OpenErrors.of(app.db.manager, serverId);
    // Counted, not read: nothing can be taken before its code is read.
    expect(open.ready(ValidationErrorCode.LIST_UNASSIGNED)).toBe(false);
    expect(open.ready(ValidationErrorCode.LIST_CHANGED)).toBe(true);
    expect(open.remainingCount()).toBe(12_003);
    expect(open.take("once-0")).toBe(false);
    await Promise.all([open.read(ValidationErrorCode.LIST_UNASSIGNED), open.read(ValidationErrorCode.LIST_UNASSIGNED)]);
    expect(open.ready(ValidationErrorCode.LIST_UNASSIGNED)).toBe(true);
    for (let i = 0; i < 11_994; i += 2) expect(open.take(`once-${i}`)).toBe(true);
    expect(open.take("once-0")).toBe(false);
    expect(open.take("twice")).toBe(true);
    expect(open.take("thrice")).toBe(true);
    expect(open.take("thrice")).toBe(true);
    expect(open.take("fixed")).toBe(false);
    expect(open.take("elsewhere")).toBe(false);
    expect(open.take("unpublished")).toBe(false);
    expect(open.take("withdrawn")).toBe(false);
    // The other code's errors are not read, so not taken, but they count as left.
    expect(open.take("new-1")).toBe(false);
    expect(open.ready(ValidationErrorCode.NEW_LIST)).toBe(false);
    expect(open.remainingCount()).toBe(5_997 + 1 + 1 + 1 + 3);
    const expected = [
      ...Array.from({ length: 5_997 }, (_, i) => ids.get(`once-${2 * i + 1}`)![0]!),
      ...ids.get("twice")!.slice(0, 1),
      ...ids.get("thrice")!.slice(0, 1),
      ...ids.get("none")!,
      ...ids.get("new-1")!,
      ...ids.get("new-2")!,
    ];
    expect((await open.remaining()).sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
    expect(open.ready(ValidationErrorCode.NEW_LIST)).toBe(true);
    expect(open.remainingCount()).toBe(expected.length);
    // What was taken is the rest of the server's published open errors, each once.
    const all = [...ids.values()].flat();
    expect([...open.taken(), ...(await open.remaining())].sort((a, b) => a - b)).toEqual(all.sort((a, b) => a - b));
    expect(open.taken()).toContain(ids.get("thrice")![2]);
  });
  it("counts and reads them by code from the server's index, not a row per open error", async () => {
    if (kind === "mysql") await app.db.manager.query("ANALYZE TABLE `validation_error`");
    const explain = async (query: { getQueryAndParameters(): [string, unknown[]] }) => {
      const [sql, parameters] = query.getQueryAndParameters();
      return (await app.db.manager.query(`${kind === "sqlite" ? "EXPLAIN QUERY PLAN" : "EXPLAIN"} ${sql}`, parameters)) as Record<string, unknown>[];
    };
    const count = await explain(openCountQuery(app.db.manager, serverId));
    const page = await explain(openPageQuery(app.db.manager, serverId, ValidationErrorCode.NEW_LIST, 0));
    const index = "IDX_validation_error_server_status_run_code";
    if (kind === "sqlite") {
      expect(count.map((step) => step.detail)).toContain(`SEARCH error USING COVERING INDEX ${index} (serverId=? AND status=?)`);
      expect(page.map((step) => step.detail)).toContain(`SEARCH error USING INDEX ${index} (serverId=? AND status=? AND id>?)`);
    } else {
      // The count from the index alone; the page tests the code on the index before it reads a row.
      expect(count[0]).toMatchObject({ table: "error", key: index, Extra: expect.stringContaining("Using index") });
      expect(page[0]).toMatchObject({ table: "error", key: index, type: expect.stringMatching(/^(range|ref)$/), Extra: expect.stringContaining("Using index condition") });
      expect(String(page[0]!.Extra)).not.toMatch(/filesort/);
    }
  });
});
