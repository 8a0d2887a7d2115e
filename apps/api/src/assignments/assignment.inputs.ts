import { Field, ID, InputType, ObjectType } from "type-graphql";
import { ConnectionType } from "../graphql/connection.js";
import { CalendarDate } from "../graphql/scalars.js";
import { UserError } from "../graphql/user-error.js";
import { Server } from "../servers/server.entity.js";
import { Site } from "../sites/site.entity.js";
import { Assignment, AssignmentScope } from "./assignment.entity.js";

export const AssignmentConnection = ConnectionType(Assignment, "Assignment");

@InputType()
export class AssignmentFilter {
  @Field(() => [AssignmentScope], { nullable: true, description: "Only these kinds: LIST, SITE, SERVER" })
  scope?: AssignmentScope[] | null;

  @Field(() => Boolean, { nullable: true, description: "true: only current ones (no endDate); false: only ended ones" })
  current?: boolean | null;
}

@InputType()
export class AssignSitesInput {
  @Field(() => [ID])
  siteIds!: string[];

  @Field(() => ID)
  customerId!: string;

  @Field(() => CalendarDate, { nullable: true, description: "First billed day; default today (UTC)" })
  startDate?: string | null;
}

@InputType()
export class UnassignSitesInput {
  @Field(() => [ID])
  siteIds!: string[];

  @Field(() => CalendarDate, { nullable: true, description: "Last billed day; default today (UTC)" })
  endDate?: string | null;
}

@ObjectType()
export class AssignSitesPayload {
  @Field(() => [Site])
  sites!: Site[];

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
export class AssignServersInput {
  @Field(() => [ID])
  serverIds!: string[];

  @Field(() => ID)
  customerId!: string;

  @Field(() => CalendarDate, { nullable: true, description: "First billed day; default today (UTC)" })
  startDate?: string | null;
}

@InputType()
export class UnassignServersInput {
  @Field(() => [ID])
  serverIds!: string[];

  @Field(() => CalendarDate, { nullable: true, description: "Last billed day; default today (UTC)" })
  endDate?: string | null;
}

@ObjectType()
export class AssignServersPayload {
  @Field(() => [Server])
  servers!: Server[];

  @Field(() => [UserError])
  userErrors!: UserError[];
}
