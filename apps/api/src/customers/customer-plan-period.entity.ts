import { Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { CalendarDate } from "../graphql/scalars.js";
import { CalendarDateColumn, InstantColumn } from "../db/columns.js";

/**
 * A customer's plan from startDate until the next period's start (null: no plan). Usage counts a
 * message's units at its owner's plan of the day it was sent, at that plan's unit size of the day
 * (HostingPlanUnitPeriod), so a change of plan leaves the days before it as they were billed.
 * Back-dating a plan replaces the periods from its day on (the audit entry lists them).
 */
@Entity({ name: "customer_plan_period" })
export class CustomerPlanPeriod {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: "int" })
  customerId!: number;

  @CalendarDateColumn()
  startDate!: string;

  @Column({ type: "int", nullable: true })
  planId!: number | null;

  @InstantColumn()
  createdAt!: Date;
}

@ObjectType({ description: "A customer's plan over a run of days: what its messages of those days are billed at" })
export class PlanPeriod {
  @Field(() => CalendarDate, { description: "The first day the plan bills (1970-01-01: from the start)" })
  startDate!: string;

  @Field(() => CalendarDate, { nullable: true, description: "The last day it bills; null for the plan in effect today" })
  endDate!: string | null;

  /** The plan's row id; the field resolver gives the plan. */
  planId!: number | null;
}
