import { createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { AuditEntry } from "../audit/audit-entry.entity.js";
import { toGlobalId } from "../graphql/global-id.js";
import { Job, JobKind, JobState } from "../jobs/job.entity.js";
import { hashSecret, newSessionToken } from "./credentials.js";
import { hashPassword } from "./password.js";
import { type TestApp, dataOf, postGraphql, snapshotRows, startTestApp, testDatabases } from "../testing/test-app.js";
import { Session } from "./session.entity.js";
import { User } from "./user.entity.js";

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { user { username } userErrors { code } } }`;
const ME = `{ me { username role } }`;
const CREATE_USER = `mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } userErrors { code } } }`;
const CREATE_TOKEN = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token userErrors { code } } }`;
const UPDATE_USER = `mutation($input: UpdateUserInput!) { updateUser(input: $input) { user { id username role disabledAt } userErrors { code field message } } }`;
const CHANGE_PASSWORD = `mutation($input: ChangePasswordInput!) { changePassword(input: $input) { changed userErrors { code field message } } }`;

describe.each(testDatabases())("an admin managing users, and a user's own password, on %s", (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
  });
  afterAll(async () => {
    await app?.stop();
  });

  const anonymous = (query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) => postGraphql(app.url, query, variables, headers);
  /** A new user, its browser session cookie and an API token of its own. */
  const newUser = async (username: string, password: string, role: string) => {
    const { createUser } = dataOf(await app.gql(CREATE_USER, { input: { username, password, role } }));
    const token = dataOf(await app.gql(CREATE_TOKEN, { input: { userId: createUser.user.id, name: `${username}'s script` } })).createApiToken.token as string;
    return { id: createUser.user.id as string, cookie: await signIn(username, password), bearer: { authorization: `Bearer ${token}` } };
  };
  const signIn = async (username: string, password: string) => {
    const response = await anonymous(LOGIN, { input: { username, password } });
    return dataOf(response).login.userErrors.length ? null : (response.headers.get("set-cookie")?.split(";")[0] ?? null);
  };
  const meWith = async (headers: Record<string, string>) => {
    const response = await anonymous(ME, {}, headers);
    return response.errors?.length ? response.errors[0]!.extensions?.code : dataOf(response).me;
  };
  const update = async (input: Record<string, unknown>) => dataOf(await app.gql(UPDATE_USER, { input })).updateUser;
  const lastAudit = async (username: string) => app.db.manager.findOne(AuditEntry, { where: { objectKey: username }, order: { id: "DESC" } });

  it("disables a user: no sign-in, its session ended and its API token refused, until it is enabled again", async () => {
    const leaver = await newUser("leaver", "leaver password 1", "OPERATOR");
    expect(await meWith({ cookie: leaver.cookie! })).toEqual({ username: "leaver", role: "OPERATOR" });
    expect(await meWith(leaver.bearer)).toEqual({ username: "leaver", role: "OPERATOR" });

    const disabled = await update({ id: leaver.id, disabled: true });
    expect(disabled).toMatchObject({ user: { username: "leaver", role: "OPERATOR", disabledAt: expect.any(String) }, userErrors: [] });
    expect(await meWith({ cookie: leaver.cookie! })).toBeNull();
    expect(await meWith(leaver.bearer)).toBe("UNAUTHENTICATED");
    expect(await signIn("leaver", "leaver password 1")).toBeNull();
    const leaverId = (await app.db.manager.findOneByOrFail(User, { username: "leaver" })).id;
    expect(await app.db.manager.countBy(Session, { userId: leaverId })).toBe(0);
    // A session opened as it was disabled (its sign-in checked the password just before) does not work either.
    const late = newSessionToken();
    await app.db.manager.insert(Session, { userId: leaverId, tokenHash: hashSecret(late), createdAt: new Date(), expiresAt: new Date(Date.now() + 3_600_000) });
    expect(await meWith({ cookie: `listbill_session=${late}` })).toBeNull();
    await app.db.manager.delete(Session, { userId: leaverId });
    expect(await lastAudit("leaver")).toMatchObject({ action: "user.update", actor: "admin", before: { disabled: false }, after: { disabled: true } });
    // Disabled again: still the first moment it was.
    expect((await update({ id: leaver.id, disabled: true })).user.disabledAt).toBe(disabled.user.disabledAt);

    expect(await update({ id: leaver.id, disabled: false })).toMatchObject({ user: { disabledAt: null }, userErrors: [] });
    expect(await meWith(leaver.bearer)).toEqual({ username: "leaver", role: "OPERATOR" });
    // The session ended with the disabling; signing in works again.
    expect(await meWith({ cookie: leaver.cookie! })).toBeNull();
    expect(await signIn("leaver", "leaver password 1")).toMatch(/^listbill_session=/);
  });

  it("changes a role, and resets a password, ending the user's sessions but not its API tokens", async () => {
    const mover = await newUser("mover", "mover password 12", "OPERATOR");
    expect((await update({ id: mover.id, role: "VIEWER" })).user.role).toBe("VIEWER");
    expect(await meWith(mover.bearer)).toEqual({ username: "mover", role: "VIEWER" });
    expect((await anonymous(`mutation { validateServers(input: {}) { userErrors { code } } }`, {}, mover.bearer)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const reset = await app.gql(UPDATE_USER, { input: { id: mover.id, password: "a new password 34" } });
    expect(dataOf(reset).updateUser.userErrors).toEqual([]);
    expect(JSON.stringify(reset)).not.toContain("a new password 34");
    expect(await meWith({ cookie: mover.cookie! })).toBeNull();
    expect(await meWith(mover.bearer)).toEqual({ username: "mover", role: "VIEWER" });
    expect(await signIn("mover", "mover password 12")).toBeNull();
    expect(await signIn("mover", "a new password 34")).toMatch(/^listbill_session=/);
    const audit = await lastAudit("mover");
    expect(audit).toMatchObject({ action: "user.update", before: { passwordChanged: false }, after: { passwordChanged: true } });
    expect(JSON.stringify(audit)).not.toContain("a new password 34");
  });

  it("refuses a change that would leave no admin who can sign in, bad input and unknown users, changing nothing", async () => {
    const admin = dataOf(await app.gql(`{ me { id } }`)).me.id as string;
    const before = await snapshotRows(app.db);
    expect(await update({ id: admin, role: "OPERATOR" })).toEqual({ user: null, userErrors: [{ code: "LAST_ADMIN", field: ["input", "role"], message: "admin is the only admin who can sign in: make another user admin first" }] });
    expect((await update({ id: admin, disabled: true })).userErrors).toEqual([expect.objectContaining({ code: "LAST_ADMIN", field: ["input", "disabled"] })]);
    expect((await update({ id: admin, password: "too short" })).userErrors).toEqual([expect.objectContaining({ code: "INVALID_PASSWORD", field: ["input", "password"] })]);
    expect((await update({ id: "VXNlcjo5OTk5", role: "VIEWER" })).userErrors).toEqual([expect.objectContaining({ code: "USER_NOT_FOUND", field: ["input", "id"] })]);
    expect(await snapshotRows(app.db)).toEqual(before);

    // A disabled admin does not count; an enabled second one does.
    const second = await newUser("second-admin", "second admin password", "ADMIN");
    await update({ id: second.id, disabled: true });
    expect((await update({ id: admin, role: "OPERATOR" })).userErrors).toEqual([expect.objectContaining({ code: "LAST_ADMIN" })]);
    await update({ id: second.id, disabled: false });
    const asSecond = async (input: Record<string, unknown>) => dataOf(await anonymous(UPDATE_USER, { input }, second.bearer)).updateUser;

    // Each demoting the other at the same moment: one of them stays admin. The other call is
    // refused, LAST_ADMIN, or FORBIDDEN when its caller was demoted before its role was checked.
    const enabledAdmins = async () => (await app.db.manager.findBy(User, { role: "ADMIN" as User["role"] })).filter((user) => user.disabledAt === null).map((user) => user.username);
    for (let round = 0; round < 5; round++) {
      const responses = await Promise.all([app.gql(UPDATE_USER, { input: { id: second.id, role: "OPERATOR" } }), anonymous(UPDATE_USER, { input: { id: admin, role: "OPERATOR" } }, second.bearer)]);
      const succeeded = responses.filter((response) => !response.errors && response.data.updateUser.userErrors.length === 0);
      expect(succeeded).toHaveLength(1);
      const outcomes = responses.map((response) => response.errors?.[0]?.extensions?.code ?? response.data.updateUser.userErrors[0]?.code ?? "DONE");
      expect(outcomes.filter((code) => code !== "DONE")).toEqual([expect.stringMatching(/^(LAST_ADMIN|FORBIDDEN)$/)]);
      const left = await enabledAdmins();
      expect(left).toHaveLength(1);
      // Back to two admins, through the one still admin.
      if (left[0] === "admin") expect((await update({ id: second.id, role: "ADMIN" })).userErrors).toEqual([]);
      else expect((await asSecond({ id: admin, role: "ADMIN" })).userErrors).toEqual([]);
    }

    // With another admin, an admin may step down itself.
    expect((await asSecond({ id: second.id, role: "OPERATOR" })).userErrors).toEqual([]);
    expect(await meWith(second.bearer)).toEqual({ username: "second-admin", role: "OPERATOR" });
  });

  it("ends a disabled user's open subscription at its next event", async () => {
    const watcher = await newUser("watcher", "watcher password 1", "VIEWER");
    const now = new Date();
    const job = await app.db.manager.save(Job, app.db.manager.create(Job, { kind: JobKind.FIX, state: JobState.RUNNING, progress: 0.1, trigger: "MANUAL", actor: "admin", input: {}, result: null, error: null, serverId: null, attempts: 1, maxAttempts: 1, runAfter: now, leaseOwner: null, leaseExpiresAt: null, createdAt: now, startedAt: now, finishedAt: null, updatedAt: now }));
    const client = createClient({ url: app.url.replace("http", "ws") + "/graphql", webSocketImpl: WebSocket, connectionParams: { authorization: watcher.bearer.authorization }, retryAttempts: 0 });
    const received: unknown[] = [];
    try {
      const ended = new Promise<void>((resolve) => {
        client.subscribe(
          { query: `subscription($id: ID!) { jobUpdated(id: $id) { progress } }`, variables: { id: toGlobalId("Job", job.id) } },
          { next: (message) => void received.push(message), error: (error) => { received.push(error); resolve(); }, complete: resolve },
        );
      });
      await expect.poll(() => received.length).toBe(1);
      await update({ id: watcher.id, disabled: true });
      await app.db.manager.update(Job, { id: job.id }, { progress: 0.5, updatedAt: new Date() });
      await ended;
    } finally {
      await client.dispose();
      await app.db.manager.update(Job, { id: job.id }, { state: JobState.SUCCEEDED, finishedAt: new Date() });
    }
    expect(received[0]).toEqual({ data: { jobUpdated: { progress: 0.1 } } });
    expect(JSON.stringify(received.slice(1))).toContain("UNAUTHENTICATED");
    expect(JSON.stringify(received)).not.toContain("0.5");
  });

  it("carries subscriptions only over its socket: queries and mutations go over HTTP", async () => {
    const client = createClient({ url: app.url.replace("http", "ws") + "/graphql", webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${await app.tokenOf("admin")}` }, retryAttempts: 0 });
    try {
      const received: unknown[] = [];
      await new Promise<void>((resolve) => {
        client.subscribe({ query: `mutation { login(input: { username: "admin", password: "a socket guess" }) { userErrors { code } } }` }, { next: (message) => void received.push(message), error: (error) => { received.push(error); resolve(); }, complete: resolve });
      });
      expect(JSON.stringify(received)).toContain("this socket carries subscriptions only");
      expect(JSON.stringify(received)).not.toContain("INVALID_CREDENTIALS");
    } finally {
      await client.dispose();
    }
  });

  it.runIf(kind === "mysql")("refuses a sign-in that checked the password a reset replaced as it was checked", async () => {
    await newUser("racer", "racer password 12", "VIEWER");
    const id = (await app.db.manager.findOneByOrFail(User, { username: "racer" })).id;
    const runner = app.db.dataSource.createQueryRunner();
    await runner.startTransaction("READ COMMITTED");
    try {
      // A reset holding the user's row while the sign-in checks the old password, then waits for the row.
      await runner.query("SELECT id FROM `user` WHERE id = ? FOR UPDATE", [id]);
      const signingIn = signIn("racer", "racer password 12");
      const waiting = async () => ((await app.db.manager.query("SELECT trx_state FROM information_schema.INNODB_TRX")) as { trx_state: string }[]).filter((trx) => trx.trx_state === "LOCK WAIT").length;
      await expect.poll(waiting, { timeout: 10_000, interval: 250 }).toBe(1);
      await runner.query("UPDATE `user` SET passwordHash = ? WHERE id = ?", [await hashPassword("racer password 34"), id]);
      await runner.query("DELETE FROM user_session WHERE userId = ?", [id]);
      await runner.commitTransaction();
      expect(await signingIn).toBeNull();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    expect(await app.db.manager.countBy(Session, { userId: id })).toBe(0);
    expect(await signIn("racer", "racer password 34")).toMatch(/^listbill_session=/);
  });

  it("records users and API tokens in the audit log, never a password or a token", async () => {
    const auditor = await newUser("auditor", "auditor password 1", "VIEWER");
    const token = auditor.bearer.authorization.slice("Bearer ".length);
    const tokens = dataOf(await app.gql(`query($id: ID!) { apiTokens(first: 5, filter: { userId: $id }) { nodes { id } } }`, { id: auditor.id })).apiTokens.nodes;
    expect(dataOf(await app.gql(`mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { userErrors { code } } }`, { input: { id: tokens[0].id } })).revokeApiToken.userErrors).toEqual([]);
    const entries = dataOf(await app.gql(`{ auditEntries(first: 50) { nodes { action actor objectId objectKey before after } } }`)).auditEntries.nodes.filter((entry: { objectKey: string }) => ["auditor", "auditor's script"].includes(entry.objectKey));
    expect(entries.map((entry: { action: string }) => entry.action).sort()).toEqual(["token.create", "token.revoke", "user.create"]);
    expect(entries.find((entry: { action: string }) => entry.action === "user.create")).toMatchObject({ actor: "admin", objectId: auditor.id, after: { username: "auditor", role: "VIEWER" } });
    expect(entries.find((entry: { action: string }) => entry.action === "token.create")).toMatchObject({ actor: "admin", objectId: tokens[0].id, after: { userId: auditor.id, username: "auditor", expiresAt: null } });
    expect(entries.find((entry: { action: string }) => entry.action === "token.revoke")).toMatchObject({ before: { revokedAt: null }, after: { revokedAt: expect.any(String) } });
    const text = JSON.stringify(await app.db.manager.find(AuditEntry));
    for (const secret of ["auditor password 1", token]) expect(text).not.toContain(secret);
  });

  it("changes the caller's own password given the current one, keeping this session and ending its others", async () => {
    const changer = await newUser("changer", "changer password 1", "VIEWER");
    const elsewhere = await signIn("changer", "changer password 1");
    const change = async (input: Record<string, unknown>, headers: Record<string, string> = { cookie: changer.cookie! }) => dataOf(await anonymous(CHANGE_PASSWORD, { input }, headers)).changePassword;

    const before = await snapshotRows(app.db);
    expect(await change({ currentPassword: "not my password", newPassword: "changer password 2" })).toEqual({ changed: false, userErrors: [{ code: "WRONG_PASSWORD", field: ["input", "currentPassword"], message: "That is not your current password" }] });
    expect((await change({ currentPassword: "changer password 1", newPassword: "short" })).userErrors).toEqual([expect.objectContaining({ code: "INVALID_PASSWORD", field: ["input", "newPassword"] })]);
    expect((await anonymous(CHANGE_PASSWORD, { input: { currentPassword: "changer password 1", newPassword: "changer password 2" } })).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(await snapshotRows(app.db)).toEqual(before);

    expect(await change({ currentPassword: "changer password 1", newPassword: "changer password 2" })).toEqual({ changed: true, userErrors: [] });
    expect(await meWith({ cookie: changer.cookie! })).toEqual({ username: "changer", role: "VIEWER" });
    expect(await meWith({ cookie: elsewhere! })).toBeNull();
    expect(await meWith(changer.bearer)).toEqual({ username: "changer", role: "VIEWER" });
    expect(await signIn("changer", "changer password 1")).toBeNull();
    expect(await lastAudit("changer")).toMatchObject({ action: "user.password", actor: "changer", after: { passwordChanged: true } });

    // The same password again: nothing changes, and no other entry.
    const entries = await app.db.manager.countBy(AuditEntry, { objectKey: "changer" });
    expect(await change({ currentPassword: "changer password 2", newPassword: "changer password 2" })).toEqual({ changed: false, userErrors: [] });
    expect(await app.db.manager.countBy(AuditEntry, { objectKey: "changer" })).toBe(entries);
    // Through its API token, every browser session of the user ends.
    expect((await change({ currentPassword: "changer password 2", newPassword: "changer password 3" }, changer.bearer)).changed).toBe(true);
    expect(await meWith({ cookie: changer.cookie! })).toBeNull();
    expect(await signIn("changer", "changer password 3")).toMatch(/^listbill_session=/);
  });
});
