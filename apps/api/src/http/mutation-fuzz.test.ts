import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { toGlobalId } from "../graphql/global-id.js";
import { buildApiSchema } from "../graphql/schema.js";
import { seedInventory } from "../testing/seed.js";
import { type TestApp, TEST_ADMIN_PASSWORD, snapshotRows, startTestApp, testDatabases } from "../testing/test-app.js";

/**
 * Property: whatever an admin sends to a mutation, the API answers below 500, stays up, changes
 * no row when it refuses the input (userErrors or a GraphQL error), and never echoes a
 * hosting-server password, a user's password (or one tried at sign-in) or an API token, in a
 * response or a log line.
 * Most runs go to SQLite; MySQL, when configured, takes 35% of the 10,000 (a run costs
 * about 10 ms there against 15 ms on MySQL). LISTBILL_FUZZ_RUNS changes the total for a quick try.
 */
const TOTAL_RUNS = Number(process.env.LISTBILL_FUZZ_RUNS ?? 10_000);
const MYSQL_RUNS = Math.round(TOTAL_RUNS * 0.35);

const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "x".repeat(101), "y".repeat(2001), "%_!\\", "'; DROP TABLE server; --", "\u0000", "a\u200Bb", "Robert'); --") },
);
/** A small pool of names, so creations collide (and are refused) instead of piling up rows. */
const name = fc.oneof({ weight: 3, arbitrary: fc.constantFrom("Alpha", "beta", "ALPHA", "Gamma", "delta", "Echo one") }, { weight: 1, arbitrary: text });
const hostName = fc.oneof(fc.constantFrom("lm1.example.com", "10.0.0.1", "::1", "localhost", "bad host", "-x-", "a..b", "256.1.1.1"), fc.domain(), text);
const int = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -5, max: 70_000 }) },
  { weight: 2, arbitrary: fc.constantFrom(0, -1, 1, 65_535, 65_536, 2 ** 31 - 1, -(2 ** 31)) },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 31, 2 ** 53, 1.5, Number.MAX_VALUE) },
);
const date = fc.oneof(fc.constantFrom("2026-01-31", "2026-02-30", "1999-12-31", "2026-13-01", "2999-12-31", "today", ""), text);
const instant = fc.oneof(fc.constantFrom("2999-01-01T00:00:00.000Z", "2001-01-01T00:00:00Z", "not a time", "2026-02-30T00:00:00Z"), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), text);
/** Hosting-server passwords are distinctive, so any echo of one is found by a plain search. */
const serverPassword = fc.stringMatching(/^srvpw-[a-z0-9]{12}$/);
/** So are the users' passwords (long enough to be accepted), and those tried at sign-in. */
const userPassword = fc.stringMatching(/^usrpw-[a-z0-9]{16}$/);
const SECRET_PREFIXES = ["srvpw-", "usrpw-"];
/** Now and then a value of the wrong type altogether. */
const wrong = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }));
const maybeWrong = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ weight: 12, arbitrary }, { weight: 1, arbitrary: wrong });
const rarely = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ weight: 15, arbitrary: fc.constant(null) }, { weight: 1, arbitrary });

interface Pools {
  /** The admin token the fuzz itself sends: revoking it would end the run, so it is never a target. */
  driverTokenId: string;
  serverIds: string[];
  siteIds: string[];
  listIds: string[];
  customerIds: string[];
  planIds: string[];
  userIds: string[];
  tokenIds: string[];
}

function idFrom(pool: () => string[], type: Parameters<typeof toGlobalId>[0]) {
  return fc.oneof(
    { weight: 4, arbitrary: fc.nat().map((index) => pool()[index % Math.max(1, pool().length)] ?? "") },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 10 ** 9 }).map((id) => toGlobalId(type, id)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 50 }).map((id) => toGlobalId(type === "List" ? "Server" : "List", id)) },
    { weight: 1, arbitrary: text },
  );
}

