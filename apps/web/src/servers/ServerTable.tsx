import { useMutation } from "@apollo/client/react";
import { memo, useCallback, useState } from "react";
import { Link } from "../app/router";
import { Badge } from "../components/Badge";
import { formatDateTime } from "../components/format";
import { graphql } from "../gql";
import type { ServerRowFieldsFragment } from "../gql/graphql";
import { TestConnectionButton } from "./TestConnectionButton";

export const SERVER_ROW_FIELDS = graphql(`
  fragment ServerRowFields on Server {
    id
    name
    hostName
    port
    status
    version
    validatedAt
    syncedAt
    openErrorCount
    autoSync
  }
`);

const SET_AUTO_SYNC = graphql(`
  mutation SetAutoSync($input: UpdateServerInput!) {
    updateServer(input: $input) {
      server {
        id
        autoSync
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

interface ServerTableProps {
  servers: ServerRowFieldsFragment[];
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
  onToggleAll: (select: boolean) => void;
}

type SetAutoSync = (id: string, autoSync: boolean) => Promise<string | null>;

export function ServerTable({ servers, selected, onToggle, onToggleAll }: ServerTableProps) {
  const [mutate] = useMutation(SET_AUTO_SYNC);
  // One mutation hook for the table; each row keeps only its own pending and refusal state.
  const setAutoSync = useCallback<SetAutoSync>(
    async (id, autoSync) => {
      try {
        const result = await mutate({ variables: { input: { id, autoSync } } });
        return result.data?.updateServer.userErrors[0]?.message ?? null;
      } catch (failure) {
        return (failure as Error).message;
      }
    },
    [mutate],
  );
  const allSelected = servers.length > 0 && servers.every((server) => selected.has(server.id));
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th className="select">
            <input type="checkbox" aria-label="Select all servers" checked={allSelected} onChange={(event) => onToggleAll(event.target.checked)} />
          </th>
          <th>Name</th>
          <th>Host</th>
          <th>Status</th>
          <th>Version</th>
          <th>Validated</th>
          <th>Synced</th>
          <th className="number">Open errors</th>
          <th>Auto-Sync</th>
          <th>Connection</th>
        </tr>
      </thead>
      <tbody>
        {servers.map((server) => (
          <ServerRow key={server.id} server={server} selected={selected.has(server.id)} onToggle={onToggle} setAutoSync={setAutoSync} />
        ))}
      </tbody>
    </table>
  );
}

interface ServerRowProps {
  server: ServerRowFieldsFragment;
  selected: boolean;
  onToggle: (id: string) => void;
  setAutoSync: SetAutoSync;
}

/** Memoized: with a thousand rows, checking one box or loading another page re-renders the rows that changed, not all. */
const ServerRow = memo(function ServerRow({ server, selected, onToggle, setAutoSync }: ServerRowProps) {
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const changeAutoSync = async (autoSync: boolean) => {
    setPending(true);
    setRefusal(await setAutoSync(server.id, autoSync));
    setPending(false);
  };
  return (
    <tr className={selected ? "selected" : undefined}>
      <td className="select">
        <input type="checkbox" aria-label={`Select ${server.name}`} checked={selected} onChange={() => onToggle(server.id)} />
      </td>
      <td>
        <Link to={`/servers/${encodeURIComponent(server.id)}`}>{server.name}</Link>
      </td>
      <td className="mono">
        {server.hostName}:{server.port}
      </td>
      <td>
        <Badge value={server.status} />
      </td>
      <td>{server.version ?? "—"}</td>
      <td>{formatDateTime(server.validatedAt)}</td>
      <td>{formatDateTime(server.syncedAt)}</td>
      <td className="number">
        {server.openErrorCount > 0 ? <Link to={`/errors?status=OPEN&serverId=${encodeURIComponent(server.id)}`}>{server.openErrorCount}</Link> : 0}
      </td>
      <td>
        <label className="switch" title={refusal ?? undefined}>
          <input
            type="checkbox"
            role="switch"
            aria-label={`Auto-Sync ${server.name}`}
            checked={server.autoSync}
            disabled={pending}
            onChange={(event) => void changeAutoSync(event.target.checked)}
          />
          <span className="switch-track" aria-hidden="true" />
        </label>
        {refusal && <span className="field-error">{refusal}</span>}
      </td>
      <td>
        <TestConnectionButton serverId={server.id} serverName={server.name} />
      </td>
    </tr>
  );
});
