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

describe("an admin issuing an API token for a script", () => {
  const graphqlAs = async (token: string, query: string) => {
    const response = await fetch(`${stack.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
    return (await response.json()) as { data?: { me?: { username: string; role: string } | null } | null; errors?: { extensions?: { code?: string } }[] };
  };
  let token = "";

  it("issues a token for the operator, shown once with how to send it", async () => {
    await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API tokens" }).click();
    await admin.getByRole("heading", { name: "API tokens" }).waitFor();
    // The test harness's own token, issued to the admin when the stack started.
    const harness = admin.getByRole("table", { name: "API tokens" }).locator("tr", { hasText: "bench and e2e harness" });
    expect((await harness.locator("td").allTextContents()).slice(1, 3)).toEqual(["admin (admin)", "usable"]);
    await admin.getByRole("button", { name: "New token" }).click();
    const form = admin.getByRole("form", { name: "New API token" });
    await form.getByLabel(/^Name/).fill("nightly bulk fix");
    await form.getByLabel("Acts as").selectOption({ label: "olivia.ops (operator)" });
    await form.getByRole("button", { name: "Create token" }).click();

    const issued = admin.getByRole("region", { name: "New token" });
    await issued.waitFor();
    token = await issued.getByLabel("The new token").inputValue();
    expect(token).toMatch(/^lbt_[A-Za-z0-9_-]{43}$/);
    expect(await issued.locator("pre").textContent()).toContain(`Authorization: Bearer ${token}`);
    await shot(admin, "tokens-issued");

    // What a script sees with it: the operator, with her role.
    expect((await graphqlAs(token, "{ me { username role } }")).data?.me).toEqual({ username: "olivia.ops", role: "OPERATOR" });

    await issued.getByRole("button", { name: "I have stored it" }).click();
    await issued.waitFor({ state: "detached" });
    await admin.reload();
    const row = admin.getByRole("table", { name: "API tokens" }).locator("tr", { hasText: "nightly bulk fix" });
    await row.waitFor();
    const cells = await row.locator("td").allTextContents();
    expect(cells.slice(0, 3)).toEqual(["nightly bulk fix", "olivia.ops (operator)", "usable"]);
    expect(cells[4]).toBe("never");
    // Used once by the script above.
    expect(cells[5]).not.toBe("never");
    expect(await admin.content()).not.toContain(token);
    await shot(admin, "tokens");
    // Used a moment ago: not among the tokens unused for 90 days.
    await admin.getByLabel("Show").selectOption("unused");
    await row.waitFor({ state: "detached" });
    await admin.getByLabel("Show").selectOption("active");
    await row.waitFor();
  });

  it("shows the token as refused while its user is disabled, and lists a user's tokens from the Users page", async () => {
    await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    const user = admin.getByRole("table", { name: "Users" }).locator("tr", { hasText: "olivia.ops" });
    await user.getByRole("button", { name: "Disable" }).click();
    await user.getByRole("button", { name: "Enable" }).waitFor();
    expect((await graphqlAs(token, "{ me { username } }")).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

    await user.getByRole("link", { name: "API tokens of olivia.ops" }).click();
    const row = admin.getByRole("table", { name: "API tokens" }).locator("tr", { hasText: "nightly bulk fix" });
    await row.getByText("refused: olivia.ops is disabled").waitFor();

    await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    await user.getByRole("button", { name: "Enable" }).click();
    await user.getByRole("button", { name: "Disable" }).waitFor();
    expect((await graphqlAs(token, "{ me { username } }")).data?.me?.username).toBe("olivia.ops");
  });

  it("revokes it after asking, and the script is refused at once", async () => {
    await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API tokens" }).click();
    const row = admin.getByRole("table", { name: "API tokens" }).locator("tr", { hasText: "nightly bulk fix" });
    await row.getByRole("button", { name: "Revoke" }).click();
    const ask = row.getByRole("group", { name: "Revoke nightly bulk fix" });
    await ask.getByRole("button", { name: "Keep it" }).click();
    await ask.waitFor({ state: "detached" });
    expect((await graphqlAs(token, "{ me { username } }")).data?.me?.username).toBe("olivia.ops");

    await row.getByRole("button", { name: "Revoke" }).click();
    await ask.getByRole("button", { name: "Revoke it" }).click();
    await row.getByText(/^revoked /).waitFor();
    expect((await graphqlAs(token, "{ me { username } }")).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

    await admin.getByLabel("Show").selectOption("inactive");
    await admin.getByRole("table", { name: "API tokens" }).locator("tr", { hasText: "nightly bulk fix" }).waitFor();
    await admin.getByLabel("Show").selectOption("active");
    await admin.getByRole("table", { name: "API tokens" }).locator("tr", { hasText: "bench and e2e harness" }).waitFor();
    // Shown from the cache at once, then as the API answers: without the revoked token.
    await admin.getByRole("table", { name: "API tokens" }).locator("tr", { hasText: "nightly bulk fix" }).waitFor({ state: "detached" });
  });

  it("is not there for an operator", async () => {
    // Disabling her above ended her session.
    await signIn(olivia, "olivia.ops", "olivia third password");
    await olivia.getByRole("heading", { name: "Servers" }).waitFor();
    await olivia.goto(`${stack.url}/tokens`);
    await olivia.getByRole("heading", { name: "Not found" }).waitFor();
    expect(await olivia.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API tokens" }).count()).toBe(0);
  });
});

describe("a page left open", () => {
  it("signs itself out within a minute of an admin disabling its user, with nobody touching it", async () => {
    // The page's own timers under a clock the test moves; the requests stay real.
    await olivia.clock.install();
    await olivia.goto(`${stack.url}/servers`);
    await olivia.getByRole("heading", { name: "Servers" }).waitFor();

    await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    const row = admin.getByRole("table", { name: "Users" }).locator("tr", { hasText: "olivia.ops" });
    await row.getByRole("button", { name: "Disable" }).click();
    await row.getByRole("button", { name: "Enable" }).waitFor();

    // Half a minute on, the page has not asked yet; a minute on, it has, and shows the sign-in form.
    await olivia.clock.fastForward(30_000);
    expect(await olivia.getByRole("heading", { name: "Servers" }).isVisible()).toBe(true);
    await olivia.clock.fastForward(31_000);
    await olivia.getByRole("form", { name: "Sign in" }).waitFor();
    expect(await olivia.getByRole("heading", { name: "Servers" }).count()).toBe(0);

    // The checks go on quietly: what someone is typing into the sign-in form stays, on a page
    // opened signed out as on this one.
    await olivia.reload();
    await olivia.getByRole("form", { name: "Sign in" }).waitFor();
    await olivia.getByLabel("Username").fill("olivia.ops");
    await olivia.getByLabel("Password").fill("half typed");
    await olivia.clock.fastForward(61_000);
    await olivia.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    expect(await olivia.getByLabel("Username").inputValue()).toBe("olivia.ops");
    expect(await olivia.getByLabel("Password").inputValue()).toBe("half typed");
  });
});
