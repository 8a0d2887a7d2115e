import type { Repository } from "typeorm";
import type { Database } from "../db/database.js";
import { type Page, type PageArgs, paginateEach } from "../graphql/connection.js";
import { fromGlobalId } from "../graphql/global-id.js";
import { refuse } from "../graphql/user-error.js";
import { type HostingSettings, classifyHostingFailure, connectToServer } from "../hosting/hosting-connection.js";
import { type Job, JobKind } from "../jobs/job.entity.js";
import type { JobQueue } from "../jobs/job-queue.js";
import { filterId } from "../lists/list.service.js";
import { Server } from "../servers/server.entity.js";
import type { ServerService } from "../servers/server.service.js";
import { namedServerIds } from "../servers/named-servers.js";
import { effectiveStatuses, publishedOnly, statusNowIn, withdrawnRuns } from "./published.js";
import { CODE_RULES, type ValidationErrorCode, codesWhere } from "./validation-codes.js";
import { ValidationError } from "./validation-error.entity.js";
import type { ValidationErrorFilter } from "./validation.inputs.js";
import type { ChangeAuthor } from "../audit/audit.js";
import { type PurgeOutcome, purgeSupersededErrors } from "./purge.js";


export interface ServerSelection {
  serverIds?: string[] | null;
  all?: boolean | null;
}

export class ValidationService {
  constructor(
    private readonly db: Database,
    private readonly servers: ServerService,
    private readonly queue: JobQueue,
    private readonly hostingSettings: HostingSettings,
    private readonly onEnqueued: () => void,
  ) {}

  /** One job per selected server (an already queued one is reused); the worker picks them up. */
  async enqueue(kind: JobKind, selection: ServerSelection, actor: string | null, trigger: string): Promise<Job[]> {
    const jobs = await this.db.transaction(async (manager) => {
      const serverIds = await resolveSelection(manager.getRepository(Server), selection);
      return this.queue.enqueue(
        manager,
        serverIds.map((serverId) => ({ kind, trigger, actor, input: { serverId }, serverId })),
      );
    });
    this.onEnqueued();
    return jobs;
  }

  /** Deletes the errors superseded before a day, at most `limit` a call (purge.ts). */
  purge(input: unknown, author: ChangeAuthor): Promise<PurgeOutcome> {
    return purgeSupersededErrors(this.db, input, author);
  }

  /** Connects, authenticates and asks the version, without recording anything. */
  async testConnection(globalId: string): Promise<{ ok: boolean; reason: string | null; message: string | null; version: string | null; latencyMs: number }> {
    const server = await this.servers.find(globalId);
    if (!server) refuse("SERVER_NOT_FOUND", "No server has this ID", ["input", "id"]);
    const started = performance.now();
    try {
      const client = await connectToServer(server, this.servers.agentPassword(server), this.hostingSettings);
      try {
        const info = await client.serverInfo();
        return { ok: true, reason: null, message: null, version: info.version, latencyMs: Math.round(performance.now() - started) };
      } finally {
        await client.close();
      }
    } catch (error) {
      const failure = classifyHostingFailure(error);
      if (!failure) throw error;
      return { ok: false, reason: failure.status, message: failure.message, version: null, latencyMs: Math.round(performance.now() - started) };
    }
  }

  async errorsPage(args: PageArgs, filter: ValidationErrorFilter | null | undefined): Promise<Page<ValidationError>> {
    return (await this.errorsPages(args, filter, [undefined]))[0]!;
  }

  /**
   * The same page of errors for each server (undefined: every server, or filter.serverId), in
   * one statement, their statuses in one more.
   */
  async errorsPages(args: PageArgs, filter: ValidationErrorFilter | null | undefined, scopes: (number | undefined)[]): Promise<Page<ValidationError>[]> {
    const serverIds = scopes.map((scope) => scope ?? filterId("Server", filter?.serverId, "serverId"));
    const customerId = filterId("Customer", filter?.customerId, "customerId");
    // A status filter names the withdrawn runs, and the page's errors are then told OPEN or
    // SUPERSEDED by the same read; without one, effectiveStatuses asks about the page's own runs.
    const statuses = filter?.status?.length ? filter.status : undefined;
    const withdrawn = statuses ? await withdrawnRuns(this.db.manager) : undefined;
    // Severity, object type and fixable follow from the code: each narrows the codes asked for.
    let codes: ValidationErrorCode[] | undefined = filter?.code?.length ? [...filter.code] : undefined;
    const narrow = (test: (rule: (typeof CODE_RULES)[ValidationErrorCode]) => boolean) => {
      const matching = codesWhere(test);
      codes = codes ? codes.filter((code) => matching.includes(code)) : matching;
    };
    if (filter?.severity?.length) narrow((rule) => filter.severity!.includes(rule.severity));
    if (filter?.objectType?.length) narrow((rule) => filter.objectType!.includes(rule.objectType));
    if (filter?.fixable != null) narrow((rule) => rule.fixable === filter.fixable);
    const queries = serverIds.map((serverId) => {
      const query = this.db.manager.getRepository(ValidationError).createQueryBuilder("error").where(publishedOnly("error"));
      if (serverId !== undefined) query.andWhere("error.serverId = :serverId", { serverId });
      if (customerId !== undefined) query.andWhere("error.customerId = :customerId", { customerId });
      if (statuses && withdrawn) query.andWhere(statusNowIn("error", statuses, withdrawn));
      if (codes) query.andWhere(codes.length ? "error.code IN (:...codes)" : "1 = 0", { codes });
      return query;
    });
    const pages = await paginateEach(queries, args, [{ column: "error.id", value: (error) => error.id }]);
    await effectiveStatuses(this.db.manager, pages.flatMap((page) => page.nodes), withdrawn);
    return pages;
  }

  async findError(globalId: string): Promise<ValidationError | null> {
    const id = fromGlobalId("ValidationError", globalId);
    if (id === null) return null;
    const error = await this.db.manager.getRepository(ValidationError).createQueryBuilder("error").where("error.id = :id", { id }).andWhere(publishedOnly("error")).getOne();
    return error && (await effectiveStatuses(this.db.manager, [error]))[0]!;
  }
}

/** The row ids a { serverIds } or { all: true } selection names; refuses unknown and ambiguous ones. */
async function resolveSelection(servers: Repository<Server>, selection: ServerSelection): Promise<number[]> {
  const named = selection.serverIds ?? [];
  if (selection.all && named.length) refuse("AMBIGUOUS_SELECTION", "Name servers or say all: true, not both", ["input"]);
  if (selection.all) return (await servers.find({ select: { id: true }, order: { nameKey: "ASC" } })).map((server) => server.id);
  if (named.length === 0) refuse("NO_SERVERS_SELECTED", "Select at least one server, or say all: true", ["input", "serverIds"]);
  return namedServerIds(servers, named);
}
