import { type GraphQLObjectType, getNamedType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApiSchema } from "../graphql/schema.js";
import { seedInventory } from "../testing/seed.js";
import { type Actor, type GraphQLResponse, type TestApp, TEST_ADMIN_PASSWORD, dataOf, snapshotRows, startTestApp, testDatabases } from "../testing/test-app.js";

/**
 * Who may call what: every mutation and a sample of queries, called by anonymous, viewer,
 * operator and admin with input that would succeed. A refused call gets UNAUTHENTICATED or
 * FORBIDDEN, changes no row and sends no SQL beyond the caller's identity check.
 */
const ACTORS: Actor[] = ["anonymous", "viewer", "operator", "admin"];
const RANK: Record<Actor, number> = { anonymous: 0, viewer: 1, operator: 2, admin: 3 };

interface Fixture {
  serverId: string;
  siteId: string;
  serverFor: Record<Actor, string>;
  listFor: Record<Actor, string>;
  customerId: string;
  planId: string;
  userId: string;
  tokenFor: Record<Actor, string>;
}

interface Case {
  /** The lowest caller allowed. */
  minimum: Actor;
  /**
   * Set where the fixture has nothing the call could succeed on (no validation error exists):
   * an allowed caller then gets past the role check into the input's own userErrors.
   */
  inputRefused?: boolean;
  document: string;
  variables?: (fixture: Fixture, actor: Actor) => Record<string, unknown>;
}

const payload = "{ userErrors { code message } }";

const MUTATIONS: Record<string, Case> = {
  login: { minimum: "anonymous", document: `mutation($input: LoginInput!) { login(input: $input) ${payload} }`, variables: () => ({ input: { username: "admin", password: TEST_ADMIN_PASSWORD } }) },
  logout: { minimum: "anonymous", document: `mutation { logout }` },
  createUser: {
    minimum: "admin",
    document: `mutation($input: CreateUserInput!) { createUser(input: $input) ${payload} }`,
    variables: (_, actor) => ({ input: { username: `matrix-${actor}`, password: "matrix password 1", role: "VIEWER" } }),
  },
  updateUser: {
    minimum: "admin",
    document: `mutation($input: UpdateUserInput!) { updateUser(input: $input) ${payload} }`,
    variables: (f) => ({ input: { id: f.userId, role: "VIEWER" } }),
  },
  changePassword: {
    minimum: "viewer",
    document: `mutation($input: ChangePasswordInput!) { changePassword(input: $input) ${payload} }`,
    // The caller's own password, the same again: allowed, and nothing changes.
    variables: (_, actor) => {
      const password = actor === "admin" ? TEST_ADMIN_PASSWORD : `${actor}-password-for-tests`;
      return { input: { currentPassword: password, newPassword: password } };
    },
  },
  createApiToken: {
    minimum: "admin",
    document: `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) ${payload} }`,
    variables: (f, actor) => ({ input: { userId: f.userId, name: `by ${actor}` } }),
  },
  revokeApiToken: {
    minimum: "admin",
    document: `mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) ${payload} }`,
    variables: (f, actor) => ({ input: { id: f.tokenFor[actor] } }),
  },
  createServer: {
    minimum: "admin",
    document: `mutation($input: CreateServerInput!) { createServer(input: $input) ${payload} }`,
    variables: (_, actor) => ({ input: { name: `matrix ${actor}`, hostName: "matrix.example.com", password: "matrix-agent-secret" } }),
  },
  updateServer: {
    minimum: "admin",
    document: `mutation($input: UpdateServerInput!) { updateServer(input: $input) ${payload} }`,
    variables: (f, actor) => ({ input: { id: f.serverId, comments: `touched by ${actor}` } }),
  },
  deleteServer: {
    minimum: "admin",
    document: `mutation($input: DeleteServerInput!) { deleteServer(input: $input) ${payload} }`,
    variables: (f, actor) => ({ input: { id: f.serverFor[actor] } }),
  },
  testServerConnection: {
    minimum: "operator",
    document: `mutation($input: TestServerConnectionInput!) { testServerConnection(input: $input) ${payload} }`,
    variables: (f) => ({ input: { id: f.serverId } }),
  },
  validateServers: {
    minimum: "operator",
    document: `mutation($input: ValidateServersInput!) { validateServers(input: $input) ${payload} }`,
    variables: (f) => ({ input: { serverIds: [f.serverId] } }),
  },
  syncServers: {
    minimum: "operator",
    document: `mutation($input: SyncServersInput!) { syncServers(input: $input) ${payload} }`,
    variables: (f) => ({ input: { serverIds: [f.serverId] } }),
  },
  fixValidationErrors: {
    minimum: "operator",
    inputRefused: true,
    document: `mutation($input: FixValidationErrorsInput!) { fixValidationErrors(input: $input) ${payload} }`,
    variables: () => ({ input: { errorIds: ["VmFsaWRhdGlvbkVycm9yOjk5OTk5"] } }),
  },
  ignoreValidationErrors: {
    minimum: "operator",
    inputRefused: true,
    document: `mutation($input: IgnoreValidationErrorsInput!) { ignoreValidationErrors(input: $input) ${payload} }`,
    variables: () => ({ input: { errorIds: ["VmFsaWRhdGlvbkVycm9yOjk5OTk5"] } }),
  },
  purgeValidationErrors: {
    minimum: "admin",
    document: `mutation($input: PurgeValidationErrorsInput!) { purgeValidationErrors(input: $input) ${payload} }`,
    // A dry run: allowed, and nothing changes.
    variables: () => ({ input: { supersededBefore: "2026-01-01", dryRun: true } }),
  },
  createCustomer: {
    minimum: "admin",
    document: `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) ${payload} }`,
    variables: (_, actor) => ({ input: { company: `Matrix ${actor}` } }),
  },
  updateCustomer: {
    minimum: "admin",
    document: `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) ${payload} }`,
    variables: (f, actor) => ({ input: { id: f.customerId, contactName: actor } }),
  },
  createHostingPlan: {
    minimum: "admin",
    document: `mutation($input: CreateHostingPlanInput!) { createHostingPlan(input: $input) ${payload} }`,
    variables: (_, actor) => ({ input: { name: `Plan ${actor}` } }),
  },
  updateHostingPlan: {
    minimum: "admin",
    document: `mutation($input: UpdateHostingPlanInput!) { updateHostingPlan(input: $input) ${payload} }`,
    variables: (f, actor) => ({ input: { id: f.planId, maxLists: RANK[actor] } }),
  },
  assignLists: {
    minimum: "operator",
    document: `mutation($input: AssignListsInput!) { assignLists(input: $input) ${payload} }`,
    variables: (f, actor) => ({ input: { listIds: [f.listFor[actor]], customerId: f.customerId } }),
  },
  unassignLists: {
    minimum: "operator",
    document: `mutation($input: UnassignListsInput!) { unassignLists(input: $input) ${payload} }`,
    variables: (f, actor) => ({ input: { listIds: [f.listFor[actor]] } }),
  },
  assignSites: {
    minimum: "operator",
    document: `mutation($input: AssignSitesInput!) { assignSites(input: $input) ${payload} }`,
    variables: (f) => ({ input: { siteIds: [f.siteId], customerId: f.customerId } }),
  },
  unassignSites: {
    minimum: "operator",
    document: `mutation($input: UnassignSitesInput!) { unassignSites(input: $input) ${payload} }`,
    variables: (f) => ({ input: { siteIds: [f.siteId] } }),
  },
  assignServers: {
    minimum: "operator",
    document: `mutation($input: AssignServersInput!) { assignServers(input: $input) ${payload} }`,
    variables: (f) => ({ input: { serverIds: [f.serverId], customerId: f.customerId } }),
  },
  unassignServers: {
    minimum: "operator",
    document: `mutation($input: UnassignServersInput!) { unassignServers(input: $input) ${payload} }`,
    variables: (f) => ({ input: { serverIds: [f.serverId] } }),
  },
};

