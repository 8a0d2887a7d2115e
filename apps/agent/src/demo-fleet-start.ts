import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEFAULT_AGENT_PASSWORD, DEFAULT_AGENT_PORT } from "@listbill/protocol";
import { generateListManagerDatabase, type GenerateOptions } from "@listbill/fixtures";
import { startAgentServer, type RunningAgent } from "./agent-server.js";
import type { AgentLog } from "./agent-log.js";

export interface DemoFleetOptions {
  /** Where the three SQLite files go; regenerated on every start (default ./data/demo-fleet). */
  dataDir?: string;
  /** First port; the agents take basePort, +1, +2 (default 2021). 0 picks free ports. */
  basePort?: number;
  host?: string;
  password?: string;
  log?: AgentLog;
}

export interface DemoFleetServer {
  name: string;
  host: string;
  port: number;
  password: string;
  database: string;
}

export interface DemoFleet {
  servers: DemoFleetServer[];
  close(): Promise<void>;
}

type DemoServerSpec = { name: string } & Omit<GenerateOptions, "target">;

// Three hosting servers that differ the way a real fleet does: size, version, logging.
const DEMO_SERVERS: DemoServerSpec[] = [
  { name: "alpha", seed: 1, sites: 3, lists: 30, membersPerList: 25, logRows: 120, version: "8.95", serverName: "lists.alpha.example" },
  { name: "beta", seed: 2, sites: 2, lists: 18, membersPerList: 60, logRows: 40, version: "8.95", serverName: "lists.beta.example", loggingEnabled: false },
  { name: "gamma", seed: 3, sites: 4, lists: 45, membersPerList: { min: 0, max: 300 }, logRows: 300, version: "9.0", serverName: "lists.gamma.example" },
];

/** Generates the demo databases and starts one in-process agent per server. */
export async function startDemoFleet(options: DemoFleetOptions = {}): Promise<DemoFleet> {
  const dataDir = resolve(options.dataDir ?? join("data", "demo-fleet"));
  const basePort = options.basePort ?? DEFAULT_AGENT_PORT;
  const password = options.password ?? DEFAULT_AGENT_PASSWORD;
  mkdirSync(dataDir, { recursive: true });
  const running: RunningAgent[] = [];
  const servers: DemoFleetServer[] = [];
  try {
    for (const [index, { name, ...spec }] of DEMO_SERVERS.entries()) {
      const database = join(dataDir, `${name}.sqlite`);
      await generateListManagerDatabase({ ...spec, target: { sqlitePath: database } });
      const agent = await startAgentServer({
        database,
        host: options.host ?? "127.0.0.1",
        port: basePort === 0 ? 0 : basePort + index,
        password,
        log: options.log,
      });
      running.push(agent);
      servers.push({ name, host: agent.host, port: agent.port, password, database });
    }
  } catch (error) {
    await Promise.all(running.map((agent) => agent.close()));
    throw error;
  }
  return {
    servers,
    close: async () => {
      await Promise.all(running.map((agent) => agent.close()));
    },
  };
}
