import type { ApolloClient, OperationVariables, TypedDocumentNode } from "@apollo/client";

interface Page<Node> {
  nodes: Node[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

/**
 * Every row matching a filter, 100 at a time (the API's page limit): what a CSV export of
 * "the rows currently filtered" needs, whatever the table has loaded so far. Straight from
 * the network so an export never mixes in stale cached rows.
 */
export async function fetchAllPages<Data, Variables extends OperationVariables & { after?: string | null }, Node>(
  client: ApolloClient,
  query: TypedDocumentNode<Data, Variables>,
  variables: Omit<Variables, "after">,
  pageOf: (data: Data) => Page<Node>,
): Promise<Node[]> {
  const rows: Node[] = [];
  let after: string | null = null;
  for (;;) {
    const result = await client.query({ query, variables: { ...variables, after } as unknown as Variables, fetchPolicy: "network-only" });
    if (!result.data) throw new Error("The export stopped: the API returned no data");
    const page = pageOf(result.data as Data);
    rows.push(...page.nodes);
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return rows;
    after = page.pageInfo.endCursor;
  }
}
