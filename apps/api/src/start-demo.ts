import "reflect-metadata";
import { join } from "node:path";
import { startDemoFleet } from "@listbill/agent";
import { startApp } from "./app.js";
import { SYSTEM_AUTHOR } from "./audit/audit.js";
import { applyProcessSettings, configFromEnv } from "./config.js";
import { nameKeyOf } from "./db/columns.js";
import { Server } from "./servers/server.entity.js";

/**
 * `pnpm start`: the whole of listbill on one machine. The demo fleet's three agents (fresh
 * ListManager data on every start), the API on the embedded database with the built SPA on the
 * same port, and the demo servers registered with billing, so the first "Validate All Servers"
 * finds real differences to fix. scripts/start.mjs builds the SPA first and runs this file.
 */
const config = configFromEnv();
applyProcessSettings(config);
const basePort = process.env.LISTBILL_DEMO_BASE_PORT ? Number(process.env.LISTBILL_DEMO_BASE_PORT) : undefined;
const fleet = await startDemoFleet({ dataDir: join(config.dataDir, "demo-fleet"), basePort });
const app = await startApp(config).catch(async (error: unknown) => {
  await fleet.close();
  throw error;
});

// Registered once: billing keeps what an operator did to them (fixes, owners) across restarts.
const registered: string[] = [];
for (const server of fleet.servers) {
  const exists = await app.db.manager.existsBy(Server, { nameKey: nameKeyOf(server.name) });
  if (exists) continue;
  await app.services.servers.create({ name: server.name, hostName: server.host, port: server.port, comments: `Demo hosting server (${server.database})` }, SYSTEM_AUTHOR);
  registered.push(server.name);
}

const password = config.adminPassword
  ? "the password in LISTBILL_ADMIN_PASSWORD"
  : `the password printed above when ${config.dataDir} was first created (delete that folder to start afresh with a new one)`;
console.log(`
listbill is running at ${app.url}/
  Sign in as admin with ${password}.
  Demo hosting servers: ${fleet.servers.map((server) => `${server.name} ${server.host}:${server.port}`).join(", ")}${registered.length ? ` (registered now: ${registered.join(", ")})` : ""}
  Then click "Validate All Servers". GraphQL for scripts: ${app.url}/graphql. Ctrl+C stops everything.
`);

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    Promise.all([app.close(), fleet.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`[start] shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  });
}