/** One generator per mutation: the input object and the payload fields to select. */
function mutationInputs(pools: Pools): Record<string, { type: string; select: string; input: fc.Arbitrary<unknown>; weight: number }> {
  const serverId = idFrom(() => pools.serverIds, "Server");
  const listIds = fc.array(idFrom(() => pools.listIds, "List"), { maxLength: 4 });
  const siteIds = fc.array(idFrom(() => pools.siteIds, "Site"), { maxLength: 3 });
  const customerId = idFrom(() => pools.customerIds, "Customer");
  const planId = idFrom(() => pools.planIds, "HostingPlan");
  const optional = { requiredKeys: [] as never[] };
  return {
    createServer: { type: "CreateServerInput", select: "server { id }", weight: 4, input: fc.record({ name: maybeWrong(name), hostName: maybeWrong(hostName), port: fc.option(maybeWrong(int)), password: fc.option(serverPassword), comments: fc.option(text), autoSync: fc.option(maybeWrong(fc.boolean())) }, { requiredKeys: ["name", "hostName"] }) },
    updateServer: { type: "UpdateServerInput", select: "server { id }", weight: 4, input: fc.record({ id: serverId, name: fc.option(name), hostName: fc.option(hostName), port: fc.option(maybeWrong(int)), password: fc.option(serverPassword), comments: fc.option(text), autoSync: fc.option(fc.boolean()) }, { requiredKeys: ["id"] }) },
    deleteServer: { type: "DeleteServerInput", select: "deletedServerId", weight: 2, input: fc.record({ id: maybeWrong(serverId) }) },
    createCustomer: { type: "CreateCustomerInput", select: "customer { id }", weight: 4, input: fc.record({ company: maybeWrong(name), contactName: fc.option(text), email: fc.option(fc.oneof(fc.emailAddress(), text)), isActive: fc.option(fc.boolean()), planId: fc.option(planId), startDate: fc.option(maybeWrong(date)), endDate: fc.option(date) }, { requiredKeys: ["company"] }) },
    updateCustomer: { type: "UpdateCustomerInput", select: "customer { id }", weight: 3, input: fc.record({ id: customerId, company: fc.option(name), contactName: fc.option(text), email: fc.option(fc.oneof(fc.emailAddress(), text)), isActive: fc.option(fc.boolean()), planId: fc.option(planId), startDate: fc.option(date), endDate: fc.option(date) }, { requiredKeys: ["id"] }) },
    createHostingPlan: { type: "CreateHostingPlanInput", select: "hostingPlan { id }", weight: 3, input: fc.record({ name: maybeWrong(name), maxLists: fc.option(int), maxListsPerSite: fc.option(int), maxSites: fc.option(int), maxMembers: fc.option(maybeWrong(int)), maxMembersPerList: fc.option(int) }, { requiredKeys: ["name"] }) },
    updateHostingPlan: { type: "UpdateHostingPlanInput", select: "hostingPlan { id }", weight: 2, input: fc.record({ id: planId, name: fc.option(name), maxLists: fc.option(int), maxMembers: fc.option(int) }, { requiredKeys: ["id"] }) },
    assignLists: { type: "AssignListsInput", select: "lists { id }", weight: 4, input: fc.record({ listIds: maybeWrong(listIds), customerId, startDate: fc.option(maybeWrong(date)) }, { requiredKeys: ["listIds", "customerId"] }) },
    unassignLists: { type: "UnassignListsInput", select: "lists { id }", weight: 3, input: fc.record({ listIds, endDate: fc.option(date) }, { requiredKeys: ["listIds"] }) },
    assignSites: { type: "AssignSitesInput", select: "sites { id }", weight: 3, input: fc.record({ siteIds: maybeWrong(siteIds), customerId, startDate: fc.option(maybeWrong(date)) }, { requiredKeys: ["siteIds", "customerId"] }) },
    unassignSites: { type: "UnassignSitesInput", select: "sites { id }", weight: 2, input: fc.record({ siteIds, endDate: fc.option(date) }, { requiredKeys: ["siteIds"] }) },
    assignServers: { type: "AssignServersInput", select: "servers { id }", weight: 2, input: fc.record({ serverIds: maybeWrong(fc.array(serverId, { maxLength: 3 })), customerId, startDate: fc.option(maybeWrong(date)) }, { requiredKeys: ["serverIds", "customerId"] }) },
    unassignServers: { type: "UnassignServersInput", select: "servers { id }", weight: 2, input: fc.record({ serverIds: fc.array(serverId, { maxLength: 3 }), endDate: fc.option(date) }, { requiredKeys: ["serverIds"] }) },
    // `all: true` queues a job per server; kept rare so the job table (read after every run) stays small.
    validateServers: { type: "ValidateServersInput", select: "jobs { id }", weight: 1, input: fc.record({ serverIds: fc.option(fc.array(serverId, { maxLength: 3 })), all: rarely(fc.boolean()) }, optional) },
    syncServers: { type: "SyncServersInput", select: "jobs { id }", weight: 1, input: fc.record({ serverIds: fc.option(fc.array(serverId, { maxLength: 3 })), all: rarely(fc.boolean()) }, optional) },
    createUser: { type: "CreateUserInput", select: "user { id }", weight: 2, input: fc.record({ username: maybeWrong(name), password: fc.oneof(text, userPassword), role: fc.oneof({ weight: 8, arbitrary: fc.constantFrom("VIEWER", "OPERATOR", "ADMIN") }, { weight: 1, arbitrary: text }) }) },
    // Never the driver's own user (the admin): it is not in the pool, as createUser fills it.
    updateUser: { type: "UpdateUserInput", select: "user { id }", weight: 1, input: fc.record({ id: idFrom(() => pools.userIds, "User"), role: fc.option(fc.oneof({ weight: 8, arbitrary: fc.constantFrom("VIEWER", "OPERATOR", "ADMIN") }, { weight: 1, arbitrary: text })), password: rarely(fc.oneof(text, userPassword)), disabled: fc.option(maybeWrong(fc.boolean())) }, { requiredKeys: ["id"] }) },
    // The admin's own password now and then: the driver's token goes on working after a change.
    changePassword: { type: "ChangePasswordInput", select: "changed", weight: 1, input: fc.record({ currentPassword: fc.oneof({ weight: 1, arbitrary: fc.constant(TEST_ADMIN_PASSWORD) }, { weight: 3, arbitrary: text }), newPassword: fc.oneof(text, userPassword) }) },
    createApiToken: { type: "CreateApiTokenInput", select: "token apiToken { id }", weight: 2, input: fc.record({ userId: idFrom(() => pools.userIds, "User"), name: maybeWrong(text), expiresAt: fc.option(instant) }, { requiredKeys: ["userId", "name"] }) },
    revokeApiToken: { type: "RevokeApiTokenInput", select: "apiToken { id }", weight: 1, input: fc.record({ id: idFrom(() => pools.tokenIds, "ApiToken").filter((id) => id !== pools.driverTokenId) }) },
    purgeValidationErrors: { type: "PurgeValidationErrorsInput", select: "deleted hasMore remaining", weight: 1, input: fc.record({ supersededBefore: maybeWrong(date), serverIds: fc.option(fc.array(serverId, { maxLength: 3 })), limit: fc.option(maybeWrong(int)), dryRun: fc.option(fc.boolean()) }, { requiredKeys: ["supersededBefore"] }) },
    // Each sign-in costs an argon2 hash (tens of ms), so few of them; wrong passwords mostly.
    login: { type: "LoginInput", select: "user { id }", weight: 1, input: fc.record({ username: fc.oneof(fc.constant("admin"), text), password: fc.oneof({ weight: 1, arbitrary: fc.constant(TEST_ADMIN_PASSWORD) }, { weight: 2, arbitrary: text }, { weight: 2, arbitrary: userPassword }) }) },
  };
}

