import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
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
  const server = useServer({ schema, context: (ctx) => context(ctx.extra.request, ctx.connectionParams) }, sockets);
  return async () => {
    await server.dispose();
    await new Promise<void>((resolve) => sockets.close(() => resolve()));
  };
}
