import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SpawnAgentOptions, type SpawnedAgent, spawnAgent } from "@listbill/agent";
import { type FixtureTarget, type GenerateOptions, generateListManagerDatabase } from "@listbill/fixtures";
import { type TestApp, dataOf } from "./test-app.js";

export interface HostingServer {
  target: FixtureTarget;
  agent: SpawnedAgent;
  stop(): Promise<void>;
}

/** A ListManager-shaped database generated afresh, served by a real listbill-agent process. */
export async function startHostingServer(shape: Omit<GenerateOptions, "target"> = {}, agentOptions: Omit<SpawnAgentOptions, "database"> = {}): Promise<HostingServer> {
  const dir = mkdtempSync(join(tmpdir(), "listbill-hosting-"));
  const target = { sqlitePath: join(dir, "listmanager.sqlite") };
  await generateListManagerDatabase({ target, seed: 7, sites: 2, lists: 12, membersPerList: 10, logRows: 20, ...shape });
  const agent = await spawnAgent({ database: target.sqlitePath, ...agentOptions });
  return {
    target,
    agent,
    async stop() {
      await agent.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Environment for a test API: jobs picked up at once, short agent timeouts, quick retries. */
export const FAST_JOBS_ENV = {
  LISTBILL_JOB_POLL_MS: "50",
  LISTBILL_RETRY_BASE_MS: "20",
  LISTBILL_RETRY_CAP_MS: "100",
  LISTBILL_AGENT_CONNECT_TIMEOUT_MS: "1000",
  LISTBILL_AGENT_REQUEST_TIMEOUT_MS: "1500",
  LISTBILL_AGENT_FIRST_RECORD_TIMEOUT_MS: "10000",
};

export async function registerServer(app: TestApp, input: { name: string; port: number; password?: string; hostName?: string }): Promise<string> {
  const response = await app.gql(
    `mutation($input: CreateServerInput!) { createServer(input: $input) { server { id } userErrors { code message } } }`,
    { input: { hostName: "127.0.0.1", ...input } },
  );
  const payload = dataOf(response).createServer;
  if (payload.userErrors.length) throw new Error(`createServer refused: ${JSON.stringify(payload.userErrors)}`);
  return payload.server.id;
}

const JOB_FIELDS = "id kind state progress trigger actor input result error attempts maxAttempts startedAt finishedAt server { id name }";

/** Starts validateServers or syncServers for the servers and waits until every job has finished. */
export async function runJobs(app: TestApp, mutation: "validateServers" | "syncServers", serverIds: string[], timeoutMs = 20_000): Promise<any[]> {
  const response = await app.gql(`mutation($input: ${mutation === "validateServers" ? "ValidateServersInput" : "SyncServersInput"}!) { ${mutation}(input: $input) { jobs { id } userErrors { code message } } }`, { input: { serverIds } });
  const payload = dataOf(response)[mutation];
  if (payload.userErrors.length) throw new Error(`${mutation} refused: ${JSON.stringify(payload.userErrors)}`);
  return Promise.all(payload.jobs.map((job: { id: string }) => waitForJob(app, job.id, timeoutMs)));
}

export async function waitForJob(app: TestApp, id: string, timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = dataOf(await app.gql(`query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id })).job;
    if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

export const ERROR_FIELDS = "id code severity objectType objectKey message billingValue hostingValue fixable status customer { company }";

/** The server's OPEN validation errors. */
export async function openErrors(app: TestApp, serverId: string): Promise<any[]> {
  const data = dataOf(await app.gql(`query($id: ID!) { server(id: $id) { validationErrors(first: 100, filter: { status: [OPEN] }) { nodes { ${ERROR_FIELDS} } } } }`, { id: serverId }));
  return data.server.validationErrors.nodes;
}
