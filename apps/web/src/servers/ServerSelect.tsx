import { useQuery } from "@apollo/client/react";
import { graphql } from "../gql";

const SERVER_OPTIONS = graphql(`
  query ServerOptions {
    servers(first: 100) {
      totalCount
      nodes {
        id
        name
      }
    }
  }
`);

/** A filter by server. Past a hundred servers, pick one from the Servers page (its row links here). */
export function ServerSelect({ value, onChange, label = "Server" }: { value: string | null; onChange: (id: string | null) => void; label?: string }) {
  // no-cache: the option list must not replace the Servers page's cached rows (same field, same filter).
  const { data, error } = useQuery(SERVER_OPTIONS, { fetchPolicy: "no-cache" });
  const servers = data?.servers.nodes ?? [];
  const known = value === null || servers.some((server) => server.id === value);
  return (
    <select aria-label={label} value={value ?? ""} onChange={(event) => onChange(event.target.value || null)} title={error?.message}>
      <option value="">{error ? "Servers unavailable" : "Any server"}</option>
      {!known && <option value={value!}>selected server</option>}
      {servers.map((server) => (
        <option key={server.id} value={server.id}>
          {server.name}
        </option>
      ))}
    </select>
  );
}
