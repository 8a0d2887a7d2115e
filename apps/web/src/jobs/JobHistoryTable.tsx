import { Link } from "../app/router";
import { Badge } from "../components/Badge";
import { formatDateTime, formatDuration, summarizeJson } from "../components/format";
import { ProgressBar } from "../components/ProgressBar";
import type { JobFieldsFragment } from "../gql/graphql";
import { useJobWatch } from "./useJobWatch";

const ACTIVE = new Set(["QUEUED", "RUNNING"]);

export function JobHistoryTable({ jobs, showServer = true }: { jobs: JobFieldsFragment[]; showServer?: boolean }) {
  return (
    <table className="data-table compact">
      <thead>
        <tr>
          <th>Job</th>
          <th>State</th>
          <th>Progress</th>
          {showServer && <th>Server</th>}
          <th>Trigger</th>
          <th>Actor</th>
          <th>Inputs</th>
          <th>Result</th>
          <th>Created</th>
          <th>Took</th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => (ACTIVE.has(job.state) ? <LiveJobRow key={job.id} id={job.id} fallback={job} showServer={showServer} /> : <JobRow key={job.id} job={job} showServer={showServer} />))}
      </tbody>
    </table>
  );
}

/** A queued or running job keeps its row moving through useJobWatch (subscription, else polling). */
function LiveJobRow({ id, fallback, showServer }: { id: string; fallback: JobFieldsFragment; showServer: boolean }) {
  const { job } = useJobWatch(id);
  return <JobRow job={job ?? fallback} showServer={showServer} />;
}

function JobRow({ job, showServer }: { job: JobFieldsFragment; showServer: boolean }) {
  return (
    <tr>
      <td className="mono">
        {job.kind} #{job.id.slice(-6)}
      </td>
      <td>
        <Badge value={job.state} />
      </td>
      <td className="progress-cell">
        <ProgressBar value={job.progress} label={`${job.kind} ${job.server?.name ?? job.id} progress`} />
      </td>
      {showServer && <td>{job.server ? <Link to={`/servers/${encodeURIComponent(job.server.id)}`}>{job.server.name}</Link> : "—"}</td>}
      <td>{job.trigger.replaceAll("_", " ").toLowerCase()}</td>
      <td>{job.actor ?? <span className="muted">system</span>}</td>
      <td className="json" title={JSON.stringify(job.input)}>
        {summarizeJson(job.input)}
      </td>
      <td className="json" title={job.error ?? JSON.stringify(job.result)}>
        {job.error ?? summarizeJson(job.result)}
      </td>
      <td>{formatDateTime(job.createdAt)}</td>
      <td>{formatDuration(job.startedAt, job.finishedAt)}</td>
    </tr>
  );
}
