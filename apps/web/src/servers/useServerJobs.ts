import { useMutation } from "@apollo/client/react";
import { useState } from "react";
import { graphql } from "../gql";
import { useJobBatches } from "../jobs/JobBatches";

const VALIDATE_SERVERS = graphql(`
  mutation ValidateServers($input: ValidateServersInput!) {
    validateServers(input: $input) {
      jobs {
        id
        server {
          id
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

const SYNC_SERVERS = graphql(`
  mutation SyncServers($input: SyncServersInput!) {
    syncServers(input: $input) {
      jobs {
        id
        server {
          id
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

type Target = { all: true } | { serverIds: string[] };

/** Validate and Sync as the operator starts them: queue the jobs, then watch them in the tray. */
export function useServerJobs() {
  const { track } = useJobBatches();
  const [problem, setProblem] = useState<string | null>(null);
  const [validate, validating] = useMutation(VALIDATE_SERVERS);
  const [sync, syncing] = useMutation(SYNC_SERVERS);

  async function run(kind: "VALIDATE" | "SYNC", target: Target, label: string) {
    setProblem(null);
    try {
      const input = "all" in target ? { all: true } : { serverIds: target.serverIds };
      const result = kind === "VALIDATE" ? (await validate({ variables: { input } })).data?.validateServers : (await sync({ variables: { input } })).data?.syncServers;
      if (!result) return;
      if (result.userErrors.length) {
        setProblem(result.userErrors.map((error) => error.message).join(" "));
        return;
      }
      const jobIds = result.jobs.map((job) => job.id);
      const serverIds = result.jobs.flatMap((job) => (job.server ? [job.server.id] : []));
      if (!jobIds.length) {
        setProblem("There are no servers to do this for.");
        return;
      }
      track({ kind, label, jobIds, serverIds });
    } catch (error) {
      setProblem((error as Error).message);
    }
  }

  return {
    problem,
    busy: validating.loading || syncing.loading,
    validateAll: () => run("VALIDATE", { all: true }, "Validating all servers"),
    validate: (serverIds: string[]) => run("VALIDATE", { serverIds }, `Validating ${serverIds.length} server${serverIds.length === 1 ? "" : "s"}`),
    sync: (serverIds: string[]) => run("SYNC", { serverIds }, `Syncing ${serverIds.length} server${serverIds.length === 1 ? "" : "s"}`),
  };
}
