import { useMutation, useQuery } from "@apollo/client/react";
import { useState } from "react";
import { Link } from "../app/router";
import { formatNumber } from "../components/format";
import { Empty, ErrorView, Loading } from "../components/StateViews";
import { UsageBar } from "../components/UsageBar";
import { graphql } from "../gql";
import type { CustomerDetailQuery } from "../gql/graphql";
import { CustomerForm, type CustomerValues } from "./CustomerForm";

const CUSTOMER_DETAIL = graphql(`
  query CustomerDetail($id: ID!) {
    customer(id: $id) {
      id
      company
      contactName
      email
      isActive
      startDate
      endDate
      listCount
      memberCount
      plan {
        id
        name
        maxLists
        maxListsPerSite
        maxSites
        maxMembers
        maxMembersPerList
      }
      planHistory {
        startDate
        endDate
        plan {
          id
          name
        }
      }
      wholes: assignments(first: 100, filter: { scope: [SITE, SERVER] }) {
        totalCount
        nodes {
          id
          scope
          startDate
          endDate
          server {
            id
            name
          }
          site {
            id
            name
          }
        }
      }
      lists(first: 100) {
        totalCount
        nodes {
          id
          name
          memberCount
          server {
            id
            name
          }
          site {
            id
            name
          }
        }
      }
    }
  }
`);

