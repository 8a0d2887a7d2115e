import { Field, ID, InputType, ObjectType } from "type-graphql";
import { ConnectionType } from "../graphql/connection.js";
import { UserError } from "../graphql/user-error.js";
import { Job, JobKind, JobState } from "./job.entity.js";

export const JobConnection = ConnectionType(Job, "Job");

@InputType()
export class JobFilter {
  @Field(() => [JobKind], { nullable: true })
  kind?: JobKind[] | null;

  @Field(() => [JobState], { nullable: true })
  state?: JobState[] | null;

  @Field(() => ID, { nullable: true })
  serverId?: string | null;
}

@ObjectType()
export class JobsPayload {
  @Field(() => [Job])
  jobs!: Job[];

  @Field(() => [UserError])
  userErrors!: UserError[];
}
