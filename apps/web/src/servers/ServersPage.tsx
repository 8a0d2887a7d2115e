import { useQuery } from "@apollo/client/react";
import { useCallback, useDeferredValue, useEffect, useMemo, useState } from "react";
import { useSearchParams } from "../app/router";
import { Empty, ErrorView, Loading } from "../components/StateViews";
import { graphql } from "../gql";
import type { ServerStatus } from "../gql/graphql";
import { CreateServerForm } from "./CreateServerForm";
import { ServerTable } from "./ServerTable";
import { useServerJobs } from "./useServerJobs";

const SERVERS = graphql(`
  query Servers($after: String, $filter: ServerFilter) {
    servers(first: 100, after: $after, filter: $filter) {
      totalCount
      nodes {
        ...ServerRowFields
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const STATUSES: ServerStatus[] = ["NEVER_VALIDATED", "OK", "WARNINGS", "ERRORS", "UNREACHABLE", "AUTH_FAILED", "HOST_NOT_ALLOWED"];

export function ServersPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get("q") ?? "";
  const status = params.get("status") as ServerStatus | null;
  const filter = useMemo(() => ({ nameContains: search || undefined, status: status ? [status] : undefined }), [search, status]);
  const { data, previousData, loading, error, refetch, fetchMore } = useQuery(SERVERS, { variables: { filter }, notifyOnNetworkStatusChange: true });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const jobs = useServerJobs();

  const connection = (data ?? previousData)?.servers;
  const servers = connection?.nodes ?? [];
  // Rows arriving in the background render at low priority: a click never waits behind them.
  const shownServers = useDeferredValue(servers);
  // The first hundred rows are usable at once; the rest of the fleet streams in behind them.
  const nextCursor = connection?.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
  useEffect(() => {
    if (nextCursor && !loading) void fetchMore({ variables: { after: nextCursor } });
  }, [nextCursor, loading, fetchMore]);

  const toggle = useCallback((id: string) => {
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }, []);
  const toggleAll = useCallback((select: boolean) => setSelected(select ? new Set(servers.map((server) => server.id)) : new Set()), [servers]);
  const selectedIds = servers.filter((server) => selected.has(server.id)).map((server) => server.id);

  return (
    <section className="page">
      <div className="page-head">
        <h1>Servers</h1>
        <div className="actions">
          <button type="button" className="primary" disabled={jobs.busy} onClick={() => void jobs.validateAll()}>
            Validate All Servers
          </button>
          <button type="button" disabled={jobs.busy || selectedIds.length === 0} onClick={() => void jobs.validate(selectedIds)}>
            Validate Selected Servers
          </button>
          <button type="button" disabled={jobs.busy || selectedIds.length === 0} onClick={() => void jobs.sync(selectedIds)}>
            Sync Selected
          </button>
          <button type="button" onClick={() => setCreating(true)} disabled={creating}>
            Create New Server
          </button>
        </div>
      </div>
      {jobs.problem && <p className="user-errors" role="alert">{jobs.problem}</p>}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {creating && (
        <CreateServerForm
          onCancel={() => setCreating(false)}
          onCreated={(name) => {
            setCreating(false);
            setNotice(`Server ${name} created. Select it and validate it to load its sites and lists.`);
          }}
        />
      )}
      <div className="filters">
        <input type="search" placeholder="Filter by name or host" aria-label="Filter servers by name or host" defaultValue={search} onChange={(event) => setParams({ q: event.target.value })} />
        <select aria-label="Status" value={status ?? ""} onChange={(event) => setParams({ status: event.target.value })}>
          <option value="">Any status</option>
          {STATUSES.map((value) => (
            <option key={value} value={value}>
              {value.replaceAll("_", " ").toLowerCase()}
            </option>
          ))}
        </select>
        {connection && (
          <span className="muted count">
            {servers.length < connection.totalCount ? `${servers.length} of ${connection.totalCount} loaded` : `${connection.totalCount} server${connection.totalCount === 1 ? "" : "s"}`}
            {selectedIds.length > 0 && ` · ${selectedIds.length} selected`}
          </span>
        )}
      </div>
      {!connection && loading && <Loading what="servers" />}
      {error && <ErrorView error={error} retry={() => void refetch()} />}
      {connection && servers.length === 0 && (
        <Empty>{search || status ? "No server matches these filters." : "No servers yet. Create New Server to register the first hosting server."}</Empty>
      )}
      {servers.length > 0 && <ServerTable servers={shownServers} selected={selected} onToggle={toggle} onToggleAll={toggleAll} />}
    </section>
  );
}
