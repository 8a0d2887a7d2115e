import { useMutation } from "@apollo/client/react";
import { useEffect, useState } from "react";
import { formatNumber, isoDay } from "../components/format";
import { UserErrors } from "../components/StateViews";
import { graphql } from "../gql";

const PURGE = graphql(`
  mutation PurgeValidationErrors($input: PurgeValidationErrorsInput!) {
    purgeValidationErrors(input: $input) {
      deleted
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

type Progress = { state: "idle" } | { state: "deleting"; deleted: number; remaining: number } | { state: "done"; deleted: number };

/**
 * For admins: delete the SUPERSEDED errors found before a day, of one server or all. Re-validating
 * a fleet leaves a row for every error it replaced; they stay until someone asks for this.
 */
export function PurgeSuperseded({ serverId, onClose, onDeleted }: { serverId: string | null; onClose: () => void; onDeleted: () => void }) {
  const [before, setBefore] = useState(isoDay(30));
  const [count, counting] = useMutation(PURGE);
  const [purge] = useMutation(PURGE);
  const [progress, setProgress] = useState<Progress>({ state: "idle" });
  const [problem, setProblem] = useState<string | null>(null);
  const scope = serverId ? { serverIds: [serverId] } : {};
  const recount = () => (before ? count({ variables: { input: { before, ...(serverId ? { serverIds: [serverId] } : {}), dryRun: true } } }).catch(() => null) : Promise.resolve(null));

  useEffect(() => {
    void recount();
  }, [before, serverId]); // what recount reads
  const counted = counting.data?.purgeValidationErrors;
  const found = progress.state === "deleting" ? null : (counted?.remaining ?? null);

  async function deleteThem() {
    setProblem(null);
    let deleted = 0;
    let remaining = found ?? 0;
    setProgress({ state: "deleting", deleted, remaining });
    try {
      for (;;) {
        const result = (await purge({ variables: { input: { before, ...scope, limit: PER_CALL } } })).data?.purgeValidationErrors;
        if (!result || result.userErrors.length || result.deleted === null || result.deleted === undefined) {
          setProblem(result?.userErrors.map((error) => error.message).join("; ") || "The API deleted nothing");
          break;
        }
        deleted += result.deleted;
        remaining = result.remaining ?? 0;
        setProgress({ state: "deleting", deleted, remaining });
        if (remaining === 0 || result.deleted === 0) break;
      }
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
    await recount();
    setProgress({ state: "done", deleted });
    onDeleted();
  }

  return (
    <div className="card form-grid" role="region" aria-label="Delete superseded errors">
      <h2>Delete superseded errors</h2>
      <p className="muted form-note">
        A later validation replaced each of them. Open, fixed and ignored errors stay, and so do LIST_RECREATED ones (their fix dates from the first report). {serverId ? "Only the selected server's." : "Every server's."}
      </p>
      <label>
        Found before
        <input type="date" value={before} max={isoDay(-1)} onChange={(event) => setBefore(event.target.value)} disabled={progress.state === "deleting"} required />
      </label>
      <UserErrors errors={counted?.userErrors ?? []} />
      {found !== null && <p role="status">{found === 0 ? "No superseded error is left from before that day." : `${formatNumber(found)} superseded errors found before ${before}.`}</p>}
      {progress.state === "deleting" && <p role="status">Deleted {formatNumber(progress.deleted)}, {formatNumber(progress.remaining)} to go…</p>}
      {progress.state === "done" && <p role="status">Deleted {formatNumber(progress.deleted)} superseded errors.</p>}
      {problem && <p className="user-errors" role="alert">{problem}</p>}
      <div className="form-actions">
        <button type="button" className="danger" disabled={!found || progress.state === "deleting"} onClick={() => void deleteThem()}>
          {found ? `Delete ${formatNumber(found)} errors` : "Delete"}
        </button>
        <button type="button" onClick={onClose} disabled={progress.state === "deleting"}>
          Close
        </button>
      </div>
    </div>
  );
}
