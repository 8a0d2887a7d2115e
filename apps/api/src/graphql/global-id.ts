/**
 * Opaque IDs: base64url("Type:rowId"). The type inside lets the API tell a list's ID passed as a
 * server's apart from an unknown one, and keeps row numbers out of clients' assumptions.
 */
export type NodeType = "Server" | "Site" | "List" | "Customer" | "HostingPlan" | "Assignment" | "Job" | "ValidationRun" | "ValidationError" | "User" | "ApiToken" | "AuditEntry";

export function toGlobalId(type: NodeType, id: number): string {
  return Buffer.from(`${type}:${id}`, "utf8").toString("base64url");
}

/** The opaque ID of a row, or null for none (a nullable reference, in an audit entry say). */
export function nullableGlobalId(type: NodeType, id: number | null): string | null {
  return id === null ? null : toGlobalId(type, id);
}

/** The row id inside an opaque ID of the given type, or null when it is not one. */
export function fromGlobalId(type: NodeType, globalId: string): number | null {
  if (typeof globalId !== "string" || globalId.length > 64) return null;
  const decoded = Buffer.from(globalId, "base64url").toString("utf8");
  const separator = decoded.indexOf(":");
  if (separator < 0 || decoded.slice(0, separator) !== type) return null;
  const digits = decoded.slice(separator + 1);
  if (!/^[1-9][0-9]{0,14}$/.test(digits)) return null;
  return Number(digits);
}
