import { useQuery } from "@apollo/client/react";
import { graphql } from "../gql";

const CUSTOMER_OPTIONS = graphql(`
  query CustomerOptions {
    customers(first: 100, filter: { isActive: true }) {
      nodes {
        id
        company
      }
    }
  }
`);

export function CustomerSelect({ value, onChange, label = "Customer", emptyLabel = "Any customer" }: { value: string | null; onChange: (id: string | null) => void; label?: string; emptyLabel?: string }) {
  // no-cache: the option list must not replace the Customers page's cached rows.
  const { data, error, loading } = useQuery(CUSTOMER_OPTIONS, { fetchPolicy: "no-cache" });
  const customers = data?.customers.nodes ?? [];
  return (
    <select aria-label={label} value={value ?? ""} onChange={(event) => onChange(event.target.value || null)} title={error?.message}>
      <option value="">{error ? "Customers unavailable" : loading ? "Loading customers…" : emptyLabel}</option>
      {value && !customers.some((customer) => customer.id === value) && <option value={value}>selected customer</option>}
      {customers.map((customer) => (
        <option key={customer.id} value={customer.id}>
          {customer.company}
        </option>
      ))}
    </select>
  );
}
