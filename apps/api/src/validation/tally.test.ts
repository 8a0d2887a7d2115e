import { createHash } from "node:crypto";
import { DataSource } from "typeorm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkInsert } from "../db/bulk-write.js";
import { Server } from "../servers/server.entity.js";
import { seedInventory } from "../testing/seed.js";
import { type TestApp, startTestApp, testDatabases } from "../testing/test-app.js";
import type { Finding } from "./diff.js";
import { OpenErrors } from "./open-errors.js";
import { CODE_RULES, ValidationErrorCode, ValidationErrorStatus, messageShown, namedMessage } from "./validation-codes.js";
import { ValidationError } from "./validation-error.entity.js";
import { ValidationRun } from "./validation-run.entity.js";
import { Tally, errorRow, findingFingerprint } from "./tally.js";

describe("a finding's fingerprint", () => {
  // The digest stored fingerprints were made with: a sha1 of JSON.stringify of this array.
  const reference = (finding: Finding) =>
    createHash("sha1")
      .update(JSON.stringify([finding.code, CODE_RULES[finding.code].objectType, finding.objectKey.slice(0, 200), finding.customerId ?? null, finding.siteId ?? null, finding.listId ?? null, finding.message, finding.billingValue ?? null, finding.hostingValue ?? null]))
      .digest("base64url");

  it("stays the digest of the same JSON text, so errors stored before are found again", () => {
    const findings: Finding[] = [
      { code: ValidationErrorCode.NEW_LIST, objectKey: "news", message: "List news is on the hosting server but not in billing", hostingValue: { name: "news", site: null, created: "2024-01-02T03:04:05.000Z", disabled: false, maxMembers: 0, nested: { a: [1, "two", null] } } },
      { code: ValidationErrorCode.LIST_CHANGED, objectKey: "x".repeat(250), message: "quotes \" ' \\ and ünïcode 🚀 \u2028", billingValue: { description: "old\nline" }, hostingValue: { description: "new" }, siteId: 3, listId: 4 },
      { code: ValidationErrorCode.PLAN_MAX_LISTS_EXCEEDED, objectKey: "Acme", message: "Acme has 11 lists; its plan allows 10", customerId: 9, billingValue: {}, hostingValue: undefined },
      { code: ValidationErrorCode.LOGGING_DISABLED, objectKey: "srv", message: "off" },
    ];
    for (const finding of findings) expect(findingFingerprint(finding)).toBe(reference(finding));
  });
});

describe("a finding's row", () => {
  const server = { id: 1 } as Server;
  const run = { id: 2 } as ValidationRun;
  const named = (name: string): Finding => ({ code: ValidationErrorCode.NEW_LIST, objectKey: name, message: namedMessage(ValidationErrorCode.NEW_LIST, name) });

  it("stores no message that its code and object's name say, and shows it all the same", () => {
    const row = errorRow(server, run, named("news"));
    expect(row.message).toBe("");
    expect(messageShown(row.code!, row.objectKey!, row.message!)).toBe("List news is on the hosting server but not in billing, so nobody is billed for it");
    // Its digest is of the whole text, as before: rows stored with it are found again.
    expect(row.fingerprint).toBe(findingFingerprint(named("news")));
  });

  it("stores any other message whole", () => {
    const cut = "n".repeat(250);
    // A name longer than objectKey keeps: the message of the shortened key would not be the finding's.
    const long = errorRow(server, run, named(cut));
    expect(long.objectKey).toHaveLength(200);
    expect(long.message).toBe(namedMessage(ValidationErrorCode.NEW_LIST, cut));
    expect(messageShown(long.code!, long.objectKey!, long.message!)).toBe(namedMessage(ValidationErrorCode.NEW_LIST, cut));
    // The named code with other words, and a code that has no named message.
    const other = errorRow(server, run, { code: ValidationErrorCode.NEW_LIST, objectKey: "news", message: "news is new" });
    expect(other.message).toBe("news is new");
    const changed = errorRow(server, run, { code: ValidationErrorCode.LIST_CHANGED, objectKey: "news", message: "List news changed on the hosting server: topic" });
    expect(changed.message).toBe("List news changed on the hosting server: topic");
    expect(messageShown(ValidationErrorCode.LIST_CHANGED, "news", changed.message!)).toBe("List news changed on the hosting server: topic");
  });
});

const finding = (name: string): Finding => ({ code: ValidationErrorCode.LIST_UNASSIGNED, objectKey: name, message: `${name} has no customer`, listId: null });

