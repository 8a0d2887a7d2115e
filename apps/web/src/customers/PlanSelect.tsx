import { useQuery } from "@apollo/client/react";
import { graphql } from "../gql";

export const HOSTING_PLANS = graphql(`
  query HostingPlans {
    hostingPlans(first: 100) {
      nodes {
        id
        name
        maxLists
        maxListsPerSite
        maxSites
        maxMembers
        maxMembersPerList
        messageUnitBytes
      }
    }
  }
`);

export function PlanSelect({ value, onChange }: { value: string | null; onChange: (id: string | null) => void }) {
  const { data, loading, error } = useQuery(HOSTING_PLANS);
  return (
    <select aria-label="Plan" value={value ?? ""} onChange={(event) => onChange(event.target.value || null)} title={error?.message}>
      <option value="">{loading ? "Loading plans…" : error ? "Plans unavailable" : "No plan"}</option>
      {data?.hostingPlans.nodes.map((plan) => (
        <option key={plan.id} value={plan.id}>
          {plan.name}
        </option>
      ))}
    </select>
  );
}
