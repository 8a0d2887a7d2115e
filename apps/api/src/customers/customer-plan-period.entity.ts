import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
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
