import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, dataOf, startTestApp, testDatabases, snapshotRows } from "../testing/test-app.js";
import { Server } from "./server.entity.js";

const SERVER_FIELDS = "id name hostName port comments autoSync status version validatedAt syncedAt passwordSet";
const CREATE = `mutation($input: CreateServerInput!) { createServer(input: $input) { server { ${SERVER_FIELDS} } userErrors { code field message } } }`;
const UPDATE = `mutation($input: UpdateServerInput!) { updateServer(input: $input) { server { ${SERVER_FIELDS} } userErrors { code field message } } }`;
const DELETE = `mutation($input: DeleteServerInput!) { deleteServer(input: $input) { deletedServerId userErrors { code field message } } }`;

describe.each(testDatabases())("servers on %s", (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
  });
  afterAll(async () => {
    await app?.stop();
  });

  /** Every row of every table (servers and audit entries among them): a refused mutation must leave them exactly as they were. */
  const serverRows = () => snapshotRows(app.db);

  it("registers a server with ListManager's defaults and returns it without its password", async () => {
    const response = await app.gql(CREATE, { input: { name: "Hosting One", hostName: "lm1.example.com", password: "p4ss-word-one", comments: "rack 4" } });
    const { createServer } = dataOf(response);
    expect(createServer.userErrors).toEqual([]);
    expect(createServer.server).toMatchObject({
      name: "Hosting One",
      hostName: "lm1.example.com",
      port: 2021,
      comments: "rack 4",
      autoSync: false,
      status: "NEVER_VALIDATED",
      version: null,
      validatedAt: null,
      passwordSet: true,
    });
    expect(response.text).not.toContain("p4ss-word-one");

    const stored = await app.db.manager.findOneByOrFail(Server, { name: "Hosting One" });
    expect(stored.passwordSealed).toMatch(/^v1:/);
    expect(stored.passwordSealed).not.toContain("p4ss-word-one");
    expect(app.services.servers.agentPassword(stored)).toBe("p4ss-word-one");
  });

  it("accepts IPv4 and IPv6 literals and single-label host names", async () => {
    for (const [name, hostName] of [["v4", "10.1.2.3"], ["v6", "2001:db8::1"], ["bare", "localhost"]]) {
      const { createServer } = dataOf(await app.gql(CREATE, { input: { name: `Host ${name}`, hostName, port: 2100 } }));
      expect(createServer.userErrors).toEqual([]);
      expect(createServer.server.hostName).toBe(hostName);
    }
  });

  it.each([
    ["a duplicate name, whatever its case", { name: "HOSTING ONE", hostName: "x.example.com" }, "DUPLICATE_NAME", ["input", "name"]],
    ["an invalid host name", { name: "Bad host", hostName: "not a host!" }, "INVALID_HOST_NAME", ["input", "hostName"]],
    ["port 0", { name: "Port zero", hostName: "a.example.com", port: 0 }, "PORT_OUT_OF_RANGE", ["input", "port"]],
    ["port 65536", { name: "Port big", hostName: "a.example.com", port: 65536 }, "PORT_OUT_OF_RANGE", ["input", "port"]],
    ["a name over 100 characters", { name: "n".repeat(101), hostName: "a.example.com" }, "INVALID_NAME", ["input", "name"]],
    ["an empty name", { name: "   ", hostName: "a.example.com" }, "INVALID_NAME", ["input", "name"]],
    ["an empty password", { name: "Empty pw", hostName: "a.example.com", password: "" }, "INVALID_PASSWORD", ["input", "password"]],
  ])("refuses %s with its own code and changes no row", async (_label, input, code, field) => {
    const before = await serverRows();
    const { createServer } = dataOf(await app.gql(CREATE, { input }));
    expect(createServer.server).toBeNull();
    expect(createServer.userErrors).toContainEqual(expect.objectContaining({ code, field }));
    expect(await serverRows()).toEqual(before);
  });

  it("updates fields, keeps the password unless told, and resets it to the default with null", async () => {
    const { createServer } = dataOf(await app.gql(CREATE, { input: { name: "Updatable", hostName: "u.example.com", password: "first-secret" } }));
    const id = createServer.server.id;
    const renamed = dataOf(await app.gql(UPDATE, { input: { id, name: "Updated", port: 3000, autoSync: true, comments: "" } })).updateServer;
    expect(renamed.userErrors).toEqual([]);
    expect(renamed.server).toMatchObject({ id, name: "Updated", port: 3000, autoSync: true, comments: null, passwordSet: true });

    const reset = dataOf(await app.gql(UPDATE, { input: { id, password: null } })).updateServer;
    expect(reset.server.passwordSet).toBe(false);
    const stored = await app.db.manager.findOneByOrFail(Server, { name: "Updated" });
    expect(app.services.servers.agentPassword(stored)).toBe("TCLPORTPasswd");
  });

  it("refuses an update to a taken name or an unknown ID and changes nothing", async () => {
    const { createServer } = dataOf(await app.gql(CREATE, { input: { name: "Keeper", hostName: "k.example.com" } }));
    const before = await serverRows();
    const clash = dataOf(await app.gql(UPDATE, { input: { id: createServer.server.id, name: "hosting one", port: 9 } })).updateServer;
    expect(clash.userErrors).toEqual([expect.objectContaining({ code: "DUPLICATE_NAME", field: ["input", "name"] })]);
    const unknown = dataOf(await app.gql(UPDATE, { input: { id: "U2VydmVyOjk5OTk5", name: "Ghost" } })).updateServer;
    expect(unknown.userErrors).toEqual([expect.objectContaining({ code: "SERVER_NOT_FOUND" })]);
    const foreign = dataOf(await app.gql(UPDATE, { input: { id: "TGlzdDox", name: "Ghost" } })).updateServer;
    expect(foreign.userErrors).toEqual([expect.objectContaining({ code: "SERVER_NOT_FOUND" })]);
    expect(await serverRows()).toEqual(before);
  });

  it("deletes a server on request and refuses an unknown one", async () => {
    const { createServer } = dataOf(await app.gql(CREATE, { input: { name: "Doomed", hostName: "d.example.com" } }));
    const deleted = dataOf(await app.gql(DELETE, { input: { id: createServer.server.id } })).deleteServer;
    expect(deleted).toEqual({ deletedServerId: createServer.server.id, userErrors: [] });
    expect(dataOf(await app.gql(`query($id: ID!) { server(id: $id) { id } }`, { id: createServer.server.id })).server).toBeNull();
    const again = dataOf(await app.gql(DELETE, { input: { id: createServer.server.id } })).deleteServer;
    expect(again.userErrors).toEqual([expect.objectContaining({ code: "SERVER_NOT_FOUND" })]);
  });

  it("pages through servers by name in both directions with a stable total", async () => {
    for (const name of ["Page C", "page a", "Page B", "Page D", "page e"]) {
      dataOf(await app.gql(CREATE, { input: { name, hostName: "p.example.com" } }));
    }
    const PAGE = `query($first: Int, $after: String, $last: Int, $before: String) {
      servers(first: $first, after: $after, last: $last, before: $before, filter: { nameContains: "PAGE" }) {
        totalCount nodes { name } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    const first = dataOf(await app.gql(PAGE, { first: 2 })).servers;
    expect(first.totalCount).toBe(5);
    expect(first.nodes.map((s: { name: string }) => s.name)).toEqual(["page a", "Page B"]);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = dataOf(await app.gql(PAGE, { first: 2, after: first.pageInfo.endCursor })).servers;
    expect(second.nodes.map((s: { name: string }) => s.name)).toEqual(["Page C", "Page D"]);
    const last = dataOf(await app.gql(PAGE, { first: 2, after: second.pageInfo.endCursor })).servers;
    expect(last.nodes.map((s: { name: string }) => s.name)).toEqual(["page e"]);
    expect(last.pageInfo.hasNextPage).toBe(false);
    const back = dataOf(await app.gql(PAGE, { last: 2, before: last.pageInfo.startCursor })).servers;
    expect(back.nodes.map((s: { name: string }) => s.name)).toEqual(["Page C", "Page D"]);
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it("refuses page sizes over 100 and cursors it never issued", async () => {
    const tooMany = await app.gql(`{ servers(first: 101) { totalCount } }`);
    expect(tooMany.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const forged = await app.gql(`{ servers(first: 5, after: "not-a-cursor") { totalCount } }`);
    expect(forged.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("keeps the generated encryption key private to its owner", () => {
    const keyFile = join(app.dataDir, "secret.key");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(keyFile, "utf8").trim(), "base64")).toHaveLength(32);
  });
});
