import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { useMemo, useState } from "react";
import { Link, useSearchParams } from "../app/router";
import { Badge } from "../components/Badge";
import { downloadCsv, toCsv } from "../components/csv";
import { fetchAllPages } from "../components/fetchAllPages";
import { formatDateTime } from "../components/format";
import { Empty, ErrorView, Loading, LoadMore } from "../components/StateViews";
import { graphql } from "../gql";
import type { FixValidationErrorsMutation, Severity, ValidationErrorCode, ValidationErrorRowFragment, ValidationErrorStatus } from "../gql/graphql";
import { ServerSelect } from "../servers/ServerSelect";
import { FixResults } from "./FixResults";
import { PurgeSuperseded } from "./PurgeSuperseded";
import { useSignedInUser } from "../auth/useSession";

const VALIDATION_ERRORS = graphql(`
  query ValidationErrors($after: String, $filter: ValidationErrorFilter) {
    validationErrors(first: 100, after: $after, filter: $filter) {
      totalCount
      nodes {
        ...ValidationErrorRow
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  fragment ValidationErrorRow on ValidationError {
    id
    code
    severity
    objectType
    objectKey
    message
    remedy
    billingValue
    hostingValue
    fixable
    status
    detectedAt
    fixedAt
    server {
      id
      name
    }
    customer {
      id
      company
    }
  }
`);

