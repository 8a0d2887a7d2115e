import "reflect-metadata";
import { startApp } from "./app.js";
import { applyProcessSettings, configFromEnv } from "./config.js";

const config = configFromEnv();
applyProcessSettings(config);
const app = await startApp(config);
console.log(`listbill API ready at ${app.url}/graphql (database: ${config.databaseUrl ? "MySQL" : `embedded SQLite in ${config.dataDir}`})`);

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`[api] shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  });
}
