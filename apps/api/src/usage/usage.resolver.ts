import { Arg, Authorized, Ctx, Query, Resolver } from "type-graphql";
import type { ApiContext } from "../graphql/context.js";
import { UsageBucket, UsageFilter } from "./usage.inputs.js";

@Resolver()
export class UsageResolver {
  @Authorized()
  @Query(() => [UsageBucket], { description: "Billable usage from the hosting servers' message logs, by UTC day or month" })
  usage(@Arg("filter") filter: UsageFilter, @Ctx() ctx: ApiContext) {
    return ctx.services.usage.usage(filter);
  }
}
