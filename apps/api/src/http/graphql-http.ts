import type { IncomingMessage, ServerResponse } from "node:http";
import { type ApolloServer, type BaseContext, type ContextFunction, HeaderMap } from "@apollo/server";

/** Larger bodies are refused before parsing: no legitimate operation comes near it. */
export const MAX_BODY_BYTES = 1024 * 1024;

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function sendJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/**
 * Serves one GraphQL-over-HTTP request with Apollo Server on a plain node:http server: reads the
 * body (bounded), hands method, headers, query string and parsed body to Apollo, and writes its
 * answer back, streaming when Apollo streams.
 */
export function graphqlHttpHandler<C extends BaseContext>(
  apollo: ApolloServer<C>,
  context: ContextFunction<[{ req: IncomingMessage }], C>,
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) return sendJsonError(res, 413, "BAD_REQUEST", `Request body is larger than ${MAX_BODY_BYTES} bytes`);
      throw error;
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    let body: unknown = raw;
    if (raw && (headers.get("content-type") ?? "").toLowerCase().includes("json")) {
      try {
        body = JSON.parse(raw);
      } catch {
        return sendJsonError(res, 400, "BAD_REQUEST", "Request body is not valid JSON");
      }
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? "GET").toUpperCase(), headers, search: url.search, body },
      context: () => context({ req }),
    });
    const outHeaders: Record<string, string> = {};
    for (const [name, value] of response.headers) outHeaders[name] = value;
    res.writeHead(response.status ?? 200, outHeaders);
    if (response.body.kind === "complete") {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
