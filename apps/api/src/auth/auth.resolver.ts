import { Arg, Args, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { Mutation } from "../graphql/mutation.js";
import { PageArgs } from "../graphql/connection.js";
import type { ApiContext } from "../graphql/context.js";
import { toPayload } from "../graphql/user-error.js";
import { ApiToken } from "./api-token.entity.js";
import {
  ApiTokenConnection,
  ApiTokenFilter,
  ChangePasswordInput,
  ChangePasswordPayload,
  CreateApiTokenInput,
  CreateApiTokenPayload,
  CreateUserInput,
  LoginInput,
  LoginPayload,
  RevokeApiTokenInput,
  RevokeApiTokenPayload,
  UpdateUserInput,
  UserConnection,
  UserPayload,
} from "./auth.inputs.js";
import { authorOf } from "../jobs/actor.js";
import { Role } from "./role.js";
import { User } from "./user.entity.js";

@Resolver(() => User)
export class AuthResolver {
  @Query(() => User, { nullable: true, description: "The signed-in user; null when anonymous" })
  async me(@Ctx() ctx: ApiContext) {
    return (await ctx.auth.identity())?.user ?? null;
  }

  @Mutation(() => LoginPayload, { description: "Signs in a browser: on success the response sets an httpOnly session cookie" })
  login(@Arg("input") input: LoginInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => {
      const { user, sessionToken } = await ctx.services.auth.login(input);
      ctx.auth.startSession(sessionToken);
      return { user, token: null };
    });
  }

  @Mutation(() => Boolean, { description: "Ends the browser session and clears its cookie; false when there was none" })
  async logout(@Ctx() ctx: ApiContext) {
    const session = ctx.auth.credentials.session;
    const ended = await ctx.services.auth.logout(session);
    if (session !== null) ctx.auth.endSession();
    return ended;
  }

  @Authorized(Role.ADMIN)
  @Query(() => UserConnection, { description: "Everyone who may sign in, by username" })
  users(@Args() page: PageArgs, @Ctx() ctx: ApiContext) {
    return ctx.services.auth.userPage(page);
  }

  @Authorized(Role.ADMIN)
  @Query(() => ApiTokenConnection, { description: "API tokens, newest first (never the tokens themselves)" })
  apiTokens(@Args() page: PageArgs, @Arg("filter", () => ApiTokenFilter, { nullable: true }) filter: ApiTokenFilter | null, @Ctx() ctx: ApiContext) {
    return ctx.services.auth.tokenPage(page, filter);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UserPayload)
  createUser(@Arg("input") input: CreateUserInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ user: await ctx.services.auth.createUser(input, authorOf(ctx)) }));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => UserPayload, { description: "Changes a user's role, password or whether it may sign in; never leaves listbill without an enabled admin (LAST_ADMIN)" })
  updateUser(@Arg("input") input: UpdateUserInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ user: await ctx.services.auth.updateUser(input, authorOf(ctx)) }));
  }

  @Authorized(Role.VIEWER)
  @Mutation(() => ChangePasswordPayload, { description: "Changes the caller's own password, given the current one; the caller's other browser sessions end" })
  changePassword(@Arg("input") input: ChangePasswordInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => {
      const identity = (await ctx.auth.identity())!;
      return { changed: await ctx.services.auth.changePassword(input, identity, ctx.auth.credentials.session, authorOf(ctx)) };
    }, { changed: false });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CreateApiTokenPayload, { description: "Issues an API token for a user; the token is in this response only" })
  createApiToken(@Arg("input") input: CreateApiTokenInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => {
      const admin = (await ctx.auth.identity())?.user ?? null;
      return ctx.services.auth.createApiToken(input, admin, authorOf(ctx));
    });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => RevokeApiTokenPayload, { description: "Stops a token working at once" })
  revokeApiToken(@Arg("input") input: RevokeApiTokenInput, @Ctx() ctx: ApiContext) {
    return toPayload(async () => ({ apiToken: await ctx.services.auth.revokeApiToken(input, authorOf(ctx)) }));
  }
}

@Resolver(() => ApiToken)
export class ApiTokenResolver {
  @FieldResolver(() => User, { description: "Whom the token acts as" })
  user(@Root() token: ApiToken, @Ctx() ctx: ApiContext) {
    return ctx.loaders.user.load(token.userId);
  }
}
