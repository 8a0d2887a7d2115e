import { type FormEvent, useState } from "react";
import { UserErrors } from "../components/StateViews";
import { PlanSelect } from "./PlanSelect";

export interface CustomerValues {
  company: string;
  contactName: string;
  email: string;
  planId: string | null;
  isActive: boolean;
  startDate: string;
  endDate: string;
  /** Editing only: the first day the plan bills ("" for today). */
  planStartDate: string;
}

export const EMPTY_CUSTOMER: CustomerValues = { company: "", contactName: "", email: "", planId: null, isActive: true, startDate: "", endDate: "", planStartDate: "" };

/** The same fields for create and edit; the page turns them into the mutation's input. */
export function CustomerForm({
  title,
  initial,
  submitLabel,
  busy,
  userErrors,
  onSubmit,
  onCancel,
  planStart = false,
}: {
  title: string;
  initial: CustomerValues;
  submitLabel: string;
  busy: boolean;
  userErrors: readonly { code: string; field?: readonly string[] | null; message: string }[];
  onSubmit: (values: CustomerValues) => void;
  onCancel?: () => void;
  /** Offer the day the plan bills from (editing: a plan set late, or set wrong, is back-dated). */
  planStart?: boolean;
}) {
  const [values, setValues] = useState(initial);
  const errorFor = (name: string) => userErrors.filter((userError) => userError.field?.at(-1) === name).map((userError) => userError.message).join(" ");
  const general = userErrors.filter((userError) => !["company", "contactName", "email", "planId", "planStartDate", "startDate", "endDate"].includes(userError.field?.at(-1) ?? ""));
  const text = (name: "company" | "contactName" | "email" | "startDate" | "endDate" | "planStartDate", label: string, type = "text", extra: { max?: string; hint?: string } = {}) => {
    const message = errorFor(name);
    return (
      <label className={message ? "has-error" : undefined}>
        {label}
        <input name={name} type={type} max={extra.max} value={values[name]} onChange={(event) => setValues({ ...values, [name]: event.target.value })} aria-invalid={message ? true : undefined} required={name === "company"} />
        {extra.hint && <span className="muted">{extra.hint}</span>}
        {message && <span className="field-error">{message}</span>}
      </label>
    );
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(values);
  };
  return (
    <form className="card form-grid" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      {text("company", "Company")}
      {text("contactName", "Contact name")}
      {text("email", "Email", "email")}
      <label className={errorFor("planId") ? "has-error" : undefined}>
        Plan
        <PlanSelect value={values.planId} onChange={(planId) => setValues({ ...values, planId })} />
        {errorFor("planId") && <span className="field-error">{errorFor("planId")}</span>}
      </label>
      {planStart &&
        text("planStartDate", "Plan bills from", "date", {
          max: new Date().toISOString().slice(0, 10),
          hint: "Days in UTC. Empty: a new plan bills from today. An earlier day bills the messages sent since at this plan, in place of the plans of those days; for the current plan, a later day starts it later.",
        })}
      {text("startDate", "Start date", "date")}
      {text("endDate", "End date", "date")}
      <label className="checkbox">
        <input type="checkbox" checked={values.isActive} onChange={(event) => setValues({ ...values, isActive: event.target.checked })} /> Active
      </label>
      <UserErrors errors={general} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Saving…" : submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
