import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScratchDatabase, mysqlTestUrl } from "@listbill/fixtures/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startApp } from "../app.js";
import { configFromEnv } from "../config.js";
import { type TestApp, dataOf, postGraphql, startTestApp, testDatabases, TEST_ADMIN_PASSWORD, snapshotRows } from "../testing/test-app.js";
import { ApiToken } from "./api-token.entity.js";
import { Session } from "./session.entity.js";
import { User } from "./user.entity.js";

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { token user { id username role } userErrors { code field message } } }`;
const LOGOUT = `mutation { logout }`;
const ME = `{ me { username role } }`;
const CREATE_USER = `mutation($input: CreateUserInput!) { createUser(input: $input) { user { id username role } userErrors { code field message } } }`;
const CREATE_TOKEN = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id name active expiresAt revokedAt user { username } } userErrors { code field message } } }`;
const REVOKE_TOKEN = `mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { apiToken { id active revokedAt } userErrors { code field message } } }`;

function cookieOf(response: { headers: Headers }): string {
  return response.headers.get("set-cookie")?.split(";")[0] ?? "";
}

describe.each(testDatabases())("users, sessions and API tokens on %s", (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
  });
  afterAll(async () => {
    await app?.stop();
  });

  /** Every row of every table (users, sessions, tokens, audit entries): what a refused request must leave as it was. */
  const rows = () => snapshotRows(app.db);
  const anonymous = (query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) => postGraphql(app.url, query, variables, headers);

  it("signs a browser in with an httpOnly, SameSite=Strict session cookie and no token in the body", async () => {
    const response = await anonymous(LOGIN, { input: { username: "ADMIN", password: TEST_ADMIN_PASSWORD } });
    expect(dataOf(response).login).toEqual({ token: null, user: expect.objectContaining({ username: "admin", role: "ADMIN" }), userErrors: [] });
    const setCookie = response.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^listbill_session=lbs_[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).toContain("Max-Age=43200");
    expect(setCookie).not.toContain("Secure");
    const cookie = cookieOf(response);
    expect(response.text).not.toContain(cookie.split("=")[1]);
    expect(dataOf(await anonymous(ME, {}, { cookie })).me).toEqual({ username: "admin", role: "ADMIN" });
    const stored = await app.db.manager.find(Session);
    expect(stored.some((session) => cookie.includes(session.tokenHash))).toBe(false);
  });

  it("refuses an unknown user and a wrong password alike, sets no cookie and writes nothing", async () => {
    const before = await rows();
    for (const input of [{ username: "admin", password: "not-the-password" }, { username: "nobody", password: TEST_ADMIN_PASSWORD }, { username: "", password: "" }]) {
      const response = await anonymous(LOGIN, { input });
      expect(dataOf(response).login).toEqual({ token: null, user: null, userErrors: [{ code: "INVALID_CREDENTIALS", field: ["input"], message: "Unknown username or wrong password" }] });
      expect(response.headers.get("set-cookie")).toBeNull();
    }
    expect(await rows()).toEqual(before);
  });

  it("logs out: the cookie is cleared, the session ends everywhere, and me is null again", async () => {
    const cookie = cookieOf(await anonymous(LOGIN, { input: { username: "admin", password: TEST_ADMIN_PASSWORD } }));
    const out = await anonymous(LOGOUT, {}, { cookie });
    expect(dataOf(out).logout).toBe(true);
    expect(out.headers.get("set-cookie")).toMatch(/^listbill_session=; .*Max-Age=0/);
    expect(dataOf(await anonymous(ME, {}, { cookie })).me).toBeNull();
    const servers = await anonymous(`{ servers { totalCount } }`, {}, { cookie });
    expect(servers.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(dataOf(await anonymous(LOGOUT, {}, { cookie })).logout).toBe(false);
  });

  it("creates users with argon2id hashes and refuses bad ones with typed errors, changing nothing", async () => {
    const { createUser } = dataOf(await app.gql(CREATE_USER, { input: { username: "Olivia.Ops", password: "correct horse battery", role: "OPERATOR" } }));
    expect(createUser).toEqual({ user: expect.objectContaining({ username: "Olivia.Ops", role: "OPERATOR" }), userErrors: [] });
    const stored = await app.db.manager.findOneByOrFail(User, { usernameKey: "olivia.ops" });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored.passwordHash).not.toContain("correct horse battery");
    const signedIn = await anonymous(LOGIN, { input: { username: "olivia.ops", password: "correct horse battery" } });
    expect(dataOf(signedIn).login.user.role).toBe("OPERATOR");

    const before = await rows();
    for (const [input, code] of [
      [{ username: "OLIVIA.OPS", password: "another long password", role: "VIEWER" }, "DUPLICATE_USERNAME"],
      [{ username: "vic", password: "short", role: "VIEWER" }, "INVALID_PASSWORD"],
      [{ username: "has space", password: "long enough password", role: "VIEWER" }, "INVALID_USERNAME"],
      [{ username: "x", password: "long enough password", role: "VIEWER" }, "INVALID_USERNAME"],
    ] as const) {
      const refused = dataOf(await app.gql(CREATE_USER, { input })).createUser;
      expect(refused.user).toBeNull();
      expect(refused.userErrors).toContainEqual(expect.objectContaining({ code }));
    }
    expect(await rows()).toEqual(before);
  });

  it("issues an API token shown once and stored only as a hash; it acts with its user's role until revoked", async () => {
    const { createUser } = dataOf(await app.gql(CREATE_USER, { input: { username: "nightly-script", password: "script password 123", role: "VIEWER" } }));
    const created = dataOf(await app.gql(CREATE_TOKEN, { input: { userId: createUser.user.id, name: "nightly report" } })).createApiToken;
    expect(created.userErrors).toEqual([]);
    expect(created.token).toMatch(/^lbt_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.token.slice(4), "base64url")).toHaveLength(32);
    expect(created.apiToken).toMatchObject({ name: "nightly report", active: true, expiresAt: null, revokedAt: null, user: { username: "nightly-script" } });

    const stored = await app.db.manager.find(ApiToken);
    expect(JSON.stringify(stored)).not.toContain(created.token);
    const bearer = { authorization: `Bearer ${created.token}` };
    expect(dataOf(await anonymous(ME, {}, bearer)).me).toEqual({ username: "nightly-script", role: "VIEWER" });
    const listed = await app.gql(`{ apiTokens(first: 100) { totalCount nodes { id name active user { username } } } }`);
    expect(dataOf(listed).apiTokens.nodes).toContainEqual({ id: created.apiToken.id, name: "nightly report", active: true, user: { username: "nightly-script" } });
    expect(listed.text).not.toContain(created.token);

    const revoked = dataOf(await app.gql(REVOKE_TOKEN, { input: { id: created.apiToken.id } })).revokeApiToken;
    expect(revoked).toMatchObject({ apiToken: { id: created.apiToken.id, active: false }, userErrors: [] });
    const refused = await anonymous(ME, {}, bearer);
    expect(refused.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(refused.data?.me ?? null).toBeNull();
    const again = dataOf(await app.gql(REVOKE_TOKEN, { input: { id: created.apiToken.id } })).revokeApiToken;
    expect(again).toEqual({ apiToken: { id: created.apiToken.id, active: false, revokedAt: revoked.apiToken.revokedAt }, userErrors: [] });
  });

  it("shows when a token was last used, written at most once a minute and never by a refused request", async () => {
    const me = dataOf(await app.gql(`{ me { id } }`)).me;
    const created = dataOf(await app.gql(CREATE_TOKEN, { input: { userId: me.id, name: "usage watcher" } })).createApiToken;
    const lastUsed = async (): Promise<string | null> => {
      const page = dataOf(await app.gql(`{ apiTokens(first: 100) { nodes { id lastUsedAt } } }`)).apiTokens;
      return page.nodes.find((node: { id: string }) => node.id === created.apiToken.id).lastUsedAt;
    };
    expect(await lastUsed()).toBeNull();

    const bearer = { authorization: `Bearer ${created.token}` };
    const before = Date.now();
    expect(dataOf(await anonymous(ME, {}, bearer)).me.username).toBe("admin");
    const first = await lastUsed();
    expect(first).not.toBeNull();
    expect(new Date(first!).getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(new Date(first!).getTime()).toBeLessThanOrEqual(Date.now());

    // Within the minute: the same time, however many requests.
    for (let i = 0; i < 3; i += 1) await anonymous(ME, {}, bearer);
    expect(await lastUsed()).toBe(first);

    // A minute later the next request moves it on.
    const aMinuteAgo = new Date(new Date(first!).getTime() - 61_000);
    await app.db.manager.update(ApiToken, { name: "usage watcher" }, { lastUsedAt: aMinuteAgo });
    const again = Date.now();
    await anonymous(ME, {}, bearer);
    expect(new Date((await lastUsed())!).getTime()).toBeGreaterThanOrEqual(again - 5);

    // Revoked, and its last use long ago: a request with it is refused and writes nothing.
    await app.db.manager.update(ApiToken, { name: "usage watcher" }, { lastUsedAt: aMinuteAgo });
    dataOf(await app.gql(REVOKE_TOKEN, { input: { id: created.apiToken.id } }));
    expect((await anonymous(ME, {}, bearer)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(await lastUsed()).toBe(aMinuteAgo.toISOString());
  });
  it("finds the tokens not used since a given time, those never used among them", async () => {
    const me = dataOf(await app.gql(`{ me { id } }`)).me;
    const create = async (name: string) => dataOf(await app.gql(CREATE_TOKEN, { input: { userId: me.id, name } })).createApiToken;
    const used = await create("used nightly");
    await create("never used");
    dataOf(await anonymous(ME, {}, { authorization: `Bearer ${used.token}` }));
    const unusedSince = async (at: string) => {
      const page = dataOf(await app.gql(`query($filter: ApiTokenFilter) { apiTokens(first: 100, filter: $filter) { nodes { name lastUsedAt } } }`, { filter: { unusedSince: at } })).apiTokens;
      return page.nodes.map((node: { name: string }) => node.name).filter((name: string) => name === "used nightly" || name === "never used");
    };
    const lastUsed = (await app.db.manager.findOneByOrFail(ApiToken, { name: "used nightly" })).lastUsedAt!;
    expect(await unusedSince(new Date(lastUsed.getTime() + 1).toISOString())).toEqual(["never used", "used nightly"]);
    expect(await unusedSince(lastUsed.toISOString())).toEqual(["never used"]);
  });

  it("stops honouring a token once it expires, and refuses an expiry in the past", async () => {
    const me = dataOf(await app.gql(`{ me { id } }`)).me;
    const soon = new Date(Date.now() + 60_000).toISOString();
    const created = dataOf(await app.gql(CREATE_TOKEN, { input: { userId: me?.id ?? "", name: "short-lived", expiresAt: soon } })).createApiToken;
    expect(created.apiToken.expiresAt).toBe(soon);
    expect(dataOf(await anonymous(ME, {}, { authorization: `Bearer ${created.token}` })).me.username).toBe("admin");
    await app.db.manager.update(ApiToken, { name: "short-lived" }, { expiresAt: new Date(Date.now() - 1000) });
    expect((await anonymous(ME, {}, { authorization: `Bearer ${created.token}` })).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

    const before = await rows();
    const past = dataOf(await app.gql(CREATE_TOKEN, { input: { userId: me?.id ?? "", name: "stale", expiresAt: "2001-01-01T00:00:00.000Z" } })).createApiToken;
    expect(past).toEqual({ token: null, apiToken: null, userErrors: [expect.objectContaining({ code: "INVALID_EXPIRY", field: ["input", "expiresAt"] })] });
    const nobody = dataOf(await app.gql(CREATE_TOKEN, { input: { userId: "VXNlcjo5OTk5", name: "ghost" } })).createApiToken;
    expect(nobody.userErrors).toEqual([expect.objectContaining({ code: "USER_NOT_FOUND" })]);
    expect(await rows()).toEqual(before);
  });

  it.each([
    ["a made-up token", "Bearer lbt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["a malformed header", "Basic YWRtaW46cGFzc3dvcmQ="],
    ["an empty bearer", "Bearer "],
  ])("answers %s with UNAUTHENTICATED, even for me", async (_label, authorization) => {
    const response = await anonymous(ME, {}, { authorization });
    expect(response.status).toBe(200);
    expect(response.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("lets anonymous callers ask who they are, and nothing else", async () => {
    expect(dataOf(await anonymous(ME)).me).toBeNull();
    const refused = await anonymous(`{ users { totalCount } }`);
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: "UNAUTHENTICATED" }, path: ["users"] });
  });
});

describe.each(testDatabases())("the first start on %s", (kind) => {
  it("creates an admin with a generated password printed once, and never again on a later start", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "listbill-first-start-"));
    const scratch = kind === "mysql" ? await createScratchDatabase(mysqlTestUrl()!, "lbfirst") : undefined;
    const config = configFromEnv({ PORT: "0", LISTBILL_DATA_DIR: dataDir, ...(scratch ? { DATABASE_URL: scratch.url } : {}) });
    const printed: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...parts: unknown[]) => void printed.push(parts.join(" ")));
    try {
      const first = await startApp(config);
      const password = /password (\S+)/.exec(printed.join("\n"))?.[1];
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(printed.filter((line) => line.includes(password!))).toHaveLength(1);
      const login = await postGraphql(first.url, LOGIN, { input: { username: "admin", password } });
      expect(dataOf(login).login.user).toMatchObject({ username: "admin", role: "ADMIN" });
      await first.close();

      printed.length = 0;
      const second = await startApp(config);
      expect(printed.join("\n")).not.toContain("created the first user");
      expect(await second.db.manager.count(User)).toBe(1);
      await second.close();
    } finally {
      log.mockRestore();
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("marks the session cookie Secure in production", async () => {
    const app = await startTestApp(kind, { NODE_ENV: "production" });
    try {
      const response = await postGraphql(app.url, LOGIN, { input: { username: "admin", password: TEST_ADMIN_PASSWORD } });
      expect(response.headers.get("set-cookie")).toMatch(/; Secure$/);
    } finally {
      await app.stop();
    }
  });
});
