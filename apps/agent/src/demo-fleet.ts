import { join } from "node:path";
import { DEFAULT_AGENT_PASSWORD } from "@listbill/protocol";
import { stderrLog } from "./agent-log.js";
import { startDemoFleet } from "./demo-fleet-start.js";

// `pnpm demo:fleet`: three agents on 127.0.0.1:2021-2023 until interrupted.
const fleet = await startDemoFleet({
  // pnpm runs this in apps/agent; INIT_CWD is where the user typed the command.
  dataDir: process.env.LISTBILL_DEMO_DATA_DIR ?? join(process.env.INIT_CWD ?? process.cwd(), "data", "demo-fleet"),
  basePort: process.env.LISTBILL_DEMO_BASE_PORT ? Number(process.env.LISTBILL_DEMO_BASE_PORT) : undefined,
  log: stderrLog,
});
for (const server of fleet.servers) {
  // Passwords are never printed; the demo uses ListManager's well-known default.
  const password = server.password === DEFAULT_AGENT_PASSWORD ? "ListManager's default password" : "a custom password";
  console.log(`${server.name}: ${server.host}:${server.port} (${password}) reading ${server.database}`);
}
const stop = () => void fleet.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
