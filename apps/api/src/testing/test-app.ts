import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScratchDatabase, mysqlTestUrl } from "@listbill/fixtures/testing";
import { type App, startApp } from "../app.js";
import { configFromEnv } from "../config.js";

export type DatabaseKind = "sqlite" | "mysql";

/** The databases every database test runs against: SQLite always, MySQL when configured (always in CI). */
export function testDatabases(): DatabaseKind[] {
  return mysqlTestUrl() ? ["sqlite", "mysql"] : ["sqlite"];
}

/** Who a test request acts as: nobody, or a user of that role holding an API token. */
export type Actor = "anonymous" | "viewer" | "operator" | "admin";

/** The first admin's password in every test app (LISTBILL_ADMIN_PASSWORD). */
export const TEST_ADMIN_PASSWORD = "test-admin-password";

export interface GraphQLResponse<T = any> {
  status: number;
  headers: Headers;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
  /** The raw response text, for asserting what never appears in it. */
  text: string;
}

export interface TestApp extends App {
  kind: DatabaseKind;
  dataDir: string;
  /** POST /graphql as the admin (its API token is sent; pass an `authorization` header to override). */
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** POST /graphql as `actor`: its user and API token are created (by the admin) on first use. */
  gqlAs<T = any>(actor: Actor, query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** The API token `actor` sends; "" for anonymous. */
  tokenOf(actor: Actor): Promise<string>;
  /** The SQL statements `work` sent to the database (the admin's token used just before, so no last-use write among them). */
  countSql(work: () => Promise<unknown>): Promise<number>;
  /** Stops the job worker and the superseded sweep: from now on, nothing queries the database but the test. */
  stopBackgroundWork(): Promise<void>;
  stop(): Promise<void>;
}

/** POST /graphql with a JSON body, as a script would. */
export async function postGraphql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: T; errors?: GraphQLResponse["errors"] };
  return { status: response.status, headers: response.headers, data: body.data, errors: body.errors, text };
}

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { user { id } userErrors { code message } } }`;
const CREATE_USER = `mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } userErrors { code message } } }`;
const CREATE_TOKEN = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token userErrors { code message } } }`;

/**
 * A real API on an ephemeral port over a fresh database of the given kind, its first admin
 * signed in: the admin logs in (session cookie) and issues itself the API token `gql` sends.
 * The rate limit is raised out of the way unless `env` sets LISTBILL_RATE_LIMIT_PER_MINUTE.
 */
export async function startTestApp(kind: DatabaseKind, env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), "listbill-test-"));
  const scratch = kind === "mysql" ? await createScratchDatabase(mysqlTestUrl()!, "lbapi") : undefined;
  const config = configFromEnv({
    PORT: "0",
    HOST: "127.0.0.1",
    LISTBILL_DATA_DIR: dataDir,
    LISTBILL_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    LISTBILL_RATE_LIMIT_PER_MINUTE: "1000000",
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    ...env,
  });
  const app = await startApp(config);

  const login = await postGraphql(app.url, LOGIN, { input: { username: "admin", password: config.adminPassword ?? TEST_ADMIN_PASSWORD } });
  const cookie = login.headers.get("set-cookie")?.split(";")[0];
  const adminId: string | undefined = login.data?.login.user?.id;
  if (!cookie || !adminId) throw new Error(`the test admin could not sign in: ${login.text}`);
  const asAdminSession = async (query: string, variables: Record<string, unknown>) => dataOf(await postGraphql(app.url, query, variables, { cookie }));
  const issueToken = async (userId: string, actor: Actor) => {
    const { createApiToken } = await asAdminSession(CREATE_TOKEN, { input: { userId, name: `test ${actor}` } });
    if (!createApiToken.token) throw new Error(`no token for ${actor}: ${JSON.stringify(createApiToken.userErrors)}`);
    return createApiToken.token as string;
  };
  const tokens = new Map<Actor, Promise<string>>([["anonymous", Promise.resolve("")], ["admin", issueToken(adminId, "admin")]]);
  const tokenOf = (actor: Actor): Promise<string> => {
    let token = tokens.get(actor);
    if (!token) {
      token = (async () => {
        const input = { username: `test-${actor}`, password: `${actor}-password-for-tests`, role: actor.toUpperCase() };
        const { createUser } = await asAdminSession(CREATE_USER, { input });
        return issueToken(createUser.user.id, actor);
      })();
      tokens.set(actor, token);
    }
    return token;
  };
  const gqlAs = async <T>(actor: Actor, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
    const token = await tokenOf(actor);
    return postGraphql<T>(app.url, query, variables, { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers });
  };
  await tokenOf("admin");

  return Object.assign(app, {
    kind,
    dataDir,
    gql: <T>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => gqlAs<T>("admin", query, variables, headers),
    gqlAs,
    tokenOf,
    async countSql(work: () => Promise<unknown>): Promise<number> {
      // The admin's token used a moment ago: `work` does not also pay for recording its last use
      // (written once a minute). Another actor's token is the caller's to warm the same way.
      await gqlAs("admin", "{ me { id } }");
      const before = app.db.sqlCounter.count;
      await work();
      return app.db.sqlCounter.count - before;
    },
    async stopBackgroundWork() {
      await Promise.all([app.services.worker.stop(), app.services.sweep.stop()]);
    },
    async stop() {
      await app.close();
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/**
 * Every row of every table, ordered by id: what "a refused request changed nothing" is
 * checked against.
 */
export async function snapshotRows(db: App["db"]): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = {};
  for (const entity of db.dataSource.entityMetadatas) {
    const table = db.dataSource.driver.escape(entity.tableName);
    const rows: Record<string, unknown>[] = await db.manager.query(`SELECT * FROM ${table} ORDER BY id`);
    // A token's last use is written by any request it makes, a refused one too, once a minute: not a change the request made.
    snapshot[entity.tableName] = entity.tableName === "api_token" ? rows.map(({ lastUsedAt: _used, ...row }) => row) : rows;
  }
  return snapshot;
}

/** Fails the test with the server's own words when a GraphQL response carries errors. */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) {
    throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
  }
  return response.data;
}
