import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { useMemo, useState } from "react";
import { Link, useSearchParams } from "../app/router";
import { downloadCsv, toCsv } from "../components/csv";
import { fetchAllPages } from "../components/fetchAllPages";
import { formatDateTime, formatNumber, isoDay } from "../components/format";
import { ListOwner } from "../components/ListOwner";
import { Empty, ErrorView, Loading, LoadMore } from "../components/StateViews";
import { CustomerSelect } from "../customers/CustomerSelect";
import { graphql } from "../gql";
import { ServerSelect } from "../servers/ServerSelect";

const LISTS = graphql(`
  query Lists($after: String, $filter: ListFilter) {
    lists(first: 100, after: $after, filter: $filter) {
      totalCount
      nodes {
        id
        name
        description
        topic
        memberCount
        maxMembers
        disabled
        removedAt
        hostCreatedAt
        server {
          id
          name
        }
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
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const ASSIGN = graphql(`
  mutation AssignLists($input: AssignListsInput!) {
    assignLists(input: $input) {
      lists {
        id
        customer {
          id
          company
        }
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const UNASSIGN = graphql(`
  mutation UnassignLists($input: UnassignListsInput!) {
    unassignLists(input: $input) {
      lists {
        id
        customer {
          id
          company
        }
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export function ListsPage() {
  const client = useApolloClient();
  const [params, setParams] = useSearchParams();
  const serverId = params.get("serverId");
  const customerId = params.get("customerId");
  const search = params.get("q") ?? "";
  const unassigned = params.get("unassigned") === "1";
  const includeRemoved = params.get("removed") === "1";
  const filter = useMemo(
    () => ({ serverId: serverId ?? undefined, customerId: customerId ?? undefined, nameContains: search || undefined, unassigned: unassigned || undefined, includeRemoved: includeRemoved || undefined }),
    [serverId, customerId, search, unassigned, includeRemoved],
  );
  const { data, previousData, loading, error, refetch, fetchMore } = useQuery(LISTS, { variables: { filter }, notifyOnNetworkStatusChange: true });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [assignTo, setAssignTo] = useState<string | null>(null);
  const [startDate, setStartDate] = useState(isoDay());
  const [message, setMessage] = useState<{ tone: "ok" | "bad"; text: string } | null>(null);
  const [exporting, setExporting] = useState(false);
  const [assign, assigning] = useMutation(ASSIGN);
  const [unassign, unassigning] = useMutation(UNASSIGN);

  const connection = (data ?? previousData)?.lists;
  const rows = connection?.nodes ?? [];
  const selectedIds = rows.filter((row) => selected.has(row.id)).map((row) => row.id);
  const allSelected = rows.length > 0 && selectedIds.length === rows.length;
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  async function bulk(kind: "assign" | "unassign") {
    setMessage(null);
    try {
      const payload =
        kind === "assign"
          ? (await assign({ variables: { input: { listIds: selectedIds, customerId: assignTo!, startDate } } })).data?.assignLists
          : (await unassign({ variables: { input: { listIds: selectedIds } } })).data?.unassignLists;
      if (!payload) return;
      if (payload.userErrors.length) {
        setMessage({ tone: "bad", text: payload.userErrors.map((userError) => userError.message).join(" ") });
        return;
      }
      const company = payload.lists[0]?.customer?.company;
      setMessage({ tone: "ok", text: kind === "assign" ? `Assigned ${payload.lists.length} list${payload.lists.length === 1 ? "" : "s"} to ${company ?? "the customer"}.` : `Unassigned ${payload.lists.length} list${payload.lists.length === 1 ? "" : "s"}.` });
      setSelected(new Set());
      await refetch();
    } catch (failure) {
      setMessage({ tone: "bad", text: (failure as Error).message });
    }
  }

  async function exportCsv() {
    setExporting(true);
    try {
      const all = await fetchAllPages(client, LISTS, { filter }, (result) => result.lists);
      const csv = toCsv(
        ["id", "server", "site", "list", "description", "topic", "members", "max members", "disabled", "customer", "created on host", "removed at"],
        all.map((row) => [row.id, row.server.name, row.site?.name, row.name, row.description, row.topic, row.memberCount, row.maxMembers, row.disabled, row.customer?.company, row.hostCreatedAt, row.removedAt]),
      );
      downloadCsv(`lists-${new Date().toISOString().slice(0, 10)}.csv`, csv);
    } catch (failure) {
      setMessage({ tone: "bad", text: `Export failed: ${(failure as Error).message}` });
    } finally {
      setExporting(false);
    }
  }

  const setFilter = (changes: Record<string, string | null>) => {
    setSelected(new Set());
    setParams(changes);
  };

  return (
    <section className="page">
      <div className="page-head">
        <h1>Lists</h1>
        <div className="actions">
          <button type="button" onClick={() => void exportCsv()} disabled={exporting || !rows.length}>
            {exporting ? "Exporting…" : "Export CSV"}
          </button>
        </div>
      </div>
      <div className="filters">
        <input type="search" placeholder="List name contains" aria-label="Filter lists by name" defaultValue={search} onChange={(event) => setFilter({ q: event.target.value })} />
        <ServerSelect value={serverId} onChange={(id) => setFilter({ serverId: id })} />
        <CustomerSelect value={customerId} onChange={(id) => setFilter({ customerId: id })} label="Owned by" />
        <label className="checkbox">
          <input type="checkbox" checked={unassigned} onChange={(event) => setFilter({ unassigned: event.target.checked ? "1" : null })} /> Unassigned only
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={includeRemoved} onChange={(event) => setFilter({ removed: event.target.checked ? "1" : null })} /> Include removed
        </label>
        {connection && <span className="muted count">{formatNumber(connection.totalCount)} lists</span>}
      </div>
      <div className="bulk-bar">
        <span>{selectedIds.length} selected</span>
        <CustomerSelect value={assignTo} onChange={setAssignTo} label="Assign to customer" emptyLabel="Choose a customer…" />
        <label>
          from <input type="date" aria-label="Start date" max={isoDay()} value={startDate} onChange={(event) => setStartDate(event.target.value)} />
        </label>
        <button type="button" className="primary" disabled={!selectedIds.length || !assignTo || assigning.loading} onClick={() => void bulk("assign")}>
          Assign to customer
        </button>
        <button type="button" disabled={!selectedIds.length || unassigning.loading} onClick={() => void bulk("unassign")}>
          Unassign
        </button>
      </div>
      {message && (
        <p className={message.tone === "ok" ? "notice" : "user-errors"} role={message.tone === "ok" ? "status" : "alert"}>
          {message.text}
        </p>
      )}
      {!connection && loading && <Loading what="lists" />}
      {error && <ErrorView error={error} retry={() => void refetch()} />}
      {connection && rows.length === 0 && <Empty>{unassigned ? "Every list has a customer." : "No list matches these filters. Lists appear once a server is validated and its NEW_LIST errors fixed, or synced."}</Empty>}
      {rows.length > 0 && (
        <table className="data-table">
          <thead>
            <tr>
              <th className="select">
                <input type="checkbox" aria-label="Select all lists" checked={allSelected} onChange={(event) => setSelected(event.target.checked ? new Set(rows.map((row) => row.id)) : new Set())} />
              </th>
              <th>List</th>
              <th>Server</th>
              <th>Site</th>
              <th className="number">Members</th>
              <th>Customer</th>
              <th>Created on host</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} className={selected.has(row.id) ? "selected" : row.removedAt ? "removed" : undefined}>
                <td className="select">
                  <input type="checkbox" aria-label={`Select ${row.name}`} checked={selected.has(row.id)} onChange={() => toggle(row.id)} />
                </td>
                <td>
                  {row.name} {row.disabled && <span className="badge badge-idle">disabled</span>} {row.removedAt && <span className="badge badge-idle">removed</span>}
                  {row.description && <div className="muted small">{row.description}</div>}
                </td>
                <td>
                  <Link to={`/servers/${encodeURIComponent(row.server.id)}`}>{row.server.name}</Link>
                </td>
                <td>{row.site?.name ?? "—"}</td>
                <td className="number">
                  {formatNumber(row.memberCount)}
                  {row.maxMembers > 0 && <span className="muted"> / {formatNumber(row.maxMembers)}</span>}
                </td>
                <td>
                  <ListOwner customer={row.customer} ownedThrough={row.ownedThrough} />
                </td>
                <td>{formatDateTime(row.hostCreatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore pageInfo={connection?.pageInfo} loading={loading} onMore={(after) => void fetchMore({ variables: { after } })}>
        {loading ? "Loading…" : `Load more (${rows.length} of ${formatNumber(connection?.totalCount ?? 0)})`}
      </LoadMore>
    </section>
  );
}
