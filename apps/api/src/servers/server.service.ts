import { Brackets, type EntityManager, In } from "typeorm";
import { type Database, isUniqueViolation } from "../db/database.js";
import { nameKeyOf } from "../db/columns.js";
import { containsPattern } from "../db/sql.js";
import { type ChangeAuthor, changedFields, recordChanges } from "../audit/audit.js";
import { type Page, type PageArgs, paginate } from "../graphql/connection.js";
import { fromGlobalId } from "../graphql/global-id.js";
import { parseInput } from "../graphql/input-validation.js";
import { refuse } from "../graphql/user-error.js";
import { Assignment } from "../assignments/assignment.entity.js";
import { ListMemberCount } from "../lists/list-member-count.entity.js";
import { List } from "../lists/list.entity.js";
import type { SecretBox } from "../secrets/secret-box.js";
import { Site } from "../sites/site.entity.js";
import { Job, JobState } from "../jobs/job.entity.js";
import { ValidationError } from "../validation/validation-error.entity.js";
import { ValidationRun } from "../validation/validation-run.entity.js";
import { Server } from "./server.entity.js";
import { ServerErrorCode, serverFieldCodes } from "./server.errors.js";
import { type ServerFilter, createServerSchema, updateServerSchema } from "./server.inputs.js";

/** ListManager's own default TCLPORT password, used when an operator stores none. */
export const LISTMANAGER_DEFAULT_PASSWORD = "TCLPORTPasswd";

export class ServerService {
  constructor(
    private readonly db: Database,
    private readonly secrets: SecretBox,
  ) {}

  async page(args: PageArgs, filter: ServerFilter | null | undefined): Promise<Page<Server>> {
    const query = this.db.manager.getRepository(Server).createQueryBuilder("server");
    if (filter?.nameContains) {
      const pattern = containsPattern(filter.nameContains.toLowerCase());
      query.andWhere(
        new Brackets((where) => {
          where.where("server.nameKey LIKE :pattern ESCAPE '!'", { pattern }).orWhere("LOWER(server.hostName) LIKE :pattern ESCAPE '!'", { pattern });
        }),
      );
    }
    if (filter?.status?.length) query.andWhere("server.status IN (:...statuses)", { statuses: filter.status });
    if (filter?.autoSync != null) query.andWhere("server.autoSync = :autoSync", { autoSync: filter.autoSync });
    return paginate(query, args, [
      { column: "server.nameKey", value: (server) => server.nameKey },
      { column: "server.id", value: (server) => server.id },
    ]);
  }

  /** The server behind an opaque ID, or null for an unknown or foreign ID. */
  async find(globalId: string): Promise<Server | null> {
    const id = fromGlobalId("Server", globalId);
    return id === null ? null : this.db.manager.findOneBy(Server, { id });
  }

  async create(input: unknown, author: ChangeAuthor): Promise<Server> {
    const fields = parseInput(createServerSchema, input, serverFieldCodes);
    return this.db.transaction(async (manager) => {
      await this.assertNameFree(manager, fields.name);
      const now = new Date();
      const server = manager.create(Server, {
        name: fields.name,
        nameKey: nameKeyOf(fields.name),
        hostName: fields.hostName,
        port: fields.port,
        comments: fields.comments ?? null,
        passwordSealed: fields.password ? this.secrets.encrypt(fields.password) : null,
        autoSync: fields.autoSync,
        tls: fields.tls,
        createdAt: now,
        updatedAt: now,
      });
      const saved = await this.insertOrRefuseDuplicate(manager, server);
      await recordChanges(manager, author, [{ action: "server.create", objectType: "Server", objectId: saved.globalId, objectKey: saved.name, after: auditedFields(saved) }]);
      return saved;
    });
  }

  async update(input: { id: string }, author: ChangeAuthor): Promise<Server> {
    const fields = parseInput(updateServerSchema, input, serverFieldCodes);
    return this.db.transaction(async (manager) => {
      const server = await this.lockExisting(manager, input.id);
      const before = auditedFields(server);
      const sealedBefore = server.passwordSealed;
      if (fields.name !== undefined && nameKeyOf(fields.name) !== server.nameKey) {
        await this.assertNameFree(manager, fields.name);
      }
      if (fields.name !== undefined) Object.assign(server, { name: fields.name, nameKey: nameKeyOf(fields.name) });
      if (fields.hostName !== undefined) server.hostName = fields.hostName;
      if (fields.port !== undefined) server.port = fields.port;
      if (fields.comments !== undefined) server.comments = fields.comments;
      if (fields.autoSync !== undefined) server.autoSync = fields.autoSync;
      if (fields.tls !== undefined) server.tls = fields.tls;
      if (fields.password !== undefined) server.passwordSealed = fields.password === null ? null : this.secrets.encrypt(fields.password);
      server.updatedAt = new Date();
      const saved = await this.insertOrRefuseDuplicate(manager, server);
      const change = changedFields(before, { ...auditedFields(saved), passwordChanged: saved.passwordSealed !== sealedBefore });
      if (change) await recordChanges(manager, author, [{ action: "server.update", objectType: "Server", objectId: saved.globalId, objectKey: saved.name, ...change }]);
      return saved;
    });
  }

