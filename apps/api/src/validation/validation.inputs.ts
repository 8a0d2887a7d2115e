import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { ObjectType as ObjectKind, Severity, ValidationErrorCode, ValidationErrorStatus } from "./validation-codes.js";
import { ConnectionType } from "../graphql/connection.js";
import { CalendarDate } from "../graphql/scalars.js";
import { UserError } from "../graphql/user-error.js";
import { ValidationError } from "./validation-error.entity.js";

export const ValidationErrorConnection = ConnectionType(ValidationError, "ValidationError");

@InputType({ description: "Name the servers, or say all: true" })
export class ValidateServersInput {
  @Field(() => [ID], { nullable: true })
  serverIds?: string[] | null;

  @Field(() => Boolean, { nullable: true })
  all?: boolean | null;
}

@InputType()
export class TestServerConnectionInput {
  @Field(() => ID)
  id!: string;
}

@ObjectType()
export class TestServerConnectionPayload {
  @Field(() => Boolean, { nullable: true, description: "Null when the input was refused" })
  ok?: boolean | null;

  @Field(() => String, { nullable: true, description: "Why not: UNREACHABLE, AUTH_FAILED or HOST_NOT_ALLOWED" })
  reason?: string | null;

  @Field(() => String, { nullable: true, description: "What went wrong, in an operator's words" })
  message?: string | null;

  @Field(() => String, { nullable: true, description: "ListManager version the agent reports" })
  version?: string | null;

  @Field(() => Int, { nullable: true, description: "Connect, authenticate and serverInfo, end to end" })
  latencyMs?: number | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
export class ValidationErrorFilter {
  @Field(() => ID, { nullable: true })
  serverId?: string | null;

  @Field(() => ID, { nullable: true })
  customerId?: string | null;

  @Field(() => [ValidationErrorCode], { nullable: true })
  code?: ValidationErrorCode[] | null;

  @Field(() => [Severity], { nullable: true })
  severity?: Severity[] | null;

  @Field(() => [ValidationErrorStatus], { nullable: true })
  status?: ValidationErrorStatus[] | null;

  @Field(() => [ObjectKind], { nullable: true })
  objectType?: ObjectKind[] | null;

  @Field(() => Boolean, { nullable: true })
  fixable?: boolean | null;
}

@InputType()
export class PurgeValidationErrorsInput {
  @Field(() => CalendarDate, { description: "Delete errors a later validation replaced before this day (UTC); those replaced before listbill recorded when count from their first finding" })
  supersededBefore!: string;

  @Field(() => [ID], { nullable: true, description: "Only these servers' errors (at most 1,000); absent: every server's" })
  serverIds?: string[] | null;

  @Field(() => Int, { nullable: true, description: "At most this many rows in this call, 1 to 20,000; default 10,000. Call again while hasMore" })
  limit?: number | null;

  @Field(() => Boolean, { nullable: true, description: "true: delete nothing, only count what would go (remaining)" })
  dryRun?: boolean | null;
}

@ObjectType()
export class PurgeValidationErrorsPayload {
  @Field(() => Int, { nullable: true, description: "Rows deleted by this call; null when the input was refused" })
  deleted?: number | null;

  @Field(() => Boolean, { nullable: true, description: "Whether more such errors are left: call again" })
  hasMore?: boolean | null;

  @Field(() => Int, { nullable: true, description: "A dry run: how many errors would go; null otherwise" })
  remaining?: number | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
