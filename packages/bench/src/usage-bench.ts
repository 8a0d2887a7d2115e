import type mysql from "mysql2/promise";
import type { ApiProcess } from "./api-process.js";
import { median, seconds } from "./results.js";

const milliseconds = (ms: number) => (ms < 1000 ? `${ms.toFixed(1)} ms` : seconds(ms));

export interface UsageQueryFigures {
  what: string;
  /** Median of the rounds, ms. */
  ms: number;
  rows: number;
}

export interface UsageFigures {
  messages: number;
  /** A bare GROUP BY of the same server's messages by month, through mysql2: the scan every usage query makes. */
  raw: UsageQueryFigures;
  queries: UsageQueryFigures[];
  /** The log's last month, asked for the whole fleet, as a month's invoices are. */
  month: {
    from: string;
    to: string;
    messages: number;
    /** A bare GROUP BY of the month's messages, through the sentAt index. */
    raw: UsageQueryFigures;
    /** The same with that index ignored: every message read, as before it. */
    rawScan: UsageQueryFigures;
    queries: UsageQueryFigures[];
  };
}

const ROUNDS = 3;

/**
 * The usage queries an operator runs at the end of a month, over the server whose log the sync
 * benchmark imported: its lists owned three ways (a third of them directly by a metered
 * customer, one site whole by another, the server whole by a third, all from before the first
 * message), so that every message's owner is looked up. Each query is timed over GraphQL
 * against a raw GROUP BY of the same messages.
 */
export async function runUsageBench(api: ApiProcess, pool: mysql.Pool, serverId: string): Promise<UsageFigures> {
  const rowId = Number(Buffer.from(serverId, "base64url").toString("utf8").split(":")[1]);
  const [[range]] = await pool.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS messages, DATE_FORMAT(MIN(sentAt), '%Y-%m-%d') AS first, DATE_FORMAT(MAX(sentAt), '%Y-%m-%d') AS last FROM message_log WHERE serverId = ?", [rowId]);
  const period = { from: String(range!.first), to: String(range!.last) };

  const plan = (await api.gql(`mutation { createHostingPlan(input: { name: "Metered", messageUnitBytes: 10240 }) { hostingPlan { id } } }`)).createHostingPlan.hostingPlan.id;
  const customer = async (company: string, planId?: string) => (await api.gql(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { company, planId } })).createCustomer.customer.id as string;
  const [metered, siteOwner, serverOwner] = [await customer("Metered", plan), await customer("Site owner"), await customer("Server owner")];
  const server = (await api.gql(`query($id: ID!) { server(id: $id) { sites(first: 1) { nodes { id } } } }`, { id: serverId })).server;
  const assign = async (mutation: string, input: Record<string, unknown>) => {
    const payload = Object.values(await api.gql(mutation, { input }))[0] as { userErrors: unknown[] };
    if (payload.userErrors.length) throw new Error(`assigning refused: ${JSON.stringify(payload.userErrors)}`);
  };
  await assign(`mutation($input: AssignServersInput!) { assignServers(input: $input) { userErrors { code } } }`, { serverIds: [serverId], customerId: serverOwner, startDate: period.from });
  await assign(`mutation($input: AssignSitesInput!) { assignSites(input: $input) { userErrors { code } } }`, { siteIds: [server.sites.nodes[0].id], customerId: siteOwner, startDate: period.from });
  let after: string | null = null;
  for (let page = 0; ; page++) {
    const lists: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } = (await api.gql(`query($id: ID!, $after: String) { server(id: $id) { lists(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } } }`, { id: serverId, after })).server.lists;
    const listIds = lists.nodes.filter((_, index) => index % 3 === 0).map((list) => list.id);
    if (listIds.length) await assign(`mutation($input: AssignListsInput!) { assignLists(input: $input) { userErrors { code } } }`, { listIds, customerId: metered, startDate: period.from });
    if (!lists.pageInfo.hasNextPage) break;
    after = lists.pageInfo.endCursor;
  }

  const raw = await timed("raw GROUP BY month (mysql2)", async () => {
    const [rows] = await pool.query<mysql.RowDataPacket[]>(
      "SELECT DATE_FORMAT(sentAt, '%Y-%m') AS period, COUNT(*) AS messages, SUM(recipientCount) AS recipients, SUM(byteCount) AS bytes FROM message_log WHERE serverId = ? AND sentAt >= ? AND sentAt < ? + INTERVAL 1 DAY GROUP BY period ORDER BY period",
      [rowId, period.from, period.to],
    );
    return rows.length;
  });
  const usage = (filter: Record<string, unknown>) => async () => (await api.gql(`query($filter: UsageFilter!) { usage(filter: $filter) { period units } }`, { filter })).usage.length as number;
  const queries = [
    await timed("usage of the server by month", usage({ ...period, serverId, groupBy: "MONTH" })),
    await timed("usage of the metered customer by month", usage({ ...period, customerId: metered, groupBy: "MONTH" })),
    await timed("usageByCustomer of the server", async () => (await api.gql(`query($filter: UsageByCustomerFilter!) { usageByCustomer(filter: $filter) { customer { company } units } }`, { filter: { ...period, serverId } })).usageByCustomer.length as number),
  ];

  // The last month of the log, for the whole fleet: no server named, so only the period narrows what is read.
  const month = { from: `${period.to.slice(0, 7)}-01`, to: period.to };
  const [[inMonth]] = await pool.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS messages FROM message_log WHERE sentAt >= ? AND sentAt < ? + INTERVAL 1 DAY", [month.from, month.to]);
  const rawMonth = (what: string, hint: string) =>
    timed(what, async () => {
      const [rows] = await pool.query<mysql.RowDataPacket[]>(
        `SELECT DATE_FORMAT(sentAt, '%Y-%m') AS period, COUNT(*) AS messages, SUM(recipientCount) AS recipients, SUM(byteCount) AS bytes FROM message_log ${hint} WHERE sentAt >= ? AND sentAt < ? + INTERVAL 1 DAY GROUP BY period ORDER BY period`,
        [month.from, month.to],
      );
      return rows.length;
    });
  const monthRaw = await rawMonth("raw GROUP BY of the month (mysql2)", "");
  const monthScan = await rawMonth("the same, the sentAt index ignored", "IGNORE INDEX (IDX_message_log_sentAt)");
  const monthQueries = [
    await timed("usageByCustomer of the fleet", async () => (await api.gql(`query($filter: UsageByCustomerFilter!) { usageByCustomer(filter: $filter) { customer { company } units } }`, { filter: month })).usageByCustomer.length as number),
    await timed("usage of the metered customer by day", usage({ ...month, customerId: metered, groupBy: "DAY" })),
  ];
  return { messages: Number(range!.messages), raw, queries, month: { ...month, messages: Number(inMonth!.messages), raw: monthRaw, rawScan: monthScan, queries: monthQueries } };
}

