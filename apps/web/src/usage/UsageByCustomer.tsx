import { useQuery } from "@apollo/client/react";
import { Link } from "../app/router";
import { downloadCsv, toCsv } from "../components/csv";
import { formatNumber } from "../components/format";
import { ErrorView, Loading } from "../components/StateViews";
import { graphql } from "../gql";

const USAGE_BY_CUSTOMER = graphql(`
  query UsageByCustomer($filter: UsageByCustomerFilter!) {
    usageByCustomer(filter: $filter) {
      customer {
        id
        company
        plan {
          name
        }
      }
      messages
      recipients
      bytes
      units
    }
  }
`);

/**
 * The period's billable usage of each customer (what an invoice is made from), with the messages
 * of lists nobody owned that day last, and the same table as CSV.
 */
export function UsageByCustomer({ from, to, serverId }: { from: string; to: string; serverId: string | null }) {
  const { data, previousData, loading, error, refetch } = useQuery(USAGE_BY_CUSTOMER, { variables: { filter: { from, to, serverId: serverId ?? undefined } } });
  const rows = (data ?? previousData)?.usageByCustomer;
  // Only the answer for this period and server is exported: while the next loads, or after it
  // failed, the table still shows the previous one.
  const current = loading || error ? undefined : data?.usageByCustomer;

  function exportCsv() {
    if (!current) return;
    const csv = toCsv(
      // The id tells a customer apart from nobody's row (no id), whatever its company is called.
      ["customer id", "customer", "plan", "from", "to", "messages", "recipients", "bytes", "units"],
      current.map((row) => [row.customer?.id, row.customer?.company ?? "(nobody)", row.customer?.plan?.name, from, to, row.messages, row.recipients, row.bytes, row.units]),
    );
    downloadCsv(`usage-by-customer-${from}-to-${to}.csv`, csv);
  }

  return (
    <section aria-label="Usage by customer">
      <div className="page-head">
        <h2>By customer</h2>
        <div className="actions">
          <button type="button" onClick={exportCsv} disabled={!current?.length}>
            Export CSV
          </button>
        </div>
      </div>
      {!rows && loading && <Loading what="usage by customer" />}
      {error && <ErrorView error={error} retry={() => void refetch()} />}
      {rows && rows.length > 0 && (
        <table className="data-table compact">
          <thead>
            <tr>
              <th>Customer</th>
              <th>Plan</th>
              <th className="number">Messages</th>
              <th className="number">Recipients</th>
              <th className="number">Bytes</th>
              <th className="number">Units</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.customer?.id ?? "nobody"}>
                <td>
                  {row.customer ? (
                    <Link to={`/customers/${encodeURIComponent(row.customer.id)}`}>{row.customer.company}</Link>
                  ) : (
                    <span title="Messages of lists no customer owned on the day they were sent: assign the lists (backdated) to bill them">Nobody (unassigned lists)</span>
                  )}
                </td>
                <td>{row.customer?.plan?.name ?? "—"}</td>
                <td className="number">{formatNumber(row.messages)}</td>
                <td className="number">{formatNumber(row.recipients)}</td>
                <td className="number">{formatNumber(row.bytes)}</td>
                <td className="number">{formatNumber(Math.round(row.units * 100) / 100)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
