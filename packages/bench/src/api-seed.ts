import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SpawnedAgent, spawnAgent } from "@listbill/agent";
import { createScratchDatabase } from "@listbill/fixtures/testing";
import { createServer, startJobs, waitForJob } from "./api-jobs.js";
import { type ApiProcess, benchApiEnv, startApiProcess } from "./api-process.js";
import { cachedFixture } from "./fixture-cache.js";

export interface SeedShape {
  /** Lists on the hosting server that is synced into billing. */
  lists: number;
  /** Hosting servers registered (all served by the one agent; only the first is synced). */
  servers: number;
  /** Customers, each with its own plan, sharing the synced lists round robin. */
  customers: number;
}

export interface SeededApi {
  /** The API process serving the data; replaced by relaunch(). */
  api: ApiProcess;
  /** Replaces the API process with one started with `env` changed (same database, same token). */
  relaunch(env: Record<string, string | undefined>): Promise<ApiProcess>;
  /** The scratch database's mysql:// URL, or undefined on SQLite. */
  databaseUrl: string | undefined;
  ids: { serverId: string; customerId: string; jobId: string };
  stop(): Promise<void>;
}

/**
 * An API process on a fresh database holding what an operator's day leaves: servers validated
 * (jobs, validation errors), one synced (its lists and sites), customers with plans owning
 * lists. Every row goes in through the API's own mutations and jobs, as in production.
 */
export async function startSeededApi(shape: SeedShape, options: { mysqlUrl: string | undefined; env?: Record<string, string>; nodeArgs?: readonly string[]; log: (line: string) => void }): Promise<SeededApi> {
  const fixture = await cachedFixture({ lists: shape.lists, membersPerList: 10, sites: 2, seed: 7 }, options.log);
  const dataDir = mkdtempSync(join(tmpdir(), "listbill-bench-"));
  const scratch = options.mysqlUrl ? await createScratchDatabase(options.mysqlUrl, "lbbench") : undefined;
  let agent: SpawnedAgent | undefined;
  let api: ApiProcess | undefined;
  const stop = async () => {
    await api?.stop();
    await agent?.stop();
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    agent = await spawnAgent({ database: fixture });
    const env: Record<string, string> = { ...benchApiEnv(dataDir, scratch?.url), ...options.env };
    api = await startApiProcess({ nodeArgs: options.nodeArgs, env });
    const serverIds: string[] = [];
    for (let i = 0; i < shape.servers; i++) serverIds.push(await createServer(api, { name: `Seeded ${String(i + 1).padStart(3, "0")}`, port: agent.port }));
    const ready = api;
    const runAll = async (mutation: "validateServers" | "syncServers", ids: string[]) => Promise.all((await startJobs(ready, mutation, { serverIds: ids })).map((id) => waitForJob(ready, id, { timeoutMs: 300_000 })));
    const [firstJob] = await runAll("validateServers", serverIds);
    await runAll("syncServers", serverIds.slice(0, 1));
    await runAll("validateServers", serverIds.slice(0, 1));

    const listIds: string[] = [];
    for (let after: string | null = null; ; ) {
      const { lists }: { lists: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await api.gql(
        `query($after: String) { lists(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      listIds.push(...lists.nodes.map((node) => node.id));
      if (!lists.pageInfo.hasNextPage) break;
      after = lists.pageInfo.endCursor;
    }
    const customerIds: string[] = [];
    for (let c = 0; c < shape.customers; c++) {
      const { createHostingPlan: plan } = await api.gql(`mutation($input: CreateHostingPlanInput!) { createHostingPlan(input: $input) { hostingPlan { id } userErrors { code message } } }`, {
        input: { name: `Plan ${c + 1}`, maxLists: 10_000, maxMembers: 1_000_000 },
      });
      const { createCustomer: customer } = await api.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { code message } } }`, {
        input: { company: `Customer ${String(c + 1).padStart(3, "0")} Ltd`, planId: plan.hostingPlan.id },
      });
      if (!customer.customer) throw new Error(`createCustomer refused: ${JSON.stringify(customer.userErrors)}`);
      customerIds.push(customer.customer.id);
    }
    // Nine lists in ten get an owner; the rest stay unassigned, as in a real fleet.
    const owned = listIds.filter((_, index) => index % 10 !== 9);
    for (let c = 0; c < customerIds.length; c++) {
      const mine = owned.filter((_, index) => index % customerIds.length === c);
      for (let offset = 0; offset < mine.length; offset += 1000) {
        const { assignLists } = await api.gql(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code message } } }`, {
          input: { customerId: customerIds[c], listIds: mine.slice(offset, offset + 1000) },
        });
        if (assignLists.userErrors.length) throw new Error(`assignLists refused: ${JSON.stringify(assignLists.userErrors)}`);
      }
    }
    const seeded: SeededApi = {
      api,
      databaseUrl: scratch?.url,
      ids: { serverId: serverIds[0]!, customerId: customerIds[0]!, jobId: firstJob!.id },
      stop,
      async relaunch(changes) {
        const token = api!.token;
        await api!.stop();
        api = undefined;
        for (const [name, value] of Object.entries(changes)) {
          if (value === undefined) delete env[name];
          else env[name] = value;
        }
        api = await startApiProcess({ nodeArgs: options.nodeArgs, env, token });
        seeded.api = api;
        return api;
      },
    };
    return seeded;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One GraphQL POST with the API's token; the answer's body and headers. */
export async function postGraphql(api: ApiProcess, query: string, variables: Record<string, unknown> = {}): Promise<{ body: { errors?: unknown[]; data?: unknown }; headers: Headers }> {
  const response = await fetch(`${api.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${api.token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: unknown[]; data?: unknown };
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return { body, headers: response.headers };
}
