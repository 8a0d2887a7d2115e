import { useQuery } from "@apollo/client/react";
import { useSearchParams } from "../app/router";
import { formatNumber, isoDay } from "../components/format";
import { Empty, ErrorView, Loading } from "../components/StateViews";
import { CustomerSelect } from "../customers/CustomerSelect";
import { graphql } from "../gql";
import type { UsagePeriod } from "../gql/graphql";
import { ServerSelect } from "../servers/ServerSelect";
import { UsageByCustomer } from "./UsageByCustomer";
import { UsageChart } from "./UsageChart";

const USAGE = graphql(`
  query Usage($filter: UsageFilter!) {
    usage(filter: $filter) {
      period
      messages
      recipients
      bytes
      units
    }
  }
`);

/** Messages and billable units per day or month, for the fleet, one server or one customer. */
export default function UsagePage() {
  const [params, setParams] = useSearchParams();
  const serverId = params.get("serverId");
  const customerId = params.get("customerId");
  const from = params.get("from") ?? isoDay(30);
  const to = params.get("to") ?? isoDay();
  const groupBy = (params.get("groupBy") ?? "DAY") as UsagePeriod;
  const filter = { from, to, groupBy, serverId: serverId ?? undefined, customerId: customerId ?? undefined };
  const { data, previousData, loading, error, refetch } = useQuery(USAGE, { variables: { filter } });
  const buckets = (data ?? previousData)?.usage;
  const totals = buckets?.reduce((sum, bucket) => ({ messages: sum.messages + bucket.messages, recipients: sum.recipients + bucket.recipients, units: sum.units + bucket.units }), { messages: 0, recipients: 0, units: 0 });

  return (
    <section className="page">
      <div className="page-head">
        <h1>Usage</h1>
      </div>
      <div className="filters">
        {/* One scope at a time: the API takes a server or a customer, not both. */}
        <ServerSelect value={serverId} onChange={(id) => setParams({ serverId: id, customerId: null })} />
        <CustomerSelect value={customerId} onChange={(id) => setParams({ customerId: id, serverId: null })} />
        <label>
          From <input type="date" aria-label="From" value={from} max={to} onChange={(event) => setParams({ from: event.target.value })} />
        </label>
        <label>
          To <input type="date" aria-label="To" value={to} min={from} onChange={(event) => setParams({ to: event.target.value })} />
        </label>
        <span className="range-buttons">
          <button type="button" className="small" onClick={() => setParams({ from: null, to: null })}>
            Last 30 days
          </button>
          <button type="button" className="small" onClick={() => setParams({ from: isoDay(365), to: null, groupBy: "MONTH" })}>
            Last 12 months
          </button>
          <button type="button" className="small" onClick={() => setParams({ from: "2000-01-01", to: null, groupBy: "MONTH" })}>
            All time
          </button>
        </span>
        <select aria-label="Group by" value={groupBy} onChange={(event) => setParams({ groupBy: event.target.value })}>
          <option value="DAY">per day</option>
          <option value="MONTH">per month</option>
        </select>
      </div>
      {!buckets && loading && <Loading what="usage" />}
      {error && <ErrorView error={error} retry={() => void refetch()} />}
      {buckets && buckets.length === 0 && <Empty>No messages were sent in this period (try All time). Usage comes from each server's message log, imported when it is synced.</Empty>}
      {buckets && buckets.length > 0 && totals && (
        <>
          <div className="totals">
            <div>
              <span className="muted">Messages</span> <strong>{formatNumber(totals.messages)}</strong>
            </div>
            <div>
              <span className="muted">Recipients</span> <strong>{formatNumber(totals.recipients)}</strong>
            </div>
            <div>
              <span className="muted">Billable units</span> <strong>{formatNumber(Math.round(totals.units))}</strong>
            </div>
          </div>
          <UsageChart buckets={buckets} from={from} to={to} />
          <table className="data-table compact">
            <thead>
              <tr>
                <th>{groupBy === "DAY" ? "Day" : "Month"}</th>
                <th className="number">Messages</th>
                <th className="number">Recipients</th>
                <th className="number">Bytes</th>
                <th className="number">Units</th>
              </tr>
            </thead>
            <tbody>
              {buckets.map((bucket) => (
                <tr key={bucket.period}>
                  <td>{bucket.period}</td>
                  <td className="number">{formatNumber(bucket.messages)}</td>
                  <td className="number">{formatNumber(bucket.recipients)}</td>
                  <td className="number">{formatNumber(bucket.bytes)}</td>
                  <td className="number">{formatNumber(Math.round(bucket.units * 100) / 100)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {/* One customer's page is its own total; the fleet's or a server's splits by customer. */}
          {!customerId && <UsageByCustomer from={from} to={to} serverId={serverId} />}
        </>
      )}
    </section>
  );
}
