import { randomBytes } from "node:crypto";
import { type EntityManager, IsNull, LessThan, Or } from "typeorm";
import { instantOf, instantParameter } from "../db/columns.js";
import { type Database, isUniqueViolation } from "../db/database.js";
import { type Page, type PageArgs, paginate } from "../graphql/connection.js";
import { fromGlobalId } from "../graphql/global-id.js";
import { parseInput } from "../graphql/input-validation.js";
import { refuse } from "../graphql/user-error.js";
import { ApiToken } from "./api-token.entity.js";
import { type ChangeAuthor, changedFields, recordChanges } from "../audit/audit.js";
import { AuthErrorCode, passwordFieldCodes, tokenFieldCodes, updateUserFieldCodes, userFieldCodes } from "./auth.errors.js";
import { type ApiTokenFilter, changePasswordSchema, createApiTokenSchema, createUserSchema, passwordField, updateUserSchema } from "./auth.inputs.js";
import { SESSION_SECONDS, hashSecret, newApiToken, newSessionToken } from "./credentials.js";
import { hashPassword, verifyPassword } from "./password.js";
import { Role } from "./role.js";
import { Session } from "./session.entity.js";
import { User } from "./user.entity.js";

/** Who a request acts as, and through which credential. */
export interface Identity {
  user: User;
  via: "session" | "token";
}

/** A credential joined with its user, as the identity lookups read it (no password hash). */
interface CredentialRow {
  id: number;
  username: string;
  usernameKey: string;
  role: Role;
  createdAt: Date | string;
  updatedAt: Date | string;
  expiresAt: Date | string | null;
  revokedAt: Date | string | null;
}

function userOf(row: CredentialRow): User {
  return Object.assign(new User(), {
    id: Number(row.id),
    username: row.username,
    usernameKey: row.usernameKey,
    role: row.role,
    passwordHash: "",
    disabledAt: null,
    createdAt: instantOf(row.createdAt),
    updatedAt: instantOf(row.updatedAt),
  });
}

/** The username of the admin created on first start. */
export const INITIAL_ADMIN = "admin";

/** How stale a token's lastUsedAt may grow before a request with it writes it again. */
export const LAST_USED_STEP_MS = 60_000;

/** Shapes of the secrets this service issues; anything else is refused without a database lookup. */
const API_TOKEN_SHAPE = /^lbt_[A-Za-z0-9_-]{43}$/;
const SESSION_SHAPE = /^lbs_[A-Za-z0-9_-]{43}$/;

export class AuthService {
  constructor(private readonly db: Database) {}

  /**
   * The user behind an API token: null when the token is malformed, unknown, revoked or
   * expired, or its user disabled. One SQL statement, none for a malformed token.
   */
  async userForApiToken(token: string): Promise<User | null> {
    if (!API_TOKEN_SHAPE.test(token)) return null;
    // Plain SQL rather than a query builder: this runs on every request, and TypeORM's
    // builder and entity hydration cost more than the indexed lookup itself.
    const rows: (CredentialRow & { tokenId: number | string; lastUsedAt: Date | string | null })[] = await this.db.manager.query(
      `SELECT u.id, u.username, u.usernameKey, u.role, u.createdAt, u.updatedAt, t.expiresAt, t.revokedAt, t.id AS tokenId, t.lastUsedAt
       FROM api_token t INNER JOIN \`user\` u ON u.id = t.userId WHERE t.tokenHash = ? AND u.disabledAt IS NULL`,
      [hashSecret(token)],
    );
    const row = rows[0];
    if (!row || row.revokedAt !== null) return null;
    const expiresAt = instantOf(row.expiresAt);
    const now = Date.now();
    if (expiresAt !== null && expiresAt.getTime() <= now) return null;
    const lastUsedAt = instantOf(row.lastUsedAt);
    if (lastUsedAt === null || now - lastUsedAt.getTime() >= LAST_USED_STEP_MS) await this.markUsed(Number(row.tokenId), new Date(now));
    return userOf(row);
  }

  /**
   * Records a token's use, at most once a minute: a script's steady stream of requests costs one
   * write a minute, not one each. Of requests racing past the same stale time, the first writes.
   * A failure (a lock wait, a read-only moment during a failover) is logged, not the request's.
   */
  private async markUsed(tokenId: number, at: Date): Promise<void> {
    const staleBefore = new Date(at.getTime() - LAST_USED_STEP_MS);
    try {
      await this.db.statement((manager) => manager.update(ApiToken, { id: tokenId, lastUsedAt: Or(IsNull(), LessThan(staleBefore)) }, { lastUsedAt: at }));
    } catch (error) {
      // Bookkeeping: the request the token authenticated goes on. The token's id only, never the token.
      console.warn(`[auth] could not record the use of API token ${tokenId}: ${(error as Error).message}`);
    }
  }

