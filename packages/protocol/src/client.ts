import net from "node:net";
import tls from "node:tls";
import type { z } from "zod";
import { onlyNamed, orElseOnRefusal, PendingResult, PendingStream } from "./client-streams.js";
import { errorFromRemote, HostingError } from "./errors.js";
import { LineSplitter } from "./line-splitter.js";
import {
  authResultSchema, describeIssues, listMemberCountsSchema, listSchema, loggingEnabledSchema, logEntrySchema, MAX_NAMED_LISTS,
  responseLine, serverInfoSchema, siteSchema,
  type CommandName, type CommandParams, type ResponseLine, type HostingList, type HostingListMemberCounts, type HostingLogEntry, type HostingSite, type ServerInfo,
} from "./messages.js";
import { compareNameKeys, nameKey } from "./names.js";

export interface HostingClientTls {
  /** PEM of the CA (or self-signed certificate) the agent's certificate must chain to. */
  ca?: string | Buffer | Array<string | Buffer>;
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface HostingClientOptions {
  host: string;
  port: number;
  password: string;
  tls?: HostingClientTls;
  /** TCP (and TLS) connection set-up. */
  connectTimeoutMs?: number;
  /** Longest wait for a result, or for the next line of a stream the consumer is waiting on. */
  requestTimeoutMs?: number;
  /**
   * Longest wait for the first line of a lists or memberCounts stream, when longer than
   * requestTimeoutMs: the agent's database may have to aggregate every member (a GROUP BY, a
   * sort) before it sends any list. Other streams (sites, log rows) keep requestTimeoutMs.
   */
  firstRecordTimeoutMs?: number;
  /** A connection with nothing in flight for this long is closed. */
  idleTimeoutMs?: number;
}

/** Made once per iteration of a stream: checks each record in turn, throwing PROTOCOL_ERROR for one out of place. */
type RecordCheck<T> = () => (record: T) => void;

/** How long a stream may take to send its first record, unless the client is told otherwise. */
export const DEFAULT_FIRST_RECORD_TIMEOUT_MS = 300_000;

// Pause the socket when this many records wait for consumers; resume below the low mark.
const QUEUE_HIGH_WATER = 512;
const QUEUE_LOW_WATER = 128;

/** One authenticated connection to a listbill-agent; several requests may be in flight at once. */
export class HostingClient {
  private readonly splitter = new LineSplitter();
  private readonly pending = new Map<number, PendingResult | PendingStream>();
  /** Requests given up (timed out or abandoned by the consumer) whose late lines are ignored. */
  private readonly abandoned = new Set<number>();
  private nextId = 1;
  private queued = 0;
  private paused = false;
  private closedWith: HostingError | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly requestTimers = new Map<number, NodeJS.Timeout>();

