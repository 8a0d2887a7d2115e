import type { ChangeAuthor } from "../audit/audit.js";
import type { ApiContext } from "../graphql/context.js";

/** Who a job is recorded as started by: the signed-in user's name. */
export function actorOf(context: ApiContext): string | null {
  return context.auth.user?.username ?? null;
}

/** Who a change is recorded for in the audit trail: the user and this request. */
export function authorOf(context: ApiContext): ChangeAuthor {
  return { actor: actorOf(context), requestId: context.requestId };
}
