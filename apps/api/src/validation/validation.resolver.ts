import { Arg, Authorized, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { Mutation } from "../graphql/mutation.js";
import { Customer } from "../customers/customer.entity.js";
import { PageArgs } from "../graphql/connection.js";
import type { ApiContext } from "../graphql/context.js";
import { Role } from "../auth/role.js";
import { toPayload } from "../graphql/user-error.js";
import { JobKind } from "../jobs/job.entity.js";
import { JobsPayload } from "../jobs/job.inputs.js";
import { actorOf, authorOf } from "../jobs/actor.js";
import { Server } from "../servers/server.entity.js";
import { ValidationError } from "./validation-error.entity.js";
import { PurgeValidationErrorsInput, PurgeValidationErrorsPayload, TestServerConnectionInput, TestServerConnectionPayload, ValidateServersInput, ValidationErrorConnection, ValidationErrorFilter } from "./validation.inputs.js";

@Resolver(() => ValidationError)
export class ValidationResolver {
  @Authorized(Role.OPERATOR)
  @Mutation(() => JobsPayload, { description: "Queues one validation job per server; compares billing with each hosting server" })
  validateServers(@Arg("input") input: ValidateServersInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ jobs: await ctx.services.validation.enqueue(JobKind.VALIDATE, input, actorOf(ctx), "MANUAL") }), { jobs: [] });
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => TestServerConnectionPayload, { description: "Connects to the server's agent now and reports how it went; records nothing" })
  testServerConnection(@Arg("input") input: TestServerConnectionInput, @Ctx() ctx: ApiContext) {
    return toPayload(() => ctx.services.validation.testConnection(input.id));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => PurgeValidationErrorsPayload, {
    description: "Deletes the errors a later validation replaced (SUPERSEDED) before a day, never LIST_RECREATED ones, at most `limit` a call; no other validation error is ever deleted",
  })
  purgeValidationErrors(@Arg("input") input: PurgeValidationErrorsInput, @Ctx() ctx: ApiContext) {
    return toPayload(() => ctx.services.validation.purge(input, authorOf(ctx)));
  }

  @Authorized()
  @Query(() => ValidationErrorConnection)
  validationErrors(@Args() page: PageArgs, @Arg("filter", () => ValidationErrorFilter, { nullable: true }) filter: ValidationErrorFilter | null, @Ctx() ctx: ApiContext) {
    return ctx.services.validation.errorsPage(page, filter);
  }

  @Authorized()
  @Query(() => ValidationError, { nullable: true })
  validationError(@Arg("id", () => ID) id: string, @Ctx() ctx: ApiContext) {
    return ctx.services.validation.findError(id);
  }

  @FieldResolver(() => Server, { nullable: true })
  server(@Root() error: ValidationError, @Ctx() ctx: ApiContext) {
    return error.serverId === null ? null : ctx.loaders.server.load(error.serverId);
  }

  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() error: ValidationError, @Ctx() ctx: ApiContext) {
    return error.customerId === null ? null : ctx.loaders.customer.load(error.customerId);
  }
}

@Resolver(() => Server)
export class ServerValidationResolver {
  @FieldResolver(() => Int, { description: "Validation errors of the server still OPEN" })
  openErrorCount(@Root() server: Server, @Ctx() ctx: ApiContext) {
    return ctx.loaders.openErrorCount.load(server.id);
  }

  @FieldResolver(() => ValidationErrorConnection)
  validationErrors(@Root() server: Server, @Args() page: PageArgs, @Arg("filter", () => ValidationErrorFilter, { nullable: true }) filter: ValidationErrorFilter | null, @Ctx() ctx: ApiContext) {
    return ctx.loaders.pages.load("Server.validationErrors", [page, filter], server.id, (serverIds) => ctx.services.validation.errorsPages(page, filter, serverIds));
  }
}
