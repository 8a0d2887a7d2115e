import type { IncomingMessage, Server as HttpServer } from "node:http";
import { GraphQLError, type GraphQLSchema, parse, specifiedRules, validate } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { QUERY_LIMITS, queryLimitRules } from "../http/query-limits.js";
import type { ApiContext } from "./context.js";

/**
 * GraphQL subscriptions (jobUpdated) over graphql-ws on the same port and path as HTTP.
 * `context` builds each connection's context from its upgrade request and connectionParams
 * (where a browser or script puts its credentials). Returns the function that closes them all.
 */
export function serveSubscriptions(
  http: HttpServer,
  schema: GraphQLSchema,
  context: (request: IncomingMessage, connectionParams: Record<string, unknown> | undefined) => Promise<ApiContext>,
): () => Promise<void> {
  const sockets = new WebSocketServer({ server: http, path: "/graphql" });
  const server = useServer(
    {
      schema,
      // The same document limits as HTTP: a subscription is refused with QUERY_TOO_COMPLEX before it starts.
      parse: (source) => parse(source, { maxTokens: QUERY_LIMITS.maxTokens }),
      validate: (target, document) => validate(target, document, [...specifiedRules, ...queryLimitRules]),
      context: (ctx) => context(ctx.extra.request, ctx.connectionParams),
      // Queries and mutations go over HTTP, with its rate limit and cookies' CSRF checks: a socket carries subscriptions only.
      execute: () => ({ errors: [new GraphQLError("Send queries and mutations as HTTP POST /graphql; this socket carries subscriptions only", { extensions: { code: "BAD_REQUEST" } })] }),
    },
    sockets,
  );
  return async () => {
    await server.dispose();
    await new Promise<void>((resolve) => sockets.close(() => resolve()));
  };
}
