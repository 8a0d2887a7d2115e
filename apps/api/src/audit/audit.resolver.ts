import { Arg, Args, Authorized, Ctx, Field, InputType, Query, Resolver } from "type-graphql";
import type { ApiContext } from "../graphql/context.js";
import { ConnectionType, PageArgs } from "../graphql/connection.js";
import { AuditEntry } from "./audit-entry.entity.js";

export const AuditEntryConnection = ConnectionType(AuditEntry, "AuditEntry");

@InputType()
export class AuditEntryFilter {
  @Field(() => String, { nullable: true, description: "e.g. List, Server, Customer" })
  objectType?: string | null;

  @Field(() => String, { nullable: true, description: "The object's opaque ID" })
  objectId?: string | null;

  @Field(() => String, { nullable: true })
  actor?: string | null;

  @Field(() => String, { nullable: true, description: "Actions starting with this text, e.g. \"fix.\" or \"sync.list\"" })
  actionPrefix?: string | null;
}

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Authorized()
  @Query(() => AuditEntryConnection, { description: "Changes to billing data, newest first" })
  auditEntries(@Args() page: PageArgs, @Arg("filter", () => AuditEntryFilter, { nullable: true }) filter: AuditEntryFilter | null, @Ctx() ctx: ApiContext) {
    return ctx.services.audit.page(page, filter);
  }
}
