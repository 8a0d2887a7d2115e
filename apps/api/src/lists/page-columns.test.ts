import { type GraphQLObjectType, getNamedType, isObjectType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Customer } from "../customers/customer.entity.js";
import { buildApiSchema } from "../graphql/schema.js";
import { Server } from "../servers/server.entity.js";
import { seedInventory } from "../testing/seed.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";
import { List } from "./list.entity.js";
import { CUSTOMER_FIELD_COLUMNS, LIST_FIELD_COLUMNS, SERVER_FIELD_COLUMNS } from "./page-columns.js";

const MAPS = { List: LIST_FIELD_COLUMNS, Server: SERVER_FIELD_COLUMNS, Customer: CUSTOMER_FIELD_COLUMNS } as const;

/** A field as a selection: an object-typed one with its id. */
async function selectionOf(typeName: keyof typeof MAPS, field: string): Promise<string> {
  const type = (await buildApiSchema()).getType(typeName) as GraphQLObjectType;
  return isObjectType(getNamedType(type.getFields()[field]!.type)) ? `${field} { id }` : field;
}

describe("the columns a lists page reads for a selection", () => {
  it("name only fields of the schema's List, Server and Customer types", async () => {
    const schema = await buildApiSchema();
    for (const [typeName, map] of Object.entries(MAPS)) {
      const fields = Object.keys((schema.getType(typeName) as GraphQLObjectType).getFields());
      expect(Object.keys(map).filter((field) => !fields.includes(field)), typeName).toEqual([]);
    }
  });
});

describe.each(testDatabases())("a lists page read column by column, on %s", (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
    await app.stopBackgroundWork();
    const inventory = await seedInventory(app.db, { servers: 2, sitesPerServer: 2, listsPerSite: 3 });
    const plan = dataOf(await app.gql(`mutation { createHostingPlan(input: { name: "Silver", maxLists: 9 }) { hostingPlan { id } } }`)).createHostingPlan.hostingPlan.id;
    const customer = dataOf(
      await app.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { company: "Columns & Co", contactName: "Ada", email: "ada@example.com", planId: plan, startDate: "2026-03-01" } }),
    ).createCustomer.customer.id;
    dataOf(await app.gql(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code } } }`, { input: { customerId: customer, listIds: inventory.listIds.slice(0, 5) } }));
    dataOf(await app.gql(`mutation($input: UpdateServerInput!) { updateServer(input: $input) { userErrors { code } } }`, { input: { id: inventory.serverIds[0], comments: "rack 4", password: "not-the-default", autoSync: true } }));
    // Values for the fields the seed leaves empty, so that a column mapped wrong is not null on both sides.
    const list = await app.db.manager.findOneOrFail(List, { where: {}, order: { id: "ASC" } });
    await app.db.manager.update(List, { id: list.id }, { topic: "Weekly news", hostCreatedAt: new Date(Date.UTC(2025, 4, 6, 7, 8, 9)) });
    const last = await app.db.manager.findOneOrFail(List, { where: {}, order: { id: "DESC" } });
    await app.db.manager.update(List, { id: last.id }, { removedAt: new Date(Date.UTC(2026, 1, 3, 4, 5, 6)) });
    const server = await app.db.manager.findOneOrFail(Server, { where: {}, order: { id: "ASC" } });
    await app.db.manager.update(Server, { id: server.id }, { version: "9.0", validatedAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), syncedAt: new Date(Date.UTC(2026, 0, 2, 3, 5, 6)) });
    await app.db.manager.update(Customer, { company: "Columns & Co" }, { endDate: "2027-02-28" });
  });
  afterAll(async () => {
    await app?.stop();
  });

  /** Each field read through a lists page (its columns only) and through the object's own query (whole row) gives the same. */
  it.each([
    ["List", (field: string) => `nodes { id ${field} }`, (node: any) => node, "list"],
    ["Server", (field: string) => `nodes { id server { id ${field} } }`, (node: any) => node.server, "server"],
    ["Customer", (field: string) => `nodes { id customer { id ${field} } }`, (node: any) => node.customer, "customer"],
  ] as const)("answers every %s field from its columns as from the whole row", async (typeName, select, pick, single) => {
    let compared = 0;
    const valued = new Set<string>();
    for (const field of Object.keys(MAPS[typeName])) {
      const selection = await selectionOf(typeName, field);
      const nodes: any[] = dataOf(await app.gql(`{ lists(first: 100, filter: { includeRemoved: true }) { ${select(selection)} } }`)).lists.nodes;
      expect(nodes.length).toBe(12);
      for (const node of nodes) {
        const lean = pick(node);
        if (lean === null) continue;
        const whole = dataOf(await app.gql(`query($id: ID!) { ${single}(id: $id) { ${selection} } }`, { id: lean.id }))[single];
        expect(lean[field], `${typeName}.${field}`).toEqual(whole[field]);
        compared += 1;
        if (whole[field] !== null && whole[field] !== undefined) valued.add(field);
      }
    }
    expect(compared).toBeGreaterThan(Object.keys(MAPS[typeName]).length * 4);
    // Every field compared at least once on a value, not only null against null.
    expect(Object.keys(MAPS[typeName]).filter((field) => !valued.has(field))).toEqual([]);
  });

  it("reads whole rows for a field the columns do not answer, and answers it", async () => {
    const nodes: any[] = dataOf(await app.gql(`{ lists(first: 100, filter: { includeRemoved: true }) { nodes { name server { name openErrorCount } customer { company listCount } } } }`)).lists.nodes;
    expect(nodes.length).toBe(12);
    expect(nodes.filter((node) => node.customer?.listCount === 5).length).toBe(5);
    expect(nodes.every((node) => node.server.openErrorCount === 0)).toBe(true);
  });

  it("pages through with cursors when the selection reads only a few columns", async () => {
    const names: string[] = [];
    let after: string | null = null;
    for (;;) {
      const lists: any = dataOf(await app.gql(`query($after: String) { lists(first: 5, after: $after, filter: { includeRemoved: true }) { nodes { name } pageInfo { hasNextPage endCursor } } }`, { after })).lists;
      names.push(...lists.nodes.map((node: { name: string }) => node.name));
      if (!lists.pageInfo.hasNextPage) break;
      after = lists.pageInfo.endCursor;
    }
    const all = dataOf(await app.gql(`{ lists(first: 100, filter: { includeRemoved: true }) { nodes { name server { name } } } }`)).lists.nodes.map((node: { name: string }) => node.name);
    expect(names).toEqual(all);
    expect(new Set(names).size).toBe(12);
  });
});
