import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, dataOf, startTestApp, testDatabases, snapshotRows } from "../testing/test-app.js";

const CUSTOMER_FIELDS = "id company contactName email isActive startDate endDate plan { name maxLists } listCount memberCount";
const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { ${CUSTOMER_FIELDS} } userErrors { code field message } } }`;
const UPDATE = `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { ${CUSTOMER_FIELDS} } userErrors { code field message } } }`;
const CREATE_PLAN = `mutation($input: CreateHostingPlanInput!) { createHostingPlan(input: $input) { hostingPlan { id name maxLists maxListsPerSite maxSites maxMembers maxMembersPerList } userErrors { code field message } } }`;
const UPDATE_PLAN = `mutation($input: UpdateHostingPlanInput!) { updateHostingPlan(input: $input) { hostingPlan { id name maxLists maxMembers } userErrors { code field message } } }`;

describe.each(testDatabases())("customers and hosting plans on %s", (kind) => {
  let app: TestApp;
  let bronze: string;
  beforeAll(async () => {
    app = await startTestApp(kind);
  });
  afterAll(async () => {
    await app?.stop();
  });

  /** Every row of every table (audit entries included): a refused mutation leaves them all as they were. */
  const rows = () => snapshotRows(app.db);

  it("creates a hosting plan whose absent limits mean unlimited", async () => {
    const { createHostingPlan } = dataOf(await app.gql(CREATE_PLAN, { input: { name: "Bronze", maxLists: 5, maxMembers: 10000 } }));
    expect(createHostingPlan.userErrors).toEqual([]);
    expect(createHostingPlan.hostingPlan).toMatchObject({ name: "Bronze", maxLists: 5, maxListsPerSite: 0, maxSites: 0, maxMembers: 10000, maxMembersPerList: 0 });
    bronze = createHostingPlan.hostingPlan.id;
    const listed = dataOf(await app.gql(`{ hostingPlans { totalCount nodes { name } } }`)).hostingPlans;
    expect(listed).toEqual({ totalCount: 1, nodes: [{ name: "Bronze" }] });
  });

  it.each([
    ["a negative limit", { name: "Neg", maxLists: -1 }, "INVALID_LIMIT"],
    ["a duplicate plan name", { name: "bronze" }, "DUPLICATE_NAME"],
    ["an empty plan name", { name: "" }, "INVALID_NAME"],
  ])("refuses a plan with %s and changes nothing", async (_label, input, code) => {
    const before = await rows();
    const { createHostingPlan } = dataOf(await app.gql(CREATE_PLAN, { input }));
    expect(createHostingPlan).toEqual({ hostingPlan: null, userErrors: [expect.objectContaining({ code })] });
    expect(await rows()).toEqual(before);
  });

  it("updates a plan's limits, keeping the ones not named", async () => {
    const { updateHostingPlan } = dataOf(await app.gql(UPDATE_PLAN, { input: { id: bronze, maxMembers: 20000 } }));
    expect(updateHostingPlan.hostingPlan).toMatchObject({ name: "Bronze", maxLists: 5, maxMembers: 20000 });
  });

  it("creates a customer on a plan, active by default", async () => {
    const { createCustomer } = dataOf(
      await app.gql(CREATE, { input: { company: "Acme Mail", contactName: "Ada", email: "ada@acme.example", planId: bronze, startDate: "2026-01-01" } }),
    );
    expect(createCustomer.userErrors).toEqual([]);
    expect(createCustomer.customer).toMatchObject({
      company: "Acme Mail",
      contactName: "Ada",
      email: "ada@acme.example",
      isActive: true,
      startDate: "2026-01-01",
      endDate: null,
      plan: { name: "Bronze", maxLists: 5 },
      listCount: 0,
      memberCount: 0,
    });
  });

  it.each([
    ["an empty company", { company: " " }, "INVALID_COMPANY"],
    ["a malformed email", { company: "X", email: "not-an-address" }, "INVALID_EMAIL"],
    ["an unknown plan", { company: "X", planId: "SG9zdGluZ1BsYW46OTk5" }, "PLAN_NOT_FOUND"],
    ["an end before its start", { company: "X", startDate: "2026-05-01", endDate: "2026-04-30" }, "INVALID_DATE"],
  ])("refuses a customer with %s and changes nothing", async (_label, input, code) => {
    const before = await rows();
    const { createCustomer } = dataOf(await app.gql(CREATE, { input }));
    expect(createCustomer).toEqual({ customer: null, userErrors: [expect.objectContaining({ code })] });
    expect(await rows()).toEqual(before);
  });

  it("updates a customer: deactivates, clears the plan and the email", async () => {
    const created = dataOf(await app.gql(CREATE, { input: { company: "Initech", email: "a@initech.example", planId: bronze } })).createCustomer.customer;
    const { updateCustomer } = dataOf(await app.gql(UPDATE, { input: { id: created.id, isActive: false, planId: null, email: null } }));
    expect(updateCustomer.userErrors).toEqual([]);
    expect(updateCustomer.customer).toMatchObject({ company: "Initech", isActive: false, plan: null, email: null });
    const inactive = dataOf(await app.gql(`{ customers(filter: { isActive: false }) { totalCount nodes { company } } }`)).customers;
    expect(inactive).toEqual({ totalCount: 1, nodes: [{ company: "Initech" }] });
  });

  it.each([
    ["an unknown plan", "SG9zdGluZ1BsYW46OTk5"],
    ["an ID that is not a plan's", "Q3VzdG9tZXI6MQ"],
    ["a malformed ID", "not an id"],
  ])("refuses moving a customer, with a plan or without, to %s and changes nothing", async (_label, planId) => {
    const onPlan = dataOf(await app.gql(CREATE, { input: { company: "Stays on Bronze", planId: bronze } })).createCustomer.customer.id;
    const withoutPlan = dataOf(await app.gql(CREATE, { input: { company: "Stays without a plan" } })).createCustomer.customer.id;
    const periods = async () => app.db.manager.query("SELECT customerId, startDate, planId FROM customer_plan_period ORDER BY id");
    const [before, periodsBefore] = [await rows(), await periods()];
    for (const id of [onPlan, withoutPlan]) {
      const { updateCustomer } = dataOf(await app.gql(UPDATE, { input: { id, planId, company: "Renamed" } }));
      expect(updateCustomer.userErrors).toEqual([expect.objectContaining({ code: "PLAN_NOT_FOUND" })]);
    }
    expect(await rows()).toEqual(before);
    expect(await periods()).toEqual(periodsBefore);
  });

  it("refuses an update of an unknown customer", async () => {
    const before = await rows();
    const { updateCustomer } = dataOf(await app.gql(UPDATE, { input: { id: "Q3VzdG9tZXI6OTk5", company: "Ghost" } }));
    expect(updateCustomer.userErrors).toEqual([expect.objectContaining({ code: "CUSTOMER_NOT_FOUND" })]);
    expect(await rows()).toEqual(before);
  });
});
