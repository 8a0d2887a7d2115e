import { useApolloClient, useMutation } from "@apollo/client/react";
import { type FormEvent, useState } from "react";
import { UserErrors } from "../components/StateViews";
import { graphql } from "../gql";

const LOGIN = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      user {
        id
        username
        role
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** The session comes back as an httpOnly cookie; the page only learns who signed in. */
export function SignInPage() {
  const client = useApolloClient();
  const [username, setUsername] = useState("admin");
  const [password, setPassword] = useState("");
  const [login, { data, loading, error }] = useMutation(LOGIN);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await login({ variables: { input: { username, password } } }).catch(() => null);
    if (result?.data?.login.user) await client.resetStore();
  }

  return (
    <main className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} aria-label="Sign in">
        <h1>listbill</h1>
        <p className="muted">Billing for your ListManager hosting fleet</p>
        <label>
          Username
          <input name="username" autoComplete="username" value={username} onChange={(event) => setUsername(event.target.value)} required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} required autoFocus />
        </label>
        <UserErrors errors={data?.login.userErrors ?? []} />
        {error && <p className="user-errors" role="alert">{error.message}</p>}
        <button type="submit" className="primary" disabled={loading}>
          {loading ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
