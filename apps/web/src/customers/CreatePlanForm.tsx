import { useMutation } from "@apollo/client/react";
import { type FormEvent, useState } from "react";
import { UserErrors } from "../components/StateViews";
import { graphql } from "../gql";

const CREATE_PLAN = graphql(`
  mutation CreateHostingPlan($input: CreateHostingPlanInput!) {
    createHostingPlan(input: $input) {
      hostingPlan {
        id
        name
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const LIMITS = [
  ["maxLists", "Max lists"],
  ["maxListsPerSite", "Max lists per site"],
  ["maxSites", "Max sites"],
  ["maxMembers", "Max members"],
  ["maxMembersPerList", "Max members per list"],
] as const;

type Limit = (typeof LIMITS)[number][0];

export function CreatePlanForm({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState("");
  const [limits, setLimits] = useState<Record<Limit, string>>({ maxLists: "0", maxListsPerSite: "0", maxSites: "0", maxMembers: "0", maxMembersPerList: "0" });
  const [create, { data, loading, error }] = useMutation(CREATE_PLAN, { refetchQueries: ["HostingPlans"] });
  async function submit(event: FormEvent) {
    event.preventDefault();
    const numbers = Object.fromEntries(LIMITS.map(([key]) => [key, Number(limits[key] || 0)])) as Record<Limit, number>;
    const result = await create({ variables: { input: { name, ...numbers } } }).catch(() => null);
    if (result?.data?.createHostingPlan.hostingPlan) onDone();
  }
  return (
    <form className="card form-grid" onSubmit={submit} aria-label="New hosting plan">
      <h2>New hosting plan</h2>
      <label>
        Name
        <input name="planName" value={name} onChange={(event) => setName(event.target.value)} required />
      </label>
      {LIMITS.map(([key, label]) => (
        <label key={key}>
          {label} <span className="muted">(0 = unlimited)</span>
          <input name={key} inputMode="numeric" value={limits[key]} onChange={(event) => setLimits({ ...limits, [key]: event.target.value })} />
        </label>
      ))}
      <UserErrors errors={data?.createHostingPlan.userErrors ?? []} />
      {error && <p className="user-errors">{error.message}</p>}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={loading}>
          Create plan
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
