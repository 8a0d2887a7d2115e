import type { IncomingMessage, ServerResponse } from "node:http";
import { type ApolloServer, type BaseContext, HeaderMap } from "@apollo/server";
import type { SqlStatementCounter } from "../db/sql-statement-counter.js";
import type { RequestRateLimiter } from "./rate-limit.js";

/** The response header that carries the request's SQL statement count when it is exposed. */
export const SQL_STATEMENTS_HEADER = "x-sql-statements";

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

function sendJsonError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/** What the app supplies for each request before Apollo sees it. */
export interface GraphqlRequest<C> {
  /** Whose rate-limit budget this request spends. */
  rateLimitKey: string;
  /** The resolvers' context, built when Apollo asks for it. */
  context: () => Promise<C>;
  /** Set-Cookie headers gathered while the request ran (read after it has). */
  setCookies: () => string[];
}

/**
 * Serves one GraphQL-over-HTTP request with Apollo Server on a plain node:http server: spends
 * the caller's rate-limit budget, reads the body (bounded), hands method, headers, query string
 * and parsed body to Apollo, and writes its answer back, streaming when Apollo streams. Apollo
 * does the GraphQL-over-HTTP negotiation: content types, status codes, GET for queries only.
 */
export function graphqlHttpHandler<C extends BaseContext>(
  apollo: ApolloServer<C>,
  options: {
    rateLimiter: RequestRateLimiter;
    begin: (req: IncomingMessage) => GraphqlRequest<C>;
    /** Set (LISTBILL_EXPOSE_SQL_COUNT=1) to answer with each request's SQL statement count in a header: benchmarks and N+1 checks. */
    exposeSqlCount?: SqlStatementCounter;
  },
) {
  const counter = options.exposeSqlCount;
  const handle = async (req: IncomingMessage, res: ServerResponse, statements?: () => number): Promise<void> => {
    const request = options.begin(req);
    const retryAfter = await options.rateLimiter.take(request.rateLimitKey);
    if (retryAfter !== null) {
      req.resume();
      return sendJsonError(
        res,
        429,
        "RATE_LIMITED",
        `Too many requests: this credential may make ${options.rateLimiter.perMinute} requests a minute; retry after ${retryAfter} s`,
        { "retry-after": String(retryAfter) },
      );
    }
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) return sendJsonError(res, 413, "BAD_REQUEST", `Request body is larger than ${MAX_BODY_BYTES} bytes`, { connection: "close" });
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
      context: request.context,
    });
    const outHeaders: Record<string, string | string[]> = {};
    for (const [name, value] of response.headers) outHeaders[name] = value;
    const cookies = request.setCookies();
    if (cookies.length) outHeaders["set-cookie"] = cookies;
    // Counted once the answer is complete; a streamed (incremental) answer counts what ran before it began.
    if (statements) outHeaders[SQL_STATEMENTS_HEADER] = String(statements());
    res.writeHead(response.status ?? 200, outHeaders);
    if (response.body.kind === "complete") {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
  return counter ? (req: IncomingMessage, res: ServerResponse) => counter.counting((statements) => handle(req, res, statements)) : (req: IncomingMessage, res: ServerResponse) => handle(req, res);
}
