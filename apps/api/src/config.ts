import { resolve } from "node:path";

export interface ApiConfig {
  port: number;
  host: string;
  /** mysql://… when MySQL is used; undefined selects the embedded SQLite database. */
  databaseUrl: string | undefined;
  dataDir: string;
  secretKey: string | undefined;
  adminPassword: string | undefined;
  production: boolean;
}

/** Reads the settings named in shared/API.md ("Running it") from the environment. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const port = env.PORT === undefined || env.PORT === "" ? 4000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a whole number from 0 to 65535, not "${env.PORT}"`);
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^mysql:\/\//.test(databaseUrl)) {
    throw new Error("DATABASE_URL must be a mysql:// URL (leave it unset for the embedded SQLite database)");
  }
  return {
    port,
    host: env.HOST || "127.0.0.1",
    databaseUrl,
    dataDir: resolve(env.LISTBILL_DATA_DIR || "./data"),
    secretKey: env.LISTBILL_SECRET_KEY || undefined,
    adminPassword: env.LISTBILL_ADMIN_PASSWORD || undefined,
    production: env.NODE_ENV === "production",
  };
}
