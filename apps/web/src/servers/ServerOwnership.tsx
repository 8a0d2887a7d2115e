import { useMutation } from "@apollo/client/react";
import { useState } from "react";
import { Link } from "../app/router";
import { formatDateTime, isoDay } from "../components/format";
import { Empty } from "../components/StateViews";
import { CustomerSelect } from "../customers/CustomerSelect";
import { graphql } from "../gql";

const ASSIGN_SERVERS = graphql(`
  mutation AssignServers($input: AssignServersInput!) {
    assignServers(input: $input) {
      servers {
        id
      }
      userErrors {
        code
        message
      }
    }
  }
`);

const UNASSIGN_SERVERS = graphql(`
  mutation UnassignServers($input: UnassignServersInput!) {
    unassignServers(input: $input) {
      servers {
        id
      }
      userErrors {
        code
        message
      }
    }
  }
`);

const ASSIGN_SITES = graphql(`
  mutation AssignSites($input: AssignSitesInput!) {
    assignSites(input: $input) {
      sites {
        id
      }
      userErrors {
        code
        message
      }
    }
  }
`);

const UNASSIGN_SITES = graphql(`
  mutation UnassignSites($input: UnassignSitesInput!) {
    unassignSites(input: $input) {
      sites {
        id
      }
      userErrors {
        code
        message
      }
    }
  }
`);

interface Owner {
  id: string;
  company: string;
}

interface OwnedSite {
  id: string;
  name: string;
  hostName?: string | null;
  description?: string | null;
  removedAt?: string | null;
  customer?: Owner | null;
  assignment?: { startDate: string } | null;
}

interface OwnedServer {
  id: string;
  name: string;
  customer?: Owner | null;
  assignment?: { startDate: string } | null;
  sites: { totalCount: number; nodes: OwnedSite[] };
}

function OwnerLink({ owner }: { owner: Owner }) {
  return <Link to={`/customers/${encodeURIComponent(owner.id)}`}>{owner.company}</Link>;
}

/**
 * Who owns the server as a whole and each of its sites, and the controls to change it: a
 * customer owning a site or the server owns its lists (those without an owner of their own),
 * including the lists the hosting server adds later.
 */
