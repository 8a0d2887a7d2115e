import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, ARTIFACTS, type Stack, launchChromium, startStack } from "./support/stack.js";

/**
 * Users in a real headless Chromium: an admin adds an operator, who changes her own password;
 * when she leaves, the admin disables her and her open page is signed out; the admin cannot take
 * away the last admin; enabled again with a new password, she signs in with it.
 */

let stack: Stack;
let browser: Browser;
let admin: Page;
let olivia: Page;

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${stack.url}/servers`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

beforeAll(async () => {
  stack = await startStack({});
  browser = await launchChromium();
  admin = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  olivia = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("an admin managing users, and a user her own password", () => {
  it("adds an operator on the Users page, which only admins see", async () => {
    await signIn(admin, "admin", ADMIN_PASSWORD);
    await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    await admin.getByRole("heading", { name: "Users" }).waitFor();
    await admin.getByRole("button", { name: "New user" }).click();
    const form = admin.getByRole("form", { name: "New user" });
    await form.getByLabel("Username").fill("olivia.ops");
    await form.getByLabel(/^Password/).fill("olivia first password");
    await form.getByLabel("Role").selectOption("OPERATOR");
    await form.getByRole("button", { name: "Create user" }).click();
    await form.waitFor({ state: "detached" });
    const row = admin.getByRole("table", { name: "Users" }).locator("tr", { hasText: "olivia.ops" });
    await row.waitFor();
    expect(await row.getByLabel("Role of olivia.ops").inputValue()).toBe("OPERATOR");
    expect(await row.textContent()).toContain("can sign in");
    await shot(admin, "users");

    await signIn(olivia, "olivia.ops", "olivia first password");
    await olivia.getByRole("heading", { name: "Servers" }).waitFor();
    expect(await olivia.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).count()).toBe(0);
  });

  it("lets the operator change her own password, refusing a wrong current one and a mistyped new one", async () => {
    await olivia.getByRole("link", { name: /olivia\.ops/ }).click();
    const form = olivia.getByRole("form", { name: "Change your password" });
    await form.getByLabel("Current password").fill("not my password");
    await form.getByLabel(/^New password \(/).fill("olivia second password");
    await form.getByLabel("New password again").fill("olivia second password");
    await form.getByRole("button", { name: "Change password" }).click();
    await form.getByText("That is not your current password").waitFor();

    await form.getByLabel("Current password").fill("olivia first password");
    await form.getByLabel("New password again").fill("olivia second passwort");
    await form.getByRole("button", { name: "Change password" }).click();
    await form.getByText("The two new passwords differ.").waitFor();

    await form.getByLabel("New password again").fill("olivia second password");
    await form.getByRole("button", { name: "Change password" }).click();
    await form.getByText(/Your password is changed/).waitFor();
    await shot(olivia, "account-password-changed");
    // Still signed in here; the old password no longer signs in.
    const login = await stack.api.gql(`mutation { login(input: { username: "olivia.ops", password: "olivia first password" }) { userErrors { code } } }`);
    expect(login.login.userErrors).toEqual([{ code: "INVALID_CREDENTIALS" }]);
    await olivia.reload();
    await olivia.getByRole("heading", { name: "Your account" }).waitFor();
  });

  it("disables her when she leaves: her open page is signed out and she cannot sign in again", async () => {
    const row = admin.getByRole("table", { name: "Users" }).locator("tr", { hasText: "olivia.ops" });
    await row.getByRole("button", { name: "Disable" }).click();
    await row.getByText(/^disabled /).waitFor();
    await row.getByRole("button", { name: "Enable" }).waitFor();

    // Her open page: the next thing she opens finds her signed out, with no reload.
    await olivia.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Jobs" }).click();
    await olivia.getByRole("form", { name: "Sign in" }).waitFor();
    await signIn(olivia, "olivia.ops", "olivia second password");
    await olivia.getByText("Unknown username or wrong password").waitFor();
  });

  it("keeps the last admin who can sign in", async () => {
    const row = admin.getByRole("table", { name: "Users" }).locator("tr", { hasText: /^admin/ });
    await row.getByLabel("Role of admin").selectOption("VIEWER");
    await admin.getByText("admin is the only admin who can sign in: make another user admin first").waitFor();
    await admin.reload();
    expect(await admin.getByRole("table", { name: "Users" }).locator("tr", { hasText: /^admin/ }).getByLabel("Role of admin").inputValue()).toBe("ADMIN");
  });

  it("enables her again with a new password, which she signs in with", async () => {
    const row = admin.getByRole("table", { name: "Users" }).locator("tr", { hasText: "olivia.ops" });
    await row.getByRole("button", { name: "Enable" }).click();
    await row.getByText("can sign in").waitFor();
    await row.getByRole("button", { name: "Reset password" }).click();
    await row.getByLabel("New password for olivia.ops").fill("olivia third password");
    await row.getByRole("button", { name: "Set password", exact: true }).click();
    await row.getByRole("button", { name: "Set password", exact: true }).waitFor({ state: "detached" });
    await shot(admin, "users-reset");

    await signIn(olivia, "olivia.ops", "olivia third password");
    await olivia.getByRole("heading", { name: "Servers" }).waitFor();
  });
});
