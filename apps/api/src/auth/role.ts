import { registerEnumType } from "type-graphql";

/**
 * What a user may do. Roles are ordered: each includes everything the one before it may do, so
 * `@Authorized(Role.OPERATOR)` on a resolver means "operator or admin", and a bare
 * `@Authorized()` means "any signed-in user" (viewer or higher).
 *
 * - VIEWER: reads everything except secrets.
 * - OPERATOR: also validates, syncs, fixes and ignores validation errors, assigns lists.
 * - ADMIN: also manages servers, customers, hosting plans, users and API tokens.
 */
export enum Role {
  VIEWER = "VIEWER",
  OPERATOR = "OPERATOR",
  ADMIN = "ADMIN",
}
registerEnumType(Role, { name: "Role", description: "Ordered VIEWER < OPERATOR < ADMIN; each role may do everything the lower ones may" });

const RANK: Record<Role, number> = { [Role.VIEWER]: 1, [Role.OPERATOR]: 2, [Role.ADMIN]: 3 };

/** True when `role` is `required` or a role above it. */
export function hasRole(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

/** The lowest of the roles named on an `@Authorized(...)`; none named means VIEWER. */
export function lowestRole(roles: readonly Role[]): Role {
  return roles.reduce<Role>((lowest, role) => (RANK[role] < RANK[lowest] ? role : lowest), roles[0] ?? Role.VIEWER);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && Object.hasOwn(RANK, value);
}
