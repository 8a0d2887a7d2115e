import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { CalendarDate } from "../graphql/scalars.js";

export enum UsagePeriod {
  DAY = "DAY",
  MONTH = "MONTH",
}
registerEnumType(UsagePeriod, { name: "UsagePeriod" });

@InputType({ description: "At most one of serverId, customerId, listId (none: the whole fleet); from and to are UTC days, both included" })
export class UsageFilter {
  @Field(() => ID, { nullable: true })
  serverId?: string | null;

  @Field(() => ID, { nullable: true, description: "Messages of the lists the customer owned on the day each was sent" })
  customerId?: string | null;

  @Field(() => ID, { nullable: true })
  listId?: string | null;

  @Field(() => CalendarDate)
  from!: string;

  @Field(() => CalendarDate)
  to!: string;

  @Field(() => UsagePeriod)
  groupBy!: UsagePeriod;
}

@ObjectType({ description: "Messages sent in one period (UTC)" })
export class UsageBucket {
  @Field({ description: "YYYY-MM-DD or YYYY-MM" })
  period!: string;

  @Field(() => Int)
  messages!: number;

  @Field(() => Int)
  recipients!: number;

  @Field(() => Float)
  bytes!: number;

  @Field(() => Float, { description: "Billable units: per recipient, one unit per message up to the plan's unit size, proportionally more above it" })
  units!: number;
}

@InputType({ description: "A billing period: from and to are UTC days, both included; serverId narrows it to one server's messages" })
export class UsageByCustomerFilter {
  @Field(() => CalendarDate)
  from!: string;

  @Field(() => CalendarDate)
  to!: string;

  @Field(() => ID, { nullable: true })
  serverId?: string | null;
}

@ObjectType({ description: "One customer's billable usage over a period: the messages of the lists it owned on the day each was sent" })
export class CustomerUsage {
  /** The owner's row id; null for the messages of lists nobody owned that day. */
  customerId!: number | null;

  // Float, not Int: a customer's or nobody's total over years passes 2^31 recipients.
  @Field(() => Float)
  messages!: number;

  @Field(() => Float)
  recipients!: number;

  @Field(() => Float)
  bytes!: number;

  @Field(() => Float, { description: "Billable units by the customer's plan (see UsageBucket.units); one per recipient for nobody's messages" })
  units!: number;
}
