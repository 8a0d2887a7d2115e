import type { GraphQLResolveInfo } from "graphql";
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from "type-graphql";
import { Mutation } from "../graphql/mutation.js";
import { Assignment } from "../assignments/assignment.entity.js";
import { Role } from "../auth/role.js";
import { Customer } from "../customers/customer.entity.js";
import { ConnectionType, PageArgs } from "../graphql/connection.js";
import type { ApiContext } from "../graphql/context.js";
import { toPayload } from "../graphql/user-error.js";
import { authorOf } from "../jobs/actor.js";
import { listPage } from "../lists/list.resolver.js";
import { ListConnection, ListFilter } from "../lists/list.inputs.js";
import { SiteConnection } from "../sites/site.resolver.js";
import { Server } from "./server.entity.js";
import { CreateServerInput, DeleteServerInput, DeleteServerPayload, ServerFilter, ServerPayload, UpdateServerInput } from "./server.inputs.js";

export const ServerConnection = ConnectionType(Server, "Server");

@Resolver(() => Server)
export class ServerResolver {
  @Authorized()
  @Query(() => ServerConnection, { description: "Registered hosting servers, by name" })
  servers(@Args() page: PageArgs, @Arg("filter", () => ServerFilter, { nullable: true }) filter: ServerFilter | null, @Ctx() ctx: ApiContext) {
    return ctx.services.servers.page(page, filter);
  }

  @Authorized()
  @Query(() => Server, { nullable: true })
  server(@Arg("id", () => ID) id: string, @Ctx() ctx: ApiContext) {
    return ctx.services.servers.find(id);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ServerPayload, { description: "Registers a hosting server with billing" })
  createServer(@Arg("input") input: CreateServerInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ server: await ctx.services.servers.create(input, authorOf(ctx)) }));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ServerPayload)
  updateServer(@Arg("input") input: UpdateServerInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ server: await ctx.services.servers.update(input, authorOf(ctx)) }));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => DeleteServerPayload, { description: "Deletes a server and billing's mirror of it; refused while customers own any of it" })
  deleteServer(@Arg("input") input: DeleteServerInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ deletedServerId: await ctx.services.servers.delete(input, authorOf(ctx)) }));
  }

  @FieldResolver(() => Assignment, { nullable: true, description: "The server's current assignment to a customer as a whole; null when it has none" })
  assignment(@Root() server: Server, @Ctx() ctx: ApiContext) {
    return ctx.loaders.serverAssignment.load(server.id);
  }

  @FieldResolver(() => Customer, { nullable: true, description: "The customer owning the whole server; null when none. Sites and lists assigned on their own keep their owner" })
  async customer(@Root() server: Server, @Ctx() ctx: ApiContext) {
    const assignment = await ctx.loaders.serverAssignment.load(server.id);
    return assignment ? ctx.loaders.customer.load(assignment.customerId) : null;
  }

  @FieldResolver(() => SiteConnection)
  sites(@Root() server: Server, @Args() page: PageArgs, @Ctx() ctx: ApiContext) {
    return ctx.loaders.pages.load("Server.sites", page, server.id, (serverIds) => ctx.services.lists.sitePages(page, serverIds));
  }

  @FieldResolver(() => ListConnection)
  lists(@Root() server: Server, @Args() page: PageArgs, @Arg("filter", () => ListFilter, { nullable: true }) filter: ListFilter | null, @Ctx() ctx: ApiContext, @Info() info: GraphQLResolveInfo) {
    return listPage(ctx, info, page, filter, { serverId: server.id });
  }
}
