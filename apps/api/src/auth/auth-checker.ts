import type { AuthChecker } from "type-graphql";
import type { ApiContext } from "../graphql/context.js";
import { forbidden, unauthenticated } from "./request-auth.js";
import { type Role, hasRole, lowestRole } from "./role.js";

/**
 * The one place roles are checked, for every field marked `@Authorized(...)`: anonymous
 * callers get UNAUTHENTICATED, signed-in users below the lowest role named get FORBIDDEN.
 * Runs before the resolver, so a refused call reads nothing but the caller's identity.
 */
export const authChecker: AuthChecker<ApiContext, Role> = async ({ context, info }, roles) => {
  const identity = await context.auth.identity();
  if (!identity) throw unauthenticated(`Sign in to use ${info.fieldName}: send an API token as "Authorization: Bearer <token>" or log in`);
  const required = lowestRole(roles);
  if (!hasRole(identity.user.role, required)) {
    throw forbidden(`${info.fieldName} needs the ${required} role or higher; ${identity.user.username} is ${identity.user.role}`);
  }
  return true;
};
