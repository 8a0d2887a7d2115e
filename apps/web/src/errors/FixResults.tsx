import { Badge } from "../components/Badge";
import type { FixRun } from "./ErrorsPage";

/** What happened to each selected object, kept on screen after the list below has refreshed. */
export function FixResults({ run, onClose }: { run: FixRun; onClose: () => void }) {
  const count = (status: string) => run.results.filter((result) => result.status === status).length;
  return (
    <div className="card fix-results" role="region" aria-label="Fix results">
      <div className="batch-head">
        <strong>
          Fix results: {count("FIXED")} fixed, {count("SKIPPED")} skipped, {count("FAILED")} failed
        </strong>
        <button type="button" className="link-button" onClick={onClose}>
          Close
        </button>
      </div>
      {count("FIXED") > 0 && <p className="muted">The servers touched are being validated again; new lists now need a customer (Lists → unassigned only).</p>}
      <table className="data-table compact">
        <thead>
          <tr>
            <th>Object</th>
            <th>Code</th>
            <th>Result</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {run.results.map((result) => {
            const row = run.rows.get(result.errorId);
            return (
              <tr key={result.errorId}>
                <td>
                  {row?.server?.name ? `${row.server.name} · ` : ""}
                  {row?.objectKey ?? result.errorId}
                </td>
                <td className="mono">{row?.code ?? "—"}</td>
                <td>
                  <Badge value={result.status} />
                </td>
                <td>{result.reason ?? result.code ?? ""}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
