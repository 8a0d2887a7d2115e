import { serverAudits } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, startTestApp } from "../testing/test-app.js";

/**
 * Conformance with the GraphQL over HTTP specification, checked by the audit suite of
 * graphql-http (the spec's reference implementation). The audits send anonymous `{ __typename }`
 * requests; GETs carry Apollo's CSRF-prevention header, as docs/api.md tells clients to.
 */
describe("GraphQL over HTTP", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp("sqlite");
  });
  afterAll(async () => {
    await app?.stop();
  });

  const fetchWithPreflight = (input: string | URL | Request, init: RequestInit = {}) =>
    fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init.headers).entries()), "apollo-require-preflight": "true" } });

  it.each(serverAudits({ url: () => `${app.url}/graphql`, fetchFn: fetchWithPreflight }).filter((audit) => audit.name.startsWith("MUST")))("$name", async (audit) => {
    const result = await audit.fn();
    expect(result.status === "ok" ? "ok" : `${result.status}: ${"reason" in result ? result.reason : ""}`).toBe("ok");
  });

  it("answers a mutation sent by GET with 405 and Allow: POST, running nothing", async () => {
    const query = encodeURIComponent(`mutation { logout }`);
    const response = await fetch(`${app.url}/graphql?query=${query}`, { headers: { "apollo-require-preflight": "true" } });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("negotiates application/graphql-response+json and answers a validation error with 400 in it", async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body: JSON.stringify({ query: "{ nope }" }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/graphql-response\+json/);
  });

  it("refuses methods other than GET and POST with 405", async () => {
    const response = await fetch(`${app.url}/graphql`, { method: "PUT", headers: { "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(405);
  });
});
