import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { CalendarDateColumn, InstantColumn } from "../db/columns.js";

/**
 * A plan's message unit size from startDate until the next period's start: a change of the size
 * counts from the day it is made, and the messages of earlier days keep theirs. Rows are never
 * deleted.
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