describe.each(testDatabases())("a run's findings while the server's open errors are still being read, on %s", (kind) => {
  let app: TestApp;
  let server: Server;
  const ids = new Map<string, number>();

  beforeAll(async () => {
    app = await startTestApp(kind);
    await app.stopBackgroundWork();
    await seedInventory(app.db, { servers: 1, sitesPerServer: 1, listsPerSite: 1 });
    server = (await app.db.manager.find(Server))[0]!;
    const earlier = await app.db.manager.save(ValidationRun, app.db.manager.create(ValidationRun, { serverId: server.id, jobId: null, startedAt: new Date(), finishedAt: new Date(), publishedAt: new Date(), outcome: "ERRORS", version: "9.0" }));
    const rows = ["a", "b", "c"].map((name) => ({
      runId: earlier.id, serverId: server.id, customerId: null, siteId: null, listId: null, code: ValidationErrorCode.LIST_UNASSIGNED,
      objectKey: name, message: `${name} has no customer`, billingValue: null, hostingValue: null, status: ValidationErrorStatus.OPEN, detectedAt: new Date(), fixedAt: null,
      fingerprint: findingFingerprint(finding(name)),
    }));
    // And one of another code, which no finding below has.
    const other: Finding = { code: ValidationErrorCode.NEW_LIST, objectKey: "d", message: namedMessage(ValidationErrorCode.NEW_LIST, "d") };
    rows.push({ ...rows[0]!, code: other.code, objectKey: "d", message: other.message, fingerprint: findingFingerprint(other) });
    await app.db.transaction((manager) => bulkInsert(manager, ValidationError, rows));
    for (const row of await app.db.manager.findBy(ValidationError, { runId: earlier.id })) ids.set(row.objectKey, row.id);
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
  });

  const newRun = () => app.db.manager.save(ValidationRun, app.db.manager.create(ValidationRun, { serverId: server.id, jobId: null, startedAt: new Date(), finishedAt: null, publishedAt: null, outcome: null, version: null }));
  const written = async (run: ValidationRun) => (await app.db.manager.find(ValidationError, { where: { runId: run.id }, order: { id: "ASC" } })).map((row) => row.objectKey);

  it("holds findings until they can be told new from found again, and writes the new ones in the order found", async () => {
    const open = await OpenErrors.of(app.db.manager, server.id);
    let release!: (open: OpenErrors) => void;
    const run = await newRun();
    const tally = new Tally(app.db, server, run, new Promise<OpenErrors>((resolve) => (release = resolve)));
    expect(tally.add([finding("a"), finding("x")])).toBeUndefined();
    expect(tally.add([finding("y")])).toBeUndefined();
    release(open);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(tally.add([finding("b"), finding("z")])).toBeUndefined();
    await tally.flush();
    expect(tally).toMatchObject({ total: 5, errors: 5, kept: 2 });
    expect(await written(run)).toEqual(["x", "y", "z"]);
    // No more vanished than kept: publishing supersedes them by id, so their ids are read, of the code never found too.
    expect(open.ready(ValidationErrorCode.NEW_LIST)).toBe(false);
    const found = await tally.foundAgain();
    expect(found.kept.sort()).toEqual([ids.get("a"), ids.get("b")].sort());
    expect(found.vanished!.sort()).toEqual([ids.get("c"), ids.get("d")].sort());
  });

  it("reads no open error of a code it does not find", async () => {
    const open = await OpenErrors.of(app.db.manager, server.id);
    const run = await newRun();
    const tally = new Tally(app.db, server, run, Promise.resolve(open));
    const found: Finding = { code: ValidationErrorCode.NEW_SITE, objectKey: "s", message: namedMessage(ValidationErrorCode.NEW_SITE, "s") };
    await tally.add([found]);
    await tally.flush();
    expect(await written(run)).toEqual(["s"]);
    expect(tally.kept).toBe(0);
    expect(open.ready(ValidationErrorCode.LIST_UNASSIGNED) || open.ready(ValidationErrorCode.NEW_LIST)).toBe(false);
    // All four vanished, none kept: publishing withdraws the earlier run whole and needs no ids.
    expect(await tally.foundAgain()).toEqual({ kept: [], vanished: null });
  });

  it("keeps the order found across codes: a finding of a code already known waits behind one still being read", async () => {
    const open = await OpenErrors.of(app.db.manager, server.id);
    const run = await newRun();
    const tally = new Tally(app.db, server, run, Promise.resolve(open));
    await new Promise((resolve) => setTimeout(resolve, 0));
    const site: Finding = { code: ValidationErrorCode.NEW_SITE, objectKey: "s", message: namedMessage(ValidationErrorCode.NEW_SITE, "s") };
    // x needs the LIST_UNASSIGNED errors read (a is one of them); s's code has none open.
    expect(open.ready(ValidationErrorCode.LIST_UNASSIGNED)).toBe(false);
    expect(open.ready(ValidationErrorCode.NEW_SITE)).toBe(true);
    expect(tally.add([finding("x"), site, finding("a")])).toBeUndefined();
    await tally.flush();
    expect(await written(run)).toEqual(["x", "s"]);
    expect(tally.kept).toBe(1);
  });

  it("fails the run, and only the run, when the open errors cannot be read", async () => {
    // Counted on a second connection to the same database, which is gone by the time the run reads.
    const second = await new DataSource(app.db.dataSource.options).initialize();
    const open = await OpenErrors.of(second.manager, server.id);
    await second.destroy();
    const run = await newRun();
    const tally = new Tally(app.db, server, run, Promise.resolve(open));
    expect(tally.add([finding("x")])).toBeUndefined();
    await expect(tally.flush()).rejects.toThrow();
    expect(await written(run)).toEqual([]);
  });

  it("makes the comparison wait once too many findings are held", async () => {
    const open = await OpenErrors.of(app.db.manager, server.id);
    let release!: (open: OpenErrors) => void;
    const run = await newRun();
    const tally = new Tally(app.db, server, run, new Promise<OpenErrors>((resolve) => (release = resolve)));
    const many = Array.from({ length: 20_000 }, (_, index) => finding(`list-${String(index).padStart(5, "0")}`));
    expect(tally.add(many.slice(0, 19_999))).toBeUndefined();
    const waiting = tally.add([...many.slice(19_999), finding("c")]);
    expect(waiting).toBeInstanceOf(Promise);
    let settled = false;
    void waiting!.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    release(open);
    await waiting;
    await tally.flush();
    expect(tally.kept).toBe(1);
    expect(await tally.foundAgain()).toEqual({ kept: [ids.get("c")], vanished: null });
    const rows = await written(run);
    // Ten chunks: listed by id, every row in the order found.
    expect(rows).toEqual(many.map((one) => one.objectKey));
  }, 60_000);
});