  /** The user behind a browser session cookie, or null when it is unknown or expired, or its user disabled. */
  async userForSession(sessionToken: string): Promise<User | null> {
    if (!SESSION_SHAPE.test(sessionToken)) return null;
    const rows: CredentialRow[] = await this.db.manager.query(
      `SELECT u.id, u.username, u.usernameKey, u.role, u.createdAt, u.updatedAt, s.expiresAt, NULL AS revokedAt
       FROM user_session s INNER JOIN \`user\` u ON u.id = s.userId WHERE s.tokenHash = ? AND u.disabledAt IS NULL`,
      [hashSecret(sessionToken)],
    );
    const row = rows[0];
    const expiresAt = row ? instantOf(row.expiresAt) : null;
    return row && expiresAt && expiresAt.getTime() > Date.now() ? userOf(row) : null;
  }

  /**
   * Checks a username and password and opens a browser session. Unknown users, wrong passwords
   * and disabled users get the same refusal after the same work, so none can be told apart.
   */
  async login(input: { username: unknown; password: unknown }): Promise<{ user: User; sessionToken: string }> {
    const username = typeof input.username === "string" ? input.username.trim().toLowerCase() : "";
    const password = typeof input.password === "string" ? input.password : "";
    const user = username.length > 0 && username.length <= 100 ? await this.db.manager.findOneBy(User, { usernameKey: username }) : null;
    // Hashing is bounded too: no valid password is longer than 200 characters.
    const matches = password.length <= 200 && (await verifyPassword(user?.passwordHash ?? null, password));
    if (!user || !matches || user.disabledAt !== null) refuse(AuthErrorCode.INVALID_CREDENTIALS, "Unknown username or wrong password", ["input"]);
    const sessionToken = newSessionToken();
    await this.db.transaction(async (manager) => {
      // The password was checked outside: a reset, a change or a disabling that committed since
      // ended the user's sessions, and this one must not outlive it.
      const current = await this.db.lockedRow(manager, User, user.id);
      if (!current || current.passwordHash !== user.passwordHash || current.disabledAt !== null) refuse(AuthErrorCode.INVALID_CREDENTIALS, "Unknown username or wrong password", ["input"]);
      const now = new Date();
      const sessions = await manager.findBy(Session, { userId: user.id });
      const expired = sessions.filter((session) => session.expiresAt.getTime() <= now.getTime()).map((session) => session.id);
      if (expired.length) await manager.delete(Session, expired);
      await manager.insert(Session, { userId: user.id, tokenHash: hashSecret(sessionToken), createdAt: now, expiresAt: new Date(now.getTime() + SESSION_SECONDS * 1000) });
    });
    return { user, sessionToken };
  }

  /** Ends a browser session; false when there was none to end. */
  async logout(sessionToken: string | null): Promise<boolean> {
    if (!sessionToken || !SESSION_SHAPE.test(sessionToken)) return false;
    return this.db.transaction(async (manager) => {
      const result = await manager.delete(Session, { tokenHash: hashSecret(sessionToken) });
      return (result.affected ?? 0) > 0;
    });
  }

  async createUser(input: unknown, author: ChangeAuthor): Promise<User> {
    const fields = parseInput(createUserSchema, input, userFieldCodes);
    const passwordHash = await hashPassword(fields.password);
    return this.db.transaction(async (manager) => {
      const usernameKey = fields.username.toLowerCase();
      if (await manager.existsBy(User, { usernameKey })) this.refuseDuplicate(fields.username);
      const now = new Date();
      const user = manager.create(User, { username: fields.username, usernameKey, passwordHash, role: fields.role, createdAt: now, updatedAt: now });
      let saved: User;
      try {
        saved = await manager.save(User, user);
      } catch (error) {
        if (isUniqueViolation(error)) this.refuseDuplicate(fields.username);
        throw error;
      }
      await recordChanges(manager, author, [{ action: "user.create", objectType: "User", objectId: saved.globalId, objectKey: saved.username, before: null, after: { username: saved.username, role: saved.role } }]);
      return saved;
    });
  }

