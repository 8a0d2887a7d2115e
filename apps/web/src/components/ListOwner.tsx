import { Link } from "../app/router";

const THROUGH: Record<string, string> = { SITE: "through its site", SERVER: "through its server" };

/** A list's owner, linked, and how the owner holds it when not directly; "unassigned" when none. */
export function ListOwner({ customer, ownedThrough }: { customer?: { id: string; company: string } | null; ownedThrough?: string | null }) {
  if (!customer) return <span className="muted">unassigned</span>;
  const through = ownedThrough ? THROUGH[ownedThrough] : undefined;
  return (
    <>
      <Link to={`/customers/${encodeURIComponent(customer.id)}`}>{customer.company}</Link>
      {through && <span className="muted small"> {through}</span>}
    </>
  );
}