/** Every query: `me` is public, the rest need a signed-in user, users and tokens an admin. */
const QUERIES: Record<string, Case> = {
  me: { minimum: "anonymous", document: `{ me { username } }` },
  servers: { minimum: "viewer", document: `{ servers { totalCount nodes { name lists { totalCount } } } }` },
  server: { minimum: "viewer", document: `query($id: ID!) { server(id: $id) { name } }`, variables: (f) => ({ id: f.serverId }) },
  lists: { minimum: "viewer", document: `{ lists(first: 5) { totalCount nodes { name customer { company } } } }` },
  list: { minimum: "viewer", document: `query($id: ID!) { list(id: $id) { name } }`, variables: (f) => ({ id: f.listFor.admin }) },
  customers: { minimum: "viewer", document: `{ customers { totalCount nodes { company listCount } } }` },
  customer: { minimum: "viewer", document: `query($id: ID!) { customer(id: $id) { company } }`, variables: (f) => ({ id: f.customerId }) },
  hostingPlans: { minimum: "viewer", document: `{ hostingPlans { totalCount } }` },
  hostingPlan: { minimum: "viewer", document: `query($id: ID!) { hostingPlan(id: $id) { name } }`, variables: (f) => ({ id: f.planId }) },
  users: { minimum: "admin", document: `{ users { totalCount nodes { username role } } }` },
  apiTokens: { minimum: "admin", document: `{ apiTokens { totalCount nodes { name active } } }` },
  job: { minimum: "viewer", document: `{ job(id: "Sm9iOjE") { id } }` },
  jobs: { minimum: "viewer", document: `{ jobs { totalCount } }` },
  validationErrors: { minimum: "viewer", document: `{ validationErrors { totalCount } }` },
  validationError: { minimum: "viewer", document: `{ validationError(id: "eA") { id } }` },
  auditEntries: { minimum: "viewer", document: `{ auditEntries { totalCount } }` },
  usage: { minimum: "viewer", document: `{ usage(filter: { from: "2026-01-01", to: "2026-01-31", groupBy: MONTH }) { period messages } }` },
  usageByCustomer: { minimum: "viewer", document: `{ usageByCustomer(filter: { from: "2026-01-01", to: "2026-01-31" }) { customer { company } units } }` },
};

