import { useApolloClient } from "@apollo/client/react";
import { useCallback, useEffect, useRef, useState } from "react";
import { Link } from "../app/router";
import { Badge } from "../components/Badge";
import { ProgressBar } from "../components/ProgressBar";
import type { JobFieldsFragment } from "../gql/graphql";
import { type JobBatch, useJobBatches } from "./JobBatches";
import { useJobWatch } from "./useJobWatch";

/** The batches in flight or just finished, above every page. */
export function JobTray() {
  const { batches } = useJobBatches();
  if (!batches.length) return null;
  return (
    <section className="job-tray" aria-label="Running jobs">
      {batches.map((batch) => (
        <BatchPanel key={batch.key} batch={batch} />
      ))}
    </section>
  );
}

function BatchPanel({ batch }: { batch: JobBatch }) {
  const { dismiss } = useJobBatches();
  const client = useApolloClient();
  const [jobs, setJobs] = useState<Record<string, JobFieldsFragment>>({});
  const report = useCallback((job: JobFieldsFragment) => setJobs((current) => (current[job.id] === job ? current : { ...current, [job.id]: job })), []);
  const known = batch.jobIds.map((id) => jobs[id]).filter(Boolean);
  const done = known.length === batch.jobIds.length && known.every((job) => ["SUCCEEDED", "FAILED", "CANCELLED"].includes(job.state));
  const refreshed = useRef(false);
  useEffect(() => {
    // Statuses, counts and error lists on screen changed with the batch: reload what is shown.
    if (done && !refreshed.current) {
      refreshed.current = true;
      void client.refetchQueries({ include: "active" });
    }
  }, [done, client]);

  return (
    <div className="batch">
      <div className="batch-head">
        <strong>{batch.label}</strong>
        {done && batch.kind !== "VALIDATE" && (
          <button type="button" className="link-button" onClick={() => dismiss(batch.key)}>
            Dismiss
          </button>
        )}
      </div>
      {!done && (
        <ul className="batch-jobs">
          {batch.jobIds.map((id) => (
            <JobLine key={id} id={id} onChange={report} />
          ))}
        </ul>
      )}
      {done && batch.kind === "VALIDATE" && <ValidationOutcome batch={batch} jobs={known} onOk={() => dismiss(batch.key)} />}
      {done && batch.kind !== "VALIDATE" && <p className="batch-summary">{summary(known)}</p>}
    </div>
  );
}

function JobLine({ id, onChange }: { id: string; onChange: (job: JobFieldsFragment) => void }) {
  const { job, error } = useJobWatch(id);
  useEffect(() => {
    if (job) onChange(job);
  }, [job, onChange]);
  if (error && !job) return <li className="batch-job">Job {id}: {error.message}</li>;
  if (!job) return <li className="batch-job">Starting…</li>;
  return (
    <li className="batch-job">
      <span className="batch-job-name">
        {job.kind.toLowerCase()} {job.server?.name ?? ""}
      </span>
      <ProgressBar value={job.progress} label={`${job.kind} ${job.server?.name ?? job.id} progress`} />
      <Badge value={job.state} />
    </li>
  );
}

/** The original's words: "Validation successful" with OK, or "Errors were found, click here to fix". */
function ValidationOutcome({ batch, jobs, onOk }: { batch: JobBatch; jobs: JobFieldsFragment[]; onOk: () => void }) {
  const findings = jobs.reduce((sum, job) => sum + Number((job.result as { findings?: number } | null)?.findings ?? 0), 0);
  const clean = findings === 0 && jobs.every((job) => job.state === "SUCCEEDED");
  if (clean) {
    return (
      <div className="outcome outcome-ok" role="status">
        Validation successful
        <button type="button" className="primary" onClick={onOk}>
          OK
        </button>
      </div>
    );
  }
  const errorsUrl = batch.serverIds.length === 1 ? `/errors?status=OPEN&serverId=${encodeURIComponent(batch.serverIds[0]!)}` : "/errors?status=OPEN";
  return (
    <div className="outcome outcome-bad" role="alert">
      <Link to={errorsUrl} onClick={onOk}>
        Errors were found, click here to fix
      </Link>
      <span className="outcome-detail">
        {findings} finding{findings === 1 ? "" : "s"}
        {jobs.some((job) => job.state !== "SUCCEEDED") && ` · ${jobs.filter((job) => job.state !== "SUCCEEDED").length} server(s) could not be validated`}
      </span>
    </div>
  );
}

function summary(jobs: JobFieldsFragment[]): string {
  const failed = jobs.filter((job) => job.state !== "SUCCEEDED");
  if (!failed.length) return `Finished: ${jobs.length} job${jobs.length === 1 ? "" : "s"} succeeded.`;
  return `Finished with ${failed.length} failure(s): ${failed.map((job) => `${job.server?.name ?? job.id}: ${job.error ?? job.state}`).join("; ")}`;
}