  /**
   * Deletes a server and billing's mirror of it (sites, lists, member counts, ended assignments,
   * validation runs and errors); its jobs stay as history.
   * Refused while any of its lists, sites or the server itself has a current owner: those
   * must be unassigned first, so no customer silently loses billed objects.
   */
  async delete(input: { id: string }, author: ChangeAuthor): Promise<string> {
    return this.db.transaction(async (manager) => {
      const server = await this.lockExisting(manager, input.id);
      const owned = await manager
        .getRepository(Assignment)
        .createQueryBuilder("assignment")
        .leftJoin(List, "list", "list.id = assignment.listId")
        .leftJoin(Site, "site", "site.id = assignment.siteId")
        .where("assignment.endDate IS NULL")
        .andWhere("(assignment.serverId = :id OR list.serverId = :id OR site.serverId = :id)", { id: server.id })
        .getCount();
      if (owned > 0) {
        refuse(ServerErrorCode.SERVER_HAS_CUSTOMERS, `${server.name} still has ${owned} current customer assignment(s); unassign them first`, ["input", "id"]);
      }
      const busy = await manager.countBy(Job, { serverId: server.id, state: In([JobState.QUEUED, JobState.RUNNING]) });
      if (busy > 0) {
        refuse(ServerErrorCode.SERVER_BUSY, `${server.name} has ${busy} queued or running job(s); wait for them to finish`, ["input", "id"]);
      }
      const listIds = manager.getRepository(List).createQueryBuilder("list").select("list.id").where("list.serverId = :id");
      const siteIds = manager.getRepository(Site).createQueryBuilder("site").select("site.id").where("site.serverId = :id");
      await manager.createQueryBuilder().delete().from(ListMemberCount).where(`listId IN (${listIds.getQuery()})`, { id: server.id }).execute();
      await manager
        .createQueryBuilder()
        .delete()
        .from(Assignment)
        .where(`serverId = :id OR listId IN (${listIds.getQuery()}) OR siteId IN (${siteIds.getQuery()})`, { id: server.id })
        .execute();
      await manager.delete(ValidationError, { serverId: server.id });
      await manager.delete(ValidationRun, { serverId: server.id });
      await manager.delete(List, { serverId: server.id });
      await manager.delete(Site, { serverId: server.id });
      await manager.delete(Server, { id: server.id });
      await recordChanges(manager, author, [{ action: "server.delete", objectType: "Server", objectId: server.globalId, objectKey: server.name, before: auditedFields(server) }]);
      return server.globalId;
    });
  }

  /** The agent password for a server: its stored one, decrypted, or ListManager's default. */
  agentPassword(server: Server): string {
    return server.passwordSealed ? this.secrets.decrypt(server.passwordSealed) : LISTMANAGER_DEFAULT_PASSWORD;
  }

  private async lockExisting(manager: EntityManager, globalId: string): Promise<Server> {
    const server = await this.db.lockedRow(manager, Server, fromGlobalId("Server", globalId));
    if (!server) refuse(ServerErrorCode.SERVER_NOT_FOUND, "No server has this ID", ["input", "id"]);
    return server;
  }

  private async assertNameFree(manager: EntityManager, name: string): Promise<void> {
    const taken = await manager.existsBy(Server, { nameKey: nameKeyOf(name) });
    if (taken) refuse(ServerErrorCode.DUPLICATE_NAME, `A server named "${name}" already exists`, ["input", "name"]);
  }

  /** Two operators can race past assertNameFree; the unique index decides, and the loser gets the same typed error. */
  private async insertOrRefuseDuplicate(manager: EntityManager, server: Server): Promise<Server> {
    try {
      return await manager.save(Server, server);
    } catch (error) {
      if (isUniqueViolation(error)) refuse(ServerErrorCode.DUPLICATE_NAME, `A server named "${server.name}" already exists`, ["input", "name"]);
      throw error;
    }
  }
}

/** A server as the audit trail records it: never the password, only whether one is set or changed. */
function auditedFields(server: Server) {
  return { name: server.name, hostName: server.hostName, port: server.port, comments: server.comments, autoSync: server.autoSync, tls: server.tls, passwordSet: server.passwordSealed !== null, passwordChanged: false };
}
