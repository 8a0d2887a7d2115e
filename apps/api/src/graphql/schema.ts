import { GraphQLJSON } from "graphql-scalars";
import type { GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { CustomerResolver } from "../customers/customer.resolver.js";
import { ListResolver } from "../lists/list.resolver.js";
import { HostingPlanResolver } from "../plans/hosting-plan.resolver.js";
import { ServerResolver } from "../servers/server.resolver.js";
import { SiteResolver } from "../sites/site.resolver.js";

export const resolvers = [ServerResolver, SiteResolver, ListResolver, CustomerResolver, HostingPlanResolver] as const;

let built: Promise<GraphQLSchema> | undefined;

/** The executable schema; built once per process (type-graphql's metadata is global anyway). */
export function buildApiSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers,
    validate: false,
    scalarsMap: [{ type: Object, scalar: GraphQLJSON }],
  });
  return built;
}
