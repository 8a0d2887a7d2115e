import { useQuery, useSubscription } from "@apollo/client/react";
import { useState } from "react";
import { graphql } from "../gql";

export const JOB_FIELDS = graphql(`
  fragment JobFields on Job {
    id
    kind
    state
    progress
    trigger
    actor
    input
    result
    error
    createdAt
    startedAt
    finishedAt
    server {
      id
      name
    }
  }
`);

const JOB_UPDATED = graphql(`
  subscription JobUpdated($id: ID!) {
    jobUpdated(id: $id) {
      ...JobFields
    }
  }
`);

const JOB = graphql(`
  query JobById($id: ID!) {
    job(id: $id) {
      ...JobFields
    }
  }
`);

const POLL_MS = 1000;
const FINISHED = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);

/**
 * A job as it runs. The jobUpdated subscription pushes each change of state or progress;
 * when the socket cannot be had (a proxy that drops WebSockets, a lost connection) the job
 * is polled every second instead. Both write the same normalized Job into the cache, so every
 * view of that job moves together.
 */
export function useJobWatch(id: string) {
  const [socketFailed, setSocketFailed] = useState(false);
  const polled = useQuery(JOB, { variables: { id } });
  const job = polled.data?.job ?? null;
  const finished = job !== null && FINISHED.has(job.state);
  useSubscription(JOB_UPDATED, {
    variables: { id },
    skip: finished || socketFailed,
    onError: () => setSocketFailed(true),
  });
  const polling = socketFailed && !finished;
  useQuery(JOB, { variables: { id }, skip: !polling, pollInterval: POLL_MS, fetchPolicy: "network-only" });
  return { job, finished, error: polled.error, live: !socketFailed };
}
