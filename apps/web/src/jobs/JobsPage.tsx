import { useQuery } from "@apollo/client/react";
import { useSearchParams } from "../app/router";
import { Empty, ErrorView, Loading, LoadMore } from "../components/StateViews";
import { graphql } from "../gql";
import type { JobKind, JobState } from "../gql/graphql";
import { ServerSelect } from "../servers/ServerSelect";
import { JobHistoryTable } from "./JobHistoryTable";

const JOBS = graphql(`
  query Jobs($after: String, $filter: JobFilter) {
    jobs(first: 50, after: $after, filter: $filter) {
      totalCount
      nodes {
        ...JobFields
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const KINDS: JobKind[] = ["VALIDATE", "SYNC", "FIX", "IMPORT_LOG"];
const STATES: JobState[] = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"];

/** Every validate, sync, fix and log import: who or what started it, with what, and how it ended. */
export function JobsPage() {
  const [params, setParams] = useSearchParams();
  const kind = params.get("kind") as JobKind | null;
  const state = params.get("state") as JobState | null;
  const serverId = params.get("serverId");
  const filter = { kind: kind ? [kind] : undefined, state: state ? [state] : undefined, serverId: serverId ?? undefined };
  const { data, previousData, loading, error, refetch, fetchMore } = useQuery(JOBS, { variables: { filter }, notifyOnNetworkStatusChange: true });
  const connection = (data ?? previousData)?.jobs;

  return (
    <section className="page">
      <div className="page-head">
        <h1>Jobs</h1>
        <div className="actions">
          <button type="button" onClick={() => void refetch()} disabled={loading}>
            Refresh
          </button>
        </div>
      </div>
      <div className="filters">
        <select aria-label="Kind" value={kind ?? ""} onChange={(event) => setParams({ kind: event.target.value })}>
          <option value="">Any kind</option>
          {KINDS.map((value) => (
            <option key={value}>{value}</option>
          ))}
        </select>
        <select aria-label="State" value={state ?? ""} onChange={(event) => setParams({ state: event.target.value })}>
          <option value="">Any state</option>
          {STATES.map((value) => (
            <option key={value}>{value}</option>
          ))}
        </select>
        <ServerSelect value={serverId} onChange={(id) => setParams({ serverId: id })} />
        {connection && <span className="muted count">{connection.totalCount} jobs</span>}
      </div>
      {!connection && loading && <Loading what="jobs" />}
      {error && <ErrorView error={error} retry={() => void refetch()} />}
      {connection && connection.nodes.length === 0 && <Empty>No job matches these filters. Validating or syncing a server starts one.</Empty>}
      {connection && connection.nodes.length > 0 && <JobHistoryTable jobs={connection.nodes} />}
      <LoadMore pageInfo={connection?.pageInfo} loading={loading} onMore={(after) => void fetchMore({ variables: { after } })}>
        {loading ? "Loading…" : "Load more"}
      </LoadMore>
    </section>
  );
}