const UPDATE_CUSTOMER = graphql(`
  mutation UpdateCustomer($input: UpdateCustomerInput!) {
    updateCustomer(input: $input) {
      customer {
        id
        company
        contactName
        email
        isActive
        startDate
        endDate
        plan {
          id
          name
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

type Customer = NonNullable<CustomerDetailQuery["customer"]>;

/** The first day of a customer's first plan period: billed from the start. */
const FIRST_DAY = "1970-01-01";

/** Usage of each plan limit, from the customer's lists (their sites counted per server). */
function planUsage(customer: Customer) {
  const perSite = new Map<string, number>();
  for (const list of customer.lists.nodes) {
    if (list.site) perSite.set(list.site.id, (perSite.get(list.site.id) ?? 0) + 1);
  }
  return {
    sites: perSite.size,
    busiestSite: Math.max(0, ...perSite.values()),
    biggestList: Math.max(0, ...customer.lists.nodes.map((list) => list.memberCount)),
  };
}

export function CustomerDetailPage({ id }: { id: string }) {
  const { data, loading, error, refetch } = useQuery(CUSTOMER_DETAIL, { variables: { id } });
  const [editing, setEditing] = useState(false);
  const [update, updated] = useMutation(UPDATE_CUSTOMER, { refetchQueries: ["CustomerDetail"] });
  if (loading && !data) return <Loading what="the customer" />;
  if (error) return <ErrorView error={error} retry={() => void refetch()} />;
  const customer = data?.customer;
  if (!customer) {
    return (
      <section className="page">
        <Empty>
          No such customer. <Link to="/customers">Back to Customers</Link>
        </Empty>
      </section>
    );
  }
  const usage = planUsage(customer);
  const plan = customer.plan;
  const partial = customer.lists.totalCount > customer.lists.nodes.length;

  async function save(values: CustomerValues) {
    // Absent keeps a value, null clears it: an emptied optional field becomes null. The plan is
    // sent only when it changed: a day alone is then the first day of the current plan.
    const orNull = (value: string) => (value.trim() === "" ? null : value.trim());
    const result = await update({
      variables: {
        input: { id, company: values.company, contactName: orNull(values.contactName), email: orNull(values.email), planId: values.planId === (plan?.id ?? null) ? undefined : values.planId, planStartDate: orNull(values.planStartDate), isActive: values.isActive, startDate: orNull(values.startDate), endDate: orNull(values.endDate) },
      },
    }).catch(() => null);
    if (result?.data?.updateCustomer.customer && !result.data.updateCustomer.userErrors.length) setEditing(false);
  }

  return (
    <section className="page">
      <p className="breadcrumb">
        <Link to="/customers">Customers</Link> /
      </p>
      <div className="page-head">
        <h1>
          {customer.company} {!customer.isActive && <span className="badge badge-idle">inactive</span>}
        </h1>
        <div className="actions">
          <button type="button" onClick={() => setEditing(true)} disabled={editing}>
            Edit
          </button>
          <Link to={`/lists?unassigned=1`} className="button">
            Assign lists
          </Link>
          <Link to={`/usage?customerId=${encodeURIComponent(customer.id)}`} className="button">
            Usage
          </Link>
        </div>
      </div>
      {editing && (
        <CustomerForm
          title="Edit customer"
          initial={{ company: customer.company, contactName: customer.contactName ?? "", email: customer.email ?? "", planId: customer.plan?.id ?? null, isActive: customer.isActive, startDate: customer.startDate ?? "", endDate: customer.endDate ?? "", planStartDate: "" }}
          planStart
          submitLabel="Save"
          busy={updated.loading}
          userErrors={updated.data?.updateCustomer.userErrors ?? []}
          onSubmit={(values) => void save(values)}
          onCancel={() => setEditing(false)}
        />
      )}
      {updated.error && <p className="user-errors" role="alert">{updated.error.message}</p>}
      <dl className="facts">
        <dt>Contact</dt>
        <dd>{customer.contactName ?? "—"}</dd>
        <dt>Email</dt>
        <dd>{customer.email ?? "—"}</dd>
        <dt>Plan</dt>
        <dd>{plan?.name ?? "no plan (no limits)"}</dd>
        <dt>Billing period</dt>
        <dd>
          {customer.startDate ?? "—"} to {customer.endDate ?? "open"}
        </dd>
      </dl>

      {customer.planHistory.length > 1 && (
        <>
          <h2>Plan history</h2>
          <p className="muted small">Each day's messages are billed at the plan of that day.</p>
          <table className="data-table compact" aria-label="Plan history">
            <thead>
              <tr>
                <th>Plan</th>
                <th>From</th>
                <th>Until</th>
              </tr>
            </thead>
            <tbody>
              {customer.planHistory.map((period) => (
                <tr key={period.startDate}>
                  <td>{period.plan?.name ?? "no plan"}</td>
                  <td>{period.startDate === FIRST_DAY ? "the start" : period.startDate}</td>
                  <td>{period.endDate ?? "current"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <h2>Plan usage</h2>
      {plan ? (
        <div className="usage-bars">
          <UsageBar label="Lists" used={customer.listCount} limit={plan.maxLists} />
          <UsageBar label="Members" used={customer.memberCount} limit={plan.maxMembers} />
          <UsageBar label="Sites" used={usage.sites} limit={plan.maxSites} />
          <UsageBar label="Lists on the busiest site" used={usage.busiestSite} limit={plan.maxListsPerSite} />
          <UsageBar label="Members of the biggest list" used={usage.biggestList} limit={plan.maxMembersPerList} />
          {partial && <p className="muted small">Site and per-list figures count the first {customer.lists.nodes.length} lists.</p>}
        </div>
      ) : (
        <Empty>No plan: nothing to measure against. Edit the customer to choose one.</Empty>
      )}

      <h2>Whole sites and servers ({formatNumber(customer.wholes.totalCount)})</h2>
      {customer.wholes.nodes.length === 0 ? (
        <Empty>No whole site or server assigned: assign one on its server's page; its lists then follow.</Empty>
      ) : (
        <table className="data-table compact">
          <thead>
            <tr>
              <th>Owns</th>
              <th>Server</th>
              <th>From</th>
              <th>Until</th>
            </tr>
          </thead>
          <tbody>
            {customer.wholes.nodes.map((whole) => (
              <tr key={whole.id} className={whole.endDate ? "removed" : undefined}>
                <td>{whole.scope === "SERVER" ? "the whole server" : `site ${whole.site?.name ?? "?"}`}</td>
                <td>{whole.server ? <Link to={`/servers/${encodeURIComponent(whole.server.id)}`}>{whole.server.name}</Link> : "—"}</td>
                <td>{whole.startDate}</td>
                <td>{whole.endDate === null ? "current" : whole.endDate < whole.startDate ? "never in effect (replaced before it began)" : whole.endDate}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Lists ({formatNumber(customer.lists.totalCount)})</h2>
      {customer.lists.nodes.length === 0 ? (
        <Empty>
          No lists yet. <Link to="/lists?unassigned=1">Assign unassigned lists</Link>
        </Empty>
      ) : (
        <table className="data-table compact">
          <thead>
            <tr>
              <th>List</th>
              <th>Server</th>
              <th>Site</th>
              <th className="number">Members</th>
            </tr>
          </thead>
          <tbody>
            {customer.lists.nodes.map((list) => (
              <tr key={list.id}>
                <td>{list.name}</td>
                <td>
                  <Link to={`/servers/${encodeURIComponent(list.server.id)}`}>{list.server.name}</Link>
                </td>
                <td>{list.site?.name ?? "—"}</td>
                <td className="number">{formatNumber(list.memberCount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
