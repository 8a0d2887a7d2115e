import type { GatewayExecutor, GatewayInterface } from "@apollo/server-gateway-interface";
import { type ExecutionResult, type GraphQLSchema, printSchema } from "graphql";
import { getVariableValues } from "graphql/execution/values.js";
import { type CompiledQuery, compileQuery, isCompiledQuery } from "graphql-jit";
import { LRUCache } from "lru-cache";

/**
 * Executes operations with graphql-jit instead of graphql-js: each distinct document is compiled
 * once into a function, which then runs its resolvers without graphql-js's per-field
 * interpretation (about a sixth of a lists page's CPU time went there). Apollo Server still
 * parses, validates, applies the query limits and formats errors; it accepts a custom executor
 * only through its gateway hook, which is what this is: a "gateway" serving the local schema.
 */
export function jitGateway(schema: GraphQLSchema, options: { maxSourceChars?: number } = {}): GatewayInterface {
  // Keyed by Apollo's hash of the query text and the operation name; a script's one-off queries
  // age out. Bounded by the documents' text, which their compiled code grows with: the SPA's
  // queries compile to about 20 KB each in 1 ms, and the 2,000,000 characters hold a thousand
  // of them, or forty documents at the query limits' largest.
  const compiled = new LRUCache<string, CompiledQuery | ExecutionResult>({ maxSize: options.maxSourceChars ?? 2_000_000 });
  const executor: GatewayExecutor = async (request) => {
    const key = `${request.queryHash}:${request.operationName ?? ""}`;
    let query = compiled.get(key);
    if (!query) {
      query = compileQuery(schema, request.document, request.operationName ?? undefined);
      compiled.set(key, query, { size: Math.max(1, request.source.length) });
    }
    // An operation that cannot be compiled (e.g. an unknown operation name) answers its errors as graphql-js would.
    if (!isCompiledQuery(query)) return query;
    // Variables are coerced by graphql-js: its errors are the ones Apollo answers as BAD_USER_INPUT
    // with HTTP 400, and graphql-jit 0.8.9 misses the defaults of input fields (a required
    // `allowRemovals: Boolean! = false` left out was refused). graphql-jit coerces the coerced
    // values once more, which changes nothing: every scalar and enum of the schema parses its own output.
    const definitions = request.operation.variableDefinitions ?? [];
    let variables: Record<string, unknown> = {};
    if (definitions.length) {
      const coerced = getVariableValues(schema, definitions, request.request.variables ?? {});
      if (coerced.errors) return { errors: coerced.errors };
      variables = coerced.coerced;
    }
    return query.query(undefined, request.context, variables);
  };
  return {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    async stop() {},
  };
}
