import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { type Server as HttpServer, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { type GraphQLFormattedError } from "graphql";
import { RequestAuth } from "./auth/request-auth.js";
import { readCredentials } from "./auth/credentials.js";
import type { ApiConfig } from "./config.js";
import type { Database } from "./db/database.js";
import { openDatabase } from "./db/data-source.js";
import type { ApiContext } from "./graphql/context.js";
import { createLoaders } from "./graphql/loaders.js";
import { buildApiSchema } from "./graphql/schema.js";
import { jitGateway } from "./graphql/jit-executor.js";
import { graphqlHttpHandler } from "./http/graphql-http.js";
import { DEFAULT_WEB_DIST, staticFiles } from "./http/static-files.js";
import { QUERY_LIMITS, QUERY_TOO_COMPLEX, queryLimitRules, queryLimitsPlugin } from "./http/query-limits.js";
import { RequestRateLimiter, rateLimitKey } from "./http/rate-limit.js";
import { serveSubscriptions } from "./graphql/subscriptions.js";
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

const EXPOSED_CODES = new Set(["BAD_USER_INPUT", "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST", "PERSISTED_QUERY_NOT_FOUND", "OPERATION_RESOLUTION_FAILURE", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "QUERY_TOO_COMPLEX", "RATE_LIMITED"]);

/** graphql-js's "Did you mean …?" hints, which let a caller map a schema it may not introspect. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** graphql-js's own message when a document passes `parseOptions.maxTokens` ("more that" in graphql 16). */
const TOO_MANY_TOKENS = /^Syntax Error: Document contains more th(?:an|at) \d+ tokens/;

/** The code of a limit refusal: Apollo files every validation error under GRAPHQL_VALIDATION_FAILED. */
function codeOf(formatted: GraphQLFormattedError, error: unknown): string {
  const original = (error as { originalError?: { extensions?: { code?: unknown } } })?.originalError;
  if (original?.extensions?.code === QUERY_TOO_COMPLEX || TOO_MANY_TOKENS.test(formatted.message)) return QUERY_TOO_COMPLEX;
  return String(formatted.extensions?.code ?? "INTERNAL_SERVER_ERROR");
}

/**
 * Errors a client may read as they are keep their message; anything else (a driver error, a
 * bug) becomes a bare INTERNAL_SERVER_ERROR so no SQL, path or secret leaves the process.
 * In production field suggestions are cut from messages too.
 */
const formatErrorFor = (production: boolean) => (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
  const code = codeOf(formatted, error);
  if (EXPOSED_CODES.has(code)) {
    const message = production ? formatted.message.replace(SUGGESTION, "") : formatted.message;
    return { message, locations: formatted.locations, path: formatted.path, extensions: { code } };
  }
  const original = (error as { originalError?: Error })?.originalError ?? error;
  console.error(`[api] internal error at ${formatted.path?.join(".") ?? "request"}: ${(original as Error)?.name ?? "Error"}: ${(original as Error)?.message ?? ""}`);
  return { message: "Internal server error", locations: formatted.locations, path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
};

/** Opens the database (migrating it), builds the schema and starts listening. */
export async function startApp(config: ApiConfig): Promise<App> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const secrets = SecretBox.fromConfig(config.secretKey, config.dataDir);
    const services = createServices(db, secrets, config.services);
    const admin = await services.auth.ensureInitialAdmin(config.adminPassword);
    if (admin.generatedPassword) {
      console.log(`[api] created the first user "admin" with the password ${admin.generatedPassword}\n[api] it is shown only this once: sign in, and keep it in a password manager`);
    } else if (admin.created) {
      console.log(`[api] created the first user "admin" with the password from LISTBILL_ADMIN_PASSWORD`);
    }
    const schema = await buildApiSchema();
    const apollo = new ApolloServer<ApiContext>({
      gateway: jitGateway(schema),
      formatError: formatErrorFor(config.production),
      includeStacktraceInErrorResponses: false,
      // Introspection is served, but in production only to signed-in callers (queryLimitsPlugin).
      introspection: true,
      csrfPrevention: true,
      allowBatchedHttpRequests: false,
      parseOptions: { maxTokens: QUERY_LIMITS.maxTokens },
      validationRules: queryLimitRules,
      plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), queryLimitsPlugin({ production: config.production })],
    });
    await apollo.start();
    const rateLimiter = new RequestRateLimiter(config.rateLimitPerMinute);
    const handleGraphql = graphqlHttpHandler(apollo, {
      rateLimiter,
      exposeSqlCount: config.exposeSqlCount ? db.sqlCounter : undefined,
      begin(req) {
        const credentials = readCredentials(req.headers);
        const auth = new RequestAuth(services.auth, credentials, config.production);
        return {
          rateLimitKey: rateLimitKey(credentials, req.socket.remoteAddress),
          context: async () => ({ services, loaders: createLoaders(db.dataSource), newLoaders: () => createLoaders(db.dataSource), requestId: randomUUID(), auth }),
          setCookies: () => auth.setCookies,
        };
      },
    });

    // The built SPA (apps/web/dist) on the same port as GraphQL; absent in development, where Vite serves it.
    const serveSpa = staticFiles(DEFAULT_WEB_DIST);
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
      if (serveSpa) return serveSpa(req, res, path);
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("Not found. GraphQL is served at /graphql\n");
    });
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen(config.port, config.host, () => resolve());
    });
    const closeSubscriptions = serveSubscriptions(http, schema, async (request, connectionParams) => {
      // A script puts its token in connectionParams ({ authorization: "Bearer …" }); a browser's cookie rides on the upgrade.
      const authorization = typeof connectionParams?.authorization === "string" ? connectionParams.authorization : request.headers.authorization;
      const auth = new RequestAuth(services.auth, readCredentials({ ...request.headers, authorization }), config.production);
      return { services, loaders: createLoaders(db.dataSource), newLoaders: () => createLoaders(db.dataSource), requestId: randomUUID(), auth };
    });
    services.worker.start();
    services.schedule.start();
    services.sweep.start();
    const address = http.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return {
      db,
      services,
      http,
      url: `http://${host}:${address.port}`,
      async close() {
        services.schedule.stop();
        await services.sweep.stop();
        await services.worker.stop();
        await closeSubscriptions();
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
