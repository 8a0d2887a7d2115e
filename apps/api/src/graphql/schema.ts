import { GraphQLJSON } from "graphql-scalars";
import type { GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { createLocalPubSub } from "./pubsub.js";
import { authChecker } from "../auth/auth-checker.js";
import { AssignmentResolver } from "../assignments/assignment.resolver.js";
import { ApiTokenResolver, AuthResolver } from "../auth/auth.resolver.js";
import { AuditResolver } from "../audit/audit.resolver.js";
import { CustomerResolver, PlanPeriodResolver } from "../customers/customer.resolver.js";
import { ListResolver } from "../lists/list.resolver.js";
import { FixResolver } from "../fix/fix.resolver.js";
import { JobResolver, ServerJobsResolver } from "../jobs/job.resolver.js";
import { HostingPlanResolver } from "../plans/hosting-plan.resolver.js";
import { ServerResolver } from "../servers/server.resolver.js";
import { SiteResolver } from "../sites/site.resolver.js";
import { SyncResolver } from "../sync/sync.resolver.js";
import { CustomerUsageResolver, UsageResolver } from "../usage/usage.resolver.js";
import { ServerValidationResolver, ValidationResolver } from "../validation/validation.resolver.js";

export const resolvers = [
  AuthResolver,
  ApiTokenResolver,
  ServerResolver,
  SiteResolver,
  ListResolver,
  AssignmentResolver,
  CustomerResolver,
  PlanPeriodResolver,
  HostingPlanResolver,
  JobResolver,
  ServerJobsResolver,
  ValidationResolver,
  ServerValidationResolver,
  SyncResolver,
  FixResolver,
  UsageResolver,
  CustomerUsageResolver,
  AuditResolver,
] as const;

let built: Promise<GraphQLSchema> | undefined;

/** The executable schema; built once per process (type-graphql's metadata is global anyway). */
export function buildApiSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers,
    validate: false,
    pubSub: createLocalPubSub(),
    scalarsMap: [{ type: Object, scalar: GraphQLJSON }],
    // Roles are checked in one place; see auth/auth-checker.ts and auth/role.ts.
    authChecker,
    authMode: "error",
  });
  return built;
}
