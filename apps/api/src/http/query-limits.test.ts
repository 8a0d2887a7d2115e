import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedInventory } from "../testing/seed.js";
import { type GraphQLResponse, type TestApp, dataOf, postGraphql, startTestApp, testDatabases } from "../testing/test-app.js";
import { MAX_BODY_BYTES } from "./graphql-http.js";

/** `{ servers { nodes { lists { nodes { customer { lists { … } } } } } } }` nested to `depth` fields. */
function nested(depth: number): string {
  const path = ["servers(first: 1)", "nodes", "lists(first: 1)", "nodes", "customer", "lists(first: 1)", "nodes", "server", "sites(first: 1)", "nodes", "name"];
  const fields = path.slice(0, depth - 1);
  return `{ ${fields.join(" { ")} { __typename${" }".repeat(fields.length)} }`;
}

function aliases(count: number): string {
  return `{ ${Array.from({ length: count }, (_, i) => `a${i}: me { username }`).join(" ")} }`;
}

describe.each(testDatabases())("query limits on %s", (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
    // No background job polling: every statement counted below is the request's own.
    await app.stopBackgroundWork();
    await seedInventory(app.db, { servers: 1, sitesPerServer: 1, listsPerSite: 2 });
  });
  afterAll(async () => {
    await app?.stop();
  });

  /** Sends the request as the signed-in admin and returns the response and the SQL it cost. */
  async function measured(send: () => Promise<GraphQLResponse>): Promise<{ response: GraphQLResponse; statements: number }> {
    let response!: GraphQLResponse;
    const statements = await app.countSql(async () => {
      response = await send();
    });
    return { response, statements };
  }

  function expectRefused({ response, statements }: { response: GraphQLResponse; statements: number }, pattern: RegExp): void {
    expect(response.status).toBe(400);
    expect(response.data).toBeUndefined();
    expect(response.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(pattern), extensions: { code: "QUERY_TOO_COMPLEX" } })]);
    // Refused from the document alone: not even the admin's token was looked up.
    expect(statements).toBe(0);
  }

  it("runs a query 8 fields deep and refuses one 9 deep without SQL", async () => {
    const eight = await app.gql(nested(8));
    expect(eight.errors).toBeUndefined();
    expectRefused(await measured(() => app.gql(nested(9))), /depth limit of 8 exceeded, found 9/);
  });

  it("counts depth through fragments too", async () => {
    const query = `query { servers(first: 1) { ...deep } }
      fragment deep on ServerConnection { nodes { lists(first: 1) { nodes { customer { lists(first: 1) { nodes { server { sites(first: 1) { nodes { name } } } } } } } } } }`;
    expectRefused(await measured(() => app.gql(query)), /depth limit of 8 exceeded/);
  });

  it("allows 15 aliases and refuses 16 without SQL", async () => {
    const fifteen = await app.gql(aliases(15));
    expect(Object.keys(dataOf(fifteen))).toHaveLength(15);
    expectRefused(await measured(() => app.gql(aliases(16))), /Aliases limit of 15 exceeded, found 16/);
  });

  it("takes one login or changePassword per request, so aliases do not multiply password guesses", async () => {
    const tries = (field: string, input: string) => `mutation { a: ${field}(input: ${input}) { userErrors { code } } b: ${field}(input: ${input}) { userErrors { code } } }`;
    expectRefused(await measured(() => app.gql(tries("login", `{ username: "admin", password: "guess one" }`))), /At most one login or changePassword per request/);
    expectRefused(await measured(() => app.gql(tries("changePassword", `{ currentPassword: "guess one", newPassword: "a new password 1" }`))), /At most one login or changePassword per request/);
    // Nor through fragments, before or after the operation, or fragments of other operations.
    const guess = (n: number) => `login(input: { username: "admin", password: "guess ${n}" }) { userErrors { code } }`;
    expectRefused(await measured(() => app.gql(`fragment F on Mutation { a: ${guess(1)} } mutation Real { ...F b: ${guess(2)} }`)), /At most one login/);
    expectRefused(await measured(() => app.gql(`fragment F on Mutation { a: ${guess(1)} } mutation Decoy { ...F } fragment G on Mutation { b: ${guess(2)} } mutation Real { ...F ...G }`)), /At most one login/);
    const one = await app.gql(`mutation { login(input: { username: "admin", password: "a wrong guess" }) { userErrors { code } } }`);
    expect(dataOf(one).login.userErrors).toEqual([{ code: "INVALID_CREDENTIALS" }]);
  });

  it("costs a connection at its page size and refuses a query over 5,000 without SQL", async () => {
    const affordable = await app.gql(`{ servers(first: 10) { nodes { lists(first: 100) { nodes { name } } } } }`);
    expect(affordable.errors).toBeUndefined();
    expectRefused(await measured(() => app.gql(`{ servers(first: 100) { nodes { lists(first: 100) { nodes { name } } } } }`)), /Query cost 20201 exceeds the limit of 5000/);
    // Page sizes from variables count the same as literal ones, and the default page is 50.
    const byVariable = `query($n: Int) { servers(first: $n) { nodes { lists { nodes { name } } } } }`;
    expectRefused(await measured(() => app.gql(byVariable, { n: 60 })), /exceeds the limit of 5000/);
    // Costs are remembered per document and variables: the same document with a smaller page passes, and the larger one is still refused.
    expect((await app.gql(byVariable, { n: 2 })).errors).toBeUndefined();
    expectRefused(await measured(() => app.gql(byVariable, { n: 60 })), /Query cost \d+ exceeds the limit of 5000/);
    expect((await app.gql(byVariable, { n: 2 })).errors).toBeUndefined();
    // A negative page size is not a discount.
    expectRefused(await measured(() => app.gql(`{ servers(first: -5) { nodes { lists(first: 100) { nodes { customer { lists(first: 100) { nodes { name } } } } } } } }`)), /exceeds the limit of 5000/);
  });

  it("refuses a document of more than 10,000 tokens without SQL", async () => {
    const huge = `{ me { ${"username ".repeat(10_001)} } }`;
    expectRefused(await measured(() => app.gql(huge)), /more th(?:an|at) 10000 tokens/);
  });

  it("refuses a body over 1 MB with 413 and batched requests with 400, without SQL", async () => {
    const token = await app.tokenOf("admin");
    const big = await measured(async () => {
      const response = await fetch(`${app.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: "{ me { username } }", variables: { padding: "x".repeat(MAX_BODY_BYTES) } }),
      });
      return { status: response.status, text: await response.text(), headers: response.headers };
    });
    expect(big.response.status).toBe(413);
    expect(big.statements).toBe(0);

    const batch = await measured(async () => {
      const response = await fetch(`${app.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify([{ query: "{ me { username } }" }, { query: "{ me { role } }" }]),
      });
      return { status: response.status, text: await response.text(), headers: response.headers };
    });
    expect(batch.response.status).toBe(400);
    expect(batch.response.text).toMatch(/batch/i);
    expect(batch.statements).toBe(0);
  });
});

