import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { type Credentials, hashSecret } from "../auth/credentials.js";

/**
 * Requests per minute per credential: each API token and each browser session has its own
 * budget, and anonymous callers one per IP address. Counted in this process's memory (before
 * any SQL, so a flood costs no database work); behind a load balancer each process counts its own.
 */
export class RequestRateLimiter {
  readonly #limiter: RateLimiterMemory;

  constructor(readonly perMinute: number) {
    this.#limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  }

  /** null when the request may go on, else the seconds to wait before the next one will. */
  async take(key: string): Promise<number | null> {
    try {
      await this.#limiter.consume(key);
      return null;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw rejection;
    }
  }
}

/** Whose budget a request spends; secrets are keyed by their hash so none is kept in memory. */
export function rateLimitKey(credentials: Credentials, remoteAddress: string | undefined): string {
  if (credentials.bearer !== null) return `token:${hashSecret(credentials.bearer)}`;
  if (credentials.session !== null) return `session:${hashSecret(credentials.session)}`;
  return `ip:${remoteAddress ?? "unknown"}`;
}