const FIX = graphql(`
  mutation FixValidationErrors($input: FixValidationErrorsInput!) {
    fixValidationErrors(input: $input) {
      results {
        errorId
        status
        code
        reason
      }
      job {
        id
        state
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const IGNORE = graphql(`
  mutation IgnoreValidationErrors($input: IgnoreValidationErrorsInput!) {
    ignoreValidationErrors(input: $input) {
      errors {
        id
        status
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const CODES: ValidationErrorCode[] = [
  "NEW_LIST", "NEW_SITE", "MISSING_LIST", "MISSING_SITE", "LIST_CHANGED", "SITE_CHANGED", "LIST_RECREATED", "LIST_UNASSIGNED", "LIST_ON_INACTIVE_CUSTOMER",
  "PLAN_MAX_LISTS_EXCEEDED", "PLAN_MAX_LISTS_PER_SITE_EXCEEDED", "PLAN_MAX_SITES_EXCEEDED", "PLAN_MAX_MEMBERS_EXCEEDED", "PLAN_MAX_MEMBERS_PER_LIST_EXCEEDED",
  "VERSION_CHANGED", "VERSION_UNSUPPORTED", "LOGGING_DISABLED", "LOG_RESTARTED", "SERVER_UNREACHABLE", "AUTH_FAILED", "HOST_NOT_ALLOWED",
];
const SEVERITIES: Severity[] = ["ERROR", "WARNING", "INFO"];
const STATUSES: ValidationErrorStatus[] = ["OPEN", "FIXED", "IGNORED", "SUPERSEDED"];

export interface FixRun {
  results: FixValidationErrorsMutation["fixValidationErrors"]["results"];
  rows: Map<string, ValidationErrorRowFragment>;
}

export function ErrorsPage() {
  const client = useApolloClient();
  const [params, setParams] = useSearchParams();
  const serverId = params.get("serverId");
  const code = params.get("code") as ValidationErrorCode | null;
  const severity = params.get("severity") as Severity | null;
  // Open errors unless the operator asks otherwise: they are what needs doing.
  const status = (params.get("status") ?? "OPEN") as ValidationErrorStatus | "ANY";
  const filter = useMemo(
    () => ({ serverId: serverId ?? undefined, code: code ? [code] : undefined, severity: severity ? [severity] : undefined, status: status === "ANY" ? undefined : [status] }),
    [serverId, code, severity, status],
  );
  const { data, previousData, loading, error, refetch, fetchMore } = useQuery(VALIDATION_ERRORS, { variables: { filter }, notifyOnNetworkStatusChange: true });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [allowRemovals, setAllowRemovals] = useState(false);
  const [fixRun, setFixRun] = useState<FixRun | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const [purging, setPurging] = useState(false);
  const isAdmin = useSignedInUser()?.role === "ADMIN";
  const [fix, fixing] = useMutation(FIX);
  const [ignore, ignoring] = useMutation(IGNORE);

  const connection = (data ?? previousData)?.validationErrors;
  const rows = connection?.nodes ?? [];
  const selectable = rows.filter((row) => row.fixable && row.status === "OPEN");
  const selectedRows = selectable.filter((row) => selected.has(row.id));
  const allSelected = selectable.length > 0 && selectedRows.length === selectable.length;

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  async function fixSelected() {
    setProblem(null);
    const reviewed = new Map(selectedRows.map((row) => [row.id, row]));
    try {
      const result = await fix({ variables: { input: { errorIds: [...reviewed.keys()], allowRemovals } } });
      const payload = result.data?.fixValidationErrors;
      if (!payload) return;
      if (payload.userErrors.length) {
        setProblem(payload.userErrors.map((userError) => userError.message).join(" "));
        return;
      }
      setFixRun({ results: payload.results, rows: reviewed });
      setSelected(new Set());
      await refetch();
    } catch (failure) {
      setProblem((failure as Error).message);
    }
  }

  async function ignoreSelected() {
    setProblem(null);
    const ids = rows.filter((row) => selected.has(row.id) && row.status === "OPEN").map((row) => row.id);
    try {
      const result = await ignore({ variables: { input: { errorIds: ids } } });
      const userErrors = result.data?.ignoreValidationErrors.userErrors ?? [];
      if (userErrors.length) setProblem(userErrors.map((userError) => userError.message).join(" "));
      setSelected(new Set());
      await refetch();
    } catch (failure) {
      setProblem((failure as Error).message);
    }
  }

  async function exportCsv() {
    setExporting(true);
    setProblem(null);
    try {
      const all = await fetchAllPages(client, VALIDATION_ERRORS, { filter }, (result) => result.validationErrors);
      const csv = toCsv(
        ["id", "server", "severity", "code", "object type", "object", "message", "billing value", "hosting value", "fixable", "status", "detected at", "fixed at", "customer"],
        all.map((row) => [row.id, row.server?.name, row.severity, row.code, row.objectType, row.objectKey, row.message, JSON.stringify(row.billingValue ?? null), JSON.stringify(row.hostingValue ?? null), row.fixable, row.status, row.detectedAt, row.fixedAt, row.customer?.company]),
      );
      downloadCsv(`validation-errors-${new Date().toISOString().slice(0, 10)}.csv`, csv);
    } catch (failure) {
      setProblem(`Export failed: ${(failure as Error).message}`);
    } finally {
      setExporting(false);
    }
  }

  const setFilter = (changes: Record<string, string | null>) => {
    setSelected(new Set());
    setParams(changes);
  };

  return (
    <section className="page">
      <div className="page-head">
        <h1>Validation errors</h1>
        <div className="actions">
          {isAdmin && (
            <button type="button" onClick={() => setPurging(true)} disabled={purging}>
              Delete superseded…
            </button>
          )}
          <button type="button" onClick={() => void exportCsv()} disabled={exporting || !rows.length}>
            {exporting ? "Exporting…" : "Export CSV"}
          </button>
        </div>
      </div>
      <div className="filters">
        <ServerSelect value={serverId} onChange={(id) => setFilter({ serverId: id })} />
        <select aria-label="Code" value={code ?? ""} onChange={(event) => setFilter({ code: event.target.value })}>
          <option value="">Any code</option>
          {CODES.map((value) => (
            <option key={value}>{value}</option>
          ))}
        </select>
        <select aria-label="Severity" value={severity ?? ""} onChange={(event) => setFilter({ severity: event.target.value })}>
          <option value="">Any severity</option>
          {SEVERITIES.map((value) => (
            <option key={value}>{value}</option>
          ))}
        </select>
        <select aria-label="Status" value={status} onChange={(event) => setFilter({ status: event.target.value })}>
          {STATUSES.map((value) => (
            <option key={value}>{value}</option>
          ))}
          <option value="ANY">any status</option>
        </select>
        {connection && <span className="muted count">{connection.totalCount} errors</span>}
      </div>

      <div className="bulk-bar">
        <button type="button" className="primary" disabled={!selectedRows.length || fixing.loading} onClick={() => void fixSelected()}>
          {fixing.loading ? "Fixing…" : `Fix selected objects${selectedRows.length ? ` (${selectedRows.length})` : ""}`}
        </button>
        <label className="checkbox">
          <input type="checkbox" checked={allowRemovals} onChange={(event) => setAllowRemovals(event.target.checked)} /> Also remove objects gone from the hosting server, and end the owners of lists deleted there and made again
        </label>
        <button type="button" disabled={!selected.size || ignoring.loading} onClick={() => void ignoreSelected()}>
          Ignore selected
        </button>
      </div>
      {problem && <p className="user-errors" role="alert">{problem}</p>}
      {purging && <PurgeSuperseded key={serverId ?? "every server"} serverId={serverId} onClose={() => setPurging(false)} onDeleted={() => void refetch()} />}
      {fixRun && <FixResults run={fixRun} onClose={() => setFixRun(null)} />}

      {!connection && loading && <Loading what="validation errors" />}
      {error && <ErrorView error={error} retry={() => void refetch()} />}
      {connection && rows.length === 0 && (
        <Empty>{status === "OPEN" ? "No open errors match these filters. Validate servers to look for differences." : "No error matches these filters."}</Empty>
      )}
      {rows.length > 0 && (
        <table className="data-table">
          <thead>
            <tr>
              <th className="select">
                <input type="checkbox" aria-label="Select all fixable errors" checked={allSelected} disabled={!selectable.length} onChange={(event) => setSelected(event.target.checked ? new Set(selectable.map((row) => row.id)) : new Set())} />
              </th>
              <th>Severity</th>
              <th>Code</th>
              <th>Server</th>
              <th>Object</th>
              <th>Message</th>
              <th>What to do</th>
              <th>Status</th>
              <th>Detected</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const canFix = row.fixable && row.status === "OPEN";
              return (
                <tr key={row.id} className={selected.has(row.id) ? "selected" : undefined}>
                  <td className="select">
                    {canFix ? (
                      <input type="checkbox" aria-label={`Select ${row.code} ${row.objectKey}`} checked={selected.has(row.id)} onChange={() => toggle(row.id)} />
                    ) : (
                      <span className="muted" title={row.fixable ? "Not open" : "Fix cannot resolve this; see What to do"}>
                        –
                      </span>
                    )}
                  </td>
                  <td>
                    <Badge value={row.severity} />
                  </td>
                  <td className="mono">{row.code}</td>
                  <td>{row.server ? <Link to={`/servers/${encodeURIComponent(row.server.id)}`}>{row.server.name}</Link> : "—"}</td>
                  <td>
                    <span className="muted">{row.objectType.toLowerCase()}</span> {row.objectKey}
                  </td>
                  <td>{row.message}</td>
                  <td className="remedy">{row.remedy}</td>
                  <td>
                    <Badge value={row.status} />
                  </td>
                  <td>{formatDateTime(row.detectedAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <LoadMore pageInfo={connection?.pageInfo} loading={loading} onMore={(after) => void fetchMore({ variables: { after } })}>
        {loading ? "Loading…" : `Load more (${rows.length} of ${connection?.totalCount})`}
      </LoadMore>
    </section>
  );
}
