import { Arg, Authorized, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { Mutation } from "../graphql/mutation.js";
import { Role } from "../auth/role.js";
import { Customer } from "../customers/customer.entity.js";
import type { ApiContext } from "../graphql/context.js";
import { List } from "../lists/list.entity.js";
import { Server } from "../servers/server.entity.js";
import { Site } from "../sites/site.entity.js";
import { toPayload } from "../graphql/user-error.js";
import { authorOf } from "../jobs/actor.js";
import { Assignment } from "./assignment.entity.js";
import { AssignServersInput, AssignServersPayload, AssignSitesInput, AssignSitesPayload, UnassignServersInput, UnassignSitesInput } from "./assignment.inputs.js";

@Resolver(() => Assignment)
export class AssignmentResolver {
  @Authorized(Role.OPERATOR)
  @Mutation(() => AssignSitesPayload, {
    description: "Makes a customer the owner of whole sites from startDate: their lists without an owner of their own, now and added later; a site owned by another customer moves",
  })
  assignSites(@Arg("input") input: AssignSitesInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ sites: await ctx.services.assignments.assignSites(input, authorOf(ctx)) }), { sites: [] });
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => AssignSitesPayload, { description: "Ends the sites' own assignments on endDate; their lists fall back to their server's owner, or none" })
  unassignSites(@Arg("input") input: UnassignSitesInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ sites: await ctx.services.assignments.unassignSites(input, authorOf(ctx)) }), { sites: [] });
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => AssignServersPayload, {
    description: "Makes a customer the owner of whole servers from startDate: their lists without an owner of their own or of their site, now and added later; a server owned by another customer moves",
  })
  assignServers(@Arg("input") input: AssignServersInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ servers: await ctx.services.assignments.assignServers(input, authorOf(ctx)) }), { servers: [] });
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => AssignServersPayload, { description: "Ends the servers' own assignments on endDate; lists owned only through their server are then nobody's" })
  unassignServers(@Arg("input") input: UnassignServersInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ servers: await ctx.services.assignments.unassignServers(input, authorOf(ctx)) }), { servers: [] });
  }

  @FieldResolver(() => Customer)
  customer(@Root() assignment: Assignment, @Ctx() ctx: ApiContext) {
    return ctx.loaders.customer.load(assignment.customerId);
  }

  @FieldResolver(() => Server, { nullable: true, description: "The server: the whole of it (scope SERVER), or the one holding the site or list" })
  async server(@Root() assignment: Assignment, @Ctx() ctx: ApiContext) {
    if (assignment.serverId !== null) return ctx.loaders.server.load(assignment.serverId);
    const held = assignment.siteId !== null ? await ctx.loaders.site.load(assignment.siteId) : assignment.listId !== null ? await ctx.loaders.list.load(assignment.listId) : null;
    return held ? ctx.loaders.server.load(held.serverId) : null;
  }

  @FieldResolver(() => Site, { nullable: true, description: "The whole site assigned (scope SITE); null otherwise" })
  site(@Root() assignment: Assignment, @Ctx() ctx: ApiContext) {
    return assignment.siteId === null ? null : ctx.loaders.site.load(assignment.siteId);
  }

  @FieldResolver(() => List, { nullable: true, description: "The list assigned (scope LIST); null otherwise" })
  list(@Root() assignment: Assignment, @Ctx() ctx: ApiContext) {
    return assignment.listId === null ? null : ctx.loaders.list.load(assignment.listId);
  }
}
