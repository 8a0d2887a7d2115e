import { useQuery } from "@apollo/client/react";
import { Link } from "../app/router";
import { Badge } from "../components/Badge";
import { formatDateTime, formatNumber } from "../components/format";
import { ListOwner } from "../components/ListOwner";
import { Empty, ErrorView, Loading } from "../components/StateViews";
import { graphql } from "../gql";
import { JobHistoryTable } from "../jobs/JobHistoryTable";
import { ServerOwnership } from "./ServerOwnership";
import { TestConnectionButton } from "./TestConnectionButton";
import { useServerJobs } from "./useServerJobs";

const SERVER_DETAIL = graphql(`
  query ServerDetail($id: ID!) {
    server(id: $id) {
      ...ServerRowFields
      comments
      passwordSet
      tls
      logImportedThrough
      logRestarts
      createdAt
      customer {
        id
        company
      }
      assignment {
        startDate
      }
      sites(first: 100) {
        totalCount
        nodes {
          id
          name
          hostName
          description
          removedAt
          customer {
            id
            company
          }
          assignment {
            startDate
          }
        }
      }
      lists(first: 100) {
        totalCount
        nodes {
          id
          name
          memberCount
          site {
            id
            name
          }
          customer {
            id
            company
          }
          ownedThrough
        }
      }
      validationErrors(first: 20, filter: { status: [OPEN] }) {
        totalCount
        nodes {
          id
          code
          severity
          objectKey
          message
        }
      }
      jobs(first: 20) {
        totalCount
        nodes {
          ...JobFields
        }
      }
    }
  }
`);

/** One hosting server: what billing knows of it, what is wrong, and what was done to it. */
export function ServerDetailPage({ id }: { id: string }) {
  const { data, loading, error, refetch } = useQuery(SERVER_DETAIL, { variables: { id } });
  const jobs = useServerJobs();
  if (loading && !data) return <Loading what="the server" />;
  if (error) return <ErrorView error={error} retry={() => void refetch()} />;
  const server = data?.server;
  if (!server) {
    return (
      <section className="page">
        <Empty>
          This server does not exist (it may have been deleted). <Link to="/servers">Back to Servers</Link>
        </Empty>
      </section>
    );
  }
  return (
    <section className="page">
      <p className="breadcrumb">
        <Link to="/servers">Servers</Link> /
      </p>
      <div className="page-head">
        <h1>
          {server.name} <Badge value={server.status} />
        </h1>
        <div className="actions">
          <button type="button" className="primary" disabled={jobs.busy} onClick={() => void jobs.validate([server.id])}>
            Validate
          </button>
          <button type="button" disabled={jobs.busy} onClick={() => void jobs.sync([server.id])}>
            Sync
          </button>
          <TestConnectionButton serverId={server.id} serverName={server.name} />
        </div>
      </div>
      {jobs.problem && <p className="user-errors" role="alert">{jobs.problem}</p>}
      <dl className="facts">
        <dt>Host</dt>
        <dd className="mono">
          {server.hostName}:{server.port}
        </dd>
        <dt>Version</dt>
        <dd>{server.version ?? "—"}</dd>
        <dt>Validated</dt>
        <dd>{formatDateTime(server.validatedAt)}</dd>
        <dt>Synced</dt>
        <dd>{formatDateTime(server.syncedAt)}</dd>
        <dt>Message log</dt>
        <dd>{messageLog(server.logImportedThrough, server.logRestarts)}</dd>
        <dt>Auto-Sync</dt>
        <dd>{server.autoSync ? "on" : "off"}</dd>
        <dt>Connection</dt>
        <dd>{server.tls ? "TLS" : "plain TCP"}</dd>
        <dt>Password</dt>
        <dd>{server.passwordSet ? "set" : "ListManager's default"}</dd>
        <dt>Comments</dt>
        <dd>{server.comments || "—"}</dd>
      </dl>

      <ServerOwnership server={server} onChanged={refetch} />

      <h2>
        Lists ({formatNumber(server.lists.totalCount)}) <Link to={`/lists?serverId=${encodeURIComponent(server.id)}`} className="small-link">all lists of this server</Link>
      </h2>
      {server.lists.nodes.length === 0 ? (
        <Empty>No lists in billing yet.</Empty>
      ) : (
        <table className="data-table compact">
          <thead>
            <tr>
              <th>List</th>
              <th>Site</th>
              <th className="number">Members</th>
              <th>Customer</th>
            </tr>
          </thead>
          <tbody>
            {server.lists.nodes.map((list) => (
              <tr key={list.id}>
                <td>{list.name}</td>
                <td>{list.site?.name ?? "—"}</td>
                <td className="number">{formatNumber(list.memberCount)}</td>
                <td>
                  <ListOwner customer={list.customer} ownedThrough={list.ownedThrough} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>
        Open errors ({server.validationErrors.totalCount}){" "}
        {server.validationErrors.totalCount > 0 && (
          <Link to={`/errors?status=OPEN&serverId=${encodeURIComponent(server.id)}`} className="small-link">
            review and fix
          </Link>
        )}
      </h2>
      {server.validationErrors.nodes.length === 0 ? (
        <Empty>No open errors.</Empty>
      ) : (
        <table className="data-table compact">
          <thead>
            <tr>
              <th>Severity</th>
              <th>Code</th>
              <th>Object</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {server.validationErrors.nodes.map((item) => (
              <tr key={item.id}>
                <td>
                  <Badge value={item.severity} />
                </td>
                <td className="mono">{item.code}</td>
                <td>{item.objectKey}</td>
                <td>{item.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Job history ({server.jobs.totalCount})</h2>
      {server.jobs.nodes.length === 0 ? <Empty>No jobs have run for this server.</Empty> : <JobHistoryTable jobs={server.jobs.nodes} showServer={false} />}
    </section>
  );
}

/** How far usage is imported from the server's message log, and how often the log started over. */
function messageLog(importedThrough: number, restarts: number): string {
  const imported = importedThrough > 0 ? `imported through row ${formatNumber(importedThrough)}` : "nothing imported yet";
  if (restarts === 0) return imported;
  return `${imported}; numbering started over ${restarts === 1 ? "once" : `${formatNumber(restarts)} times`}`;
}
