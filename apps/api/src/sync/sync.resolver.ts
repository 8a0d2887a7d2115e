import { Arg, Authorized, Ctx, Field, ID, InputType, Resolver } from "type-graphql";
import { Mutation } from "../graphql/mutation.js";
import type { ApiContext } from "../graphql/context.js";
import { Role } from "../auth/role.js";
import { toPayload } from "../graphql/user-error.js";
import { actorOf } from "../jobs/actor.js";
import { JobKind } from "../jobs/job.entity.js";
import { JobsPayload } from "../jobs/job.inputs.js";

@InputType({ description: "Name the servers, or say all: true" })
export class SyncServersInput {
  @Field(() => [ID], { nullable: true })
  serverIds?: string[] | null;

  @Field(() => Boolean, { nullable: true })
  all?: boolean | null;
}

@Resolver()
export class SyncResolver {
  @Authorized(Role.OPERATOR)
  @Mutation(() => JobsPayload, { description: "Queues one sync job per server: copies hosting-server changes into billing, never the other way" })
  syncServers(@Arg("input") input: SyncServersInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ jobs: await ctx.services.validation.enqueue(JobKind.SYNC, input, actorOf(ctx), "MANUAL") }), { jobs: [] });
  }
}
