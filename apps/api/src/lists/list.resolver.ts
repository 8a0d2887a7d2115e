import type { GraphQLResolveInfo } from "graphql";
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from "type-graphql";
import { Mutation } from "../graphql/mutation.js";
import { AssignmentScope } from "../assignments/assignment.entity.js";
import { Role } from "../auth/role.js";
import { Customer } from "../customers/customer.entity.js";
import { type Page, PageArgs } from "../graphql/connection.js";
import type { ApiContext } from "../graphql/context.js";
import { listPageRead } from "./page-columns.js";
import { toPayload } from "../graphql/user-error.js";
import { authorOf } from "../jobs/actor.js";
import { Server } from "../servers/server.entity.js";
import { Site } from "../sites/site.entity.js";
import { List } from "./list.entity.js";
import type { ListScope } from "./list.service.js";
import { AssignListsInput, AssignListsPayload, ListConnection, ListFilter, UnassignListsInput } from "./list.inputs.js";

/**
 * A page of lists for a connection field: the servers and owners its nodes select come joined in
 * the page's query, so the field resolvers below answer them without a query of their own. The
 * query reads only the columns the selection needs (listPageRead); whole joined rows are primed
 * into the request's loaders too, partial ones only answer their own node.
 */
export async function listPage(ctx: ApiContext, info: GraphQLResolveInfo, args: PageArgs, filter: ListFilter | null, scope: ListScope = {}): Promise<Page<List>> {
  const read = listPageRead(info);
  // A nested page (a server's or a customer's lists) comes from one statement with its siblings'.
  const parent = scope.serverId !== undefined ? "serverId" : scope.customerId !== undefined ? "customerId" : undefined;
  const page = parent
    ? await ctx.loaders.pages.load(`lists of ${parent}`, [args, filter, read], scope[parent]!, (ids) => ctx.services.lists.pages(args, filter, ids.map((id) => ({ [parent]: id })), read))
    : await ctx.services.lists.page(args, filter, scope, read);
  for (const list of page.nodes) {
    if (read.server === true && list.joinedServer) ctx.loaders.server.prime(list.serverId, list.joinedServer);
    if (read.customer === true && list.customerId !== null) ctx.loaders.customer.prime(list.customerId, list.joinedCustomer ?? null);
  }
  return page;
}

@Resolver(() => List)
export class ListResolver {
  @Authorized()
  @Query(() => ListConnection, { description: "Mailing lists across all servers, by name" })
  lists(@Args() page: PageArgs, @Arg("filter", () => ListFilter, { nullable: true }) filter: ListFilter | null, @Ctx() ctx: ApiContext, @Info() info: GraphQLResolveInfo) {
    return listPage(ctx, info, page, filter);
  }

  @Authorized()
  @Query(() => List, { nullable: true })
  list(@Arg("id", () => ID) id: string, @Ctx() ctx: ApiContext) {
    return ctx.services.lists.find(id);
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => AssignListsPayload, { description: "Makes a customer the owner of lists from startDate; a list owned by another customer moves" })
  assignLists(@Arg("input") input: AssignListsInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ lists: await ctx.services.assignments.assignLists(input, authorOf(ctx)) }), { lists: [] });
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => AssignListsPayload, { description: "Ends the lists' direct assignments on endDate" })
  unassignLists(@Arg("input") input: UnassignListsInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ lists: await ctx.services.assignments.unassignLists(input, authorOf(ctx)) }), { lists: [] });
  }

  @FieldResolver(() => Server)
  server(@Root() list: List, @Ctx() ctx: ApiContext) {
    return list.joinedServer ?? ctx.loaders.server.load(list.serverId);
  }

  @FieldResolver(() => Site, { nullable: true })
  site(@Root() list: List, @Ctx() ctx: ApiContext) {
    return list.siteId === null ? null : ctx.loaders.site.load(list.siteId);
  }

  @FieldResolver(() => AssignmentScope, {
    nullable: true,
    description: "How the current owner holds the list: LIST (assigned directly), SITE (its whole site) or SERVER (its whole server); null when unassigned",
  })
  async ownedThrough(@Root() list: List, @Ctx() ctx: ApiContext) {
    if (list.customerId === null) return null;
    const [own, site, server] = await Promise.all([
      ctx.loaders.listAssignment.load(list.id),
      list.siteId === null ? null : ctx.loaders.siteAssignment.load(list.siteId),
      ctx.loaders.serverAssignment.load(list.serverId),
    ]);
    return own ? AssignmentScope.LIST : site ? AssignmentScope.SITE : server ? AssignmentScope.SERVER : null;
  }

  @FieldResolver(() => Customer, { nullable: true, description: "Current owner; null when unassigned" })
  customer(@Root() list: List, @Ctx() ctx: ApiContext) {
    if (list.customerId === null) return null;
    return list.joinedCustomer !== undefined ? list.joinedCustomer : ctx.loaders.customer.load(list.customerId);
  }
}
