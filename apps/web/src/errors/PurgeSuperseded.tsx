import { useMutation } from "@apollo/client/react";
import { useEffect, useRef, useState } from "react";
import { formatNumber, isoDay } from "../components/format";
import { UserErrors } from "../components/StateViews";
import { graphql } from "../gql";

const PURGE = graphql(`
  mutation PurgeValidationErrors($input: PurgeValidationErrorsInput!) {
    purgeValidationErrors(input: $input) {
      deleted
      hasMore
      remaining
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** Rows a call deletes: each call is one transaction, so the page shows progress between them. */
const PER_CALL = 10_000;

type Progress = { state: "idle" } | { state: "deleting"; deleted: number; of: number } | { state: "done"; deleted: number; stopped: boolean };

/**
 * For admins: delete the errors a later validation replaced before a day, of one server or all.
 * Re-validating a fleet leaves a row for every error it replaced; they stay until someone asks
 * for this. Mount it with `key={serverId}`: another server is another panel.
 */
export function PurgeSuperseded({ serverId, onClose, onDeleted }: { serverId: string | null; onClose: () => void; onDeleted: () => void }) {
  const [supersededBefore, setSupersededBefore] = useState(isoDay(30));
  const [count, counting] = useMutation(PURGE);
  const [purge] = useMutation(PURGE);
  const [progress, setProgress] = useState<Progress>({ state: "idle" });
  const [problem, setProblem] = useState<string | null>(null);
  // Set by Stop, and when the panel goes: the loop ends after the call in flight.
  const stop = useRef(false);
  useEffect(() => {
    stop.current = false;
    return () => {
      stop.current = true;
    };
  }, []);
  const scope = serverId ? { serverIds: [serverId] } : {};
  const recount = () => (supersededBefore ? count({ variables: { input: { supersededBefore, ...scope, dryRun: true } } }).catch(() => null) : Promise.resolve(null));

  useEffect(() => {
    void recount();
  }, [supersededBefore]); // the one input recount reads that can change (serverId is fixed by the key)
  const counted = counting.data?.purgeValidationErrors;
  const found = progress.state === "deleting" ? null : (counted?.remaining ?? null);

  async function deleteThem() {
    setProblem(null);
    stop.current = false;
    const of = found ?? 0;
    let deleted = 0;
    setProgress({ state: "deleting", deleted, of });
    try {
      for (;;) {
        const result = (await purge({ variables: { input: { supersededBefore, ...scope, limit: PER_CALL } } })).data?.purgeValidationErrors;
        if (!result || result.userErrors.length || typeof result.deleted !== "number") {
          setProblem(result?.userErrors.map((error) => error.message).join("; ") || "The API deleted nothing");
          break;
        }
        deleted += result.deleted;
        setProgress({ state: "deleting", deleted, of });
        // Another purge at once may hold the last rows: a call that deletes none ends it too.
        if (!result.hasMore || result.deleted === 0 || stop.current) break;
      }
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
    const stopped = stop.current;
    setProgress({ state: "done", deleted, stopped });
    await recount();
    onDeleted();
  }

  return (
    <div className="card form-grid" role="region" aria-label="Delete superseded errors">
      <h2>Delete superseded errors</h2>
      <p className="muted form-note">
        A later validation replaced each of them. Open, fixed and ignored errors stay, and so do LIST_RECREATED ones (their fix dates from the first report). {serverId ? "Only the selected server's." : "Every server's."}
      </p>
      <label>
        Superseded before
        <input type="date" value={supersededBefore} max={isoDay(-1)} onChange={(event) => setSupersededBefore(event.target.value)} disabled={progress.state === "deleting"} required />
      </label>
      <UserErrors errors={counted?.userErrors ?? []} />
      {counting.error && <p className="user-errors" role="alert">Could not count them: {counting.error.message}</p>}
      {counting.loading && progress.state !== "deleting" && <p role="status">Counting…</p>}
      {!counting.loading && found !== null && <p role="status">{found === 0 ? "No error superseded before that day is left." : `${formatNumber(found)} errors superseded before ${supersededBefore}.`}</p>}
      {progress.state === "deleting" && (
        <p role="status">
          Deleted {formatNumber(progress.deleted)} of {formatNumber(progress.of)}…
        </p>
      )}
      {progress.state === "done" && <p role="status">{progress.stopped ? `Stopped after deleting ${formatNumber(progress.deleted)} superseded errors.` : `Deleted ${formatNumber(progress.deleted)} superseded errors.`}</p>}
      {problem && <p className="user-errors" role="alert">{problem}</p>}
      <div className="form-actions">
        {progress.state === "deleting" ? (
          <button type="button" onClick={() => (stop.current = true)}>
            Stop
          </button>
        ) : (
          <button type="button" className="danger" disabled={!found} onClick={() => void deleteThem()}>
            {found ? `Delete ${formatNumber(found)} errors` : "Delete"}
          </button>
        )}
        <button type="button" onClick={onClose} disabled={progress.state === "deleting"}>
          Close
        </button>
      </div>
    </div>
  );
}
