import { registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { CalendarDateColumn, InstantColumn } from "../db/columns.js";

export enum AssignmentScope {
  LIST = "LIST",
  SITE = "SITE",
  SERVER = "SERVER",
}
registerEnumType(AssignmentScope, { name: "AssignmentScope" });

/**
 * A customer owns a list, a whole site or a whole server from startDate; an assignment with an
 * endDate is history. Rows are never deleted: billing for past periods reads them.
 */
@Entity({ name: "assignment" })
export class Assignment {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: "int" })
  customerId!: number;

  @Column({ type: "varchar", length: 10 })
  scope!: AssignmentScope;

  @Column({ type: "int", nullable: true })
  serverId!: number | null;

  @Column({ type: "int", nullable: true })
  siteId!: number | null;

  @Column({ type: "int", nullable: true })
  listId!: number | null;

  @CalendarDateColumn()
  startDate!: string;

  @CalendarDateColumn({ nullable: true })
  endDate!: string | null;

  @InstantColumn()
  createdAt!: Date;
}
