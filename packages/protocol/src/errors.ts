/** Codes the agent sends in an error line. */
export const REMOTE_ERROR_CODES = ["AUTH_FAILED", "HOST_NOT_ALLOWED", "BAD_REQUEST", "UNKNOWN_COMMAND", "INTERNAL"] as const;
export type RemoteErrorCode = (typeof REMOTE_ERROR_CODES)[number];

/** Codes a HostingClient throws. */
export const HOSTING_ERROR_CODES = ["UNREACHABLE", "CERTIFICATE_REJECTED", "AUTH_FAILED", "HOST_NOT_ALLOWED", "PROTOCOL_ERROR", "REMOTE_ERROR"] as const;
export type HostingErrorCode = (typeof HOSTING_ERROR_CODES)[number];

/**
 * Every failure of a hosting-server call. The message is safe to show an operator: it never
 * contains the password (the client never puts it in a message, and the agent's messages are
 * fixed texts).
 */
export class HostingError extends Error {
  override readonly name = "HostingError";
  readonly code: HostingErrorCode;
  /** The agent's code, for REMOTE_ERROR (and for AUTH_FAILED / HOST_NOT_ALLOWED, which the agent reports). */
  readonly remoteCode: RemoteErrorCode | undefined;

  constructor(code: HostingErrorCode, message: string, remoteCode?: RemoteErrorCode) {
    super(message);
    this.code = code;
    this.remoteCode = remoteCode;
  }
}

/** Maps an error line from the agent to the error the client throws. */
export function errorFromRemote(code: RemoteErrorCode, message: string): HostingError {
  switch (code) {
    case "AUTH_FAILED":
      return new HostingError("AUTH_FAILED", `authentication failed: ${message}`, code);
    case "HOST_NOT_ALLOWED":
      return new HostingError("HOST_NOT_ALLOWED", `this address is not on the agent's allow-list: ${message}`, code);
    case "BAD_REQUEST":
    case "UNKNOWN_COMMAND":
    case "INTERNAL":
      return new HostingError("REMOTE_ERROR", `the agent answered ${code}: ${message}`, code);
  }
}
