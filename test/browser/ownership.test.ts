import { join } from "node:path";
import { addSite, openFixtureDb } from "@listbill/fixtures";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, ARTIFACTS, type Stack, launchChromium, runServerJob, startStack } from "./support/stack.js";

/**
 * An operator gives a customer a whole site, then the whole server, on the server's page in a
 * real headless Chromium against the real API and a real agent; what the page shows is checked
 * against what the API then answers.
 */

let stack: Stack;
let browser: Browser;
let page: Page;
let serverId: string;

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

/** Each list billing has on the server, by name: its site and its owner's company, as the API answers. */
async function listOwners(): Promise<Record<string, [string | null, string | null]>> {
  const data = await stack.api.gql(`query($id: ID!) { server(id: $id) { lists(first: 100) { nodes { name site { name } customer { company } } } } }`, { id: serverId });
  return Object.fromEntries(data.server.lists.nodes.map((list: { name: string; site: { name: string } | null; customer: { company: string } | null }) => [list.name, [list.site?.name ?? null, list.customer?.company ?? null]]));
}

/** The Owner cell of the site's row, as the page shows it. */
const siteOwnerCell = (site: string) => page.locator("tr", { has: page.getByRole("checkbox", { name: `Select site ${site}`, exact: true }) }).locator("td").nth(4);

/** What the page's lists table shows as each list's customer, by list name. */
async function shownListOwners(): Promise<Record<string, string>> {
  const table = page.locator("table", { has: page.getByRole("columnheader", { name: "List", exact: true }) });
  const shown: Record<string, string> = {};
  for (const row of await table.locator("tbody tr").all()) {
    const cells = await row.locator("td").allTextContents();
    shown[cells[0]!] = cells[3]!;
  }
  return shown;
}

/** Runs validateServers or syncServers on the server and waits for the job to succeed. */
async function runJob(mutation: "validateServers" | "syncServers"): Promise<void> {
  await runServerJob(stack, mutation, serverId);
}

