import { Arg, Authorized, Ctx, Resolver } from "type-graphql";
import { Mutation } from "../graphql/mutation.js";
import { Role } from "../auth/role.js";
import type { ApiContext } from "../graphql/context.js";
import { toPayload } from "../graphql/user-error.js";
import { authorOf } from "../jobs/actor.js";
import { FixValidationErrorsInput, FixValidationErrorsPayload, IgnoreValidationErrorsInput, ValidationErrorsPayload } from "./fix.inputs.js";

@Resolver()
export class FixResolver {
  @Authorized(Role.OPERATOR)
  @Mutation(() => FixValidationErrorsPayload, {
    description: "Fix selected objects: creates or updates billing's rows as each reviewed error says, and re-validates the servers touched",
  })
  fixValidationErrors(@Arg("input") input: FixValidationErrorsInput, @Ctx() ctx: ApiContext) {
    return toPayload(() => ctx.services.fix.fix(input, authorOf(ctx)), { results: [] });
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => ValidationErrorsPayload, { description: "Marks open errors IGNORED; they stay out of the open list until a later validation finds them again" })
  ignoreValidationErrors(@Arg("input") input: IgnoreValidationErrorsInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ errors: await ctx.services.fix.ignore(input.errorIds) }), { errors: [] });
  }
}
