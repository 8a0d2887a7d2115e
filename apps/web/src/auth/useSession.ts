import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { useEffect, useRef } from "react";
import { graphql } from "../gql";

const ME = graphql(`
  query Me {
    me {
      id
      username
      role
    }
  }
`);

const LOGOUT = graphql(`
  mutation Logout {
    logout
  }
`);

/**
 * How often an open page asks who is signed in: a page left open signs itself out within this
 * long of an admin disabling its user or resetting the password, or of the session expiring,
 * even if nobody touches it. Also asked when the tab comes back into view.
 */
export const SESSION_CHECK_MS = 60_000;

/** Who is signed in (null: show the sign-in page), and how to sign out. */
export function useSession() {
  const client = useApolloClient();
  // The checks after the first answer happen quietly: no loading state (it would replace the
  // sign-in form, and what was typed in it, with a spinner every minute).
  const { data, loading, error, refetch } = useQuery(ME, { pollInterval: SESSION_CHECK_MS, notifyOnNetworkStatusChange: false });
  const [logout] = useMutation(LOGOUT);
  // undefined: not answered yet (or the store was cleared); null: nobody is signed in.
  const me = data?.me;
  const wasSignedIn = useRef<string | null>(null);
  useEffect(() => {
    if (me === undefined) return;
    const now = me?.id ?? null;
    // Signed out, or another user signed in from another tab, behind the page's back: nothing
    // the last user read stays in memory for the next one.
    if (wasSignedIn.current !== null && now !== wasSignedIn.current) void (now === null ? client.clearStore() : client.resetStore()).catch(() => undefined);
    wasSignedIn.current = now;
  }, [me, client]);
  useEffect(() => {
    const look = () => {
      if (document.visibilityState === "visible") void refetch().catch(() => undefined);
    };
    document.addEventListener("visibilitychange", look);
    return () => document.removeEventListener("visibilitychange", look);
  }, [refetch]);
  return {
    user: data?.me ?? null,
    loading,
    // Only before the first answer: a check that fails later (the API restarting) leaves the page
    // as it is, and the next one tries again.
    error: data === undefined ? error : undefined,
    retry: () => void refetch(),
    async signOut() {
      await logout();
      // Nothing of the last user's data may stay in memory for the next one.
      await client.clearStore();
      await refetch();
    },
  };
}

/** The signed-in user as App's useSession last read it, from the cache: for a page that only needs the role. */
export function useSignedInUser() {
  return useQuery(ME, { fetchPolicy: "cache-only" }).data?.me ?? null;
}