  /**
   * Changes a user's role, password or whether it is disabled. A new password or disabling ends
   * the user's browser sessions; a disabled user's API tokens stop working until it is enabled
   * again. No change may leave listbill without an enabled admin (LAST_ADMIN). Audited, the
   * password only as changed.
   */
  async updateUser(input: unknown, author: ChangeAuthor): Promise<User> {
    const fields = parseInput(updateUserSchema, input, updateUserFieldCodes);
    // Hashed before the transaction: argon2 takes a while, and holds no lock meanwhile.
    const passwordHash = fields.password ? await hashPassword(fields.password) : null;
    return this.db.transaction(async (manager) => {
      // The enabled admins, locked on MySQL: two changes cannot each see the other admin left.
      const admins = await this.enabledAdmins(manager);
      const user = await this.db.lockedRow(manager, User, fromGlobalId("User", fields.id));
      if (!user) refuse(AuthErrorCode.USER_NOT_FOUND, "No user has this ID", ["input", "id"]);
      const before = { role: user.role, disabled: user.disabledAt !== null };
      const after = { role: fields.role ?? before.role, disabled: fields.disabled ?? before.disabled };
      const wasAdmin = before.role === Role.ADMIN && !before.disabled;
      if (wasAdmin && (after.role !== Role.ADMIN || after.disabled) && admins.every((id) => id === user.id)) {
        refuse(AuthErrorCode.LAST_ADMIN, `${user.username} is the only admin who can sign in: make another user admin first`, ["input", after.disabled ? "disabled" : "role"]);
      }
      const now = new Date();
      await manager.update(User, { id: user.id }, {
        role: after.role,
        disabledAt: after.disabled ? (user.disabledAt ?? now) : null,
        ...(passwordHash ? { passwordHash } : {}),
        updatedAt: now,
      });
      if (passwordHash || (after.disabled && !before.disabled)) await manager.delete(Session, { userId: user.id });
      const change = changedFields({ ...before, passwordChanged: false }, { ...after, passwordChanged: passwordHash !== null });
      if (change) await recordChanges(manager, author, [{ action: "user.update", objectType: "User", objectId: user.globalId, objectKey: user.username, ...change }]);
      return manager.findOneByOrFail(User, { id: user.id });
    });
  }

  /**
   * The caller's own password, given the current one. The caller's other browser sessions end
   * (a session that signed in with the old password elsewhere); the one asking stays signed in.
   * The same password again changes nothing.
   */
  async changePassword(input: unknown, caller: Identity, currentSession: string | null, author: ChangeAuthor): Promise<boolean> {
    const fields = parseInput(changePasswordSchema, input, passwordFieldCodes);
    const user = await this.db.manager.findOneByOrFail(User, { id: caller.user.id });
    if (!(await verifyPassword(user.passwordHash, fields.currentPassword))) refuse(AuthErrorCode.WRONG_PASSWORD, "That is not your current password", ["input", "currentPassword"]);
    if (fields.newPassword === fields.currentPassword) return false;
    const passwordHash = await hashPassword(fields.newPassword);
    await this.db.transaction(async (manager) => {
      // Only over the hash read above: another change meanwhile wins, and this one is refused.
      const moved = await manager.update(User, { id: user.id, passwordHash: user.passwordHash }, { passwordHash, updatedAt: new Date() });
      if (!moved.affected) refuse(AuthErrorCode.WRONG_PASSWORD, "Your password was changed meanwhile; sign in again", ["input", "currentPassword"]);
      const keep = caller.via === "session" && currentSession !== null ? hashSecret(currentSession) : null;
      const sessions = await manager.findBy(Session, { userId: user.id });
      const ending = sessions.filter((session) => session.tokenHash !== keep).map((session) => session.id);
      if (ending.length) await manager.delete(Session, ending);
      await recordChanges(manager, author, [{ action: "user.password", objectType: "User", objectId: user.globalId, objectKey: user.username, before: null, after: { passwordChanged: true } }]);
    });
    return true;
  }

  /** Ids of the admins who can sign in; on MySQL their rows stay locked until the caller commits. */
  private async enabledAdmins(manager: EntityManager): Promise<number[]> {
    const lock = this.db.kind === "mysql" ? " FOR UPDATE" : "";
    const rows: { id: number | string }[] = await manager.query(`SELECT id FROM \`user\` WHERE role = ? AND disabledAt IS NULL ORDER BY id${lock}`, [Role.ADMIN]);
    return rows.map((row) => Number(row.id));
  }

