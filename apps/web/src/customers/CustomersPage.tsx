import { useMutation, useQuery } from "@apollo/client/react";
import { useState } from "react";
import { Link, navigate, useSearchParams } from "../app/router";
import { formatNumber } from "../components/format";
import { Empty, ErrorView, Loading, LoadMore } from "../components/StateViews";
import { graphql } from "../gql";
import { CreatePlanForm } from "./CreatePlanForm";
import { CustomerForm, type CustomerValues, EMPTY_CUSTOMER } from "./CustomerForm";
import { HOSTING_PLANS } from "./PlanSelect";

const CUSTOMERS = graphql(`
  query Customers($after: String, $filter: CustomerFilter) {
    customers(first: 100, after: $after, filter: $filter) {
      totalCount
      nodes {
        id
        company
        contactName
        email
        isActive
        listCount
        memberCount
        plan {
          id
          name
          maxLists
          maxMembers
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const CREATE_CUSTOMER = graphql(`
  mutation CreateCustomer($input: CreateCustomerInput!) {
    createCustomer(input: $input) {
      customer {
        id
        company
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** Optional text fields: empty means absent, not "". */
const optional = (value: string) => (value.trim() === "" ? undefined : value.trim());

export function CustomersPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get("q") ?? "";
  const { data, previousData, loading, error, refetch, fetchMore } = useQuery(CUSTOMERS, { variables: { filter: { companyContains: search || undefined } }, notifyOnNetworkStatusChange: true });
  const plans = useQuery(HOSTING_PLANS);
  const [creating, setCreating] = useState(false);
  const [creatingPlan, setCreatingPlan] = useState(false);
  const [create, created] = useMutation(CREATE_CUSTOMER, { refetchQueries: ["Customers"] });
  const connection = (data ?? previousData)?.customers;

  async function submit(values: CustomerValues) {
    const result = await create({
      variables: {
        input: { company: values.company, contactName: optional(values.contactName), email: optional(values.email), planId: values.planId ?? undefined, isActive: values.isActive, startDate: optional(values.startDate), endDate: optional(values.endDate) },
      },
    }).catch(() => null);
    const customer = result?.data?.createCustomer.customer;
    if (customer) navigate(`/customers/${encodeURIComponent(customer.id)}`);
  }

  return (
    <section className="page">
      <div className="page-head">
        <h1>Customers</h1>
        <div className="actions">
          <button type="button" className="primary" onClick={() => setCreating(true)} disabled={creating}>
            New customer
          </button>
          <button type="button" onClick={() => setCreatingPlan(true)} disabled={creatingPlan}>
            New hosting plan
          </button>
        </div>
      </div>
      {creating && <CustomerForm title="New customer" initial={EMPTY_CUSTOMER} submitLabel="Create customer" busy={created.loading} userErrors={created.data?.createCustomer.userErrors ?? []} onSubmit={(values) => void submit(values)} onCancel={() => setCreating(false)} />}
      {created.error && <p className="user-errors" role="alert">{created.error.message}</p>}
      {creatingPlan && <CreatePlanForm onDone={() => setCreatingPlan(false)} />}
      <div className="filters">
        <input type="search" placeholder="Company contains" aria-label="Filter customers by company" defaultValue={search} onChange={(event) => setParams({ q: event.target.value })} />
        {connection && <span className="muted count">{connection.totalCount} customers</span>}
      </div>
      {!connection && loading && <Loading what="customers" />}
      {error && <ErrorView error={error} retry={() => void refetch()} />}
      {connection && connection.nodes.length === 0 && <Empty>{search ? "No customer matches." : "No customers yet. Create one, then assign lists to it from the Lists page."}</Empty>}
      {connection && connection.nodes.length > 0 && (
        <table className="data-table">
          <thead>
            <tr>
              <th>Company</th>
              <th>Contact</th>
              <th>Plan</th>
              <th className="number">Lists</th>
              <th className="number">Members</th>
              <th>Active</th>
            </tr>
          </thead>
          <tbody>
            {connection.nodes.map((customer) => (
              <tr key={customer.id}>
                <td>
                  <Link to={`/customers/${encodeURIComponent(customer.id)}`}>{customer.company}</Link>
                </td>
                <td>
                  {customer.contactName ?? "—"} {customer.email && <span className="muted">{customer.email}</span>}
                </td>
                <td>{customer.plan?.name ?? <span className="muted">no plan</span>}</td>
                <td className="number">
                  {formatNumber(customer.listCount)}
                  {customer.plan && customer.plan.maxLists > 0 && <span className="muted"> / {formatNumber(customer.plan.maxLists)}</span>}
                </td>
                <td className="number">
                  {formatNumber(customer.memberCount)}
                  {customer.plan && customer.plan.maxMembers > 0 && <span className="muted"> / {formatNumber(customer.plan.maxMembers)}</span>}
                </td>
                <td>{customer.isActive ? "yes" : "no"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore pageInfo={connection?.pageInfo} loading={loading} onMore={(after) => void fetchMore({ variables: { after } })} />
      <h2>Hosting plans</h2>
      {plans.loading && !plans.data && <Loading what="plans" />}
      {plans.error && <ErrorView error={plans.error} retry={() => void plans.refetch()} />}
      {plans.data && plans.data.hostingPlans.nodes.length === 0 && <Empty>No hosting plans yet. A customer without a plan has no limits.</Empty>}
      {plans.data && plans.data.hostingPlans.nodes.length > 0 && (
        <table className="data-table compact">
          <thead>
            <tr>
              <th>Plan</th>
              <th className="number">Max lists</th>
              <th className="number">Lists per site</th>
              <th className="number">Sites</th>
              <th className="number">Members</th>
              <th className="number">Members per list</th>
            </tr>
          </thead>
          <tbody>
            {plans.data.hostingPlans.nodes.map((plan) => (
              <tr key={plan.id}>
                <td>{plan.name}</td>
                {[plan.maxLists, plan.maxListsPerSite, plan.maxSites, plan.maxMembers, plan.maxMembersPerList].map((limit, index) => (
                  <td key={index} className="number">
                    {limit === 0 ? "unlimited" : formatNumber(limit)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
