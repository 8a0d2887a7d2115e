import { HostingClient, HostingError } from "@listbill/protocol";
import type { Server } from "../servers/server.entity.js";

export interface HostingTimeouts {
  /** One unreachable server delays its job by at most this much per attempt. */
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
}

export const DEFAULT_HOSTING_TIMEOUTS: HostingTimeouts = { connectTimeoutMs: 5_000, requestTimeoutMs: 30_000, idleTimeoutMs: 60_000 };

/** Opens an authenticated connection to a server's agent; throws HostingError on any failure. */
export function connectToServer(server: Server, password: string, timeouts: HostingTimeouts): Promise<HostingClient> {
  return HostingClient.connect({ host: server.hostName, port: server.port, password, ...timeouts });
}

export interface HostingFailure {
  status: "UNREACHABLE" | "AUTH_FAILED" | "HOST_NOT_ALLOWED";
  retryable: boolean;
  message: string;
}

/**
 * The server status a failure talking to the agent leaves, and whether trying again may help;
 * null for any other failure (a bug, the database), which must not be blamed on the server.
 */
export function classifyHostingFailure(error: unknown): HostingFailure | null {
  if (!(error instanceof HostingError)) return null;
  if (error.code === "AUTH_FAILED") return { status: "AUTH_FAILED", retryable: false, message: "The agent refused the password" };
  if (error.code === "HOST_NOT_ALLOWED") return { status: "HOST_NOT_ALLOWED", retryable: false, message: "The agent refused this billing server's address (not on its allow-list)" };
  return { status: "UNREACHABLE", retryable: true, message: error.message };
}
