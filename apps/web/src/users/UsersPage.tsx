import { useMutation, useQuery } from "@apollo/client/react";
import { type FormEvent, useState } from "react";
import { Link } from "../app/router";
import { formatDateTime } from "../components/format";
import { ErrorView, Loading, LoadMore, UserErrors } from "../components/StateViews";
import { graphql } from "../gql";
import type { Role } from "../gql/graphql";

export const USERS = graphql(`
  query Users($after: String) {
    users(first: 100, after: $after) {
      totalCount
      nodes {
        id
        username
        role
        disabledAt
        createdAt
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const CREATE_USER = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      user {
        id
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const UPDATE_USER = graphql(`
  mutation UpdateUser($input: UpdateUserInput!) {
    updateUser(input: $input) {
      user {
        id
        role
        disabledAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const ROLES: Role[] = ["VIEWER", "OPERATOR", "ADMIN"];

function RoleOptions() {
  return ROLES.map((role) => (
    <option key={role} value={role}>
      {role.toLowerCase()}
    </option>
  ));
}

/** Who may sign in, for admins: add someone, change a role, reset a password, disable a user who left. */
export function UsersPage() {
  const { data, previousData, loading, error, refetch, fetchMore } = useQuery(USERS, { notifyOnNetworkStatusChange: true });
  const [update, updated] = useMutation(UPDATE_USER);
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<string | null>(null);
  const connection = (data ?? previousData)?.users;
  const change = (input: { id: string; role?: Role; disabled?: boolean }) => void update({ variables: { input } }).catch(() => null);

  return (
    <section className="page">
      <div className="page-head">
        <h1>Users</h1>
        <div className="actions">
          <button type="button" className="primary" onClick={() => setCreating(true)} disabled={creating}>
            New user
          </button>
        </div>
      </div>
      {creating && <CreateUserForm onDone={() => setCreating(false)} />}
      <UserErrors errors={updated.data?.updateUser.userErrors ?? []} />
      {updated.error && <p className="user-errors" role="alert">{updated.error.message}</p>}
      {!connection && loading && <Loading what="users" />}
      {error && <ErrorView error={error} retry={() => void refetch()} />}
      {connection && (
        <table className="data-table" aria-label="Users">
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th>Status</th>
              <th>Added</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {connection.nodes.map((user) => (
              <tr key={user.id} className={user.disabledAt ? "disabled" : undefined}>
                <td>{user.username}</td>
                <td>
                  <select aria-label={`Role of ${user.username}`} value={user.role} disabled={updated.loading} onChange={(event) => change({ id: user.id, role: event.target.value as Role })}>
                    <RoleOptions />
                  </select>
                </td>
                <td>{user.disabledAt ? `disabled ${formatDateTime(user.disabledAt)}` : "can sign in"}</td>
                <td>{formatDateTime(user.createdAt)}</td>
                <td className="row-actions">
                  <button type="button" disabled={updated.loading} onClick={() => change({ id: user.id, disabled: !user.disabledAt })}>
                    {user.disabledAt ? "Enable" : "Disable"}
                  </button>
                  <button type="button" onClick={() => setResetting(resetting === user.id ? null : user.id)}>
                    Reset password
                  </button>
                  <Link to={`/tokens?user=${encodeURIComponent(user.id)}&show=all`} className="button" aria-label={`API tokens of ${user.username}`}>
                    API tokens
                  </Link>
                  {resetting === user.id && <ResetPasswordForm userId={user.id} username={user.username} onDone={() => setResetting(null)} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore pageInfo={connection?.pageInfo} loading={loading} onMore={(after) => void fetchMore({ variables: { after } })} />
      <p className="muted">
        A disabled user cannot sign in: its browser sessions end, and its API tokens stop working until it is enabled again. A new password ends the user's sessions. listbill always keeps one admin who can sign in.
      </p>
    </section>
  );
}

function CreateUserForm({ onDone }: { onDone: () => void }) {
  const [values, setValues] = useState({ username: "", password: "", role: "VIEWER" as Role });
  const [create, { data, loading, error }] = useMutation(CREATE_USER, { refetchQueries: ["Users"] });
  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await create({ variables: { input: values } }).catch(() => null);
    if (result?.data?.createUser.user) onDone();
  }
  return (
    <form className="card form-grid" onSubmit={submit} aria-label="New user">
      <h2>New user</h2>
      <label>
        Username
        <input name="username" value={values.username} onChange={(event) => setValues({ ...values, username: event.target.value })} required autoComplete="off" />
      </label>
      <label>
        Password <span className="muted">(12 to 200 characters)</span>
        <input name="password" type="password" minLength={12} maxLength={200} value={values.password} onChange={(event) => setValues({ ...values, password: event.target.value })} required autoComplete="new-password" />
      </label>
      <label>
        Role
        <select name="role" value={values.role} onChange={(event) => setValues({ ...values, role: event.target.value as Role })}>
          <RoleOptions />
        </select>
      </label>
      <UserErrors errors={data?.createUser.userErrors ?? []} />
      {error && <p className="user-errors">{error.message}</p>}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={loading}>
          Create user
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ResetPasswordForm({ userId, username, onDone }: { userId: string; username: string; onDone: () => void }) {
  const [password, setPassword] = useState("");
  const [update, { data, loading, error }] = useMutation(UPDATE_USER);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await update({ variables: { input: { id: userId, password } } }).catch(() => null);
    if (result?.data?.updateUser.user) onDone();
  }
  return (
    <form className="inline-form" onSubmit={submit} aria-label={`Reset the password of ${username}`}>
      <input type="password" aria-label={`New password for ${username}`} minLength={12} maxLength={200} value={password} onChange={(event) => setPassword(event.target.value)} required autoComplete="new-password" />
      <button type="submit" className="primary" disabled={loading}>
        Set password
      </button>
      <UserErrors errors={data?.updateUser.userErrors ?? []} />
      {error && <p className="user-errors">{error.message}</p>}
    </form>
  );
}