async function rootFields(operation: "getQueryType" | "getMutationType"): Promise<string[]> {
  const type = (await buildApiSchema())[operation]() as GraphQLObjectType | null | undefined;
  return Object.keys(type?.getFields() ?? {}).sort();
}

describe("the authorization matrix", () => {
  it("has a row for every mutation and every query in the schema", async () => {
    expect(await rootFields("getMutationType")).toEqual(Object.keys(MUTATIONS).sort());
    expect(await rootFields("getQueryType")).toEqual(Object.keys(QUERIES).sort());
  });

  it("lists nothing public but login, logout and me", async () => {
    const schema = await buildApiSchema();
    expect(getNamedType(schema.getQueryType()!.getFields().me!.type).name).toBe("User");
    const publicFields = [...Object.entries(MUTATIONS), ...Object.entries(QUERIES)].filter(([, row]) => row.minimum === "anonymous").map(([name]) => name);
    expect(publicFields.sort()).toEqual(["login", "logout", "me"]);
  });
});

describe.each(testDatabases())("who may call what on %s", (kind) => {
  let app: TestApp;
  let fixture: Fixture;
  const perActor = async (make: (actor: Actor) => Promise<string>) =>
    Object.fromEntries(await Promise.all(ACTORS.map(async (actor) => [actor, await make(actor)] as const))) as Record<Actor, string>;

  beforeAll(async () => {
    app = await startTestApp(kind);
    // No background job polling: every statement counted below is the request's own.
    await app.stopBackgroundWork();
    for (const actor of ACTORS) await app.tokenOf(actor);
    const inventory = await seedInventory(app.db, { servers: 1, sitesPerServer: 1, listsPerSite: 4 });
    const create = async (document: string, input: Record<string, unknown>) => Object.values(dataOf(await app.gql(document, { input })))[0] as any;
    const customer = await create(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { company: "Matrix Owner" });
    const plan = await create(`mutation($input: CreateHostingPlanInput!) { createHostingPlan(input: $input) { hostingPlan { id } } }`, { name: "Matrix plan" });
    const user = await create(`mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }`, { username: "matrix-owner", password: "matrix owner password", role: "VIEWER" });
    const serverFor = await perActor(async (actor) => (await create(`mutation($input: CreateServerInput!) { createServer(input: $input) { server { id } } }`, { name: `doomed ${actor}`, hostName: "d.example.com" })).server.id);
    const tokenFor = await perActor(async (actor) => (await create(`mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { apiToken { id } } }`, { userId: user.user.id, name: `revocable ${actor}` })).apiToken.id);
    const listFor = Object.fromEntries(ACTORS.map((actor, index) => [actor, inventory.listIds[index]!])) as Record<Actor, string>;
    fixture = { serverId: inventory.serverIds[0]!, siteId: inventory.siteIds[0]!, serverFor, listFor, customerId: customer.customer.id, planId: plan.hostingPlan.id, userId: user.user.id, tokenFor };
  });
  afterAll(async () => {
    await app?.stop();
  });

  const cases = (table: Record<string, Case>) =>
    Object.entries(table).flatMap(([field, row]) => ACTORS.map((actor) => ({ field, actor, row, allowed: RANK[actor] >= RANK[row.minimum] })));

  it.each([...cases(MUTATIONS), ...cases(QUERIES)])("$field as $actor: allowed=$allowed", async ({ field, actor, row, allowed }) => {
    const variables = row.variables?.(fixture, actor) ?? {};
    const before = allowed ? undefined : await snapshotRows(app.db);
    // Used a moment ago, the token's last use is not written again (that write comes once a minute).
    if (!allowed && actor !== "anonymous") dataOf(await app.gqlAs(actor, "{ me { id } }"));
    let response!: GraphQLResponse;
    const statements = await app.countSql(async () => {
      response = await app.gqlAs(actor, row.document, variables);
    });
    if (allowed) {
      expect(response.errors).toBeUndefined();
      const result = response.data?.[field];
      if (result && typeof result === "object" && "userErrors" in result) {
        if (row.inputRefused) expect(result.userErrors).not.toEqual([]);
        else expect(result.userErrors).toEqual([]);
      }
      return;
    }
    expect(response.status).toBe(200);
    expect(response.errors).toEqual([expect.objectContaining({ path: [field], extensions: { code: actor === "anonymous" ? "UNAUTHENTICATED" : "FORBIDDEN" } })]);
    expect(response.data?.[field] ?? null).toBeNull();
    // Anonymous callers present no credential to look up; the others cost exactly their token check.
    expect(statements).toBe(actor === "anonymous" ? 0 : 1);
    expect(await snapshotRows(app.db)).toEqual(before);
  });
});
