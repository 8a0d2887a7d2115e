import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root, Subscription } from "type-graphql";
import { unauthenticated } from "../auth/request-auth.js";
import { PageArgs } from "../graphql/connection.js";
import type { ApiContext } from "../graphql/context.js";
import { Server } from "../servers/server.entity.js";
import { Job } from "./job.entity.js";
import { JobConnection, JobFilter } from "./job.inputs.js";

@Resolver(() => Job)
export class JobResolver {
  @Authorized()
  @Query(() => Job, { nullable: true })
  job(@Arg("id", () => ID) id: string, @Ctx() ctx: ApiContext) {
    return ctx.services.jobs.find(id);
  }

  @Authorized()
  @Query(() => JobConnection, { description: "Jobs, newest first" })
  jobs(@Args() page: PageArgs, @Arg("filter", () => JobFilter, { nullable: true }) filter: JobFilter | null, @Ctx() ctx: ApiContext) {
    return ctx.services.jobs.page(page, filter);
  }

  @Authorized()
  @Subscription(() => Job, {
    description: "The job now and at each change of state or progress, until it finishes (graphql-ws at /graphql)",
    // type-graphql checks @Authorized when each event resolves, not when a subscription starts:
    // check here too, so an anonymous caller learns at once and reads nothing.
    subscribe: async ({ args, context }) => {
      const ctx = context as ApiContext;
      if (!(await ctx.auth.identity())) throw unauthenticated("Sign in to subscribe to jobUpdated: send connectionParams { authorization: \"Bearer <token>\" }");
      return eachWithNewLoaders(ctx, ctx.services.jobs.watch(args.id as string));
    },
  })
  jobUpdated(@Root() job: Job, @Arg("id", () => ID) _id: string): Job {
    return job;
  }

  @FieldResolver(() => Server, { nullable: true, description: "Null for a job of a server deleted since" })
  server(@Root() job: Job, @Ctx() ctx: ApiContext) {
    return job.serverId === null ? null : ctx.loaders.server.load(job.serverId);
  }
}

@Resolver(() => Server)
export class ServerJobsResolver {
  @FieldResolver(() => JobConnection, { description: "The server's jobs, newest first" })
  jobs(@Root() server: Server, @Args() page: PageArgs, @Arg("filter", () => JobFilter, { nullable: true }) filter: JobFilter | null, @Ctx() ctx: ApiContext) {
    return ctx.loaders.pages.load("Server.jobs", [page, filter], server.id, (serverIds) => ctx.services.jobs.pages(page, filter, serverIds));
  }
}

/**
 * The events, each resolved with loaders of its own: the subscription's context lives as long as
 * it does, and a server or page a loader read for one event must not answer for the next.
 */
async function* eachWithNewLoaders<T>(ctx: ApiContext, events: AsyncGenerator<T>): AsyncGenerator<T> {
  let first = true;
  for await (const event of events) {
    // The caller may have been disabled, or its token revoked, since the subscription began.
    if (!first && !(await ctx.auth.recheck())) throw unauthenticated("Signed out: this subscription's credential no longer works");
    first = false;
    ctx.loaders = ctx.newLoaders();
    yield event;
  }
}
