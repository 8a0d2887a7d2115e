import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { type Server as HttpServer, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { type GraphQLFormattedError } from "graphql";
import type { ApiConfig } from "./config.js";
import type { Database } from "./db/database.js";
import { openDatabase } from "./db/data-source.js";
import type { ApiContext } from "./graphql/context.js";
import { createLoaders } from "./graphql/loaders.js";
import { buildApiSchema } from "./graphql/schema.js";
import { graphqlHttpHandler } from "./http/graphql-http.js";
import { SecretBox } from "./secrets/secret-box.js";
import { type Services, createServices } from "./services.js";

export interface App {
  db: Database;
  services: Services;
  http: HttpServer;
  /** http://host:port once listening. */
  url: string;
  close(): Promise<void>;
}

const EXPOSED_CODES = new Set(["BAD_USER_INPUT", "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST", "PERSISTED_QUERY_NOT_FOUND", "OPERATION_RESOLUTION_FAILURE", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "QUERY_TOO_COMPLEX"]);

/**
 * Errors a client may read as they are keep their message; anything else (a driver error, a
 * bug) becomes a bare INTERNAL_SERVER_ERROR so no SQL, path or secret leaves the process.
 */
function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = String(formatted.extensions?.code ?? "INTERNAL_SERVER_ERROR");
  if (EXPOSED_CODES.has(code)) return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
  const original = (error as { originalError?: Error })?.originalError ?? error;
  console.error(`[api] internal error at ${formatted.path?.join(".") ?? "request"}: ${(original as Error)?.name ?? "Error"}: ${(original as Error)?.message ?? ""}`);
  return { message: "Internal server error", locations: formatted.locations, path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
}

/** Opens the database (migrating it), builds the schema and starts listening. */
export async function startApp(config: ApiConfig): Promise<App> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const secrets = SecretBox.fromConfig(config.secretKey, config.dataDir);
    const services = createServices(db, secrets);
    const apollo = new ApolloServer<ApiContext>({
      schema: await buildApiSchema(),
      formatError,
      includeStacktraceInErrorResponses: false,
      plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled()],
    });
    await apollo.start();
    const handleGraphql = graphqlHttpHandler(apollo, async () => ({ services, loaders: createLoaders(db.dataSource), requestId: randomUUID() }));

    const http = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (path === "/graphql") {
        handleGraphql(req, res).catch((error: unknown) => {
          console.error(`[api] request failed: ${(error as Error)?.message}`);
          if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] }));
        });
        return;
      }
      if (path === "/healthz") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("ok\n");
        return;
      }
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("Not found. GraphQL is served at /graphql\n");
    });
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen(config.port, config.host, () => resolve());
    });
    const address = http.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return {
      db,
      services,
      http,
      url: `http://${host}:${address.port}`,
      async close() {
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
        await apollo.stop();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
