import { useMutation } from "@apollo/client/react";
import { type FormEvent, useState } from "react";
import { graphql } from "../gql";

const CREATE_SERVER = graphql(`
  mutation CreateServer($input: CreateServerInput!) {
    createServer(input: $input) {
      server {
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

const EMPTY = { name: "", hostName: "", port: "2021", password: "", comments: "", autoSync: false, tls: false };

/** The field a userError names: ["input", "hostName"] → hostName. */
function fieldOf(field: readonly string[] | null | undefined): string {
  return field?.[field.length - 1] ?? "";
}

export function CreateServerForm({ onCreated, onCancel }: { onCreated: (name: string) => void; onCancel: () => void }) {
  const [values, setValues] = useState(EMPTY);
  const [create, { data, loading, error }] = useMutation(CREATE_SERVER, { refetchQueries: ["Servers"] });
  const userErrors = data?.createServer.userErrors ?? [];
  const errorFor = (name: string) => userErrors.filter((userError) => fieldOf(userError.field) === name).map((userError) => userError.message).join(" ");
  const general = userErrors.filter((userError) => !["name", "hostName", "port", "password", "comments"].includes(fieldOf(userError.field)));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const port = values.port.trim() === "" ? undefined : Number(values.port);
    const input = {
      name: values.name,
      hostName: values.hostName,
      port: port !== undefined && Number.isFinite(port) ? port : undefined,
      password: values.password === "" ? undefined : values.password,
      comments: values.comments === "" ? undefined : values.comments,
      autoSync: values.autoSync,
      tls: values.tls,
    };
    const result = await create({ variables: { input } }).catch(() => null);
    const created = result?.data?.createServer.server;
    if (created) {
      setValues(EMPTY);
      onCreated(created.name);
    }
  }

  const field = (name: "name" | "hostName" | "port" | "password" | "comments", label: string, extra: Record<string, string> = {}) => {
    const message = errorFor(name);
    return (
      <label className={message ? "has-error" : undefined}>
        {label}
        <input name={name} value={values[name]} onChange={(event) => setValues({ ...values, [name]: event.target.value })} aria-invalid={message ? true : undefined} {...extra} />
        {message && <span className="field-error">{message}</span>}
      </label>
    );
  };

  return (
    <form className="card form-grid" onSubmit={submit} aria-label="Create New Server">
      <h2>Create New Server</h2>
      {field("name", "Name", { required: "", placeholder: "lists-east-1" })}
      {field("hostName", "Host Name", { required: "", placeholder: "lists.example.com or 10.0.0.5" })}
      {field("port", "Port", { inputMode: "numeric" })}
      {field("password", "Agent password", { type: "password", placeholder: "ListManager's default", autoComplete: "new-password" })}
      {field("comments", "Comments")}
      <label className="checkbox">
        <input type="checkbox" checked={values.autoSync} onChange={(event) => setValues({ ...values, autoSync: event.target.checked })} /> Auto-Sync
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={values.tls} onChange={(event) => setValues({ ...values, tls: event.target.checked })} /> TLS (the agent serves with --tls-cert)
      </label>
      {general.length > 0 && (
        <ul className="user-errors" role="alert">
          {general.map((userError) => (
            <li key={userError.code + userError.message}>{userError.message}</li>
          ))}
        </ul>
      )}
      {error && <p className="user-errors" role="alert">{error.message}</p>}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={loading}>
          {loading ? "Creating…" : "Create Server"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
