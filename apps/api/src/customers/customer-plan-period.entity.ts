import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { CalendarDateColumn, InstantColumn } from "../db/columns.js";

/**
 * A customer's plan, and its message unit size, from startDate until the next period's start.
 * Usage counts a message's units at its owner's unit size on the day it was sent, so changing a
 * customer's plan, or a plan's unit size, leaves the days before the change as they were billed.
 * Rows are never deleted.
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

  /** The plan's messageUnitBytes from startDate on (0: one unit per recipient, as without a plan). */
  @Column({ type: "int", default: 0 })
  messageUnitBytes!: number;

  @InstantColumn()
  createdAt!: Date;
}
