import { ApolloClient, CombinedGraphQLErrors, type FieldPolicy, HttpLink, InMemoryCache, split } from "@apollo/client";
import { ErrorLink } from "@apollo/client/link/error";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { createClient } from "graphql-ws";

interface NodesConnection {
  nodes: unknown[];
}

/**
 * Connections are read through `nodes`: a page asked for with `after` is appended to the
 * pages already in the cache, a request without it (first load, refetch, new filter) replaces
 * them. keyArgs keeps each filter's rows apart.
 */
function nodesPagination(keyArgs: string[] = ["filter"]): FieldPolicy<NodesConnection> {
  return {
    keyArgs,
    merge(existing, incoming, { args }) {
      if (!existing || !args?.after) return incoming;
      return { ...incoming, nodes: [...existing.nodes, ...incoming.nodes] };
    },
  };
}

/**
 * One client for the whole app. The session is an httpOnly cookie on the API's own origin,
 * so HTTP requests and the graphql-ws upgrade carry it without any script touching it.
 */
export function createApolloClient(): ApolloClient {
  const http = new HttpLink({ uri: "/graphql", credentials: "same-origin" });
  const wsUrl = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/graphql`;
  // lazy: the socket opens with the first subscription (a running job), not at page load.
  const ws = new GraphQLWsLink(createClient({ url: wsUrl, lazy: true, retryAttempts: 3 }));
  // Signed out meanwhile (the session expired, an admin disabled the user or reset its password):
  // nothing of what the user read stays in memory, and asking who is signed in again shows the
  // sign-in page, whatever page was open.
  const signedOut = new ErrorLink(({ error, operation }) => {
    if (operation.operationName === "Me" || !CombinedGraphQLErrors.is(error)) return;
    if (!error.errors.some((graphQLError) => graphQLError.extensions?.code === "UNAUTHENTICATED")) return;
    client
      .clearStore()
      .then(() => client.refetchQueries({ include: ["Me"] }))
      .catch(() => undefined);
  });
  const transport = split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === "OperationDefinition" && definition.operation === "subscription";
    },
    ws,
    http,
  );
  const link = signedOut.concat(transport);
  const cache = new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          servers: nodesPagination(),
          lists: nodesPagination(),
          customers: nodesPagination(),
          validationErrors: nodesPagination(),
          jobs: nodesPagination(),
          auditEntries: nodesPagination(),
          users: nodesPagination([]),
          apiTokens: nodesPagination(),
        },
      },
      Server: { fields: { lists: nodesPagination(), jobs: nodesPagination(), validationErrors: nodesPagination(), sites: nodesPagination([]) } },
      Customer: { fields: { lists: nodesPagination([]) } },
    },
  });
  const client = new ApolloClient({ link, cache });
  return client;
}