beforeAll(async () => {
  stack = await startStack({ west: { seed: 21, sites: 2, lists: 8, membersPerList: 3, logRows: 0 } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const created = await stack.api.gql(`mutation($input: CreateServerInput!) { createServer(input: $input) { server { id } userErrors { message } } }`, {
    input: { name: "west", hostName: "127.0.0.1", port: stack.hosting.west!.agent.port },
  });
  serverId = created.createServer.server.id;
  // A third site, synced, then gone from the hosting server and marked removed by a fix.
  const hosting = { sqlitePath: stack.hosting.west!.database };
  await addSite(hosting, { name: "retired" });
  await runJob("syncServers");
  const db = await openFixtureDb(hosting);
  await db.run("DELETE FROM topics_ WHERE SiteName_ = ?", ["retired"]);
  await db.run("DELETE FROM sites_ WHERE Name_ = ?", ["retired"]);
  await db.close();
  await runJob("validateServers");
  const errors = await stack.api.gql(`query($id: ID!) { validationErrors(first: 10, filter: { serverId: $id, code: [MISSING_SITE], status: [OPEN] }) { nodes { id } } }`, { id: serverId });
  const fixed = await stack.api.gql(`mutation($input: FixValidationErrorsInput!) { fixValidationErrors(input: $input) { results { status } } }`, { input: { errorIds: errors.validationErrors.nodes.map((node: { id: string }) => node.id), allowRemovals: true } });
  expect(fixed.fixValidationErrors.results).toEqual([{ status: "FIXED" }]);
  for (const company of ["Site Owner Co", "Server Owner Inc"]) {
    await stack.api.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { company } });
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("an operator assigning whole sites and servers", () => {
  let sites: string[];

  it("signs in and opens the server: no owner anywhere yet", async () => {
    await page.goto(`${stack.url}/servers/${encodeURIComponent(serverId)}`);
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Ownership" }).waitFor();
    await page.getByText("Whole server: no owner").waitFor();
    const owners = await listOwners();
    sites = [...new Set(Object.values(owners).map(([site]) => site!))].sort();
    expect(sites).toHaveLength(2);
    expect(Object.values(owners).every(([, owner]) => owner === null)).toBe(true);
    for (const site of sites) expect(await siteOwnerCell(site).textContent()).toBe("none");
    // The removed site cannot be selected, and has no owner.
    expect(await page.getByRole("checkbox", { name: "Select site retired", exact: true }).isDisabled()).toBe(true);
    expect(await siteOwnerCell("retired").textContent()).toBe("none (removed)");
  });

  it("selects every site but the removed one with Select all", async () => {
    await page.getByRole("checkbox", { name: "Select all sites" }).check();
    await page.getByText("2 selected").waitFor();
    expect(await page.getByRole("checkbox", { name: "Select site retired", exact: true }).isChecked()).toBe(false);
    await page.getByRole("checkbox", { name: "Select all sites" }).uncheck();
    await page.getByText("0 selected").waitFor();
  });

  it("offers no start date after today, and refuses one typed in, saying why", async () => {
    const input = page.getByLabel("Ownership start date");
    const today = await input.inputValue();
    expect(await input.getAttribute("max")).toBe(today);
    const before = await listOwners();
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await input.fill(tomorrow);
    await page.getByLabel("Owner to assign").selectOption({ label: "Server Owner Inc" });
    await page.getByRole("button", { name: "Assign whole server" }).click();
    await page.getByRole("alert").filter({ hasText: `startDate ${tomorrow} is in the future` }).waitFor();
    expect(await listOwners()).toEqual(before);
    await page.getByText("Whole server: no owner").waitFor();
    await input.fill(today);
  });

  it("assigns one site: its lists become the customer's, on the page and in the API", async () => {
    await page.getByRole("checkbox", { name: `Select site ${sites[0]}`, exact: true }).check();
    await page.getByLabel("Owner to assign").selectOption({ label: "Site Owner Co" });
    await page.getByRole("button", { name: "Assign selected sites", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Assigned 1 site." }).waitFor();
    await expect.poll(() => siteOwnerCell(sites[0]!).textContent()).toMatch(/^Site Owner Co since \d{4}-\d{2}-\d{2}$/);
    expect(await siteOwnerCell(sites[1]!).textContent()).toBe("none");
    const owners = await listOwners();
    for (const [name, [site, owner]] of Object.entries(owners)) expect([name, owner]).toEqual([name, site === sites[0] ? "Site Owner Co" : null]);
    const shown = await shownListOwners();
    for (const [name, [, owner]] of Object.entries(owners)) expect([name, shown[name]]).toEqual([name, owner ? `${owner} through its site` : "unassigned"]);
    await shot("ownership-site");
  });

  it("assigns the whole server: the other site's lists follow it, the owned site's keep their owner", async () => {
    await page.getByLabel("Owner to assign").selectOption({ label: "Server Owner Inc" });
    await page.getByRole("button", { name: "Assign whole server" }).click();
    await page.getByRole("status").filter({ hasText: "west as a whole is now the customer's." }).waitFor();
    await page.getByText(/^Whole server: Server Owner Inc since \d{4}-\d{2}-\d{2}$/).waitFor();
    expect(await siteOwnerCell(sites[1]!).textContent()).toBe("Server Owner Inc through the server");
    expect(await siteOwnerCell(sites[0]!).textContent()).toMatch(/^Site Owner Co since/);
    const owners = await listOwners();
    for (const [name, [site, owner]] of Object.entries(owners)) expect([name, owner]).toEqual([name, site === sites[0] ? "Site Owner Co" : "Server Owner Inc"]);
    const shown = await shownListOwners();
    for (const [name, [site, owner]] of Object.entries(owners)) expect([name, shown[name]]).toEqual([name, `${owner} through its ${site === sites[0] ? "site" : "server"}`]);
    await shot("ownership-server");
  });

  it("refuses to unassign a site owned only through the server, saying what to do instead", async () => {
    const before = await listOwners();
    await page.getByRole("checkbox", { name: `Select site ${sites[1]}`, exact: true }).check();
    await page.getByRole("button", { name: "Unassign selected sites", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: `${sites[1]} is owned through its whole server; unassign the server instead` }).waitFor();
    expect(await listOwners()).toEqual(before);
    await page.getByRole("checkbox", { name: `Select site ${sites[1]}`, exact: true }).uncheck();
  });

  it("unassigns the owned site, then ends the server's ownership: every list is unassigned again", async () => {
    await page.getByRole("checkbox", { name: `Select site ${sites[0]}`, exact: true }).check();
    await page.getByRole("button", { name: "Unassign selected sites", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Unassigned 1 site." }).waitFor();
    await expect.poll(() => siteOwnerCell(sites[0]!).textContent()).toBe("Server Owner Inc through the server");
    expect(Object.values(await listOwners()).every(([, owner]) => owner === "Server Owner Inc")).toBe(true);

    await page.getByRole("button", { name: "End server ownership" }).click();
    await page.getByRole("status").filter({ hasText: "west has no owner as a whole from today." }).waitFor();
    await page.getByText("Whole server: no owner").waitFor();
    for (const site of sites) expect(await siteOwnerCell(site).textContent()).toBe("none");
    expect(Object.values(await listOwners()).every(([, owner]) => owner === null)).toBe(true);
    expect(Object.values(await shownListOwners()).every((owner) => owner === "unassigned")).toBe(true);
    expect(await page.getByRole("button", { name: "End server ownership" }).isDisabled()).toBe(true);
  });

  it("shows each customer's whole sites and servers, ended ones with their last day, on the customer's page", async () => {
    const customers = (await stack.api.gql(`{ customers(first: 10) { nodes { id company assignments(first: 5) { nodes { startDate endDate } } } } }`)).customers.nodes as {
      id: string;
      company: string;
      assignments: { nodes: { startDate: string; endDate: string }[] };
    }[];
    for (const [company, owns] of [
      ["Site Owner Co", `site ${sites[0]}`],
      ["Server Owner Inc", "the whole server"],
    ] as const) {
      const customer = customers.find((row) => row.company === company)!;
      // One assignment each, begun and ended by the clicks above (today, unless the run crossed midnight UTC).
      expect(customer.assignments.nodes).toHaveLength(1);
      const [{ startDate, endDate }] = customer.assignments.nodes;
      expect(endDate >= startDate && endDate <= new Date().toISOString().slice(0, 10)).toBe(true);
      await page.goto(`${stack.url}/customers/${encodeURIComponent(customer.id)}`);
      await page.getByRole("heading", { name: "Whole sites and servers (1)" }).waitFor();
      const table = page.locator("table", { has: page.getByRole("columnheader", { name: "Owns" }) });
      expect(await table.locator("tbody tr td").allTextContents()).toEqual([owns, "west", startDate, endDate]);
    }
    await shot("ownership-customer");
  });

  it("back-dates the customer's plan from its page: a day after today is not accepted, an earlier one is recorded", async () => {
    const plan = (await stack.api.gql(`mutation { createHostingPlan(input: { name: "Metered West", messageUnitBytes: 1000 }) { hostingPlan { id } } }`)).createHostingPlan.hostingPlan.id as string;
    const customer = ((await stack.api.gql(`{ customers(first: 10) { nodes { id company } } }`)).customers.nodes as { id: string; company: string }[]).find((row) => row.company === "Site Owner Co")!;
    const audit = async () => (await stack.api.gql(`query($id: String!) { auditEntries(first: 1, filter: { objectId: $id }) { nodes { action after } } }`, { id: customer.id })).auditEntries.nodes[0];
    const before = await audit();
    await page.goto(`${stack.url}/customers/${encodeURIComponent(customer.id)}`);
    await page.getByRole("button", { name: "Edit" }).click();
    const form = page.getByRole("form", { name: "Edit customer" });
    await form.getByLabel("Plan", { exact: true }).selectOption({ label: "Metered West" });
    const from = form.getByLabel("Plan bills from");
    const today = new Date().toISOString().slice(0, 10);
    expect(await from.getAttribute("max")).toBe(today);
    // Tomorrow: the browser holds the form back (the API would refuse it too), nothing is saved.
    await from.fill(new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10));
    await form.getByRole("button", { name: "Save" }).click();
    expect(await from.evaluate((input) => (input as { validity: { rangeOverflow: boolean } }).validity.rangeOverflow)).toBe(true);
    expect(await audit()).toEqual(before);
    // Thirty days ago: saved, the page shows the plan, and the API's audit entry has the day.
    const earlier = new Date(Date.parse(`${today}T00:00:00Z`) - 30 * 86_400_000).toISOString().slice(0, 10);
    await from.fill(earlier);
    await shot("customer-plan-back-dated");
    await form.getByRole("button", { name: "Save" }).click();
    await form.waitFor({ state: "detached" });
    await page.locator("dl.facts dd").getByText("Metered West", { exact: true }).waitFor();
    expect(await audit()).toEqual({ action: "customer.update", after: { planId: plan, planPeriods: [{ startDate: earlier, planId: plan }] } });
    expect((await stack.api.gql(`query($id: ID!) { customer(id: $id) { plan { id } } }`, { id: customer.id })).customer.plan.id).toBe(plan);
    // The page's plan history ends with it, from that day, after the plan it had until the day before.
    const dayBefore = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const history = page.getByRole("table", { name: "Plan history" });
    const rows = async () => (await history.locator("tbody tr").allInnerTexts()).map((row) => row.split("\t"));
    await history.waitFor();
    const previous = (await rows()).at(-2)!;
    expect((await rows()).at(-1)).toEqual(["Metered West", earlier, "current"]);
    expect(previous[2]).toBe(dayBefore(earlier));

    // The same plan from ten days later: it starts then, and the plan before it bills until then.
    const later = new Date(Date.parse(`${earlier}T00:00:00Z`) + 10 * 86_400_000).toISOString().slice(0, 10);
    await page.getByRole("button", { name: "Edit" }).click();
    await form.getByLabel("Plan bills from").fill(later);
    await form.getByRole("button", { name: "Save" }).click();
    await form.waitFor({ state: "detached" });
    await history.getByRole("cell", { name: later, exact: true }).waitFor();
    expect((await rows()).slice(-2)).toEqual([[previous[0], previous[1], dayBefore(later)], ["Metered West", later, "current"]]);
    await shot("customer-plan-history");
  });
});
