// One colour per meaning across the app: green fine, amber look at it, red act now, grey idle.
const TONE: Record<string, "ok" | "warn" | "bad" | "idle" | "busy"> = {
  OK: "ok",
  SUCCEEDED: "ok",
  FIXED: "ok",
  WARNINGS: "warn",
  WARNING: "warn",
  IGNORED: "idle",
  SUPERSEDED: "idle",
  INFO: "idle",
  ERRORS: "bad",
  ERROR: "bad",
  FAILED: "bad",
  UNREACHABLE: "bad",
  AUTH_FAILED: "bad",
  HOST_NOT_ALLOWED: "bad",
  OPEN: "warn",
  NEVER_VALIDATED: "idle",
  QUEUED: "idle",
  CANCELLED: "idle",
  SKIPPED: "idle",
  RUNNING: "busy",
};

export function Badge({ value }: { value: string }) {
  return <span className={`badge badge-${TONE[value] ?? "idle"}`}>{value.replaceAll("_", " ").toLowerCase()}</span>;
}
