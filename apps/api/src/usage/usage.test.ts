import { listNames, moveList, openFixtureDb } from "@listbill/fixtures";
import { In } from "typeorm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromGlobalId, toGlobalId } from "../graphql/global-id.js";
import { Customer } from "../customers/customer.entity.js";
import { CustomerPlanPeriod } from "../customers/customer-plan-period.entity.js";
import { List } from "../lists/list.entity.js";
import { HostingPlanUnitPeriod } from "../plans/hosting-plan-unit-period.entity.js";
import { Site } from "../sites/site.entity.js";
import { FAST_JOBS_ENV, type HostingServer, registerServer, runJobs, startHostingServer } from "../testing/hosting.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";
import { MessageLog } from "./message-log.entity.js";

const USAGE = `query($filter: UsageFilter!) { usage(filter: $filter) { period messages recipients bytes units } }`;

describe.each(testDatabases())("usage billed from the message log on %s", (kind) => {
  let app: TestApp;
  let hosting: HostingServer;
  let serverId: string;
  let customerId: string;
  let names: string[];

  beforeAll(async () => {
    [app, hosting] = await Promise.all([startTestApp(kind, FAST_JOBS_ENV), startHostingServer({ lists: 4, logRows: 0 })]);
    names = await listNames(hosting.target, 10);
    const db = await openFixtureDb(hosting.target);
    const rows: [number, string, string, number, number][] = [
      [1, "2026-10-01 08:00:00", names[0], 12_288, 100],
      [2, "2026-10-01 09:30:00", names[0], 2_000, 50],
      [3, "2026-10-02 10:00:00", names[1], 30_720, 10],
      [4, "2026-11-03 23:59:59", names[0], 10_240, 7],
      [5, "2026-11-04 00:00:00", names[2], 1_000, 1_000],
    ];
    for (const [id, created, list, bytes, recipients] of rows) {
      // Each message logged with its list's site, as ListManager logs it.
      const [{ site }] = await db.all<{ site: string }>("SELECT t.SiteName_ AS site FROM lists_ l JOIN topics_ t ON t.TopicName_ = l.Topic_ WHERE l.Name_ = ?", [list]);
      await db.run("INSERT INTO log_ (LogID_, Created_, List_, Site_, ByteCount_, RecipientCount_, OutmailID_, SubsetID_, Source_, Title_) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, 'lm', 'news')", [id, created, list, site, bytes, recipients]);
    }
    await db.close();
    serverId = await registerServer(app, { name: "Usage A", port: hosting.agent.port });
    await runJobs(app, "syncServers", [serverId]);
    const plan = dataOf(await app.gql(`mutation { createHostingPlan(input: { name: "Metered", messageUnitBytes: 10240 }) { hostingPlan { id messageUnitBytes } } }`)).createHostingPlan.hostingPlan;
    expect(plan.messageUnitBytes).toBe(10240);
    customerId = dataOf(await app.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { company: "Metered Co", planId: plan.id } })).createCustomer.customer.id;
    const lists = dataOf(await app.gql(`{ lists(first: 10) { nodes { id name } } }`)).lists.nodes as { id: string; name: string }[];
    const listIds = lists.filter((list) => list.name === names[0] || list.name === names[1]).map((list) => list.id);
    dataOf(await app.gql(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code } } }`, { input: { listIds, customerId, startDate: "2026-10-01" } }));
  });
  afterAll(async () => {
    await app?.stop();
    await hosting?.stop();
  });

  it("bills a customer's messages by day, a large message counting proportionally more units", async () => {
    const { usage } = dataOf(await app.gql(USAGE, { filter: { customerId, from: "2026-10-01", to: "2026-11-30", groupBy: "DAY" } }));
    expect(usage).toEqual([
      // 12,288 bytes with a 10,240-byte unit to 100 recipients: 120 units; 2,000 bytes to 50: 50.
      { period: "2026-10-01", messages: 2, recipients: 150, bytes: 14_288, units: 170 },
      { period: "2026-10-02", messages: 1, recipients: 10, bytes: 30_720, units: 30 },
      { period: "2026-11-03", messages: 1, recipients: 7, bytes: 10_240, units: 7 },
    ]);
  });

  it("groups by month, and by server, with the fleet's lists that have no plan at one unit per recipient", async () => {
    const { usage } = dataOf(await app.gql(USAGE, { filter: { serverId, from: "2026-10-01", to: "2026-11-30", groupBy: "MONTH" } }));
    expect(usage).toEqual([
      { period: "2026-10", messages: 3, recipients: 160, bytes: 45_008, units: 200 },
      { period: "2026-11", messages: 2, recipients: 1_007, bytes: 11_240, units: 1_007 },
    ]);
  });

  it("bounds the period by whole UTC days, both ends included", async () => {
    const { usage } = dataOf(await app.gql(USAGE, { filter: { serverId, from: "2026-11-03", to: "2026-11-03", groupBy: "DAY" } }));
    expect(usage).toEqual([{ period: "2026-11-03", messages: 1, recipients: 7, bytes: 10_240, units: 7 }]);
  });

  it("answers all time by month (the SPA's All time), and bounds a period by day to ten years", async () => {
    const { usage } = dataOf(await app.gql(USAGE, { filter: { serverId, from: "2000-01-01", to: "2026-12-31", groupBy: "MONTH" } }));
    expect(usage.map((bucket: { period: string }) => bucket.period)).toEqual(["2026-10", "2026-11"]);
    const longByDay = await app.gql(USAGE, { filter: { serverId, from: "2000-01-01", to: "2026-12-31", groupBy: "DAY" } });
    expect(longByDay.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(longByDay.errors?.[0]?.message).toMatch(/group by month/);
    // Ten years by day still answers; more than a century by month does not.
    const tenYears = dataOf(await app.gql(USAGE, { filter: { serverId, from: "2016-12-01", to: "2026-11-30", groupBy: "DAY" } })).usage;
    expect(tenYears.reduce((sum: number, bucket: { messages: number }) => sum + bucket.messages, 0)).toBe(5);
    const century = await app.gql(USAGE, { filter: { serverId, from: "1900-01-01", to: "2026-12-31", groupBy: "MONTH" } });
    expect(century.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("bills a whole server's or site's owner only for the lists no one nearer owns on the day", async () => {
    const create = async (company: string) => dataOf(await app.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { company } })).createCustomer.customer.id as string;
    const serverOwner = await create("Server Owner");
    const siteOwner = await create("Site Owner");
    const assign = async (mutation: string, input: Record<string, unknown>) => expect(Object.values(dataOf(await app.gql(mutation, { input })))[0]).toEqual({ userErrors: [] });
    const byDay = async (id: string) => dataOf(await app.gql(USAGE, { filter: { customerId: id, from: "2026-10-01", to: "2026-11-30", groupBy: "DAY" } })).usage;
    await assign(`mutation($input: AssignServersInput!) { assignServers(input: $input) { userErrors { code } } }`, { serverIds: [serverId], customerId: serverOwner, startDate: "2026-10-02" });
    // names[0] and names[1] are Metered Co's own: only names[2]'s message is the server owner's.
    const metered = await byDay(customerId);
    expect(await byDay(serverOwner)).toEqual([{ period: "2026-11-04", messages: 1, recipients: 1_000, bytes: 1_000, units: 1_000 }]);

    // From the day of that message, its list's site has an owner of its own, who is billed instead;
    // an earlier message of the same list, sent before the site had an owner, stays the server owner's.
    const list = await app.db.manager.findOneByOrFail(List, { name: names[2] });
    await app.db.manager.insert(MessageLog, { serverId: list.serverId, remoteLogId: 9_001, listId: list.id, listName: list.name, siteName: null, sentAt: new Date("2026-10-20T12:00:00Z"), byteCount: 500, recipientCount: 3, importedAt: new Date() });
    try {
      await assign(`mutation($input: AssignSitesInput!) { assignSites(input: $input) { userErrors { code } } }`, { siteIds: [toGlobalId("Site", list.siteId!)], customerId: siteOwner, startDate: "2026-11-04" });
      expect(await byDay(siteOwner)).toEqual([{ period: "2026-11-04", messages: 1, recipients: 1_000, bytes: 1_000, units: 1_000 }]);
      expect(await byDay(serverOwner)).toEqual([{ period: "2026-10-20", messages: 1, recipients: 3, bytes: 500, units: 3 }]);
    } finally {
      await app.db.manager.delete(MessageLog, { remoteLogId: 9_001 });
    }
    // The customer owning lists directly is billed as before, whatever owns their site or server.
    expect(await byDay(customerId)).toEqual(metered);
    expect(metered.reduce((sum: number, bucket: { messages: number }) => sum + bucket.messages, 0)).toBe(4);
  });

  it("bills a whole site's owner for what its site sent, after the list moved to another site too", async () => {
    const list = await app.db.manager.findOneByOrFail(List, { name: names[2] });
    const sites = await app.db.manager.findBy(Site, { serverId: list.serverId });
    expect(sites).toHaveLength(2);
    const [from, to] = [sites.find((site) => site.id === list.siteId)!, sites.find((site) => site.id !== list.siteId)!];
    // The import resolved the site each message was logged with.
    expect((await app.db.manager.findOneByOrFail(MessageLog, { remoteLogId: 5 })).siteId).toBe(from.id);
    const siteOwner = (await app.db.manager.findOneByOrFail(Customer, { company: "Site Owner" })).id;
    const serverOwner = (await app.db.manager.findOneByOrFail(Customer, { company: "Server Owner" })).id;
    const byDay = async (id: number) => dataOf(await app.gql(USAGE, { filter: { customerId: toGlobalId("Customer", id), from: "2026-10-01", to: "2026-11-30", groupBy: "DAY" } })).usage;
    const sentFromSite = [{ period: "2026-11-04", messages: 1, recipients: 1_000, bytes: 1_000, units: 1_000 }];
    expect(await byDay(siteOwner)).toEqual(sentFromSite);

    await moveList(hosting.target, names[2], to.name);
    await runJobs(app, "syncServers", [serverId]);
    expect((await app.db.manager.findOneByOrFail(List, { id: list.id })).siteId).toBe(to.id);
    // The list is now on a site of the server owner's; what it sent from its old site stays billed to that site's owner.
    expect(dataOf(await app.gql(`query($id: ID!) { list(id: $id) { ownedThrough customer { company } } }`, { id: toGlobalId("List", list.id) })).list).toEqual({ ownedThrough: "SERVER", customer: { company: "Server Owner" } });
    expect(await byDay(siteOwner)).toEqual(sentFromSite);
    expect(await byDay(serverOwner)).toEqual([]);
  });

  it("totals a billing period per customer, by company, nobody's messages last, each customer's as its own usage says", async () => {
    // A message of a list nobody owned that day (the server's owner starts on 2026-10-02).
    const unowned = await app.db.manager.findOneByOrFail(List, { name: names[3] });
    await app.db.manager.insert(MessageLog, { serverId: unowned.serverId, remoteLogId: 9_002, listId: unowned.id, listName: unowned.name, siteName: null, sentAt: new Date("2026-10-01T18:00:00Z"), byteCount: 20_480, recipientCount: 4, importedAt: new Date() });
    try {
      const period = { from: "2026-10-01", to: "2026-11-30" };
      const BY_CUSTOMER = `query($filter: UsageByCustomerFilter!) { usageByCustomer(filter: $filter) { customer { id company } messages recipients bytes units } }`;
      const rows = dataOf(await app.gql(BY_CUSTOMER, { filter: period })).usageByCustomer;
      expect(rows.map((row: any) => row.customer?.company ?? null)).toEqual(["Metered Co", "Site Owner", null]);
      // Nobody's message counts one unit per recipient: no plan applies.
      expect(rows[2]).toEqual({ customer: null, messages: 1, recipients: 4, bytes: 20_480, units: 4 });
      for (const row of rows.slice(0, 2)) {
        const buckets = dataOf(await app.gql(USAGE, { filter: { ...period, customerId: row.customer.id, groupBy: "MONTH" } })).usage;
        const sum = (field: string) => buckets.reduce((total: number, bucket: any) => total + bucket[field], 0);
        expect({ messages: row.messages, recipients: row.recipients, bytes: row.bytes, units: row.units }).toEqual({ messages: sum("messages"), recipients: sum("recipients"), bytes: sum("bytes"), units: sum("units") });
      }
      expect(rows[0].messages).toBe(4);
      // Together they are the fleet's usage, units included (each message by its owner's plan).
      const fleet = dataOf(await app.gql(USAGE, { filter: { ...period, groupBy: "MONTH" } })).usage;
      for (const field of ["messages", "recipients", "bytes", "units"]) {
        expect(rows.reduce((total: number, row: any) => total + row[field], 0)).toBe(fleet.reduce((total: number, bucket: any) => total + bucket[field], 0));
      }
      // One server's period: this one's are all of them; a period without messages has no rows.
      expect(dataOf(await app.gql(BY_CUSTOMER, { filter: { ...period, serverId } })).usageByCustomer).toEqual(rows);
      expect(dataOf(await app.gql(BY_CUSTOMER, { filter: { from: "2026-12-01", to: "2026-12-31" } })).usageByCustomer).toEqual([]);
      // A plan's unit size changed today counts from today: the days already billed keep their units,
      // and a message sent today counts at the new size (none: one unit per recipient).
      const planId = dataOf(await app.gql(`query($id: ID!) { customer(id: $id) { plan { id } } }`, { id: customerId })).customer.plan.id;
      const setUnit = async (messageUnitBytes: number) => expect(dataOf(await app.gql(`mutation($input: UpdateHostingPlanInput!) { updateHostingPlan(input: $input) { userErrors { code } } }`, { input: { id: planId, messageUnitBytes } })).updateHostingPlan.userErrors).toEqual([]);
      const sentAt = new Date();
      // The day of the message sent now (a change made before it, on the same day, applies to it).
      const today = sentAt.toISOString().slice(0, 10);
      const ofToday = async () => dataOf(await app.gql(USAGE, { filter: { customerId, from: today, to: today, groupBy: "DAY" } })).usage;
      await setUnit(0);
      try {
        expect(dataOf(await app.gql(USAGE, { filter: { ...period, groupBy: "MONTH" } })).usage).toEqual(fleet);
        expect(dataOf(await app.gql(BY_CUSTOMER, { filter: period })).usageByCustomer).toEqual(rows);
        const metered = await app.db.manager.findOneByOrFail(List, { name: names[0] });
        await app.db.manager.insert(MessageLog, { serverId: metered.serverId, remoteLogId: 9_003, listId: metered.id, listName: metered.name, siteName: null, sentAt, byteCount: 20_480, recipientCount: 5, importedAt: new Date() });
        expect(await ofToday()).toEqual([{ period: today, messages: 1, recipients: 5, bytes: 20_480, units: 5 }]);
        // Changed again the same day: a day has one unit size, the last one set.
        await setUnit(10_240);
        expect(await ofToday()).toEqual([{ period: today, messages: 1, recipients: 5, bytes: 20_480, units: 10 }]);
      } finally {
        await setUnit(10_240);
        await app.db.manager.delete(MessageLog, { remoteLogId: 9_003 });
      }
      expect(dataOf(await app.gql(BY_CUSTOMER, { filter: period })).usageByCustomer).toEqual(rows);
      for (const filter of [{ from: "2026-11-30", to: "2026-10-01" }, { ...period, serverId: customerId }]) {
        const refused = await app.gql(BY_CUSTOMER, { filter });
        expect(refused.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      }
    } finally {
      await app.db.manager.delete(MessageLog, { remoteLogId: 9_002 });
    }
  });

  it("bills a customer moved to another plan at the new plan's unit size from that day, the days before as they were", async () => {
    const plan = async (name: string, messageUnitBytes: number) => dataOf(await app.gql(`mutation($input: CreateHostingPlanInput!) { createHostingPlan(input: $input) { hostingPlan { id } } }`, { input: { name, messageUnitBytes } })).createHostingPlan.hostingPlan.id as string;
    const [small, large] = [await plan("Small units", 1_000), await plan("Large units", 100_000)];
    const mover = dataOf(await app.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { company: "Mover", planId: small } })).createCustomer.customer.id as string;
    const list = await app.db.manager.findOneByOrFail(List, { name: names[3] });
    expect(dataOf(await app.gql(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code } } }`, { input: { listIds: [toGlobalId("List", list.id)], customerId: mover, startDate: "2026-10-10" } })).assignLists.userErrors).toEqual([]);
    const now = new Date();
    const today = now.toISOString().slice(0, 10);
    const message = (remoteLogId: number, sentAt: Date) => app.db.manager.insert(MessageLog, { serverId: list.serverId, remoteLogId, listId: list.id, listName: list.name, siteName: null, sentAt, byteCount: 20_480, recipientCount: 2, importedAt: new Date() });
    const usageOf = async (from: string, to: string) => dataOf(await app.gql(USAGE, { filter: { customerId: mover, from, to, groupBy: "DAY" } })).usage;
    await message(9_101, new Date("2026-10-15T12:00:00Z"));
    try {
      // 20,480 bytes at 1,000 a unit to 2 recipients.
      const october = [{ period: "2026-10-15", messages: 1, recipients: 2, bytes: 20_480, units: 40.96 }];
      expect(await usageOf("2026-10-01", "2026-10-31")).toEqual(october);
      expect(dataOf(await app.gql(`mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { userErrors { code } } }`, { input: { id: mover, planId: large } })).updateCustomer.userErrors).toEqual([]);
      expect(await usageOf("2026-10-01", "2026-10-31")).toEqual(october);
      await message(9_102, now);
      // Today's message at the large plan's size: one unit per recipient.
      expect(await usageOf(today, today)).toEqual([{ period: today, messages: 1, recipients: 2, bytes: 20_480, units: 2 }]);
      const byCustomer = dataOf(await app.gql(`query($filter: UsageByCustomerFilter!) { usageByCustomer(filter: $filter) { customer { company } units } }`, { filter: { from: "2026-10-01", to: today } })).usageByCustomer;
      expect(byCustomer.find((row: { customer: { company: string } | null }) => row.customer?.company === "Mover")).toEqual({ customer: { company: "Mover" }, units: 42.96 });

      // The large plan's unit size was 10,000 bytes from 2026-10-12 to 2026-10-24 (edits made then).
      const largeId = fromGlobalId("HostingPlan", large)!;
      for (const [startDate, messageUnitBytes] of [["2026-10-12", 10_000], ["2026-10-25", 100_000]] as const) {
        await app.db.manager.insert(HostingPlanUnitPeriod, { planId: largeId, startDate, messageUnitBytes, createdAt: new Date() });
      }

      // Set late, or wrong: an operator back-dates the plan, and October is billed at it too, at
      // its unit size of the day (20,480 bytes at 10,000 a unit to 2 recipients), not today's.
      const UPDATE = `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { userErrors { code field } } }`;
      const tomorrow = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
      expect(dataOf(await app.gql(UPDATE, { input: { id: mover, planId: small, planStartDate: tomorrow } })).updateCustomer.userErrors).toEqual([{ code: "INVALID_DATE", field: ["input", "planStartDate"] }]);
      expect(await usageOf(today, today)).toEqual([{ period: today, messages: 1, recipients: 2, bytes: 20_480, units: 2 }]);
      expect(dataOf(await app.gql(UPDATE, { input: { id: mover, planStartDate: "2026-10-01" } })).updateCustomer.userErrors).toEqual([]);
      expect(await usageOf("2026-10-01", "2026-10-31")).toEqual([{ ...october[0], units: 4.096 }]);
      // The audit entry says which plans the back-dating replaced, from its day on.
      const audit = dataOf(await app.gql(`query($id: String!) { auditEntries(first: 1, filter: { objectId: $id }) { nodes { action before after } } }`, { id: mover })).auditEntries.nodes[0];
      expect(audit).toEqual({
        action: "customer.update",
        before: { planPeriods: [{ startDate: today, planId: large }] },
        after: { planPeriods: [{ startDate: "2026-10-01", planId: large }] },
      });
      // Back to the small plan from 2026-10-20: the large plan's later start gives way.
      expect(dataOf(await app.gql(UPDATE, { input: { id: mover, planId: small, planStartDate: "2026-10-20" } })).updateCustomer.userErrors).toEqual([]);
      expect(await usageOf("2026-10-01", today)).toEqual([{ ...october[0], units: 4.096 }, { period: today, messages: 1, recipients: 2, bytes: 20_480, units: 40.96 }]);

      // The large plan again from 2026-10-16, a day it held before the small one came back: an undo.
      // The small plan's later start gives way, and the days before 10-16 keep the large plan.
      const lastAudit = async () => dataOf(await app.gql(`query($id: String!) { auditEntries(first: 1, filter: { objectId: $id }) { nodes { before after } } }`, { id: mover })).auditEntries.nodes[0];
      expect(dataOf(await app.gql(UPDATE, { input: { id: mover, planId: large, planStartDate: "2026-10-16" } })).updateCustomer.userErrors).toEqual([]);
      expect(await usageOf("2026-10-01", today)).toEqual([{ ...october[0], units: 4.096 }, { period: today, messages: 1, recipients: 2, bytes: 20_480, units: 2 }]);
      // (The customer's plan of today, planId, is the large one again.)
      expect(await lastAudit()).toEqual({
        before: { planId: small, planPeriods: [{ startDate: "2026-10-20", planId: small }] },
        after: { planId: large, planPeriods: [] },
      });
      // Asked again, the same: nothing more changes.
      expect(dataOf(await app.gql(UPDATE, { input: { id: mover, planId: large, planStartDate: "2026-10-16" } })).updateCustomer.userErrors).toEqual([]);
      expect(await usageOf("2026-10-01", today)).toEqual([{ ...october[0], units: 4.096 }, { period: today, messages: 1, recipients: 2, bytes: 20_480, units: 2 }]);
      // The day alone is the first day of today's plan, the large one: it starts then, the small plan
      // billing until then (October's message at the small size).
      expect(dataOf(await app.gql(UPDATE, { input: { id: mover, planStartDate: "2026-10-16" } })).updateCustomer.userErrors).toEqual([]);
      expect(await usageOf("2026-10-01", today)).toEqual([october[0], { period: today, messages: 1, recipients: 2, bytes: 20_480, units: 2 }]);
      const moved = await lastAudit();
      expect(moved).toEqual({ before: { planPeriods: [{ startDate: "2026-10-01", planId: large }] }, after: { planPeriods: [{ startDate: "2026-10-16", planId: large }] } });
      // The customer's plan history and the large plan's unit sizes say the same, day by day.
      const histories = dataOf(await app.gql(`query($id: ID!, $plan: ID!) { customer(id: $id) { planHistory { startDate endDate plan { name } } } hostingPlan(id: $plan) { unitSizeHistory { startDate endDate messageUnitBytes } } }`, { id: mover, plan: large }));
      expect(histories.customer.planHistory).toEqual([
        { startDate: "1970-01-01", endDate: "2026-10-15", plan: { name: "Small units" } },
        { startDate: "2026-10-16", endDate: null, plan: { name: "Large units" } },
      ]);
      expect(histories.hostingPlan.unitSizeHistory).toEqual([
        { startDate: "1970-01-01", endDate: "2026-10-11", messageUnitBytes: 100_000 },
        { startDate: "2026-10-12", endDate: "2026-10-24", messageUnitBytes: 10_000 },
        { startDate: "2026-10-25", endDate: null, messageUnitBytes: 100_000 },
      ]);
      // The same day again changes nothing; nor does a later day with the plan named, which bills from then on already.
      expect(dataOf(await app.gql(UPDATE, { input: { id: mover, planStartDate: "2026-10-16" } })).updateCustomer.userErrors).toEqual([]);
      expect(dataOf(await app.gql(UPDATE, { input: { id: mover, planId: large, planStartDate: "2026-10-20" } })).updateCustomer.userErrors).toEqual([]);
      expect(await lastAudit()).toEqual(moved);
      expect(await usageOf("2026-10-01", today)).toEqual([october[0], { period: today, messages: 1, recipients: 2, bytes: 20_480, units: 2 }]);

      // A customer's first plan has no plan before it to bill the days until a later start: refused, nothing changed.
      const single = dataOf(await app.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { company: "Single plan", planId: small } })).createCustomer.customer.id as string;
      const periodsOf = (customerId: string) => app.db.manager.find(CustomerPlanPeriod, { where: { customerId: fromGlobalId("Customer", customerId)! }, order: { startDate: "ASC" } });
      const first = await periodsOf(single);
      const refused = dataOf(await app.gql(`mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { userErrors { code field message } } }`, { input: { id: single, planStartDate: "2026-10-16" } })).updateCustomer.userErrors;
      expect(refused).toEqual([{ code: "NO_EARLIER_PLAN", field: ["input", "planStartDate"], message: expect.stringContaining("from 1970-01-01 first, then this one from 2026-10-16") }]);
      expect(await periodsOf(single)).toEqual(first);
      expect(dataOf(await app.gql(`query($id: String!) { auditEntries(first: 5, filter: { objectId: $id }) { nodes { action } } }`, { id: single })).auditEntries.nodes).toEqual([{ action: "customer.create" }]);
    } finally {
      await app.db.manager.delete(MessageLog, { remoteLogId: In([9_101, 9_102]) });
    }
  });

  it("bills at a plan's unit size back-dated by unitSizeStartDate, the days before as they were", async () => {
    const planId = dataOf(await app.gql(`mutation($input: CreateHostingPlanInput!) { createHostingPlan(input: $input) { hostingPlan { id } } }`, { input: { name: "Late units", messageUnitBytes: 1_000 } })).createHostingPlan.hostingPlan.id as string;
    const owner = dataOf(await app.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { company: "Late units Ltd", planId } })).createCustomer.customer.id as string;
    const list = await app.db.manager.findOneByOrFail(List, { name: names[2] });
    expect(dataOf(await app.gql(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code } } }`, { input: { listIds: [toGlobalId("List", list.id)], customerId: owner, startDate: "2026-09-01" } })).assignLists.userErrors).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    // 20,480 bytes to 2 recipients on 2026-09-10 and on 2026-10-10.
    for (const [remoteLogId, sentAt] of [[9_201, "2026-09-10T12:00:00Z"], [9_202, "2026-10-10T12:00:00Z"]] as const) {
      await app.db.manager.insert(MessageLog, { serverId: list.serverId, remoteLogId, listId: list.id, listName: list.name, siteName: null, sentAt: new Date(sentAt), byteCount: 20_480, recipientCount: 2, importedAt: new Date() });
    }
    const UPDATE = `mutation($input: UpdateHostingPlanInput!) { updateHostingPlan(input: $input) { hostingPlan { messageUnitBytes } userErrors { code field message } } }`;
    const update = async (input: object) => dataOf(await app.gql(UPDATE, { input: { id: planId, ...input } })).updateHostingPlan;
    const units = async () => (dataOf(await app.gql(USAGE, { filter: { customerId: owner, from: "2026-09-01", to: "2026-10-31", groupBy: "MONTH" } })).usage as { units: number }[]).map((month) => month.units);
    const history = async () => dataOf(await app.gql(`query($id: ID!) { hostingPlan(id: $id) { unitSizeHistory { startDate endDate messageUnitBytes } } }`, { id: planId })).hostingPlan.unitSizeHistory;
    const lastAudit = async () => dataOf(await app.gql(`query($id: String!) { auditEntries(first: 1, filter: { objectId: $id }) { nodes { action before after } } }`, { id: planId })).auditEntries.nodes[0];
    try {
      expect(await units()).toEqual([40.96, 40.96]);
      // A day not yet come: refused, nothing changed.
      const refusedTomorrow = await update({ messageUnitBytes: 10_000, unitSizeStartDate: tomorrow });
      expect(refusedTomorrow.userErrors).toEqual([{ code: "INVALID_DATE", field: ["input", "unitSizeStartDate"], message: expect.stringContaining("must not be after today") }]);
      const refusedFirst = await update({ unitSizeStartDate: "2026-10-01" });
      // The plan's only unit size has nothing before it to bill the days until a later start.
      expect(refusedFirst.userErrors).toEqual([{ code: "NO_EARLIER_UNIT_SIZE", field: ["input", "unitSizeStartDate"], message: expect.stringContaining("from 1970-01-01 first, then this one from 2026-10-01") }]);
      expect(await history()).toEqual([{ startDate: "1970-01-01", endDate: null, messageUnitBytes: 1_000 }]);
      expect(await units()).toEqual([40.96, 40.96]);

      // Set late: 10,000 bytes a unit from 2026-10-01 on; September keeps 1,000.
      expect(await update({ messageUnitBytes: 10_000, unitSizeStartDate: "2026-10-01" })).toEqual({ hostingPlan: { messageUnitBytes: 10_000 }, userErrors: [] });
      expect(await units()).toEqual([40.96, 4.096]);
      expect(await history()).toEqual([
        { startDate: "1970-01-01", endDate: "2026-09-30", messageUnitBytes: 1_000 },
        { startDate: "2026-10-01", endDate: null, messageUnitBytes: 10_000 },
      ]);
      expect(await lastAudit()).toEqual({ action: "plan.update", before: { messageUnitBytes: 1_000, unitSizes: [] }, after: { messageUnitBytes: 10_000, unitSizes: [{ startDate: "2026-10-01", messageUnitBytes: 10_000 }] } });
      // Asked again, the same: nothing more changes, and no audit entry.
      const audited = async () => dataOf(await app.gql(`query($id: String!) { auditEntries(filter: { objectId: $id }) { totalCount } }`, { id: planId })).auditEntries.totalCount;
      const entries = await audited();
      expect((await update({ messageUnitBytes: 10_000, unitSizeStartDate: "2026-10-01" })).userErrors).toEqual([]);
      expect(await history()).toHaveLength(2);
      expect(await audited()).toBe(entries);
      // The day alone is the first day of the current unit size: earlier, it bills September too.
      expect((await update({ unitSizeStartDate: "2026-09-05" })).userErrors).toEqual([]);
      expect(await units()).toEqual([4.096, 4.096]);
      expect(await lastAudit()).toEqual({ action: "plan.update", before: { unitSizes: [{ startDate: "2026-10-01", messageUnitBytes: 10_000 }] }, after: { unitSizes: [{ startDate: "2026-09-05", messageUnitBytes: 10_000 }] } });
      // A later day alone starts the current size later: 1,000 bytes a unit bill until then.
      expect((await update({ unitSizeStartDate: "2026-10-20" })).userErrors).toEqual([]);
      expect(await units()).toEqual([40.96, 40.96]);
      expect(await history()).toEqual([
        { startDate: "1970-01-01", endDate: "2026-10-19", messageUnitBytes: 1_000 },
        { startDate: "2026-10-20", endDate: null, messageUnitBytes: 10_000 },
      ]);
      // With other fields, the same: the name changes and the size bills from 2026-10-05.
      expect(await update({ name: "Late units (renamed)", messageUnitBytes: 10_000, unitSizeStartDate: "2026-10-05" })).toEqual({ hostingPlan: { messageUnitBytes: 10_000 }, userErrors: [] });
      expect(await units()).toEqual([40.96, 4.096]);
      expect(await lastAudit()).toEqual({ action: "plan.update", before: { name: "Late units", unitSizes: [{ startDate: "2026-10-20", messageUnitBytes: 10_000 }] }, after: { name: "Late units (renamed)", unitSizes: [{ startDate: "2026-10-05", messageUnitBytes: 10_000 }] } });
      // A unit size changed today without a day still counts from today, the days before as they were.
      expect((await update({ messageUnitBytes: 0 })).userErrors).toEqual([]);
      expect(await units()).toEqual([40.96, 4.096]);
      expect((await history()).at(-1)).toEqual({ startDate: today, endDate: null, messageUnitBytes: 0 });
    } finally {
      await app.db.manager.delete(MessageLog, { remoteLogId: In([9_201, 9_202]) });
    }
  });

  it("refuses a reversed range or two filters at once", async () => {
    const reversed = await app.gql(USAGE, { filter: { from: "2026-11-30", to: "2026-10-01", groupBy: "DAY" } });
    expect(reversed.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const both = await app.gql(USAGE, { filter: { serverId, customerId, from: "2026-10-01", to: "2026-10-02", groupBy: "DAY" } });
    expect(both.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});