  private constructor(
    private readonly socket: net.Socket,
    private readonly endpoint: string,
    private readonly requestTimeoutMs: number,
    private readonly idleTimeoutMs: number,
    private readonly firstRecordTimeoutMs: number,
  ) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (error) => this.fail(transportError(error, endpoint)));
    socket.on("close", () => this.fail(new HostingError("UNREACHABLE", closedMessage(endpoint))));
  }

  static async connect(options: HostingClientOptions): Promise<HostingClient> {
    const endpoint = `${options.host}:${options.port}`;
    const socket = await openSocket(options, endpoint);
    const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    const firstRecordTimeoutMs = Math.max(requestTimeoutMs, options.firstRecordTimeoutMs ?? DEFAULT_FIRST_RECORD_TIMEOUT_MS);
    const client = new HostingClient(socket, endpoint, requestTimeoutMs, options.idleTimeoutMs ?? 60_000, firstRecordTimeoutMs);
    try {
      await client.request("auth", { password: options.password }, authResultSchema);
    } catch (error) {
      client.socket.destroy();
      // Closed without a byte in answer to the password. An agent says why it refuses (a wrong
      // password, an address off its allow-list) but in three cases, named for the operator. Its
      // close comes as a reset when our password line reached it first, unread: the same case.
      const closedUnanswered = error instanceof HostingError && (error.message === closedMessage(endpoint) || error.message === resetMessage(endpoint));
      if (!options.tls && closedUnanswered && socket.bytesRead === 0) {
        throw new HostingError("UNREACHABLE", `connection to ${endpoint} closed before the agent answered a byte: an agent does so to a plain connection when it serves TLS (connect with TLS), to one beyond its --max-connections, and, serving TLS, to an address off its allow-list; or the agent, or something between, stopped`);
      }
      throw error;
    }
    client.armIdleTimer();
    return client;
  }

  async serverInfo(): Promise<ServerInfo> {
    return this.request("serverInfo", undefined, serverInfoSchema);
  }

  async loggingEnabled(): Promise<boolean> {
    return (await this.request("loggingEnabled", undefined, loggingEnabledSchema)).enabled;
  }

  /** Sites in name-key order (see compareNameKeys). */
  sites(): AsyncIterable<HostingSite> {
    return this.stream("sites", undefined, siteSchema, this.inNameOrder("sites", (site) => site.name));
  }

  /**
   * Lists in name-key order. withMemberCounts adds counts by status, aggregated by the agent's
   * database; withBilledMembers (without withMemberCounts) adds only the billed members, which
   * costs the agent less. An agent from before withBilledMembers refuses it as a BAD_REQUEST
   * before its first record: the stream then asks it again withMemberCounts.
   * `names` keeps the lists named (matched by name key) and no other. Up to MAX_NAMED_LISTS, the
   * agent reads only those, sparing it the others' member counts; more, or an agent from before
   * `names` (which refuses it the same way), and every list is read and the others dropped here.
   */
  lists(options: { withMemberCounts?: boolean; withBilledMembers?: boolean; names?: readonly string[] } = {}): AsyncIterable<HostingList> {
    const lists = (params: CommandParams<"lists">) => this.stream("lists", params, listSchema, this.inNameOrder("lists", (list) => list.name), true);
    const { names, ...members } = options;
    if (names) {
      const keys = [...new Set(names.map(nameKey))];
      const everyList = () => onlyNamed(this.lists(members), new Set(keys));
      if (keys.length === 0) return onlyNamed([], new Set());
      if (keys.length > MAX_NAMED_LISTS) return everyList();
      return orElseOnRefusal(lists({ ...this.membersParams(members), names: keys }), everyList);
    }
    if (members.withMemberCounts) return lists({ withMemberCounts: true });
    if (!members.withBilledMembers) return lists(undefined);
    return orElseOnRefusal(lists({ withBilledMembers: true }), () => lists({ withMemberCounts: true }));
  }

  private membersParams(options: { withMemberCounts?: boolean; withBilledMembers?: boolean }): CommandParams<"lists"> {
    return options.withMemberCounts ? { withMemberCounts: true } : options.withBilledMembers ? { withBilledMembers: true } : {};
  }

  memberCounts(): AsyncIterable<HostingListMemberCounts> {
    return this.stream("memberCounts", undefined, listMemberCountsSchema, this.inNameOrder("memberCounts", (row) => row.list), true);
  }

  /**
   * Rows of log_ with LogID_ > afterId, ascending, at most limit of them; an agent that sends more,
   * or one at or below the row before it, fails the stream with PROTOCOL_ERROR (an importer that
   * took them would hold them all, or never move its high-water mark).
   */
  logEntries(options: { afterId: number; limit: number }): AsyncIterable<HostingLogEntry> {
    return this.stream("logEntries", { afterId: options.afterId, limit: options.limit }, logEntrySchema, () => {
      let previous = options.afterId;
      let count = 0;
      return (entry) => {
        if (++count > options.limit) throw new HostingError("PROTOCOL_ERROR", `logEntries from ${this.endpoint} sent more than the ${options.limit} rows asked for`);
        if (entry.id <= previous) throw new HostingError("PROTOCOL_ERROR", `logEntries from ${this.endpoint} sent LogID_ ${entry.id} after ${previous}`);
        previous = entry.id;
      };
    });
  }

  /** A stream's check that its records come in name-key order (see compareNameKeys). */
  private inNameOrder<T>(command: CommandName, nameOf: (record: T) => string): RecordCheck<T> {
    return () => {
      let previousKey: string | undefined;
      return (record) => {
        const key = nameKey(nameOf(record));
        if (previousKey !== undefined && compareNameKeys(previousKey, key) > 0) {
          throw new HostingError("PROTOCOL_ERROR", `${command} records from ${this.endpoint} arrived out of name order`);
        }
        previousKey = key;
      };
    };
  }

  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    const closed = new Promise<void>((resolve) => this.socket.once("close", () => resolve()));
    this.fail(new HostingError("UNREACHABLE", `connection to ${this.endpoint} was closed by the client`));
    await closed;
  }

  private request<S extends z.ZodType>(command: CommandName, params: unknown, schema: S): Promise<z.infer<S>> {
    return new Promise((resolve, reject) => {
      if (this.closedWith) return reject(this.closedWith);
      const id = this.nextId++;
      const validate = (data: unknown) => this.validate(schema, data, command);
      this.pending.set(id, new PendingResult(id, validate, resolve as (value: unknown) => void, reject));
      this.armRequestTimer(id);
      this.send(id, command, params);
    });
  }

  private stream<S extends z.ZodType>(
    command: CommandName,
    params: unknown,
    schema: S,
    check: RecordCheck<z.infer<S>>,
    /** Whether the agent's database may work a long while before the first record (lists, member counts): then firstRecordTimeoutMs applies to it. */
    slowStart = false,
  ): AsyncIterable<z.infer<S>> {
    return {
      [Symbol.asyncIterator]: () => {
        const inPlace = check();
        const validate = (data: unknown) => {
          const record = this.validate(schema, data, command);
          inPlace(record);
          return record;
        };
        const id = this.nextId++;
        const stream = new PendingStream(id, validate);
        if (this.closedWith) stream.finish(this.closedWith);
        else {
          this.pending.set(id, stream);
          this.send(id, command, params);
        }
        return {
          next: async (): Promise<IteratorResult<z.infer<S>>> => {
            if (stream.queue.length === 0 && !stream.done) {
              // Nothing of the stream has come yet: the agent's database may still be working on its first row.
              if (slowStart && stream.received === 0) this.armRequestTimer(id, this.firstRecordTimeoutMs, "sent no record of the stream");
              else this.armRequestTimer(id);
              await stream.wait();
            }
            if (stream.queue.length > 0) {
              this.queued--;
              this.updateFlow();
              return { done: false, value: stream.queue.shift() as z.infer<S> };
            }
            if (stream.error) throw stream.error;
            return { done: true, value: undefined };
          },
          // A consumer leaving early (break, throw) cancels the rest so the connection stays usable.
          return: async (): Promise<IteratorResult<z.infer<S>>> => {
            if (!stream.done) this.abandon(id, true);
            // Ended already, records unread: they no longer count against the flow (counted, they
            // could hold the socket paused for ever, and every later request would time out).
            else this.discard(stream);
            return { done: true, value: undefined };
          },
        };
      },
    };
  }

  private send(id: number, command: CommandName, params: unknown): void {
    this.clearIdleTimer();
    this.socket.write(`${JSON.stringify(params === undefined ? { id, command } : { id, command, params })}\n`);
  }

  private validate<S extends z.ZodType>(schema: S, data: unknown, command: string): z.infer<S> {
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new HostingError("PROTOCOL_ERROR", `invalid ${command} answer from ${this.endpoint}: ${describeIssues(parsed.error)}`);
    }
    return parsed.data;
  }

  private onData(chunk: Buffer): void {
    try {
      for (const line of this.splitter.push(chunk)) {
        if (line.kind === "oversized") throw new HostingError("PROTOCOL_ERROR", `oversized line from ${this.endpoint}`);
        this.onLine(line.text);
      }
    } catch (error) {
      this.fail(error instanceof HostingError ? error : new HostingError("PROTOCOL_ERROR", `unreadable answer from ${this.endpoint}`));
    }
  }

  private onLine(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new HostingError("PROTOCOL_ERROR", `${this.endpoint} sent a line that is not JSON`);
    }
    let line = plainRecord(json);
    if (!line) {
      const parsed = responseLine.safeParse(json);
      if (!parsed.success) throw new HostingError("PROTOCOL_ERROR", `malformed line from ${this.endpoint}: ${describeIssues(parsed.error)}`);
      line = parsed.data;
    }
    if (line.id === null) {
      // An error tied to no request (allow-list refusal, a line we sent that it could not read): fatal.
      if (line.type === "error") throw errorFromRemote(line.code, line.message);
      return;
    }
    const request = this.pending.get(line.id);
    if (!request) {
      if (!this.abandoned.has(line.id)) throw new HostingError("PROTOCOL_ERROR", `${this.endpoint} answered unknown request ${line.id}`);
      if (line.type !== "record") this.abandoned.delete(line.id);
      return;
    }
    this.clearRequestTimer(line.id);
    if (line.type === "error") {
      this.settle(request, errorFromRemote(line.code, line.message));
    } else if (request.kind === "result") {
      if (line.type !== "result") throw new HostingError("PROTOCOL_ERROR", `${this.endpoint} streamed an answer expected as one result`);
      this.settle(request, undefined, request.validate(line.data));
    } else if (line.type === "record") {
      request.push(request.validate(line.data));
      this.queued++;
      if (request.consumerWaiting === false) this.updateFlow();
    } else if (line.type === "end") {
      // A stream this client did not cancel ends complete: an end that says otherwise would pass
      // a cut-off stream for the whole (a validation would take the lists missing for removed).
      if (line.cancelled || line.count !== request.received) {
        throw new HostingError("PROTOCOL_ERROR", `${this.endpoint} ended a stream after ${request.received} records, saying ${line.count}${line.cancelled ? " (cancelled)" : ""}`);
      }
      this.settle(request);
    } else {
      throw new HostingError("PROTOCOL_ERROR", `${this.endpoint} answered a stream with a single result`);
    }
  }

  private settle(request: PendingResult | PendingStream, error?: HostingError, value?: unknown): void {
    this.pending.delete(request.id);
    this.clearRequestTimer(request.id);
    if (request.kind === "result") {
      if (error) request.reject(error);
      else request.resolve(value);
    } else {
      request.finish(error);
    }
    if (this.pending.size === 0) this.armIdleTimer();
  }

  /** Gives up on a request: its late lines are dropped; a stream is cancelled at the agent. */
  private abandon(id: number, cancel: boolean, error?: HostingError): void {
    const request = this.pending.get(id);
    if (!request) return;
    this.abandoned.add(id);
    if (request.kind === "stream") this.discard(request);
    this.settle(request, error);
    if (cancel && !this.closedWith) this.send(this.nextId++, "cancel", { requestId: id });
  }

  /** Drops a stream's unread records. */
  private discard(stream: PendingStream): void {
    this.queued -= stream.queue.length;
    stream.queue.length = 0;
    this.updateFlow();
  }

  private updateFlow(): void {
    if (!this.paused && this.queued >= QUEUE_HIGH_WATER) {
      this.paused = true;
      this.socket.pause();
    } else if (this.paused && this.queued <= QUEUE_LOW_WATER) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private armRequestTimer(id: number, ms = this.requestTimeoutMs, what = "did not answer"): void {
    this.clearRequestTimer(id);
    const timer = setTimeout(() => {
      const error = new HostingError("UNREACHABLE", `${this.endpoint} ${what} within ${ms} ms`);
      const request = this.pending.get(id);
      this.abandon(id, request?.kind === "stream", error);
    }, ms);
    this.requestTimers.set(id, timer);
  }

  private clearRequestTimer(id: number): void {
    clearTimeout(this.requestTimers.get(id));
    this.requestTimers.delete(id);
  }

  private armIdleTimer(): void {
    this.clearIdleTimer();
    this.idleTimer = setTimeout(() => {
      this.fail(new HostingError("UNREACHABLE", `connection to ${this.endpoint} closed after ${this.idleTimeoutMs} ms idle`));
    }, this.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    clearTimeout(this.idleTimer);
  }

  /** Ends the connection: every request in flight fails with the error, later calls too. */
  private fail(error: HostingError): void {
    if (this.closedWith) return;
    this.closedWith = error;
    this.clearIdleTimer();
    for (const request of [...this.pending.values()]) this.settle(request, error);
    this.clearIdleTimer();
    this.socket.destroy();
  }
}

function openSocket(options: HostingClientOptions, endpoint: string): Promise<net.Socket> {
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const socket = options.tls
      ? tls.connect({ host: options.host, port: options.port, ...options.tls, servername: options.tls.servername ?? tlsServername(options.host) })
      : net.connect({ host: options.host, port: options.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HostingError("UNREACHABLE", `connecting to ${endpoint} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once(options.tls ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      socket.setKeepAlive(true, 30_000);
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(transportError(error, endpoint));
    });
  });
}

function closedMessage(endpoint: string): string {
  return `connection to ${endpoint} closed`;
}

function resetMessage(endpoint: string): string {
  return `connection to ${endpoint} was reset`;
}

// SNI may not carry an IP address.
function tlsServername(host: string): string | undefined {
  return net.isIP(host) ? undefined : host;
}

function transportError(error: Error & { code?: string }, endpoint: string): HostingError {
  if (error instanceof HostingError) return error;
  switch (error.code) {
    case "ECONNREFUSED":
      return new HostingError("UNREACHABLE", `connection to ${endpoint} refused`);
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new HostingError("UNREACHABLE", `host name of ${endpoint} not found`);
    case "ETIMEDOUT":
      return new HostingError("UNREACHABLE", `connection to ${endpoint} timed out`);
    case "ECONNRESET":
    case "EPIPE":
      return new HostingError("UNREACHABLE", resetMessage(endpoint));
    case "ERR_SSL_WRONG_VERSION_NUMBER":
      // What OpenSSL makes of a plain-text answer to its handshake.
      return new HostingError("UNREACHABLE", `connection to ${endpoint} is not TLS: the agent answered in plain text, so it was started without TLS (connect without TLS, or start it with --tls-cert and --tls-key)`);
    default:
      // OpenSSL's verdicts on the agent's certificate (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED,
      // ERR_TLS_CERT_ALTNAME_INVALID, …): the operator's fix is the trust, not the network.
      if (error.code && /CERT|SIGNATURE|ALTNAME/.test(error.code)) return new HostingError("CERTIFICATE_REJECTED", `the TLS certificate of ${endpoint} was not trusted (${error.code})`);
      return new HostingError("UNREACHABLE", `connection to ${endpoint} failed (${error.code ?? "TLS or network error"})`);
  }
}

/**
 * A record line that responseLine would accept as it is ({ id, type: "record", data } and no other
 * key), checked without it: a stream sends one per list, and the envelope's schema cost as much as
 * the record's own. Anything else, well-formed or not, is left to the schema and its messages.
 */
export function plainRecord(json: unknown): ResponseLine | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const line = json as { id?: unknown; type?: unknown };
  if (line.type !== "record" || typeof line.id !== "number" || !Number.isSafeInteger(line.id) || line.id < 0) return undefined;
  let keys = 0;
  for (const key in json) {
    if (key !== "id" && key !== "type" && key !== "data") return undefined;
    keys += 1;
  }
  return keys === 3 ? (json as ResponseLine) : undefined;
}
