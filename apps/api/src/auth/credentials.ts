import { createHash, randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** Name of the httpOnly cookie that carries a browser session. */
export const SESSION_COOKIE = "listbill_session";

/** How long a browser session lasts after sign-in: one working day, then sign in again. */
export const SESSION_SECONDS = 12 * 60 * 60;

const API_TOKEN_PREFIX = "lbt_";
const SESSION_PREFIX = "lbs_";

/** 32 random bytes (256 bits), base64url, behind a prefix that says what kind of secret it is. */
function newSecret(prefix: string): string {
  return prefix + randomBytes(32).toString("base64url");
}

export const newApiToken = () => newSecret(API_TOKEN_PREFIX);
export const newSessionToken = () => newSecret(SESSION_PREFIX);

/** What the database stores of a token or session: its hex SHA-256. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** The credentials a request presents, read from its headers without touching the database. */
export interface Credentials {
  /** From `Authorization: Bearer …`; set (possibly malformed) whenever that header is present. */
  bearer: string | null;
  /** From the session cookie. */
  session: string | null;
}

export function readCredentials(headers: IncomingHttpHeaders): Credentials {
  const authorization = headers.authorization;
  let bearer: string | null = null;
  if (authorization !== undefined) {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    // Any Authorization header is a claim to be someone: a malformed one must fail, not fall back to anonymous.
    bearer = match?.[1] ?? authorization;
  }
  return { bearer, session: readCookie(headers.cookie, SESSION_COOKIE) };
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const separator = part.indexOf("=");
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === name) {
      const value = part.slice(separator + 1).trim();
      return value === "" ? null : value;
    }
  }
  return null;
}

/**
 * The Set-Cookie header for a session: httpOnly (no script can read it), SameSite=Strict (no
 * other site can make a browser send it), Secure in production (HTTPS only).
 */
export function sessionCookie(token: string | null, secure: boolean): string {
  const attributes = ["Path=/", "HttpOnly", "SameSite=Strict", `Max-Age=${token === null ? 0 : SESSION_SECONDS}`];
  if (secure) attributes.push("Secure");
  return [`${SESSION_COOKIE}=${token ?? ""}`, ...attributes].join("; ");
}
