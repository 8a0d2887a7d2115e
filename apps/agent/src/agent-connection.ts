import { timingSafeEqual, createHash } from "node:crypto";
import type net from "node:net";
import {
  commandParams, describeIssues, LineSplitter, requestEnvelope,
  type CommandName, type RemoteErrorCode, type ResponseLine,
} from "@listbill/protocol";
import type { AllowList } from "./allow-list.js";
import type { ListManagerCommands } from "./commands.js";
import type { AgentLog } from "./agent-log.js";
import { LineWriter, SocketGone } from "./line-writer.js";

export interface ConnectionContext {
  allowList: AllowList;
  password: string;
  commands: ListManagerCommands;
  idleTimeoutMs: number;
  /** A connection that has not authenticated this long after it opened is closed. */
  authTimeoutMs: number;
  log: AgentLog;
}

// Bounds what one client can make the agent do at once; the request beyond it gets BAD_REQUEST.
const MAX_IN_FLIGHT = 16;
/** Records a stream sends between two turns of the event loop. */
const YIELD_EVERY = 2000;
/**
 * Answers queued in the socket beyond this stop the agent reading the connection until the client
 * reads them: a client that sends and never reads cannot make the agent buffer without limit.
 */
const MAX_UNREAD_BYTES = 1024 * 1024;

/**
 * One client connection: allow-list check before a byte is read, then password, then commands
 * served concurrently by request id. Until the password is given, a line that is not a correct
 * auth request, or no auth within authTimeoutMs, ends the connection. Nothing a client sends can
 * throw out of here.
 */