describe.each(testDatabases())("fuzzing every mutation on %s", (kind) => {
  const runs = kind === "mysql" ? MYSQL_RUNS : TOTAL_RUNS - (testDatabases().includes("mysql") ? MYSQL_RUNS : 0);
  let app: TestApp;
  const pools: Pools = { driverTokenId: "", serverIds: [], siteIds: [], listIds: [], customerIds: [], planIds: [], userIds: [], tokenIds: [] };

  beforeAll(async () => {
    app = await startTestApp(kind);
    // No job runs in the background: a refused input must leave every row exactly as it was.
    await app.stopBackgroundWork();
    const inventory = await seedInventory(app.db, { servers: 2, sitesPerServer: 2, listsPerSite: 3 });
    pools.serverIds.push(...inventory.serverIds);
    pools.siteIds.push(...inventory.siteIds);
    pools.listIds.push(...inventory.listIds);
    const tokens = await app.gql(`{ apiTokens { nodes { id name } } }`);
    pools.driverTokenId = tokens.data.apiTokens.nodes.find((token: { name: string }) => token.name === "test admin").id;
  });
  afterAll(async () => {
    await app?.stop();
  });

  it(`answers ${runs} generated inputs below 500, changing nothing when it refuses and leaking no secret`, { timeout: 300_000 }, async () => {
    const inputs = mutationInputs(pools);
    const mutationNames = Object.keys((await buildApiSchema()).getMutationType()!.getFields());
    const fuzzed = Object.entries(inputs).filter(([field]) => mutationNames.includes(field));
    const cases = fc.oneof(...fuzzed.map(([field, spec]) => ({ weight: spec.weight, arbitrary: spec.input.map((input) => ({ field, spec, input })) })));

    const logged: string[] = [];
    const spies = (["log", "info", "warn", "error"] as const).map((level) => vi.spyOn(console, level));
    const secrets = new Set<string>([TEST_ADMIN_PASSWORD]);
    const tally = { accepted: 0, refused: 0, errors: 0 };
    let rows = JSON.stringify(await snapshotRows(app.db));
    const started = Date.now();


    try {
      await fc.assert(
        fc.asyncProperty(cases, async ({ field, spec, input }) => {
          for (const value of Object.values(input as Record<string, unknown>)) {
            if (typeof value === "string" && SECRET_PREFIXES.some((prefix) => value.startsWith(prefix))) secrets.add(value);
          }
          const response = await app.gql(`mutation($input: ${spec.type}!) { ${field}(input: $input) { ${spec.select} userErrors { code field message } } }`, { input });
          expect(response.status).toBeLessThan(500);
          expect(response.errors?.map((error) => error.extensions?.code) ?? []).not.toContain("INTERNAL_SERVER_ERROR");
          const payload = response.data?.[field];
          const refused = response.errors !== undefined || payload == null || payload.userErrors.length > 0;
          const after = JSON.stringify(await snapshotRows(app.db));
          // The one response that may hold a secret: the new token, shown once by createApiToken.
          const shown: string | null = field === "createApiToken" && !refused ? payload.token : null;
          expect(leakedIn(response.text, secrets, shown)).toBeUndefined();
          if (shown) secrets.add(shown);
          if (refused) {
            expect(after).toBe(rows);
            tally[response.errors ? "errors" : "refused"] += 1;
          } else {
            tally.accepted += 1;
            collectIds(pools, field, payload);
          }
          rows = after;
        }),
        { numRuns: runs, seed: 20_260_101 + (kind === "mysql" ? 1 : 0), endOnFailure: true },
      );
    } finally {
      for (const spy of spies) {
        logged.push(...spy.mock.calls.map((call) => call.map(String).join(" ")));
        spy.mockRestore();
      }
    }
    const seconds = (Date.now() - started) / 1000;
    const rowCount = Object.values(await snapshotRows(app.db)).reduce((sum, table) => sum + table.length, 0);
    console.info(`[fuzz] ${kind}: ${runs} inputs in ${seconds.toFixed(1)} s: ${tally.accepted} accepted, ${tally.refused} refused with userErrors, ${tally.errors} refused with GraphQL errors; ${secrets.size} secrets tracked; ${rowCount} rows at the end`);

    expect(tally.accepted + tally.refused + tally.errors).toBe(runs);
    expect(tally.accepted).toBeGreaterThan(runs / 20);
    expect(tally.refused).toBeGreaterThan(runs / 20);
    expect(secrets.size).toBeGreaterThan(10);
    expect(logged.map((line) => leakedIn(line, secrets, null)).filter(Boolean)).toEqual([]);
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
    const me = await app.gql(`{ me { username } }`);
    expect(me.data, me.text).toEqual({ me: { username: "admin" } });
  });
});

/** The first secret `text` contains, other than `allowed` (one expect per run, not per secret: thousands of expects a run are slow). */
function leakedIn(text: string, secrets: Set<string>, allowed: string | null): string | undefined {
  for (const secret of secrets) if (secret !== allowed && text.includes(secret)) return secret;
  return undefined;
}

/** New rows join the pools, so later runs aim at real objects as well as made-up ones. */
function collectIds(pools: Pools, field: string, payload: any): void {
  if (field === "createServer") pools.serverIds.push(payload.server.id);
  if (field === "createCustomer") pools.customerIds.push(payload.customer.id);
  if (field === "createHostingPlan") pools.planIds.push(payload.hostingPlan.id);
  if (field === "createUser") pools.userIds.push(payload.user.id);
  if (field === "createApiToken") pools.tokenIds.push(payload.apiToken.id);
}