export function ServerOwnership({ server, onChanged }: { server: OwnedServer; onChanged: () => Promise<unknown> }) {
  const [customerId, setCustomerId] = useState<string | null>(null);
  const [startDate, setStartDate] = useState(isoDay());
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [message, setMessage] = useState<{ tone: "ok" | "bad"; text: string } | null>(null);
  const [assignServers, assigningServer] = useMutation(ASSIGN_SERVERS);
  const [unassignServers, unassigningServer] = useMutation(UNASSIGN_SERVERS);
  const [assignSites, assigningSites] = useMutation(ASSIGN_SITES);
  const [unassignSites, unassigningSites] = useMutation(UNASSIGN_SITES);
  const busy = assigningServer.loading || unassigningServer.loading || assigningSites.loading || unassigningSites.loading;

  const sites = server.sites.nodes;
  // A site gone from its hosting server has no owner and cannot be given one.
  const selectable = sites.filter((site) => !site.removedAt);
  const selectedIds = selectable.filter((site) => selected.has(site.id)).map((site) => site.id);
  const plural = (count: number) => `${count} site${count === 1 ? "" : "s"}`;
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  async function change(run: () => Promise<{ userErrors: { message: string }[] } | undefined>, done: string) {
    setMessage(null);
    try {
      const payload = await run();
      if (!payload) return;
      if (payload.userErrors.length) {
        setMessage({ tone: "bad", text: payload.userErrors.map((userError) => userError.message).join(" ") });
        return;
      }
      setSelected(new Set());
      await onChanged();
      setMessage({ tone: "ok", text: done });
    } catch (failure) {
      setMessage({ tone: "bad", text: (failure as Error).message });
    }
  }

  return (
    <>
      <h2>Ownership</h2>
      <p>
        Whole server:{" "}
        {server.customer ? (
          <>
            <OwnerLink owner={server.customer} /> <span className="muted">since {server.assignment?.startDate}</span>
          </>
        ) : (
          <span className="muted">no owner; its lists belong to their site's owner or are assigned one by one</span>
        )}
      </p>
      <div className="bulk-bar">
        <CustomerSelect value={customerId} onChange={setCustomerId} label="Owner to assign" emptyLabel="Choose a customer…" />
        <label>
          from <input type="date" aria-label="Ownership start date" max={isoDay()} value={startDate} onChange={(event) => setStartDate(event.target.value)} />
        </label>
        <button
          type="button"
          disabled={!customerId || busy}
          onClick={() => void change(async () => (await assignServers({ variables: { input: { serverIds: [server.id], customerId: customerId!, startDate } } })).data?.assignServers, `${server.name} as a whole is now the customer's.`)}
        >
          Assign whole server
        </button>
        <button
          type="button"
          disabled={!server.assignment || busy}
          onClick={() => void change(async () => (await unassignServers({ variables: { input: { serverIds: [server.id] } } })).data?.unassignServers, `${server.name} has no owner as a whole from today.`)}
        >
          End server ownership
        </button>
        <span className="muted">{selectedIds.length} selected</span>
        <button
          type="button"
          disabled={!customerId || !selectedIds.length || busy}
          onClick={() => void change(async () => (await assignSites({ variables: { input: { siteIds: selectedIds, customerId: customerId!, startDate } } })).data?.assignSites, `Assigned ${plural(selectedIds.length)}.`)}
        >
          Assign selected sites
        </button>
        <button
          type="button"
          disabled={!selectedIds.length || busy}
          onClick={() => void change(async () => (await unassignSites({ variables: { input: { siteIds: selectedIds } } })).data?.unassignSites, `Unassigned ${plural(selectedIds.length)}.`)}
        >
          Unassign selected sites
        </button>
      </div>
      {message && (
        <p className={message.tone === "ok" ? "notice" : "user-errors"} role={message.tone === "ok" ? "status" : "alert"}>
          {message.text}
        </p>
      )}

      <h2>Sites ({server.sites.totalCount})</h2>
      {sites.length === 0 ? (
        <Empty>No sites in billing yet: validate the server, then fix its NEW_SITE errors (or sync it).</Empty>
      ) : (
        <table className="data-table compact">
          <thead>
            <tr>
              <th className="select">
                <input
                  type="checkbox"
                  aria-label="Select all sites"
                  disabled={!selectable.length}
                  checked={selectable.length > 0 && selectedIds.length === selectable.length}
                  onChange={(event) => setSelected(event.target.checked ? new Set(selectable.map((site) => site.id)) : new Set())}
                />
              </th>
              <th>Name</th>
              <th>Host name</th>
              <th>Description</th>
              <th>Owner</th>
              <th>Removed</th>
            </tr>
          </thead>
          <tbody>
            {sites.map((site) => (
              <tr key={site.id} className={selected.has(site.id) ? "selected" : site.removedAt ? "removed" : undefined}>
                <td className="select">
                  <input type="checkbox" aria-label={`Select site ${site.name}`} disabled={Boolean(site.removedAt)} checked={!site.removedAt && selected.has(site.id)} onChange={() => toggle(site.id)} />
                </td>
                <td>{site.name}</td>
                <td>{site.hostName ?? "—"}</td>
                <td>{site.description ?? "—"}</td>
                <td>
                  {site.removedAt ? (
                    <span className="muted">none (removed)</span>
                  ) : site.customer ? (
                    <>
                      <OwnerLink owner={site.customer} /> <span className="muted">{site.assignment ? `since ${site.assignment.startDate}` : "through the server"}</span>
                    </>
                  ) : (
                    <span className="muted">none</span>
                  )}
                </td>
                <td>{formatDateTime(site.removedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
