import tls from "node:tls";
import { DEFAULT_FIRST_RECORD_TIMEOUT_MS, HostingClient, HostingError } from "@listbill/protocol";
import type { Server } from "../servers/server.entity.js";

/** How the API reaches agents. */
export interface HostingSettings {
  /** One unreachable server delays its job by at most this much per attempt. */
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** The wait for a stream's first record: an agent's database may aggregate every member first. */
  firstRecordTimeoutMs: number;
  idleTimeoutMs: number;
  /**
   * PEM certificates of authorities trusted for agents served over TLS (a private CA, or an
   * agent's self-signed certificate), besides Node's bundled public ones.
   */
  tlsCa?: string;
}

export const DEFAULT_HOSTING_SETTINGS: HostingSettings = { connectTimeoutMs: 5_000, requestTimeoutMs: 30_000, firstRecordTimeoutMs: DEFAULT_FIRST_RECORD_TIMEOUT_MS, idleTimeoutMs: 60_000 };

/**
 * Opens an authenticated connection to a server's agent, over TLS when the server says so (the
 * certificate must name the server's host name and chain to a trusted authority: the password is
 * sent only after that); throws HostingError on any failure.
 */
export function connectToServer(server: Server, password: string, settings: HostingSettings): Promise<HostingClient> {
  const { tlsCa, ...timeouts } = settings;
  // Node's `ca` replaces its bundled authorities: they are named again, so the file adds to them.
  return HostingClient.connect({ host: server.hostName, port: server.port, password, ...timeouts, tls: server.tls ? (tlsCa ? { ca: [...tls.rootCertificates, tlsCa] } : {}) : undefined });
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
  // The same certificate will be refused again: trusting it is the operator's (LISTBILL_AGENT_TLS_CA).
  if (error.code === "CERTIFICATE_REJECTED") return { status: "UNREACHABLE", retryable: false, message: error.message };
  return { status: "UNREACHABLE", retryable: true, message: error.message };
}
