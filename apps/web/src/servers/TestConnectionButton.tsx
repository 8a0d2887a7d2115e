import { useApolloClient } from "@apollo/client/react";
import { useState } from "react";
import { graphql } from "../gql";
import type { TestServerConnectionMutation } from "../gql/graphql";

const TEST_CONNECTION = graphql(`
  mutation TestServerConnection($input: TestServerConnectionInput!) {
    testServerConnection(input: $input) {
      ok
      reason
      message
      version
      latencyMs
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** Connects to the agent now; says how it went with the typed reason (UNREACHABLE, AUTH_FAILED, HOST_NOT_ALLOWED). */
// client.mutate, not useMutation: a thousand rows each holding a mutation hook cost render time
// for a button most rows never use.
export function TestConnectionButton({ serverId, serverName }: { serverId: string; serverName: string }) {
  const client = useApolloClient();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [payload, setPayload] = useState<TestServerConnectionMutation["testServerConnection"] | null>(null);
  async function test() {
    setLoading(true);
    setError(null);
    try {
      const result = await client.mutate({ mutation: TEST_CONNECTION, variables: { input: { id: serverId } } });
      setPayload(result.data?.testServerConnection ?? null);
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setLoading(false);
    }
  }
  return (
    <span className="test-connection">
      <button type="button" className="small" disabled={loading} onClick={() => void test()} aria-label={`Test connection to ${serverName}`}>
        {loading ? "Testing…" : "Test"}
      </button>
      {error && <span className="test-result test-bad">{error.message}</span>}
      {payload?.ok === true && (
        <span className="test-result test-ok" title={`ListManager ${payload.version ?? "?"}`}>
          OK · {payload.latencyMs} ms
        </span>
      )}
      {payload?.ok === false && (
        <span className="test-result test-bad" title={payload.message ?? undefined}>
          {payload.reason?.replaceAll("_", " ").toLowerCase()}: {payload.message}
        </span>
      )}
      {payload?.userErrors.map((userError) => (
        <span key={userError.code} className="test-result test-bad">
          {userError.message}
        </span>
      ))}
    </span>
  );
}
