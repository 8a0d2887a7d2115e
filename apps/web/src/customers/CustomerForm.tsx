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
}

export const EMPTY_CUSTOMER: CustomerValues = { company: "", contactName: "", email: "", planId: null, isActive: true, startDate: "", endDate: "" };

/** The same fields for create and edit; the page turns them into the mutation's input. */
export function CustomerForm({
  title,
  initial,
  submitLabel,
  busy,
  userErrors,
  onSubmit,
  onCancel,
}: {
  title: string;
  initial: CustomerValues;
  submitLabel: string;
  busy: boolean;
  userErrors: readonly { code: string; field?: readonly string[] | null; message: string }[];
  onSubmit: (values: CustomerValues) => void;
  onCancel?: () => void;
}) {
  const [values, setValues] = useState(initial);
  const errorFor = (name: string) => userErrors.filter((userError) => userError.field?.at(-1) === name).map((userError) => userError.message).join(" ");
  const general = userErrors.filter((userError) => !["company", "contactName", "email", "planId", "startDate", "endDate"].includes(userError.field?.at(-1) ?? ""));
  const text = (name: "company" | "contactName" | "email" | "startDate" | "endDate", label: string, type = "text") => {
    const message = errorFor(name);
    return (
      <label className={message ? "has-error" : undefined}>
        {label}
        <input name={name} type={type} value={values[name]} onChange={(event) => setValues({ ...values, [name]: event.target.value })} aria-invalid={message ? true : undefined} required={name === "company"} />
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