  /** Issues an API token for a user. The token is returned this once; only its hash is kept. */
  async createApiToken(input: unknown, createdBy: User | null, author: ChangeAuthor): Promise<{ token: string; apiToken: ApiToken }> {
    const fields = parseInput(createApiTokenSchema, input, tokenFieldCodes);
    return this.db.transaction(async (manager) => {
      const userId = fromGlobalId("User", fields.userId);
      const user = userId === null ? null : await manager.findOneBy(User, { id: userId });
      if (!user) refuse(AuthErrorCode.USER_NOT_FOUND, "No user has this ID", ["input", "userId"]);
      const token = newApiToken();
      const apiToken = manager.create(ApiToken, {
        userId: user.id,
        name: fields.name,
        tokenHash: hashSecret(token),
        createdById: createdBy?.id ?? null,
        createdAt: new Date(),
        expiresAt: fields.expiresAt ?? null,
        revokedAt: null,
        lastUsedAt: null,
      });
      const saved = await manager.save(ApiToken, apiToken);
      // Whose it is and until when: never the token.
      await recordChanges(manager, author, [{ action: "token.create", objectType: "ApiToken", objectId: saved.globalId, objectKey: saved.name, before: null, after: { userId: user.globalId, username: user.username, expiresAt: saved.expiresAt?.toISOString() ?? null } }]);
      return { token, apiToken: saved };
    });
  }

  /** Revokes a token at once; revoking a revoked token changes nothing and is not an error. */
  async revokeApiToken(input: { id: unknown }, author: ChangeAuthor): Promise<ApiToken> {
    return this.db.transaction(async (manager) => {
      const id = typeof input.id === "string" ? fromGlobalId("ApiToken", input.id) : null;
      const apiToken = id === null ? null : await manager.findOneBy(ApiToken, { id });
      if (!apiToken) refuse(AuthErrorCode.TOKEN_NOT_FOUND, "No API token has this ID", ["input", "id"]);
      if (apiToken.revokedAt === null) {
        apiToken.revokedAt = new Date();
        await manager.update(ApiToken, { id: apiToken.id }, { revokedAt: apiToken.revokedAt });
        await recordChanges(manager, author, [{ action: "token.revoke", objectType: "ApiToken", objectId: apiToken.globalId, objectKey: apiToken.name, before: { revokedAt: null }, after: { revokedAt: apiToken.revokedAt.toISOString() } }]);
      }
      return apiToken;
    });
  }

  userPage(args: PageArgs): Promise<Page<User>> {
    return paginate(this.db.manager.getRepository(User).createQueryBuilder("user"), args, [
      { column: "user.usernameKey", value: (user) => user.usernameKey },
      { column: "user.id", value: (user) => user.id },
    ]);
  }

  /** API tokens, newest first. `active` is decided on the rows' own columns, like ApiToken.active. */
  async tokenPage(args: PageArgs, filter: ApiTokenFilter | null | undefined): Promise<Page<ApiToken>> {
    const query = this.db.manager.getRepository(ApiToken).createQueryBuilder("token");
    if (filter?.userId != null) query.andWhere("token.userId = :userId", { userId: fromGlobalId("User", filter.userId) ?? -1 });
    if (filter?.active != null) {
      const active = "token.revokedAt IS NULL AND (token.expiresAt IS NULL OR token.expiresAt > :now)";
      query.andWhere(filter.active ? `(${active})` : `NOT (${active})`, { now: instantParameter(new Date()) });
    }
    if (filter?.unusedSince != null) query.andWhere("(token.lastUsedAt IS NULL OR token.lastUsedAt < :unusedSince)", { unusedSince: instantParameter(filter.unusedSince) });
    return paginate(query, args, [{ column: "token.id", value: (token) => token.id, descending: true }]);
  }

  /**
   * On a database with no user, creates the admin: with `password` (LISTBILL_ADMIN_PASSWORD)
   * when given, else with a generated one, which is returned so that it can be shown once.
   * Several processes starting together create one admin: the unique index picks the winner.
   */
  async ensureInitialAdmin(password: string | undefined): Promise<{ created: boolean; generatedPassword: string | null }> {
    if ((await this.db.manager.count(User)) > 0) return { created: false, generatedPassword: null };
    if (password !== undefined && !passwordField.safeParse(password).success) {
      throw new Error("LISTBILL_ADMIN_PASSWORD must be 12 to 200 characters");
    }
    const generatedPassword = password === undefined ? randomBytes(18).toString("base64url") : null;
    const passwordHash = await hashPassword(password ?? generatedPassword!);
    try {
      const created = await this.db.transaction(async (manager) => {
        if ((await manager.count(User)) > 0) return false;
        const now = new Date();
        await manager.insert(User, { username: INITIAL_ADMIN, usernameKey: INITIAL_ADMIN, passwordHash, role: Role.ADMIN, createdAt: now, updatedAt: now });
        return true;
      });
      return { created, generatedPassword: created ? generatedPassword : null };
    } catch (error) {
      if (isUniqueViolation(error)) return { created: false, generatedPassword: null };
      throw error;
    }
  }

  private refuseDuplicate(username: string): never {
    refuse(AuthErrorCode.DUPLICATE_USERNAME, `A user named "${username}" already exists`, ["input", "username"]);
  }
}
