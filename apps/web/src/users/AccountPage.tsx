import { useMutation } from "@apollo/client/react";
import { type FormEvent, useState } from "react";
import { UserErrors } from "../components/StateViews";
import { graphql } from "../gql";

const CHANGE_PASSWORD = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      changed
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** The signed-in user's own account: its password. */
export function AccountPage({ username }: { username: string }) {
  const [values, setValues] = useState({ currentPassword: "", newPassword: "", repeated: "" });
  const [mismatch, setMismatch] = useState(false);
  const [changePassword, { data, loading, error }] = useMutation(CHANGE_PASSWORD);
  const result = data?.changePassword;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setMismatch(values.newPassword !== values.repeated);
    if (values.newPassword !== values.repeated) return;
    const done = await changePassword({ variables: { input: { currentPassword: values.currentPassword, newPassword: values.newPassword } } }).catch(() => null);
    if (done?.data?.changePassword.changed) setValues({ currentPassword: "", newPassword: "", repeated: "" });
  }

  return (
    <section className="page">
      <h1>Your account</h1>
      <p>
        Signed in as <strong>{username}</strong>.
      </p>
      <form className="card form-grid" onSubmit={submit} aria-label="Change your password">
        <h2>Change your password</h2>
        <label>
          Current password
          <input name="currentPassword" type="password" value={values.currentPassword} onChange={(event) => setValues({ ...values, currentPassword: event.target.value })} required autoComplete="current-password" />
        </label>
        <label>
          New password <span className="muted">(12 to 200 characters)</span>
          <input name="newPassword" type="password" minLength={12} maxLength={200} value={values.newPassword} onChange={(event) => setValues({ ...values, newPassword: event.target.value })} required autoComplete="new-password" />
        </label>
        <label>
          New password again
          <input name="repeated" type="password" value={values.repeated} onChange={(event) => setValues({ ...values, repeated: event.target.value })} required autoComplete="new-password" />
        </label>
        {mismatch && (
          <p className="user-errors" role="alert">
            The two new passwords differ.
          </p>
        )}
        <UserErrors errors={result?.userErrors ?? []} />
        {error && <p className="user-errors">{error.message}</p>}
        {result?.changed && (
          <p role="status">Your password is changed. You stay signed in here; your sessions in other browsers have ended.</p>
        )}
        {result && !result.changed && result.userErrors.length === 0 && <p role="status">That is your password already: nothing changed.</p>}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={loading}>
            Change password
          </button>
        </div>
      </form>
    </section>
  );
}
