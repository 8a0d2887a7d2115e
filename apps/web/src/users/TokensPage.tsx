import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "../app/router";
import { fetchAllPages } from "../components/fetchAllPages";
import { formatDateTime, isoDay } from "../components/format";
import { Empty, ErrorView, Loading, LoadMore, UserErrors } from "../components/StateViews";
import { graphql } from "../gql";
import type { ApiTokenFilter, ApiTokensQuery } from "../gql/graphql";
import { USERS } from "./UsersPage";

const API_TOKENS = graphql(`
  query ApiTokens($after: String, $filter: ApiTokenFilter) {
    apiTokens(first: 100, after: $after, filter: $filter) {
      totalCount
      nodes {
        id
        name
        active
        createdAt
        expiresAt
        revokedAt
        lastUsedAt
        user {
          id
          username
          role
          disabledAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const CREATE_API_TOKEN = graphql(`
  mutation CreateApiToken($input: CreateApiTokenInput!) {
    createApiToken(input: $input) {
      token
      apiToken {
        id
        name
        user {
          username
          role
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

const REVOKE_API_TOKEN = graphql(`
  mutation RevokeApiToken($input: RevokeApiTokenInput!) {
    revokeApiToken(input: $input) {
      apiToken {
        id
        active
        revokedAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type TokenRow = ApiTokensQuery["apiTokens"]["nodes"][number];
type UserOption = { id: string; username: string; role: string; disabledAt?: string | null };

/** A token just made: its secret lives only in this page's memory until the admin says it is stored. */
interface Issued {
  token: string;
  name: string;
  username: string;
  role: string;
}

/** How long a usable token may go unused before "unused" lists it: a script that runs monthly still shows as used. */
const UNUSED_DAYS = 90;
const SHOWN = { active: "usable", unused: `usable, unused for ${UNUSED_DAYS} days`, all: "all", inactive: "revoked or expired" } as const;
type Shown = keyof typeof SHOWN;

/** Every user, for choosing whom a token acts as and for filtering by user. */
function useAllUsers(): { users: UserOption[]; error: unknown } {
  const client = useApolloClient();
  const [users, setUsers] = useState<UserOption[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    fetchAllPages(client, USERS, {}, (data) => data.users).then(
      (all) => live && setUsers(all),
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [client]);
  return { users, error };
}

/** The credentials of scripts and tools, for admins: issue one for a user, see which are used, revoke one. */
export function TokensPage() {
  const [params, setParams] = useSearchParams();
  const shown = (params.get("show") as Shown | null) ?? "active";
  const userId = params.get("user") ?? "";
  const filter = useMemo<ApiTokenFilter>(() => {
    const status = shown === "all" ? {} : shown === "unused" ? { active: true, unusedSince: new Date(Date.now() - UNUSED_DAYS * 86_400_000).toISOString() } : { active: shown === "active" };
    return { ...status, ...(userId ? { userId } : {}) };
  }, [shown, userId]);
  const { data, previousData, loading, error, refetch, fetchMore } = useQuery(API_TOKENS, {
    variables: { filter },
    // A token revoked, expired or used since a filter was last shown: each visit asks again.
    fetchPolicy: "cache-and-network",
    notifyOnNetworkStatusChange: true,
  });
  const { users, error: usersError } = useAllUsers();
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<Issued | null>(null);
  const connection = (data ?? previousData)?.apiTokens;

  return (
    <section className="page">
      <div className="page-head">
        <h1>API tokens</h1>
        <div className="actions">
          <button type="button" className="primary" onClick={() => setCreating(true)} disabled={creating}>
            New token
          </button>
        </div>
      </div>
      <p className="muted">
        A script or tool sends its token as <code>Authorization: Bearer …</code> and acts as the token's user, with that user's role. Give each script its own token, so that one can be revoked without stopping the others.
      </p>
      {usersError ? <ErrorView error={usersError} /> : null}
      {creating && (
        <CreateTokenForm
          users={users}
          onCancel={() => setCreating(false)}
          onIssued={(made) => {
            setCreating(false);
            setIssued(made);
          }}
        />
      )}
      {issued && <IssuedToken issued={issued} onDone={() => setIssued(null)} />}
      <div className="filters">
        <select aria-label="Show" value={shown} onChange={(event) => setParams({ show: event.target.value === "active" ? null : event.target.value })}>
          {Object.entries(SHOWN).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <select aria-label="User" value={userId} onChange={(event) => setParams({ user: event.target.value })}>
          <option value="">Every user</option>
          {users.map((user) => (
            <option key={user.id} value={user.id}>
              {user.username}
            </option>
          ))}
        </select>
        {connection && <span className="muted count">{connection.totalCount} tokens</span>}
      </div>
      {!connection && loading && <Loading what="API tokens" />}
      {error && <ErrorView error={error} retry={() => void refetch()} />}
      {connection && connection.nodes.length === 0 && <Empty>{shown === "active" ? "No usable token. A script needs one to call the API: click New token." : "No token matches these filters."}</Empty>}
      {connection && connection.nodes.length > 0 && (
        <table className="data-table" aria-label="API tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>Acts as</th>
              <th>Status</th>
              <th>Created</th>
              <th>Expires</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {connection.nodes.map((token) => (
              <TokenRowView key={token.id} token={token} />
            ))}
          </tbody>
        </table>
      )}
      <LoadMore pageInfo={connection?.pageInfo} loading={loading} onMore={(after) => void fetchMore({ variables: { after } })} />
    </section>
  );
}

/** Whether the token works now, and if not, why not. */
function tokenStatus(token: TokenRow): string {
  if (token.revokedAt) return `revoked ${formatDateTime(token.revokedAt)}`;
  if (!token.active) return `expired ${formatDateTime(token.expiresAt)}`;
  if (token.user.disabledAt) return `refused: ${token.user.username} is disabled`;
  return "usable";
}

function TokenRowView({ token }: { token: TokenRow }) {
  const [confirming, setConfirming] = useState(false);
  const [revoke, { data, loading, error }] = useMutation(REVOKE_API_TOKEN);
  const works = token.active && !token.user.disabledAt;
  return (
    <tr className={works ? undefined : "disabled"}>
      <td>{token.name}</td>
      <td>
        {token.user.username} <span className="muted">({token.user.role.toLowerCase()})</span>
      </td>
      <td>{tokenStatus(token)}</td>
      <td>{formatDateTime(token.createdAt)}</td>
      <td>{token.expiresAt ? formatDateTime(token.expiresAt) : "never"}</td>
      <td>{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : "never"}</td>
      <td className="row-actions">
        {!token.revokedAt && !confirming && (
          <button type="button" onClick={() => setConfirming(true)}>
            Revoke
          </button>
        )}
        {!token.revokedAt && confirming && (
          <span className="inline-form" role="group" aria-label={`Revoke ${token.name}`}>
            <span>Scripts using it stop working at once.</span>
            <button type="button" className="danger" disabled={loading} onClick={() => void revoke({ variables: { input: { id: token.id } } }).catch(() => null)}>
              Revoke it
            </button>
            <button type="button" disabled={loading} onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </span>
        )}
        <UserErrors errors={data?.revokeApiToken.userErrors ?? []} />
        {error && <p className="user-errors">{error.message}</p>}
      </td>
    </tr>
  );
}

function CreateTokenForm({ users, onCancel, onIssued }: { users: UserOption[]; onCancel: () => void; onIssued: (issued: Issued) => void }) {
  const [values, setValues] = useState({ name: "", userId: "", until: "" });
  const [create, { data, loading, error }] = useMutation(CREATE_API_TOKEN, { refetchQueries: ["ApiTokens"] });
  const enabled = users.filter((user) => !user.disabledAt);
  async function submit(event: FormEvent) {
    event.preventDefault();
    // The end of the chosen day, UTC: "works until 2027-01-31" keeps working through that day.
    const expiresAt = values.until ? `${values.until}T23:59:59.999Z` : null;
    const result = await create({ variables: { input: { name: values.name, userId: values.userId, expiresAt } } }).catch(() => null);
    const made = result?.data?.createApiToken;
    if (made?.token && made.apiToken) onIssued({ token: made.token, name: made.apiToken.name, username: made.apiToken.user.username, role: made.apiToken.user.role });
  }
  return (
    <form className="card form-grid" onSubmit={submit} aria-label="New API token">
      <h2>New API token</h2>
      <label>
        Name <span className="muted">(what it is for)</span>
        <input name="name" maxLength={100} value={values.name} placeholder="nightly bulk fix" onChange={(event) => setValues({ ...values, name: event.target.value })} required autoComplete="off" />
      </label>
      <label>
        Acts as
        <select name="userId" value={values.userId} onChange={(event) => setValues({ ...values, userId: event.target.value })} required>
          <option value="">Choose a user…</option>
          {enabled.map((user) => (
            <option key={user.id} value={user.id}>
              {user.username} ({user.role.toLowerCase()})
            </option>
          ))}
        </select>
      </label>
      <label>
        Works until <span className="muted">(the end of that day, UTC; empty: no end)</span>
        <input name="until" type="date" min={isoDay()} value={values.until} onChange={(event) => setValues({ ...values, until: event.target.value })} />
      </label>
      <UserErrors errors={data?.createApiToken.userErrors ?? []} />
      {error && <p className="user-errors">{error.message}</p>}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={loading}>
          Create token
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The one time a token can be seen: copy it, then say so, and it is gone from the page. */
function IssuedToken({ issued, onDone }: { issued: Issued; onDone: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "select" | null>(null);
  async function copy() {
    field.current?.select();
    try {
      await navigator.clipboard.writeText(issued.token);
      setCopied("yes");
    } catch {
      // No clipboard for this page (an insecure origin, or permission refused): the text is selected.
      setCopied("select");
    }
  }
  const graphqlUrl = `${location.origin}/graphql`;
  return (
    <div className="card issued-token" role="region" aria-label="New token">
      <h2>
        Token “{issued.name}”, acting as {issued.username} ({issued.role.toLowerCase()})
      </h2>
      <p>
        <strong>Copy it now:</strong> listbill keeps only a hash of it and cannot show it again. If it is lost, revoke it and make another.
      </p>
      <div className="inline-form">
        <input ref={field} className="token-text" readOnly value={issued.token} aria-label="The new token" onFocus={(event) => event.target.select()} />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
        {copied === "yes" && <span role="status">Copied.</span>}
        {copied === "select" && <span role="status">Selected: press Ctrl+C (⌘C) to copy.</span>}
      </div>
      <p className="muted">A script sends it on every request, for example:</p>
      <pre className="example">{`curl -s ${graphqlUrl} \\\n  -H 'Authorization: Bearer ${issued.token}' \\\n  -H 'Content-Type: application/json' \\\n  --data '{"query":"{ me { username role } }"}'`}</pre>
      <div className="form-actions">
        <button type="button" className="primary" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </div>
  );
}