export function serveConnection(socket: net.Socket, context: ConnectionContext): void {
  const peer = socket.remoteAddress ?? "unknown";
  socket.on("error", (error) => context.log("connection_error", { peer, error: (error as { code?: string }).code ?? "error" }));

  if (!context.allowList.allows(socket.remoteAddress)) {
    context.log("host_not_allowed", { peer });
    socket.end(line({ id: null, type: "error", code: "HOST_NOT_ALLOWED", message: `${peer} is not on the allow-list` }));
    setTimeout(() => socket.destroy(), 1_000).unref();
    return;
  }

  const splitter = new LineSplitter();
  const writer = new LineWriter(socket);
  const inFlight = new Set<number>();
  const cancelled = new Set<number>();
  // Idle covers half-open peers too: a vanished client never acknowledges, so nothing moves. A
  // connection whose command the database is still working on (an aggregate of every member
  // before the first list) is not idle: its answer, when it comes, starts the count again, and
  // TCP keepalive notices a client that vanished meanwhile. Answers waiting unsent are the
  // client's to read: one that does not is idle however much is in flight.
  const onIdle = () => {
    // Node fires a socket's timeout once and forgets its callback: armed again here, it looks again a period on.
    if (inFlight.size > 0 && socket.writableLength === 0) return void socket.setTimeout(context.idleTimeoutMs, onIdle);
    context.log("connection_idle_closed", { peer });
    socket.destroy();
  };
  socket.setTimeout(context.idleTimeoutMs, onIdle);
  socket.setKeepAlive(true, 30_000);
  let authenticated = false;
  // Sending a newline now and then would hold off the idle timeout for ever: the password has a deadline of its own.
  const authDeadline = setTimeout(() => {
    context.log("auth_timeout", { peer });
    refuse(null, "no authentication in time");
  }, context.authTimeoutMs);
  socket.once("close", () => clearTimeout(authDeadline));

  const send = (message: ResponseLine): Promise<void> => writer.write(line(message));
  const sendError = (id: number | null, code: RemoteErrorCode, message: string) => {
    send({ id, type: "error", code, message }).catch(() => undefined);
  };

  const run = async (id: number, command: CommandName, params: unknown) => {
    inFlight.add(id);
    try {
      await execute(id, command, params);
    } catch (error) {
      if (error instanceof SocketGone) return;
      context.log("command_failed", { peer, command, error: error instanceof Error ? error.message : String(error) });
      sendError(id, "INTERNAL", "the ListManager database could not be read");
    } finally {
      inFlight.delete(id);
      cancelled.delete(id);
    }
  };

  const execute = async (id: number, command: CommandName, params: any) => {
    const stream = async (records: AsyncGenerator<unknown>) => {
      let count = 0;
      // for-await's early exit closes the generator, and with it the database cursor.
      for await (const data of records) {
        if (cancelled.has(id)) return send({ id, type: "end", count, cancelled: true });
        await send({ id, type: "record", data });
        count++;
        // The event loop gets a turn now and then. Sending waits only when the socket backs up,
        // and a reader as fast as loopback (whose buffers can hold tens of MB) never backs it up:
        // without this, a cancel or another connection's request was read only once the whole
        // stream had been sent.
        if (count % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await send({ id, type: "end", count });
    };
    switch (command) {
      case "serverInfo":
        return send({ id, type: "result", data: await context.commands.serverInfo() });
      case "loggingEnabled":
        return send({ id, type: "result", data: { enabled: await context.commands.loggingEnabled() } });
      case "sites":
        return stream(context.commands.sites());
      case "lists":
        return stream(context.commands.lists(params?.withMemberCounts === true ? "counts" : params?.withBilledMembers === true ? "billed" : "none", params?.names));
      case "memberCounts":
        return stream(context.commands.memberCounts());
      case "logEntries":
        return stream(context.commands.logEntries(params.afterId, params.limit));
      case "auth":
      case "cancel":
        return;
    }
  };

  const onLine = (text: string) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (!authenticated) return refuse(null);
      return sendError(null, "BAD_REQUEST", "the line is not JSON");
    }
    const envelope = requestEnvelope.safeParse(json);
    if (!envelope.success) {
      const id = typeof (json as { id?: unknown })?.id === "number" ? (json as { id: number }).id : null;
      const safeId = Number.isSafeInteger(id) && (id as number) >= 0 ? id : null;
      if (!authenticated) return refuse(safeId);
      return sendError(safeId, "BAD_REQUEST", `invalid request: ${describeIssues(envelope.error)}`);
    }
    const { id, command } = envelope.data;
    if (!Object.hasOwn(commandParams, command)) {
      if (!authenticated) return refuse(id);
      return sendError(id, "UNKNOWN_COMMAND", `unknown command "${command.slice(0, 64).replace(/[^\w.-]/g, "?")}"`);
    }
    const params = commandParams[command as CommandName].safeParse(envelope.data.params);
    if (!authenticated) {
      if (!params.success || command !== "auth" || !passwordMatches((params.data as { password: string }).password, context.password)) return refuse(id);
      authenticated = true;
      clearTimeout(authDeadline);
      context.log("authenticated", { peer });
      return void send({ id, type: "result", data: { authenticated: true } }).catch(() => undefined);
    }
    if (!params.success) return sendError(id, "BAD_REQUEST", `invalid ${command} parameters: ${describeIssues(params.error)}`);
    if (command === "cancel") {
      const target = (params.data as { requestId: number }).requestId;
      if (inFlight.has(target)) cancelled.add(target);
      return;
    }
    if (command === "auth") return sendError(id, "BAD_REQUEST", "already authenticated");
    if (inFlight.has(id)) return sendError(id, "BAD_REQUEST", `request id ${id} is already in flight`);
    if (inFlight.size >= MAX_IN_FLIGHT) return sendError(id, "BAD_REQUEST", `more than ${MAX_IN_FLIGHT} requests in flight`);
    void run(id, command as CommandName, params.data);
  };

  // The first request must carry the right password; anything else ends the connection.
  const refuse = (id: number | null, message = "wrong password or no authentication") => {
    if (socket.writableEnded) return;
    context.log("auth_failed", { peer });
    clearTimeout(authDeadline);
    writer.end(line({ id, type: "error", code: "AUTH_FAILED", message }));
    socket.off("data", onData);
    // A client that does not read the refusal does not keep the connection.
    setTimeout(() => socket.destroy(), 1_000).unref();
  };

  const onData = (chunk: Buffer) => {
    for (const piece of splitter.push(chunk)) {
      if (socket.writableEnded) return;
      if (piece.kind === "oversized") {
        if (!authenticated) return refuse(null);
        sendError(null, "BAD_REQUEST", "line longer than 1 MiB");
      } else onLine(piece.text);
    }
    if (socket.writableLength > MAX_UNREAD_BYTES && !socket.isPaused()) {
      socket.pause();
      socket.once("drain", () => socket.resume());
    }
  };
  socket.on("data", onData);
}

function line(message: ResponseLine): string {
  return `${JSON.stringify(message)}\n`;
}

/** Compares digests, so neither the content nor the length of the password leaks by timing. */
function passwordMatches(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}
