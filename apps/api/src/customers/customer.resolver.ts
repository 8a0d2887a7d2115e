import type { GraphQLResolveInfo } from "graphql";
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Int, Query, Resolver, Root } from "type-graphql";
import { Mutation } from "../graphql/mutation.js";
import { AssignmentConnection, AssignmentFilter } from "../assignments/assignment.inputs.js";
import { Role } from "../auth/role.js";
import { PageArgs } from "../graphql/connection.js";
import type { ApiContext } from "../graphql/context.js";
import { toPayload } from "../graphql/user-error.js";
import { authorOf } from "../jobs/actor.js";
import { listPage } from "../lists/list.resolver.js";
import { ListConnection } from "../lists/list.inputs.js";
import { HostingPlan } from "../plans/hosting-plan.entity.js";
import { Customer } from "./customer.entity.js";
import { PlanPeriod } from "./customer-plan-period.entity.js";
import { withEndDates } from "../db/periods.js";
import { CreateCustomerInput, CustomerConnection, CustomerFilter, CustomerPayload, UpdateCustomerInput } from "./customer.inputs.js";

@Resolver(() => PlanPeriod)
export class PlanPeriodResolver {
  @FieldResolver(() => HostingPlan, { nullable: true, description: "The plan; null for days without one" })
  plan(@Root() period: PlanPeriod, @Ctx() ctx: ApiContext) {
    return period.planId === null ? null : ctx.loaders.hostingPlan.load(period.planId);
  }
}

@Resolver(() => Customer)
export class CustomerResolver {
  @Authorized()
  @Query(() => CustomerConnection)
  customers(@Args() page: PageArgs, @Arg("filter", () => CustomerFilter, { nullable: true }) filter: CustomerFilter | null, @Ctx() ctx: ApiContext) {
    return ctx.services.customers.page(page, filter);
  }

  @Authorized()
  @Query(() => Customer, { nullable: true })
  customer(@Arg("id", () => ID) id: string, @Ctx() ctx: ApiContext) {
    return ctx.services.customers.find(id);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CustomerPayload)
  createCustomer(@Arg("input") input: CreateCustomerInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ customer: await ctx.services.customers.create(input, authorOf(ctx)) }));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CustomerPayload)
  updateCustomer(@Arg("input") input: UpdateCustomerInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ customer: await ctx.services.customers.update(input, authorOf(ctx)) }));
  }

  @FieldResolver(() => HostingPlan, { nullable: true })
  plan(@Root() customer: Customer, @Ctx() ctx: ApiContext) {
    return customer.planId === null ? null : ctx.loaders.hostingPlan.load(customer.planId);
  }

  @FieldResolver(() => [PlanPeriod], { description: "The customer's plans, oldest first, each over the days it bills: each day's messages count units at that day's plan (set by updateCustomer's planId and planStartDate)" })
  async planHistory(@Root() customer: Customer, @Ctx() ctx: ApiContext): Promise<PlanPeriod[]> {
    return withEndDates(await ctx.loaders.planPeriods.load(customer.id));
  }

  @FieldResolver(() => ListConnection, { description: "Lists the customer currently owns" })
  lists(@Root() customer: Customer, @Args() page: PageArgs, @Ctx() ctx: ApiContext, @Info() info: GraphQLResolveInfo) {
    return listPage(ctx, info, page, null, { customerId: customer.id });
  }

  @FieldResolver(() => AssignmentConnection, { description: "What the customer is or was assigned (lists, whole sites, whole servers), newest first" })
  assignments(@Root() customer: Customer, @Args() page: PageArgs, @Arg("filter", () => AssignmentFilter, { nullable: true }) filter: AssignmentFilter | null, @Ctx() ctx: ApiContext) {
    return ctx.loaders.pages.load("Customer.assignments", [page, filter], customer.id, (customerIds) => ctx.services.assignments.pages(page, customerIds, filter));
  }

  @FieldResolver(() => Int, { description: "Lists currently owned (not removed)" })
  async listCount(@Root() customer: Customer, @Ctx() ctx: ApiContext) {
    return (await ctx.loaders.customerUsage.load(customer.id)).listCount;
  }

  @FieldResolver(() => Int, { description: "Counted members (normal + held) of the lists currently owned, at their last sync" })
  async memberCount(@Root() customer: Customer, @Ctx() ctx: ApiContext) {
    return (await ctx.loaders.customerUsage.load(customer.id)).memberCount;
  }
}
