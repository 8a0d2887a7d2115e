import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { once } from "node:events";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HostingClient, HostingError } from "@listbill/protocol";
import { generateListManagerDatabase } from "@listbill/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnAgent, type SpawnedAgent } from "./spawn-agent.js";

const dir = mkdtempSync(join(tmpdir(), "listbill-agent-tls-"));
let agent: SpawnedAgent;
let ca: string;
let certPath: string;
let keyPath: string;
let database: string;

beforeAll(async () => {
  certPath = join(dir, "cert.pem");
  keyPath = join(dir, "key.pem");
  // A self-signed certificate for 127.0.0.1, made fresh for this run.
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", certPath,
    "-days", "1", "-subj", "/CN=listbill-agent-test", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  ca = readFileSync(certPath, "utf8");
  database = join(dir, "lm.sqlite");
  await generateListManagerDatabase({ target: { sqlitePath: database }, seed: 3, sites: 2, lists: 10 });
  agent = await spawnAgent({ database, tls: { certPath, keyPath } });
});

afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the agent over TLS", () => {
  it("serves a client that trusts its certificate", async () => {
    const client = await HostingClient.connect({ host: agent.host, port: agent.port, password: "TCLPORTPasswd", tls: { ca } });
    let lists = 0;
    for await (const _ of client.lists()) lists++;
    expect(lists).toBe(10);
    await client.close();
  });

  it("is CERTIFICATE_REJECTED for a client that does not trust the certificate", async () => {
    const error = await HostingClient.connect({ host: agent.host, port: agent.port, password: "TCLPORTPasswd", tls: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostingError);
    expect((error as HostingError).code).toBe("CERTIFICATE_REJECTED");
    expect((error as HostingError).message).toMatch(/TLS certificate .* was not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
  });

  it("does not answer a plain-TCP client as if it were TLS, and the client says TLS may be why", async () => {
    const error = await HostingClient.connect({ host: agent.host, port: agent.port, password: "TCLPORTPasswd", requestTimeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostingError);
    expect((error as HostingError).code).toBe("UNREACHABLE");
    expect((error as HostingError).message).toMatch(/closed before the agent answered a byte: an agent does so to a plain connection when it serves TLS \(connect with TLS\)/);
  });

  it("tells a TLS client that an agent without TLS answered in plain text", async () => {
    const plain = await spawnAgent({ database });
    try {
      const error = await HostingClient.connect({ host: plain.host, port: plain.port, password: "TCLPORTPasswd", tls: { ca }, requestTimeoutMs: 1_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HostingError);
      expect((error as HostingError).code).toBe("UNREACHABLE");
      expect((error as HostingError).message).toMatch(/is not TLS: the agent answered in plain text, so it was started without TLS/);
    } finally {
      await plain.stop();
    }
  });

  it("closes a connection from a host not on the allow-list before the TLS handshake", async () => {
    const strict = await spawnAgent({ database, tls: { certPath, keyPath }, allow: ["10.0.0.0/8"] });
    try {
      // A bare TCP connection that sends nothing: the agent does not wait for a handshake.
      const socket = net.connect({ host: strict.host, port: strict.port });
      socket.on("error", () => undefined);
      let received = 0;
      socket.on("data", (chunk: Buffer) => (received += chunk.length));
      const closed = await Promise.race([once(socket, "close").then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000))]);
      socket.destroy();
      expect(closed).toBe(true);
      expect(received).toBe(0);
      const error = await HostingClient.connect({ host: strict.host, port: strict.port, password: "TCLPORTPasswd", tls: { ca } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HostingError);
      expect((error as HostingError).code).toBe("UNREACHABLE");
      expect(strict.stderr()).toMatch(/host_not_allowed/);
      expect(strict.stderr()).not.toMatch(/tls_error/);
    } finally {
      await strict.stop();
    }
  });
});
