import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_AGENT_PASSWORD, DEFAULT_AGENT_PORT } from "@listbill/protocol";
import { stderrLog } from "./agent-log.js";
import { DEFAULT_AGENT_HOST, DEFAULT_ALLOW, DEFAULT_AUTH_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, startAgentServer } from "./agent-server.js";

const usage = `listbill-agent --database <file.sqlite | mysql://user:pass@host/db> [options]
  --host <ip>             listen address (default ${DEFAULT_AGENT_HOST})
  --port <n>              listen port, 0 for any free one (default ${DEFAULT_AGENT_PORT})
  --password-file <path>  file holding the password; or set LISTBILL_AGENT_PASSWORD
  --password <text>       the password (visible to other local users in ps; prefer the above)
                          default ${DEFAULT_AGENT_PASSWORD}, as ListManager's
  --allow <list>          IPs and CIDRs, comma-separated (default ${DEFAULT_ALLOW.join(",")})
  --tls-cert <path> --tls-key <path>   serve TLS with this PEM certificate and key
  --idle-timeout-ms <n>   close connections idle this long (default ${DEFAULT_IDLE_TIMEOUT_MS})
  --auth-timeout-ms <n>   close connections not authenticated this long after they open (default ${DEFAULT_AUTH_TIMEOUT_MS})
  --max-connections <n>   connections open at once; one more is closed as it arrives (default ${DEFAULT_MAX_CONNECTIONS})
  --exit-with-stdin       stop when stdin closes (a test harness that dies takes its agents along)
The database may also come from LISTBILL_AGENT_DATABASE. Prints {"event":"listening",...} on stdout.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      database: { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      password: { type: "string" },
      "password-file": { type: "string" },
      allow: { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "idle-timeout-ms": { type: "string" },
      "auth-timeout-ms": { type: "string" },
      "max-connections": { type: "string" },
      "exit-with-stdin": { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return void console.log(usage);
  const database = values.database ?? process.env.LISTBILL_AGENT_DATABASE;
  if (!database) throw new Error("--database is required");
  if (Boolean(values["tls-cert"]) !== Boolean(values["tls-key"])) throw new Error("--tls-cert and --tls-key go together");
  const password = values["password-file"]
    ? readFileSync(values["password-file"], "utf8").replace(/\r?\n$/, "")
    : values.password ?? process.env.LISTBILL_AGENT_PASSWORD ?? DEFAULT_AGENT_PASSWORD;
  const agent = await startAgentServer({
    database,
    host: values.host,
    port: values.port === undefined ? undefined : integer(values.port, "--port"),
    password,
    allow: values.allow?.split(/[\s,]+/).filter(Boolean),
    tls: values["tls-cert"] && values["tls-key"] ? { certPath: values["tls-cert"], keyPath: values["tls-key"] } : undefined,
    idleTimeoutMs: values["idle-timeout-ms"] === undefined ? undefined : integer(values["idle-timeout-ms"], "--idle-timeout-ms"),
    authTimeoutMs: values["auth-timeout-ms"] === undefined ? undefined : bounded(values["auth-timeout-ms"], "--auth-timeout-ms", 1, 2 ** 31 - 1),
    maxConnections: values["max-connections"] === undefined ? undefined : bounded(values["max-connections"], "--max-connections", 1),
    log: stderrLog,
  });
  process.stdout.write(`${JSON.stringify({ event: "listening", host: agent.host, port: agent.port, pid: process.pid })}\n`);
  const stop = () => void agent.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  if (values["exit-with-stdin"]) process.stdin.on("close", stop).on("end", stop).resume();
}

function integer(text: string, option: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`${option} must be a whole number`);
  return Number(text);
}

/** A whole number from min to max; a timer's max is 2^31 - 1 ms (about 24.8 days): Node fires a longer one at once. */
function bounded(text: string, option: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = integer(text, option);
  if (value < min || value > max) throw new Error(max === Number.MAX_SAFE_INTEGER ? `${option} must be at least ${min}` : `${option} must be from ${min} to ${max}`);
  return value;
}

main().catch((error: unknown) => {
  // Startup errors only: the message names the option or file at fault, never the password.
  process.stderr.write(`listbill-agent: ${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
  process.exit(1);
});
