import { Field, ID, InputType, ObjectType, registerEnumType } from "type-graphql";
import { Job } from "../jobs/job.entity.js";
import { UserError } from "../graphql/user-error.js";
import { ValidationError } from "../validation/validation-error.entity.js";

export enum FixStatus {
  FIXED = "FIXED",
  SKIPPED = "SKIPPED",
  FAILED = "FAILED",
}
registerEnumType(FixStatus, { name: "FixStatus" });

@InputType()
export class FixValidationErrorsInput {
  @Field(() => [ID], { description: "The errors the operator reviewed and selected (at most 1,000)" })
  errorIds!: string[];

  @Field(() => Boolean, { defaultValue: false, description: "Also mark objects gone from the hosting server removed (MISSING_SITE, MISSING_LIST), and end the assignments of lists deleted there and made again under their names (LIST_RECREATED); never deletes" })
  allowRemovals!: boolean;
}

@ObjectType({ description: "What happened to one selected error" })
export class FixResult {
  @Field(() => ID)
  errorId!: string;

  @Field(() => FixStatus)
  status!: FixStatus;

  @Field(() => String, { nullable: true, description: "Why it was skipped or failed: ALREADY_FIXED, IGNORED, PLAN_STALE, NOT_FIXABLE, REMOVALS_NOT_ALLOWED, SERVER_UNREACHABLE, INTERNAL" })
  code?: string | null;

  @Field(() => String, { nullable: true })
  reason?: string | null;
}

@ObjectType()
export class FixValidationErrorsPayload {
  @Field(() => [FixResult])
  results!: FixResult[];

  @Field(() => Job, { nullable: true, description: "The FIX job that records this run; the affected servers' re-validation jobs follow it" })
  job?: Job | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@InputType()
export class IgnoreValidationErrorsInput {
  @Field(() => [ID])
  errorIds!: string[];
}

@ObjectType()
export class ValidationErrorsPayload {
  @Field(() => [ValidationError])
  errors!: ValidationError[];

  @Field(() => [UserError])
  userErrors!: UserError[];
}
