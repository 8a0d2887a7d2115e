import { Arg, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { Customer } from "../customers/customer.entity.js";
import type { ApiContext } from "../graphql/context.js";
import { CustomerUsage, UsageBucket, UsageByCustomerFilter, UsageFilter } from "./usage.inputs.js";

@Resolver()
export class UsageResolver {
  @Authorized()
  @Query(() => [UsageBucket], { description: "Billable usage from the hosting servers' message logs, by UTC day or month" })
  usage(@Arg("filter") filter: UsageFilter, @Ctx() ctx: ApiContext) {
    return ctx.services.usage.usage(filter);
  }

  @Authorized()
  @Query(() => [CustomerUsage], {
    description: "A billing period's usage per customer, by company, then the messages of lists nobody owned on the day they were sent (customer null), when there are any",
  })
  async usageByCustomer(@Arg("filter") filter: UsageByCustomerFilter, @Ctx() ctx: ApiContext) {
    const rows = await ctx.services.usage.byCustomer(filter);
    const customers = await ctx.loaders.customer.loadMany(rows.flatMap((row) => (row.customerId === null ? [] : [row.customerId])));
    const company = new Map(customers.flatMap((customer) => (customer instanceof Customer ? [[customer.id, customer.company] as const] : [])));
    // By company, then nobody's messages last.
    return rows.sort((a, b) => {
      if (a.customerId === null || b.customerId === null) return (a.customerId === null ? 1 : 0) - (b.customerId === null ? 1 : 0);
      return (company.get(a.customerId) ?? "").localeCompare(company.get(b.customerId) ?? "", "en", { sensitivity: "base" }) || a.customerId - b.customerId;
    });
  }
}

@Resolver(() => CustomerUsage)
export class CustomerUsageResolver {
  @FieldResolver(() => Customer, { nullable: true, description: "null: the lists nobody owned on the day" })
  customer(@Root() row: CustomerUsage, @Ctx() ctx: ApiContext) {
    return row.customerId === null ? null : ctx.loaders.customer.load(row.customerId);
  }
}
