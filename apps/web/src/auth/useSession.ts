import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
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

/** Who is signed in (null: show the sign-in page), and how to sign out. */
export function useSession() {
  const client = useApolloClient();
  const { data, loading, error, refetch } = useQuery(ME);
  const [logout] = useMutation(LOGOUT);
  return {
    user: data?.me ?? null,
    loading,
    error,
    retry: () => void refetch(),
    async signOut() {
      await logout();
      // Nothing of the last user's data may stay in memory for the next one.
      await client.clearStore();
      await refetch();
    },
  };
}
