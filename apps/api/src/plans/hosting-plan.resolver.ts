import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { Mutation } from "../graphql/mutation.js";
import { Role } from "../auth/role.js";
import { PageArgs } from "../graphql/connection.js";
import type { ApiContext } from "../graphql/context.js";
import { toPayload } from "../graphql/user-error.js";
import { authorOf } from "../jobs/actor.js";
import { withEndDates } from "../db/periods.js";
import { HostingPlan } from "./hosting-plan.entity.js";
import { UnitSizePeriod } from "./hosting-plan-unit-period.entity.js";
import { CreateHostingPlanInput, HostingPlanConnection, HostingPlanPayload, UpdateHostingPlanInput } from "./hosting-plan.inputs.js";

@Resolver(() => HostingPlan)
export class HostingPlanResolver {
  @Authorized()
  @Query(() => HostingPlanConnection)
  hostingPlans(@Args() page: PageArgs, @Ctx() ctx: ApiContext) {
    return ctx.services.plans.page(page);
  }

  @Authorized()
  @Query(() => HostingPlan, { nullable: true })
  hostingPlan(@Arg("id", () => ID) id: string, @Ctx() ctx: ApiContext) {
    return ctx.services.plans.find(id);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => HostingPlanPayload)
  createHostingPlan(@Arg("input") input: CreateHostingPlanInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ hostingPlan: await ctx.services.plans.create(input, authorOf(ctx)) }));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => HostingPlanPayload)
  updateHostingPlan(@Arg("input") input: UpdateHostingPlanInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ hostingPlan: await ctx.services.plans.update(input, authorOf(ctx)) }));
  }

  @FieldResolver(() => [UnitSizePeriod], { description: "The plan's message unit sizes, oldest first, each over its days: the messages of each day count units at that day's size" })
  async unitSizeHistory(@Root() plan: HostingPlan, @Ctx() ctx: ApiContext): Promise<UnitSizePeriod[]> {
    return withEndDates(await ctx.loaders.unitPeriods.load(plan.id));
  }
}
