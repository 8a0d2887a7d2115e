import { Field, Int, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { CalendarDate } from "../graphql/scalars.js";
import { CalendarDateColumn, InstantColumn } from "../db/columns.js";

/**
 * A plan's message unit size from startDate until the next period's start: a change of the size
 * counts from the day it is made (or the day it is back-dated to), and the messages of earlier days
 * keep theirs. Back-dating replaces the periods from its day on (setFromDay); the audit entry keeps
 * what they were.
 */
@Entity({ name: "hosting_plan_unit_period" })
export class HostingPlanUnitPeriod {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: "int" })
  planId!: number;

  @CalendarDateColumn()
  startDate!: string;

  @Column({ type: "int", default: 0 })
  messageUnitBytes!: number;

  @InstantColumn()
  createdAt!: Date;
}

@ObjectType({ description: "A plan's message unit size over a run of days" })
export class UnitSizePeriod {
  @Field(() => CalendarDate, { description: "The first day of the size (1970-01-01: from the start)" })
  startDate!: string;

  @Field(() => CalendarDate, { nullable: true, description: "The last day of the size; null for the size in effect today" })
  endDate!: string | null;

  @Field(() => Int, { description: "Bytes one unit covered on those days (0: one unit per recipient)" })
  messageUnitBytes!: number;
}
