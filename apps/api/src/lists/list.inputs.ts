import { Field, ID, InputType, ObjectType } from "type-graphql";
import { ConnectionType } from "../graphql/connection.js";
import { CalendarDate } from "../graphql/scalars.js";
import { UserError } from "../graphql/user-error.js";
import { List } from "./list.entity.js";

export const ListConnection = ConnectionType(List, "List");

@InputType()
export class ListFilter {
  @Field(() => ID, { nullable: true })
  serverId?: string | null;

  @Field(() => ID, { nullable: true })
  siteId?: string | null;

  @Field(() => ID, { nullable: true, description: "Lists the customer currently owns (directly or through their site or server)" })
  customerId?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Only lists no customer owns" })
  unassigned?: boolean | null;

  @Field(() => String, { nullable: true, description: "Name contains this text (case-insensitive)" })
  nameContains?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Also lists an operator marked removed (default false)" })
  includeRemoved?: boolean | null;
}

@InputType()
export class AssignListsInput {
  @Field(() => [ID])
  listIds!: string[];

  @Field(() => ID)
  customerId!: string;

  @Field(() => CalendarDate, { nullable: true, description: "First billed day; default today (UTC)" })
  startDate?: string | null;
}

@InputType()
export class UnassignListsInput {
  @Field(() => [ID])
  listIds!: string[];

  @Field(() => CalendarDate, { nullable: true, description: "Last billed day; default today (UTC)" })
  endDate?: string | null;
}

@ObjectType()
export class AssignListsPayload {
  @Field(() => [List])
  lists!: List[];

  @Field(() => [UserError])
  userErrors!: UserError[];
}
