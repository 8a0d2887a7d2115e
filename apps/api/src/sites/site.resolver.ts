import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
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
}
