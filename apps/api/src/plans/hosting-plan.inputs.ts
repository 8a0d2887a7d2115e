import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { z } from "zod";
import { ConnectionType } from "../graphql/connection.js";
import { UserError } from "../graphql/user-error.js";
import { CalendarDate } from "../graphql/scalars.js";
import { calendarDateField, nameField } from "../graphql/validators.js";
import { HostingPlan } from "./hosting-plan.entity.js";

export const HostingPlanConnection = ConnectionType(HostingPlan, "HostingPlan");

@InputType({ description: "Every limit: a whole number, 0 = unlimited" })
export class CreateHostingPlanInput {
  @Field()
  name!: string;

  @Field(() => Int, { nullable: true })
  maxLists?: number | null;

  @Field(() => Int, { nullable: true })
  maxListsPerSite?: number | null;

  @Field(() => Int, { nullable: true })
  maxSites?: number | null;

  @Field(() => Int, { nullable: true })
  maxMembers?: number | null;

  @Field(() => Int, { nullable: true })
  maxMembersPerList?: number | null;

  @Field(() => Int, { nullable: true, description: "Bytes one message unit covers (0 = one unit per recipient whatever the size)" })
  messageUnitBytes?: number | null;
}

@InputType({ description: "Absent fields keep their value" })
export class UpdateHostingPlanInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Int, { nullable: true })
  maxLists?: number | null;

  @Field(() => Int, { nullable: true })
  maxListsPerSite?: number | null;

  @Field(() => Int, { nullable: true })
  maxSites?: number | null;

  @Field(() => Int, { nullable: true })
  maxMembers?: number | null;

  @Field(() => Int, { nullable: true })
  maxMembersPerList?: number | null;

  @Field(() => Int, { nullable: true, description: "Bytes one message unit covers (0 = one unit per recipient whatever the size), from unitSizeStartDate (default today, UTC) on; the messages of earlier days keep the unit size of their day" })
  messageUnitBytes?: number | null;

  @Field(() => CalendarDate, {
    nullable: true,
    description: "The first day (UTC) the unit size (messageUnitBytes, else the plan's current one) bills, today or earlier: back-dated, it replaces the unit sizes the plan had from that day on (a size set late, or set wrong); given without messageUnitBytes, it is the first day of the plan's current unit size, so a later day starts it later, the size before it billing until then (NO_EARLIER_UNIT_SIZE when none came before it); the audit entry lists the unit sizes replaced",
  })
  unitSizeStartDate?: string | null;
}

@ObjectType()
export class HostingPlanPayload {
  @Field(() => HostingPlan, { nullable: true })
  hostingPlan?: HostingPlan | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

export const PLAN_LIMITS = ["maxLists", "maxListsPerSite", "maxSites", "maxMembers", "maxMembersPerList"] as const;

const limit = z.number().int().min(0, "Limits are 0 (unlimited) or more").max(2_000_000_000, "Limit is too large");

const limitOrZero = limit.nullish().transform((value) => value ?? 0);
const limitOrKeep = limit.nullish().transform((value) => value ?? undefined);

export const createHostingPlanSchema = z.object({
  name: nameField("Name", 100),
  maxLists: limitOrZero,
  maxListsPerSite: limitOrZero,
  maxSites: limitOrZero,
  maxMembers: limitOrZero,
  maxMembersPerList: limitOrZero,
  messageUnitBytes: limitOrZero,
});

export const updateHostingPlanSchema = z.object({
  name: nameField("Name", 100).nullish().transform((value) => value ?? undefined),
  maxLists: limitOrKeep,
  maxListsPerSite: limitOrKeep,
  maxSites: limitOrKeep,
  maxMembers: limitOrKeep,
  maxMembersPerList: limitOrKeep,
  messageUnitBytes: limitOrKeep,
  unitSizeStartDate: calendarDateField.nullish(),
});

export const planFieldCodes: Record<string, string> = {
  id: "PLAN_NOT_FOUND",
  name: "INVALID_NAME",
  ...Object.fromEntries(PLAN_LIMITS.map((field) => [field, "INVALID_LIMIT"])),
  messageUnitBytes: "INVALID_LIMIT",
  unitSizeStartDate: "INVALID_DATE",
};
