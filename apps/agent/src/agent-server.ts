import { readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { DEFAULT_AGENT_PASSWORD, DEFAULT_AGENT_PORT } from "@listbill/protocol";
import { AllowList } from "./allow-list.js";
import { ListManagerCommands } from "./commands.js";
import { serveConnection } from "./agent-connection.js";
import { silentLog, type AgentLog } from "./agent-log.js";
import { openListManagerSource } from "./sources/source.js";

export interface AgentTlsOptions {
  certPath: string;
  keyPath: string;
}

export interface AgentOptions {
  /** A SQLite file path or a mysql:// URL of the ListManager database. */
  database: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  password?: string;
  /** IPs and CIDR blocks, IPv4 or IPv6. */
  allow?: readonly string[];
  tls?: AgentTlsOptions;
  idleTimeoutMs?: number;
  /** How long a new connection has to give the password (default 10 s). */
  authTimeoutMs?: number;
  /** Connections open at once (default 64); one more is closed as it arrives. */
  maxConnections?: number;
  log?: AgentLog;
}

export interface RunningAgent {
  host: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_AGENT_HOST = "127.0.0.1";
export const DEFAULT_ALLOW = ["127.0.0.1"] as const;
// Two minutes: longer than any pause of a healthy client between reads, short enough that
// half-open connections from vanished clients do not pile up.
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
// The API sends the password as its first line, within milliseconds of connecting.
export const DEFAULT_AUTH_TIMEOUT_MS = 10_000;
// The API opens one connection per job (4 jobs at a time per API process by default): room for
// many API processes, not for a flood.
export const DEFAULT_MAX_CONNECTIONS = 64;

/** Starts an agent in this process; resolves once it listens. */
export async function startAgentServer(options: AgentOptions): Promise<RunningAgent> {
  const allowList = new AllowList(options.allow ?? DEFAULT_ALLOW);
  const source = await openListManagerSource(options.database);
  const context = {
    allowList,
    password: options.password ?? DEFAULT_AGENT_PASSWORD,
    commands: new ListManagerCommands(source),
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    authTimeoutMs: options.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS,
    log: options.log ?? silentLog,
  };
  const sockets = new Set<net.Socket>();
  const onSocket = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serveConnection(socket, context);
  };
  const server = options.tls
    ? tls.createServer({ cert: readFileSync(options.tls.certPath), key: readFileSync(options.tls.keyPath) }, onSocket)
    : net.createServer(onSocket);
  if (options.tls) {
    // The allow-list is checked on the bare TCP connection, before the TLS handshake: a host not
    // on it makes the agent do no cryptography and hold nothing. tls.Server starts the handshake
    // in its own 'connection' listeners; they run only for an allowed host. A refused host gets no
    // HOST_NOT_ALLOWED line (that would need the handshake); the agent's log says why.
    const handshake = server.listeners("connection") as ((socket: net.Socket) => void)[];
    server.removeAllListeners("connection");
    server.on("connection", (socket: net.Socket) => {
      if (!allowList.allows(socket.remoteAddress)) {
        context.log("host_not_allowed", { peer: socket.remoteAddress ?? "unknown" });
        socket.destroy();
        return;
      }
      for (const listener of handshake) listener.call(server, socket);
    });
  }
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  server.on("drop", (data?: { remoteAddress?: string }) => context.log("connection_dropped", { peer: data?.remoteAddress ?? "unknown", reason: "max_connections" }));
  // A failed TLS handshake is the client's problem, not a reason to stop serving.
  server.on("tlsClientError", (error: Error & { code?: string }) => context.log("tls_error", { error: error.code ?? "handshake" }));
  const host = options.host ?? DEFAULT_AGENT_HOST;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? DEFAULT_AGENT_PORT, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await source.close();
    throw error;
  }
  server.on("error", (error) => context.log("server_error", { error: error.message }));
  const port = (server.address() as net.AddressInfo).port;
  return {
    host,
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await source.close();
    },
  };
}
