import { GraphQLError } from "graphql";
import type { AuthService, Identity } from "./auth.service.js";
import { type Credentials, sessionCookie } from "./credentials.js";
import type { User } from "./user.entity.js";

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED" } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "FORBIDDEN" } });
}

/**
 * One request's identity, looked up on first use and at most once. Nothing reads the database
 * before a resolver (or the introspection gate) asks, so a request refused by the query limits
 * runs no SQL at all, and an anonymous one none for its identity.
 */
export class RequestAuth {
  #identity: Promise<Identity | null> | undefined;
  #user: User | null = null;
  /** Set-Cookie headers for the response (sign-in, sign-out, a stale cookie dropped). */
  readonly setCookies: string[] = [];

  constructor(
    private readonly service: AuthService,
    readonly credentials: Credentials,
    private readonly secureCookies: boolean,
  ) {}

  /**
   * Who the request acts as; null for anonymous. A bearer token that is not a live API token
   * is an error, not anonymity: a script must learn at once that its token stopped working.
   * A stale session cookie is dropped and the request goes on anonymously, as the SPA expects.
   */
  identity(): Promise<Identity | null> {
    this.#identity ??= this.lookUp();
    return this.#identity;
  }

  /**
   * The caller once `identity()` has resolved, which the auth checker has done before any
   * `@Authorized` resolver runs; null for anonymous callers. For recording who did something.
   */
  get user(): User | null {
    return this.#user;
  }

  /**
   * Looks the caller up again, for a context that outlives a request (a subscription): null, or
   * UNAUTHENTICATED for a bearer token, once its credential no longer works (revoked, expired, or
   * its user disabled).
   */
  recheck(): Promise<Identity | null> {
    this.#identity = undefined;
    return this.identity();
  }

  startSession(sessionToken: string): void {
    this.setCookies.push(sessionCookie(sessionToken, this.secureCookies));
  }

  endSession(): void {
    this.setCookies.push(sessionCookie(null, this.secureCookies));
  }

  private async lookUp(): Promise<Identity | null> {
    const identity = await this.resolve();
    this.#user = identity?.user ?? null;
    return identity;
  }

  private async resolve(): Promise<Identity | null> {
    const { bearer, session } = this.credentials;
    if (bearer !== null) {
      const user = await this.service.userForApiToken(bearer);
      if (!user) throw unauthenticated("The bearer token is not a valid API token (unknown, revoked or expired)");
      return { user, via: "token" };
    }
    if (session !== null) {
      const user = await this.service.userForSession(session);
      if (user) return { user, via: "session" };
      this.endSession();
    }
    return null;
  }
}
