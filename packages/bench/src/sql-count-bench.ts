import { type DocumentNode, print } from "graphql";
import * as spaDocuments from "../../../apps/web/src/gql/graphql.js";
import { type SeededApi, postGraphql } from "./api-seed.js";

export interface SqlCountRow {
  operation: string;
  /** SQL statements the API ran for the request, by page size. */
  statements: Record<number, number>;
}

export const PAGE_SIZES = [10, 100] as const;

/**
 * Queries a script or a third-party tool might send (not the SPA's): a page of parents, each with
 * its own nested pages. `first: SIZE` is the outer page; the nested ones stay small, as a tool
 * within the cost limit would ask.
 */
export const SCRIPT_QUERIES: Record<string, string> = {
  "(script) servers with their sites, lists, jobs and open errors": `{ servers(first: SIZE) { nodes { name
    sites(first: 3) { totalCount nodes { name } }
    lists(first: 3) { totalCount nodes { name customer { company } } }
    jobs(first: 1) { nodes { state } }
    validationErrors(first: 3, filter: { status: [OPEN] }) { totalCount nodes { code } } } } }`,
  "(script) customers with their lists and assignments": `{ customers(first: SIZE) { nodes { company
    lists(first: 3) { totalCount nodes { name server { name } } }
    assignments(first: 3) { nodes { scope startDate } } } } }`,
};

/**
 * Every query the SPA ships (apps/web/src/gql, generated from its documents), run as the SPA runs
 * it but with every `first:` set to each page size; the API counts the SQL statements of each
 * request (LISTBILL_EXPOSE_SQL_COUNT=1) and says so in the x-sql-statements header. A count that
 * grows with the page size is an N+1 the DataLoaders should have absorbed.
 */
export async function runSqlCountBench(seeded: SeededApi): Promise<SqlCountRow[]> {
  const today = new Date().toISOString().slice(0, 10);
  const variables: Record<string, Record<string, unknown>> = {
    ApiTokens: { filter: { active: true } },
    CustomerDetail: { id: seeded.ids.customerId },
    ServerDetail: { id: seeded.ids.serverId },
    JobById: { id: seeded.ids.jobId },
    Usage: { filter: { from: "2024-01-01", to: today, groupBy: "MONTH" } },
    UsageByCustomer: { filter: { from: "2024-01-01", to: today } },
  };
  const rows: SqlCountRow[] = [];
  for (const [name, document] of Object.entries(spaDocuments)) {
    if (!name.endsWith("Document")) continue;
    const operation = (document as DocumentNode).definitions.find((definition) => definition.kind === "OperationDefinition");
    if (operation?.kind !== "OperationDefinition" || operation.operation !== "query") continue;
    const operationName = operation.name?.value ?? name;
    const text = print(document as DocumentNode);
    const statements: Record<number, number> = {};
    for (const size of PAGE_SIZES) statements[size] = await statementsOf(seeded, text.replace(/\bfirst: \d+/g, `first: ${size}`), variables[operationName] ?? {});
    rows.push({ operation: operationName, statements });
  }
  for (const [operation, text] of Object.entries(SCRIPT_QUERIES)) {
    const statements: Record<number, number> = {};
    for (const size of PAGE_SIZES) statements[size] = await statementsOf(seeded, text.replace("first: SIZE", `first: ${size}`), {});
    rows.push({ operation, statements });
  }
  return rows.sort((a, b) => a.operation.localeCompare(b.operation));
}

async function statementsOf(seeded: SeededApi, query: string, variables: Record<string, unknown>): Promise<number> {
  // The token used a moment ago: the request counted does not also write its last use (once a minute).
  await postGraphql(seeded.api, "{ me { id } }", {});
  const { headers } = await postGraphql(seeded.api, query, variables);
  const counted = headers.get("x-sql-statements");
  if (counted === null) throw new Error("the API sent no x-sql-statements header: is LISTBILL_EXPOSE_SQL_COUNT=1 set?");
  return Number(counted);
}

export function sqlCountReport(machine: string, rows: SqlCountRow[], seed: string): string {
  const grows = rows.filter((row) => row.statements[PAGE_SIZES[0]] !== row.statements[PAGE_SIZES[1]]);
  return [
    machine,
    "",
    `SQL statements per request for each query the SPA ships (apps/web/src/gql), with every \`first:\` set to 10 and to 100, and for two queries a script might send (a page of parents, each with its nested pages; the outer \`first:\` set to 10 and to 100), counted by the API per request (LISTBILL_EXPOSE_SQL_COUNT=1, header x-sql-statements; the API-token lookup included). ${seed}`,
    "",
    "| query | statements, first: 10 | first: 100 | equal |",
    "|---|---|---|---|",
    ...rows.map((row) => `| ${row.operation} | ${row.statements[10]} | ${row.statements[100]} | ${row.statements[10] === row.statements[100] ? "yes" : "**no**"} |`),
    "",
    grows.length ? `Grows with the page size: ${grows.map((row) => row.operation).join(", ")}.` : "No query's statement count grows with its page size.",
  ].join("\n");
}
