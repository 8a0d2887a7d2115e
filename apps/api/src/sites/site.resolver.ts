import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { Assignment } from "../assignments/assignment.entity.js";
import { Customer } from "../customers/customer.entity.js";
import { ConnectionType } from "../graphql/connection.js";
import type { ApiContext } from "../graphql/context.js";
import { Server } from "../servers/server.entity.js";
import { Site } from "./site.entity.js";

export const SiteConnection = ConnectionType(Site, "Site");

@Resolver(() => Site)
export class SiteResolver {
  @FieldResolver(() => Server)
  async server(@Root() site: Site, @Ctx() ctx: ApiContext) {
    return ctx.loaders.server.load(site.serverId);
  }

  @FieldResolver(() => Assignment, { nullable: true, description: "The site's own current assignment to a customer; null when it has none" })
  assignment(@Root() site: Site, @Ctx() ctx: ApiContext) {
    return ctx.loaders.siteAssignment.load(site.id);
  }

  @FieldResolver(() => Customer, {
    nullable: true,
    description: "The customer owning the whole site, through its own assignment or else its server's; null when none or the site was removed. Lists assigned one by one keep their own owner",
  })
  async customer(@Root() site: Site, @Ctx() ctx: ApiContext) {
    // A site gone from its hosting server is nobody's: fixing its removal ended its own assignment.
    if (site.removedAt) return null;
    // Both at once: the sites of a page then ask for their owners in one batch, whatever each finds.
    const [own, server] = await Promise.all([ctx.loaders.siteAssignment.load(site.id), ctx.loaders.serverAssignment.load(site.serverId)]);
    const assignment = own ?? server;
    return assignment ? ctx.loaders.customer.load(assignment.customerId) : null;
  }
}