async function timed(what: string, run: () => Promise<number>): Promise<UsageQueryFigures> {
  const times: number[] = [];
  let rows = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    rows = await run();
    times.push(performance.now() - started);
  }
  return { what, ms: median(times), rows };
}

export function usageReport(figures: UsageFigures): string {
  const row = (query: UsageQueryFigures) => `| ${query.what} | ${query.rows.toLocaleString("en")} | ${seconds(query.ms)} | **${(query.ms / figures.raw.ms).toFixed(1)}×** |`;
  return [
    `Usage over the imported log (${figures.messages.toLocaleString("en")} messages of one server; its lists owned a third directly by a metered customer, one site whole by another, the server whole by a third, all from before the first message): each query over GraphQL against a raw GROUP BY of the same messages by month (mysql2, the scan every usage query makes), median of ${ROUNDS}. Every message's owner on its day is looked up (once per list, site, server and stretch of days in which no assignment starts or ends and no plan period starts), and its units follow the owner's plan of that day.`,
    "",
    "| query | rows | time | ÷ raw |",
    "|---|---|---|---|",
    `| ${figures.raw.what} | ${figures.raw.rows.toLocaleString("en")} | ${seconds(figures.raw.ms)} | 1.0× |`,
    ...figures.queries.map(row),
    "",
    `A month's invoices: the log's last month (${figures.month.from} to ${figures.month.to}, ${figures.month.messages.toLocaleString("en")} of the ${figures.messages.toLocaleString("en")} messages), asked for the whole fleet, against a raw GROUP BY of the month's messages, and the same with the index on sentAt ignored (the scan of every message that each of these queries made before it), median of ${ROUNDS}.`,
    "",
    "| query | rows | time | ÷ raw |",
    "|---|---|---|---|",
    ...[figures.month.raw, figures.month.rawScan, ...figures.month.queries].map((query) => `| ${query.what} | ${query.rows.toLocaleString("en")} | ${milliseconds(query.ms)} | **${(query.ms / figures.month.raw.ms).toFixed(1)}×** |`),
  ].join("\n");
}
