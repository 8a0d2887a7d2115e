import { Field, ID, InputType, ObjectType } from "type-graphql";
import validator from "validator";
import { z } from "zod";
import { ConnectionType } from "../graphql/connection.js";
import { CalendarDate } from "../graphql/scalars.js";
import { UserError } from "../graphql/user-error.js";
import { calendarDateField, nameField, optionalText } from "../graphql/validators.js";
import { Customer } from "./customer.entity.js";

export const CustomerConnection = ConnectionType(Customer, "Customer");

@InputType()
export class CreateCustomerInput {
  @Field()
  company!: string;

  @Field(() => String, { nullable: true })
  contactName?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Default true" })
  isActive?: boolean | null;

  @Field(() => ID, { nullable: true })
  planId?: string | null;

  @Field(() => CalendarDate, { nullable: true })
  startDate?: string | null;

  @Field(() => CalendarDate, { nullable: true })
  endDate?: string | null;
}

@InputType({ description: "Absent fields keep their value; null clears an optional one" })
export class UpdateCustomerInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  company?: string | null;

  @Field(() => String, { nullable: true })
  contactName?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => Boolean, { nullable: true })
  isActive?: boolean | null;

  @Field(() => ID, { nullable: true, description: "The customer's plan from planStartDate (default today, UTC) on; the messages of earlier days keep the units of the plan they were sent under" })
  planId?: string | null;

  @Field(() => CalendarDate, {
    nullable: true,
    description: "The first day (UTC) the plan (planId, else the customer's current plan) bills, today or earlier: back-dated, it replaces the plans the customer had from that day on, each day billed at the plan's unit size of that day (a plan set late, or set wrong); given without planId, it is the first day of the plan the customer has today, so a later day starts that plan later, the plan before it billing until then (NO_EARLIER_PLAN when none came before it); the audit entry lists the plans replaced",
  })
  planStartDate?: string | null;

  @Field(() => CalendarDate, { nullable: true })
  startDate?: string | null;

  @Field(() => CalendarDate, { nullable: true })
  endDate?: string | null;
}

@InputType()
export class CustomerFilter {
  @Field(() => String, { nullable: true, description: "Company contains this text (case-insensitive)" })
  companyContains?: string | null;

  @Field(() => Boolean, { nullable: true })
  isActive?: boolean | null;

  @Field(() => ID, { nullable: true })
  planId?: string | null;
}

@ObjectType()
export class CustomerPayload {
  @Field(() => Customer, { nullable: true })
  customer?: Customer | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

const email = z
  .string()
  .trim()
  .max(254, "Email must be at most 254 characters")
  .refine((value) => value === "" || validator.isEmail(value), "Email is not a valid address")
  .nullish()
  .transform((value) => (value === undefined ? undefined : value ? value : null));

const optionalDate = calendarDateField.nullish();

export const createCustomerSchema = z.object({
  company: nameField("Company", 200),
  contactName: optionalText("Contact name", 200),
  email,
  isActive: z.boolean().nullish().transform((value) => value ?? true),
  planId: z.string().nullish(),
  startDate: optionalDate,
  endDate: optionalDate,
});

export const updateCustomerSchema = z.object({
  company: nameField("Company", 200).nullish().transform((value) => value ?? undefined),
  contactName: optionalText("Contact name", 200),
  email,
  isActive: z.boolean().nullish().transform((value) => value ?? undefined),
  planId: z.string().nullish(),
  planStartDate: optionalDate,
  startDate: optionalDate,
  endDate: optionalDate,
});

export const customerFieldCodes: Record<string, string> = {
  id: "CUSTOMER_NOT_FOUND",
  company: "INVALID_COMPANY",
  contactName: "INVALID_CONTACT_NAME",
  email: "INVALID_EMAIL",
  planId: "PLAN_NOT_FOUND",
  planStartDate: "INVALID_DATE",
  startDate: "INVALID_DATE",
  endDate: "INVALID_DATE",
};
