import { join } from "node:path";
import { openFixtureDb } from "@listbill/fixtures";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, ARTIFACTS, type Stack, launchChromium, runServerJob, startStack } from "./support/stack.js";

/**
 * A hosting server restored from a backup: its message log numbers new messages from the
 * backup's last id again. The operator finds LOG_RESTARTED on the errors page in a real headless
 * Chromium, fixes it there, and the next sync imports the messages sent since the restore.
 */

let stack: Stack;
let browser: Browser;
let page: Page;
let serverId: string;

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  stack = await startStack({ south: { seed: 41, sites: 1, lists: 3, membersPerList: 2, logRows: 40 } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const created = await stack.api.gql(`mutation($input: CreateServerInput!) { createServer(input: $input) { server { id } } }`, {
    input: { name: "south", hostName: "127.0.0.1", port: stack.hosting.south!.agent.port },
  });
  serverId = created.createServer.server.id;
  expect(await runServerJob(stack, "syncServers", serverId)).toMatchObject({ logRowsImported: 40, logHighWater: 40 });
  // Restored from a backup with rows 1..25: the 20 messages sent since are numbered 26..45.
  const db = await openFixtureDb({ sqlitePath: stack.hosting.south!.database });
  await db.run("DELETE FROM log_ WHERE LogID_ > 25");
  for (let id = 26; id <= 45; id++) {
    await db.run("INSERT INTO log_ (LogID_, Created_, List_, Site_, ByteCount_, RecipientCount_, OutmailID_, SubsetID_, Source_, Title_) VALUES (?, '2026-12-02 08:00:00', NULL, NULL, 900, 4, NULL, NULL, 'lm', 'since the restore')", [id]);
  }
  await db.close();
  await runServerJob(stack, "validateServers", serverId);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("an operator whose hosting server's message log started over", () => {
  it("sees the restart on the errors page, with what happened and what to do", async () => {
    await page.goto(`${stack.url}/errors?serverId=${encodeURIComponent(serverId)}`);
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Validation errors" }).waitFor();
    const row = page.locator("tr", { hasText: "LOG_RESTARTED" });
    await row.waitFor();
    expect(await row.textContent()).toContain("The message log of south started its numbering over: its log row 40 is not the one billing imported with that id");
    expect(await row.textContent()).toContain("Check that the host name still points at this hosting server");
    await shot("log-restarted");
  });

  it("fixes it with the other fixable errors, and the next sync imports the messages sent since the restore", async () => {
    await page.getByRole("checkbox", { name: "Select all fixable errors" }).check();
    await page.getByRole("button", { name: /Fix selected objects \(\d+\)/ }).click();
    const results = page.getByRole("region", { name: "Fix results" });
    await results.getByText(/Fix results: \d+ fixed, 0 skipped, 0 failed/).waitFor();
    await shot("log-restart-fixed");
    const fixed = await stack.api.gql(`query($id: ID!) { validationErrors(first: 10, filter: { serverId: $id, code: [LOG_RESTARTED], status: [FIXED] }) { totalCount } }`, { id: serverId });
    expect(fixed.validationErrors.totalCount).toBe(1);
    expect(await runServerJob(stack, "syncServers", serverId)).toMatchObject({ logRowsImported: 20, logHighWater: 45 });
  });

  it("reads on the server's page how far its log is imported, and that its numbering started over once", async () => {
    await page.goto(`${stack.url}/servers/${encodeURIComponent(serverId)}`);
    const fact = page.locator("dt", { hasText: "Message log" }).locator("xpath=following-sibling::dd[1]");
    await fact.waitFor();
    expect(await fact.textContent()).toBe("imported through row 45; numbering started over once");
    await shot("log-restart-server");
  });
});