describe.each(testDatabases())("production hardening on %s", (kind) => {
  let production: TestApp;
  let development: TestApp;
  beforeAll(async () => {
    [production, development] = await Promise.all([startTestApp(kind, { NODE_ENV: "production" }), startTestApp(kind)]);
  });
  afterAll(async () => {
    await Promise.all([production?.stop(), development?.stop()]);
  });

  const INTROSPECT = `{ __schema { queryType { name } } }`;

  it("serves introspection in production only to signed-in callers", async () => {
    const anonymous = await production.gqlAs("anonymous", INTROSPECT);
    expect(anonymous.errors).toEqual([expect.objectContaining({ extensions: { code: "UNAUTHENTICATED" } })]);
    expect(anonymous.data).toBeUndefined();
    const hidden = await production.gqlAs("anonymous", `{ __type(name: "Server") { fields { name } } }`);
    expect(hidden.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(dataOf(await production.gqlAs("viewer", INTROSPECT)).__schema.queryType.name).toBe("Query");
    expect(dataOf(await development.gqlAs("anonymous", INTROSPECT)).__schema.queryType.name).toBe("Query");
  });

  it("keeps field suggestions out of production errors", async () => {
    const typo = `{ servers { nodes { nmae } } }`;
    const prod = await production.gql(typo);
    expect(prod.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(prod.text).not.toMatch(/Did you mean/);
    const dev = await development.gql(typo);
    expect(dev.errors?.[0]?.message).toMatch(/Did you mean "name"\?/);
    const badEnum = await production.gql(`mutation { createUser(input: { username: "x", password: "y", role: ADMN }) { user { id } } }`);
    expect(badEnum.status).toBe(400);
    expect(badEnum.text).not.toMatch(/Did you mean/);
  });

  it("sends no stack trace, in production or not", async () => {
    for (const app of [production, development]) {
      const broken = await app.gql(`{ servers(first: 5, after: "not-a-cursor") { totalCount } }`);
      expect(broken.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT" });
      expect(broken.text).not.toMatch(/stacktrace|at .*\.ts:\d+/);
    }
  });

  it("blocks a GET that a browser could send cross-site (CSRF prevention), and serves one that says it is not", async () => {
    const query = encodeURIComponent("{ me { username } }");
    const token = await production.tokenOf("viewer");
    const simple = await fetch(`${production.url}/graphql?query=${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/Cross-Site Request Forgery/);
    const preflighted = await fetch(`${production.url}/graphql?query=${query}`, { headers: { authorization: `Bearer ${token}`, "apollo-require-preflight": "true" } });
    expect(preflighted.status).toBe(200);
    expect(await preflighted.json()).toEqual({ data: { me: { username: "test-viewer" } } });
  });
});

describe.each(testDatabases())("the per-token rate limit on %s", (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind, { LISTBILL_RATE_LIMIT_PER_MINUTE: "5" });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("answers 429 with Retry-After once a token has spent its budget, without SQL, and leaves other tokens alone", async () => {
    // startTestApp itself spent part of the admin's and the session's budget; the viewer's is whole.
    const viewer = await app.tokenOf("viewer");
    const operator = await app.tokenOf("operator");
    const asViewer = () => postGraphql(app.url, `{ me { username } }`, {}, { authorization: `Bearer ${viewer}` });
    for (let i = 0; i < 5; i++) expect((await asViewer()).status).toBe(200);
    await app.stopBackgroundWork();
    let limited!: GraphQLResponse;
    const statements = await app.countSql(async () => {
      limited = await asViewer();
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(limited.errors).toEqual([{ message: expect.stringMatching(/Too many requests: .* 5 requests a minute; retry after \d+ s/), extensions: { code: "RATE_LIMITED" } }]);
    expect(statements).toBe(0);
    const other = await postGraphql(app.url, `{ me { username } }`, {}, { authorization: `Bearer ${operator}` });
    expect(dataOf(other).me.username).toBe("test-operator");
  });
});
