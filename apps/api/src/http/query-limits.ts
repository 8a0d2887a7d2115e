import { createHmac, randomBytes } from "node:crypto";
import type { ApolloServerPlugin } from "@apollo/server";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { type DocumentNode, GraphQLError, type OperationDefinitionNode, type ValidationContext, type ValidationRule, getNamedType, visit } from "graphql";
import { getVariableValues } from "graphql/execution/values.js";
import { type ComplexityEstimator, getComplexity, simpleEstimator } from "graphql-query-complexity";
import { LRUCache } from "lru-cache";
import { unauthenticated } from "../auth/request-auth.js";
import { DEFAULT_PAGE_SIZE } from "../graphql/connection.js";
import type { ApiContext } from "../graphql/context.js";

/**
 * The limits every operation must pass before any resolver runs. Each refusal is a
 * QUERY_TOO_COMPLEX error with HTTP 400, decided from the document alone: no SQL is sent.
 */
export const QUERY_LIMITS = {
  /** Nesting of fields: `{ servers { nodes { lists { nodes { customer { name } } } } } }` is 6. */
  maxDepth: 8,
  /** Aliased fields per operation (`__typename` aliases are free). */
  maxAliases: 15,
  /** Estimated cost: 1 per field, and a connection costs its page size times its selection. */
  maxCost: 5_000,
  /** Lexical tokens per document: bounds the work of parsing and validating it at all. */
  maxTokens: 10_000,
} as const;

export const QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX";

export function queryTooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: QUERY_TOO_COMPLEX, http: { status: 400 } } });
}

/** graphql-armor reports its own message; ours keeps it and adds the code clients look for. */
function reportTooComplex(context: ValidationContext | null, error: GraphQLError): void {
  const refusal = queryTooComplex(error.message.replace(/^Syntax Error: /, ""));
  if (!context) throw refusal;
  context.reportError(refusal);
}

/**
 * The mutations that check a password: one try per request, so aliases cannot multiply the
 * guesses a rate limit allows. Counted over the whole document, fragments included, whatever
 * operation they serve: one operation runs, and none needs two.
 */
const PASSWORD_CHECKS = new Set(["login", "changePassword"]);

function onePasswordCheckRule(context: ValidationContext) {
  let checks = 0;
  return {
    Field(node: { name: { value: string } }) {
      if (!PASSWORD_CHECKS.has(node.name.value) || context.getParentType()?.name !== "Mutation") return;
      checks += 1;
      if (checks === 2) context.reportError(queryTooComplex("At most one login or changePassword per request"));
    },
  };
}

/** Depth and alias limits and one password check per request, as validation rules (they run with graphql-js's own rules). */
export const queryLimitRules: ValidationRule[] = [
  maxDepthRule({ n: QUERY_LIMITS.maxDepth, ignoreIntrospection: true, propagateOnRejection: false, onReject: [reportTooComplex] }),
  maxAliasesRule({ n: QUERY_LIMITS.maxAliases, propagateOnRejection: false, onReject: [reportTooComplex] }),
  onePasswordCheckRule,
];

/** A connection field costs 1 plus its page size (`first` or `last`, else the default) times its selection. */
const connectionEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!getNamedType(field.type).name.endsWith("Connection")) return undefined;
  const requested = Number(args.first ?? args.last ?? DEFAULT_PAGE_SIZE);
  const pageSize = Number.isFinite(requested) ? Math.max(1, requested) : DEFAULT_PAGE_SIZE;
  return 1 + pageSize * childComplexity;
};

const estimators = [connectionEstimator, simpleEstimator({ defaultComplexity: 1 })];

function hasIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === "__schema" || node.name.value === "__type") found = true;
    },
  });
  return found;
}

/** Variables longer than this (as JSON) are costed afresh each time rather than cached. */
const MAX_CACHED_VARIABLES_CHARS = 2_000;

/**
 * The limits that need the request's variables (cost) or its caller (introspection), checked
 * once the operation is known and before it executes.
 */
export function queryLimitsPlugin(options: { production: boolean }): ApolloServerPlugin<ApiContext> {
  // The schema never changes in a process, so a document's cost depends on its variables only:
  // scripts and the SPA send the same few documents over and over, and costing one walks every
  // field of it (about a twentieth of a lists page's CPU). A cost error is cached as its message.
  const costs = new LRUCache<string, number | string>({ max: 2_000 });
  const variablesKey = randomBytes(32);
  const introspects = new LRUCache<string, boolean>({ max: 2_000 });
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue, queryHash }) {
          const variables = request.variables ?? {};
          // Variables that do not fit the operation are refused by execution, before any resolver.
          const coerced = operation ? getVariableValues(schema, (operation as OperationDefinitionNode).variableDefinitions ?? [], variables) : { errors: [] };
          if (!coerced.errors) {
            const variablesText = JSON.stringify(variables);
            // By a keyed digest: variables carry passwords (login, changePassword), which no cache may
            // hold, nor anything a guess could be checked against without this process's key.
            const key = variablesText.length <= MAX_CACHED_VARIABLES_CHARS ? `${queryHash}:${request.operationName ?? ""}:${createHmac("sha256", variablesKey).update(variablesText).digest("base64url")}` : undefined;
            let cost = key === undefined ? undefined : costs.get(key);
            if (cost === undefined) {
              try {
                cost = getComplexity({ schema, query: document, variables, operationName: request.operationName ?? undefined, estimators });
              } catch (error) {
                cost = `The operation could not be costed: ${(error as Error).message}`;
              }
              if (key !== undefined) costs.set(key, cost);
            }
            if (typeof cost === "string") throw queryTooComplex(cost);
            if (cost > QUERY_LIMITS.maxCost) {
              throw queryTooComplex(`Query cost ${cost} exceeds the limit of ${QUERY_LIMITS.maxCost} (a connection costs its page size times its selection)`);
            }
          }
          // In production only a signed-in caller may read the schema; this is the caller's identity check.
          if (options.production) {
            let introspection = introspects.get(queryHash);
            if (introspection === undefined) introspects.set(queryHash, (introspection = hasIntrospection(document)));
            if (introspection && !(await contextValue.auth.identity())) {
              throw unauthenticated("Sign in to introspect the schema");
            }
          }
        },
      };
    },
  };
}
