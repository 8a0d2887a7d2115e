import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { openFixtureDb } from "@listbill/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, ARTIFACTS, type Stack, launchChromium, startStack } from "./support/stack.js";

/**
 * An operator's day in a real headless Chromium against the real API (SQLite) and real agents:
 * sign in, register a hosting server, validate it, fix what validation found, give the new
 * lists a customer, validate clean, and watch a long validation's progress bar move.
 */

/** The ListManager version east's agent reports (not the fixtures' default, 8.95). */
const EAST_VERSION = "9.2";

let stack: Stack;
let browser: Browser;
let page: Page;

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  stack = await startStack({
    // Small enough to read in a screenshot; logging on, so usage has rows once synced.
    east: { seed: 11, sites: 2, lists: 6, membersPerList: 5, logRows: 400, version: EAST_VERSION },
    // Big enough that validating it takes a few seconds and reports progress on the way.
    bulk: { seed: 12, sites: 2, lists: 12_000, membersPerList: 1, logRows: 0 },
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("an operator in the browser", () => {
  it("signs in: a wrong password is refused, the right one opens Servers", async () => {
    await page.goto(`${stack.url}/servers`);
    await page.getByRole("form", { name: "Sign in" }).waitFor();
    await shot("sign-in");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: /password/i }).waitFor();
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Servers" }).waitFor();
    await page.getByText("No servers yet").waitFor();
    await shot("servers-empty");
  });

  it("creates a server, with the field error from userErrors first", async () => {
    await page.getByRole("button", { name: "Create New Server" }).click();
    const form = page.getByRole("form", { name: "Create New Server" });
    await form.getByLabel("Name", { exact: true }).fill("east");
    await form.getByLabel("Host Name").fill("127.0.0.1");
    await form.getByLabel("Port").fill("70000");
    await form.getByRole("button", { name: "Create Server" }).click();
    await form.locator(".field-error").first().waitFor();
    expect(await form.getByLabel("Port").getAttribute("aria-invalid")).toBe("true");
    await shot("server-create-error");
    await form.getByLabel("Port").fill(String(stack.hosting.east!.agent.port));
    await form.getByRole("button", { name: "Create Server" }).click();
    await page.getByText("Server east created").waitFor();
    await page.getByRole("link", { name: "east", exact: true }).waitFor();
  });

  it("tests the connection and shows the agent's answer: OK, the latency, and the version it reports", async () => {
    await page.getByRole("button", { name: "Test connection to east" }).click();
    const answer = page.locator(".test-ok").filter({ hasText: /OK · \d+ ms/ });
    await answer.waitFor();
    // The version is the answer's tooltip.
    expect(await answer.getAttribute("title")).toBe(`ListManager ${EAST_VERSION}`);
  });

  it("validates the selected server: the errors banner appears", async () => {
    await page.getByRole("checkbox", { name: "Select east" }).check();
    await page.getByRole("button", { name: "Validate Selected Servers" }).click();
    await page.getByRole("link", { name: "Errors were found, click here to fix" }).waitFor();
    await shot("servers-errors-found");
  });

  it("opens the errors of that run, selects them all and fixes them", async () => {
    const eastHref = await page.getByRole("link", { name: "east", exact: true }).getAttribute("href");
    const eastId = decodeURIComponent(eastHref!.replace(/^.*\/servers\//, ""));
    expect(eastId).not.toBe("");
    await page.getByRole("link", { name: "Errors were found, click here to fix" }).click();
    await page.getByRole("heading", { name: "Validation errors" }).waitFor();
    // The banner of a one-server validation opens that server's errors, not everyone's.
    expect(new URL(page.url()).searchParams.get("serverId")).toBe(eastId);
    await page.getByRole("checkbox", { name: "Select all fixable errors" }).check();
    await shot("errors");
    await page.getByRole("button", { name: /Fix selected objects \(\d+\)/ }).click();
    const results = page.getByRole("region", { name: "Fix results" });
    await results.getByText(/Fix results: \d+ fixed, 0 skipped, 0 failed/).waitFor();
    const fixedCount = Number(/(\d+) fixed/.exec((await results.locator("strong").textContent()) ?? "")?.[1]);
    expect(fixedCount).toBe(2 + 6); // two sites and six lists, new to billing
    await shot("errors-fixed");
  });

  it("creates a customer", async () => {
    await page.getByRole("link", { name: "Customers" }).click();
    await page.getByText("No customers yet").waitFor();
    await page.getByRole("button", { name: "New customer" }).click();
    const form = page.getByRole("form", { name: "New customer" });
    await form.getByLabel("Company").fill("Acme Newsletters");
    await form.getByLabel("Email").fill("billing@acme.example");
    await form.getByRole("button", { name: "Create customer" }).click();
    await page.getByRole("heading", { name: "Acme Newsletters" }).waitFor();
    await shot("customer");
  });

  it("assigns the unassigned lists to the customer, and exports them as CSV", async () => {
    await page.getByRole("link", { name: "Lists", exact: true }).click();
    await page.getByRole("heading", { name: "Lists" }).waitFor();
    await page.getByLabel("Unassigned only").check();
    await page.getByRole("checkbox", { name: "Select all lists" }).waitFor();
    expect(await page.locator("tbody tr").count()).toBe(6);
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export CSV" }).click();
    const csv = readFileSync(await (await download).path(), "utf8").trim().split("\r\n");
    expect(csv[0]).toBe("id,server,site,list,description,topic,members,max members,disabled,customer,created on host,removed at");
    expect(csv).toHaveLength(1 + 6);
    await shot("lists-unassigned");
    await page.getByRole("checkbox", { name: "Select all lists" }).check();
    await page.getByLabel("Assign to customer").selectOption({ label: "Acme Newsletters" });
    await page.getByRole("button", { name: "Assign to customer" }).click();
    await page.getByText("Assigned 6 lists to Acme Newsletters.").waitFor();
    await page.getByText("Every list has a customer.").waitFor();
  });

  it("re-validates: validation is clean", async () => {
    await page.getByRole("link", { name: "Servers" }).click();
    // The fix queued its own re-validation; wait until it is through before asking again.
    await page.getByRole("checkbox", { name: "Select east" }).check();
    await page.getByRole("button", { name: "Validate Selected Servers" }).click();
    await page.getByText("Validation successful").waitFor();
    await shot("servers-validation-successful");
    await page.getByRole("button", { name: "OK" }).click();
    await page.getByText("Validation successful").waitFor({ state: "hidden" });
  });

  it("lets the admin delete the errors later validations superseded, and nothing else", async () => {
    await page.getByRole("link", { name: "Validation errors" }).click();
    await page.getByLabel("Status").selectOption("SUPERSEDED");
    await page.locator("tbody tr", { hasText: "SUPERSEDED" }).first().waitFor();
    const superseded = Number(/(\d+) errors/.exec((await page.locator(".count").textContent()) ?? "")?.[1]);
    // The six lists' LIST_UNASSIGNED errors, replaced by the clean validation once they had an owner
    // (the first validation's NEW_* errors were fixed, not superseded).
    expect(superseded).toBe(6);
    await page.getByRole("button", { name: "Delete superseded…" }).click();
    const purge = page.getByRole("region", { name: "Delete superseded errors" });
    // Thirty days back by default: today's are not among them.
    await purge.getByText("No error superseded before that day is left.").waitFor();
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await purge.getByLabel("Superseded before").fill(tomorrow);
    await purge.getByText(`${superseded} errors superseded before ${tomorrow}.`).waitFor();
    await shot("errors-purge");
    await purge.getByRole("button", { name: `Delete ${superseded} errors` }).click();
    await purge.getByText(`Deleted ${superseded} superseded errors.`).waitFor();
    await page.getByText("No error matches these filters.").waitFor();
    await purge.getByRole("button", { name: "Close" }).click();
    // The fixed ones stay (east validated clean, so no open one); the audit log says who deleted what.
    await page.getByLabel("Status").selectOption("FIXED");
    await page.getByText("8 errors").waitFor();
    const audit = await stack.api.gql(`{ auditEntries(first: 1) { nodes { action actor after } } }`);
    expect(audit.auditEntries.nodes[0]).toMatchObject({ action: "validationErrors.purge", actor: "admin", after: { deleted: superseded } });
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Servers" }).click();
    await page.getByRole("heading", { name: "Servers" }).waitFor();
  });

  it("shows a job's progress bar moving while a big server validates", async () => {
    await stack.api.gql(`mutation($input: CreateServerInput!) { createServer(input: $input) { server { id } userErrors { message } } }`, {
      input: { name: "bulk", hostName: "127.0.0.1", port: stack.hosting.bulk!.agent.port },
    });
    await page.reload();
    await page.getByRole("checkbox", { name: "Select bulk" }).check();
    // Record every value the bar shows, from the moment it appears until the job ends.
    // A string: this package compiles without the DOM's types.
    await page.evaluate(`(() => {
      const seen = (window.progressSeen = []);
      new MutationObserver(() => {
        for (const bar of document.querySelectorAll(".job-tray [role=progressbar]")) {
          const value = Number(bar.getAttribute("aria-valuenow"));
          if (seen.at(-1) !== value) seen.push(value);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-valuenow"] });
    })()`);
    await page.getByRole("button", { name: "Validate Selected Servers" }).click();
    await page.getByRole("progressbar", { name: /VALIDATE bulk progress/ }).waitFor();
    await shot("servers-job-progress");
    await page.getByRole("link", { name: "Errors were found, click here to fix" }).waitFor({ timeout: 45_000 });
    const seen = (await page.evaluate("window.progressSeen")) as number[];
    expect(seen.some((value) => value > 0 && value < 100), `values shown: ${seen.join(", ")}`).toBe(true);
    expect(new Set(seen).size).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it("shows every page with its data: server detail, jobs, usage, customers", async () => {
    await page.getByRole("link", { name: "east", exact: true }).click();
    await page.getByRole("heading", { name: /east/ }).waitFor();
    await page.getByRole("heading", { name: /Job history/ }).waitFor();
    await shot("server-detail");

    await page.getByRole("button", { name: "Sync" }).click();
    await page.getByText(/Finished: 1 job succeeded/).waitFor();

    await page.getByRole("link", { name: "Jobs" }).click();
    await page.getByRole("heading", { name: "Jobs" }).waitFor();
    await page.locator("tbody tr").first().waitFor();
    // Newest first: the sync just run.
    const newest = (await page.locator("tbody tr").first().textContent()) ?? "";
    expect(newest).toMatch(/SYNC/);
    expect(newest).toMatch(/east/);
    expect(newest).toMatch(/succeeded/i);
    await shot("jobs");

    // The fixture's message log starts on 2024-01-01.
    await page.goto(`${stack.url}/usage?from=2024-01-01&to=2024-03-31`);
    await page.getByRole("img", { name: "Messages and units per period" }).waitFor();
    await page.locator(".usage-chart canvas").waitFor();
    await shot("usage");
    // A period with no message says so and points to All time, which shows every message of
    // east's log, as its database holds them (bulk has none).
    await page.goto(`${stack.url}/usage?from=2024-02-01&to=2024-03-31`);
    await page.getByText(/No messages were sent in this period \(try All time\)/).waitFor();
    await page.getByRole("button", { name: "All time" }).click();
    const fixture = await openFixtureDb({ sqlitePath: stack.hosting.east!.database });
    const [log] = await fixture.all<{ messages: number; recipients: number }>("SELECT COUNT(*) AS messages, SUM(RecipientCount_) AS recipients FROM log_");
    await fixture.close();
    expect(Number(log!.messages)).toBe(400);
    const total = async (label: string) => Number(((await page.locator(".totals > *").filter({ hasText: label }).locator("strong").textContent()) ?? "").replace(/\D/g, ""));
    await page.locator(".totals").filter({ hasText: `Messages ${Number(log!.messages).toLocaleString("en-US")}` }).waitFor();
    expect(await total("Messages")).toBe(Number(log!.messages));
    expect(await total("Recipients")).toBe(Number(log!.recipients));
    expect(await page.getByRole("alert").count()).toBe(0);
    // By customer: east's lists were assigned from today, so what they sent in 2024 is nobody's,
    // and says so; the CSV an invoice run starts from holds the same figures.
    const byCustomer = page.getByRole("region", { name: "Usage by customer" });
    const nobody = byCustomer.getByRole("row").filter({ hasText: "Nobody (unassigned lists)" });
    await nobody.waitFor();
    expect(await byCustomer.getByRole("row").count()).toBe(2);
    expect((await nobody.getByRole("cell").allTextContents()).slice(2, 4)).toEqual([Number(log!.messages).toLocaleString("en-US"), Number(log!.recipients).toLocaleString("en-US")]);
    const download = page.waitForEvent("download");
    await byCustomer.getByRole("button", { name: "Export CSV" }).click();
    const [header, ...lines] = readFileSync(await (await download).path(), "utf8").trim().split("\r\n");
    expect(header).toBe("customer id,customer,plan,from,to,messages,recipients,bytes,units");
    expect(lines.map((line) => line.split(",")).map(([id, customer, plan, from, , messages, recipients, , units]) => [id, customer, plan, from, messages, recipients, units])).toEqual([
      ["", "(nobody)", "", "2000-01-01", String(log!.messages), String(log!.recipients), String(log!.recipients)],
    ]);

    await page.getByRole("link", { name: "Customers" }).click();
    await page.getByRole("link", { name: "Acme Newsletters" }).click();
    await page.getByRole("heading", { name: "Plan usage" }).waitFor();
    await page.getByRole("link", { name: "Validation errors" }).click();
    await page.getByRole("heading", { name: "Validation errors" }).waitFor();
    await shot("errors-open");
  });

  it("registers a server reached over TLS: the form's box is saved, its page says so, and a plain agent does not answer it", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Servers" }).click();
    await page.getByRole("button", { name: "Create New Server" }).click();
    const form = page.getByRole("form", { name: "Create New Server" });
    await form.getByLabel("Name", { exact: true }).fill("east-tls");
    await form.getByLabel("Host Name").fill("127.0.0.1");
    // east's agent serves plain TCP.
    await form.getByLabel("Port").fill(String(stack.hosting.east!.agent.port));
    await form.getByRole("checkbox", { name: /TLS/ }).check();
    await form.getByRole("button", { name: "Create Server" }).click();
    await page.getByText("Server east-tls created").waitFor();
    await page.getByRole("link", { name: "east-tls", exact: true }).click();
    await page.getByRole("heading", { name: /east-tls/ }).waitFor();
    const connection = page.locator(".facts dt").filter({ hasText: "Connection" }).locator("xpath=following-sibling::dd[1]");
    expect(await connection.textContent()).toBe("TLS");
    await page.getByRole("button", { name: "Test connection to east-tls" }).click();
    await page.locator(".test-bad").filter({ hasText: /^unreachable: / }).waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Servers" }).click();
    await page.getByRole("link", { name: "east", exact: true }).click();
    await page.getByRole("heading", { name: /east/ }).waitFor();
    expect(await connection.textContent()).toBe("plain TCP");
  });
});
