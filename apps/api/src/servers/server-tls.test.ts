import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFromEnv } from "../config.js";
import { FAST_JOBS_ENV, type HostingServer, runJobs, startHostingServer } from "../testing/hosting.js";
import { type TestApp, dataOf, startTestApp, testDatabases } from "../testing/test-app.js";

const dir = mkdtempSync(join(tmpdir(), "listbill-server-tls-"));

/** A self-signed certificate for 127.0.0.1, made fresh for this run. */
function certificate(name: string): { certPath: string; keyPath: string } {
  const certPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}.key`);
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", certPath,
    "-days", "1", "-subj", `/CN=${name}`, "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  return { certPath, keyPath };
}

const trusted = certificate("trusted-agent");
const stranger = certificate("unknown-agent");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CREATE = `mutation($input: CreateServerInput!) { createServer(input: $input) { server { id tls } userErrors { code message } } }`;
const UPDATE = `mutation($input: UpdateServerInput!) { updateServer(input: $input) { server { id tls } userErrors { code message } } }`;
const TEST = `mutation($input: TestServerConnectionInput!) { testServerConnection(input: $input) { ok reason message version } }`;

describe.each(testDatabases())("agents served over TLS, on %s", (kind) => {
  let app: TestApp;
  let agent: HostingServer;
  let unknown: HostingServer;

  beforeAll(async () => {
    [app, agent, unknown] = await Promise.all([
      startTestApp(kind, { ...FAST_JOBS_ENV, LISTBILL_AGENT_TLS_CA: trusted.certPath }),
      startHostingServer({ lists: 12 }, { tls: trusted }),
      startHostingServer({ lists: 12 }, { tls: stranger }),
    ]);
  });
  afterAll(async () => {
    await app?.stop();
    await agent?.stop();
    await unknown?.stop();
  });

  const create = async (name: string, port: number, tls?: boolean) => {
    const payload = dataOf(await app.gql(CREATE, { input: { name, hostName: "127.0.0.1", port, ...(tls === undefined ? {} : { tls }) } })).createServer;
    expect(payload.userErrors).toEqual([]);
    return payload.server as { id: string; tls: boolean };
  };

  it("validates a server whose agent serves TLS with a certificate LISTBILL_AGENT_TLS_CA trusts", async () => {
    const server = await create("TLS agent", agent.agent.port, true);
    expect(server.tls).toBe(true);
    expect(dataOf(await app.gql(TEST, { input: { id: server.id } })).testServerConnection).toMatchObject({ ok: true, reason: null });
    const [job] = await runJobs(app, "validateServers", [server.id]);
    expect(job).toMatchObject({ state: "SUCCEEDED", result: { outcome: "ERRORS", listsChecked: 12 } });
    expect(agent.agent.stderr()).toMatch(/"event":"authenticated"/);
  });

  it("reaches a TLS agent only with tls on: off by default, and switched by updateServer", async () => {
    const server = await create("TLS agent, plain client", agent.agent.port);
    expect(server.tls).toBe(false);
    expect(dataOf(await app.gql(TEST, { input: { id: server.id } })).testServerConnection).toMatchObject({ ok: false, reason: "UNREACHABLE" });
    const [failed] = await runJobs(app, "validateServers", [server.id]);
    expect(failed.state).toBe("FAILED");
    expect(dataOf(await app.gql(`query($id: ID!) { server(id: $id) { status } }`, { id: server.id })).server.status).toBe("UNREACHABLE");

    expect(dataOf(await app.gql(UPDATE, { input: { id: server.id, tls: true } })).updateServer.server).toEqual({ id: server.id, tls: true });
    const [job] = await runJobs(app, "validateServers", [server.id]);
    expect(job).toMatchObject({ state: "SUCCEEDED", result: { listsChecked: 12 } });
  });

  it("sends no password to an agent whose certificate it does not trust", async () => {
    const server = await create("Untrusted agent", unknown.agent.port, true);
    const test = dataOf(await app.gql(TEST, { input: { id: server.id } })).testServerConnection;
    expect(test).toMatchObject({ ok: false, reason: "UNREACHABLE" });
    expect(test.message).toMatch(/certificate/i);
    const [job] = await runJobs(app, "validateServers", [server.id]);
    // Not retried: the same certificate would be refused again.
    expect(job).toMatchObject({ state: "FAILED", attempts: 1 });
    expect(job.error).toMatch(/TLS certificate .* was not trusted/);
    // The handshake failed, so the agent never saw an auth request, right or wrong.
    expect(unknown.agent.stderr()).not.toMatch(/authenticated|auth_failed/);
  });
});

describe("LISTBILL_AGENT_TLS_CA", () => {
  it("stops start-up, naming itself, when its file cannot be read or holds no certificate", () => {
    expect(() => configFromEnv({ LISTBILL_AGENT_TLS_CA: join(dir, "missing.pem") })).toThrow(/^LISTBILL_AGENT_TLS_CA: cannot read .*missing\.pem \(ENOENT\)$/);
    expect(() => configFromEnv({ LISTBILL_AGENT_TLS_CA: trusted.keyPath })).toThrow(/LISTBILL_AGENT_TLS_CA: .* holds no PEM certificate/);
    expect(configFromEnv({ LISTBILL_AGENT_TLS_CA: trusted.certPath }).services.hosting.tlsCa).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});
