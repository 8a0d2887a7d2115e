import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HostingClient } from "@listbill/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { startDemoFleet } from "./demo-fleet-start.js";

const dir = mkdtempSync(join(tmpdir(), "listbill-demo-fleet-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function snapshot(server: { host: string; port: number; password: string }) {
  const client = await HostingClient.connect(server);
  const lists: string[] = [];
  for await (const list of client.lists()) lists.push(`${list.name}@${list.site}:${list.description}`);
  const result = { info: await client.serverInfo(), logging: await client.loggingEnabled(), lists };
  await client.close();
  return result;
}

describe("the demo fleet", () => {
  it("starts three differing agents and regenerates them identically", async () => {
    const first = await startDemoFleet({ dataDir: dir, basePort: 0 });
    const before = await Promise.all(first.servers.map(snapshot));
    await first.close();
    expect(first.servers.map((server) => server.name)).toEqual(["alpha", "beta", "gamma"]);
    expect(new Set(before.map((server) => server.info.serverName)).size).toBe(3);
    expect(before.map((server) => server.info.version)).toEqual(["8.95", "8.95", "9.0"]);
    expect(before.map((server) => server.logging)).toEqual([true, false, true]);
    expect(before.map((server) => server.lists.length)).toEqual([30, 18, 45]);

    const second = await startDemoFleet({ dataDir: dir, basePort: 0 });
    const after = await Promise.all(second.servers.map(snapshot));
    await second.close();
    expect(after).toEqual(before);
  });
});
