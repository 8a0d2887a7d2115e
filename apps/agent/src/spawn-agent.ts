import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import type { AgentTlsOptions } from "./agent-server.js";

export interface SpawnAgentOptions {
  database: string;
  host?: string;
  /** Defaults to 0: the agent picks a free port and reports it. */
  port?: number;
  password?: string;
  allow?: readonly string[];
  tls?: AgentTlsOptions;
  idleTimeoutMs?: number;
  authTimeoutMs?: number;
  maxConnections?: number;
  /** Extra arguments for node itself, e.g. ["--max-old-space-size=64"]. */
  nodeArgs?: readonly string[];
}

export interface SpawnedAgent {
  host: string;
  port: number;
  pid: number;
  /** Everything the agent wrote to stderr so far (its event log). */
  stderr(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, then waits for the exit: a hosting server that dies. */
  kill(): Promise<void>;
}

const BIN = fileURLToPath(new URL("../bin/listbill-agent.mjs", import.meta.url));

/** Runs the real listbill-agent executable; resolves once it prints its listening line. */
export async function spawnAgent(options: SpawnAgentOptions): Promise<SpawnedAgent> {
  const args = [...(options.nodeArgs ?? []), BIN, "--database", options.database, "--port", String(options.port ?? 0), "--exit-with-stdin"];
  if (options.host) args.push("--host", options.host);
  if (options.allow) args.push("--allow", options.allow.join(","));
  if (options.tls) args.push("--tls-cert", options.tls.certPath, "--tls-key", options.tls.keyPath);
  if (options.idleTimeoutMs !== undefined) args.push("--idle-timeout-ms", String(options.idleTimeoutMs));
  if (options.authTimeoutMs !== undefined) args.push("--auth-timeout-ms", String(options.authTimeoutMs));
  if (options.maxConnections !== undefined) args.push("--max-connections", String(options.maxConnections));
  // The password travels in the environment, not argv, where any local user could read it.
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (options.password === undefined) delete env.LISTBILL_AGENT_PASSWORD;
  else env.LISTBILL_AGENT_PASSWORD = options.password;
  // stdin stays open and unused: it closes when this process dies, and the agent then exits.
  const child = spawn(process.execPath, args, { env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const exited = once(child, "exit");

  const listening = await new Promise<{ host: string; port: number }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; host: string; port: number };
        if (event.event === "listening") resolve(event);
      } catch {
        // Not the listening line; keep waiting.
      }
    });
    child.once("exit", (code) => reject(new Error(`listbill-agent exited with code ${code} before listening: ${stderr.trim()}`)));
    child.once("error", reject);
  });

  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    host: listening.host,
    port: listening.port,
    pid: child.pid!,
    stderr: () => stderr,
    stop: () => end("SIGTERM"),
    kill: () => end("SIGKILL"),
  };
}
