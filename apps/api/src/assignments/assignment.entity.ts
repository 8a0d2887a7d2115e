import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { CalendarDateColumn, InstantColumn } from "../db/columns.js";
import { toGlobalId } from "../graphql/global-id.js";
import { CalendarDate } from "../graphql/scalars.js";

export enum AssignmentScope {
  LIST = "LIST",
  SITE = "SITE",
  SERVER = "SERVER",
}
registerEnumType(AssignmentScope, { name: "AssignmentScope", description: "What an assignment gives a customer: one list, a whole site or a whole server" });

/**
 * A customer owns a list, a whole site or a whole server from startDate; an assignment with an
 * endDate is history. Rows are never deleted: billing for past periods reads them.
 */
@Entity({ name: "assignment" })
@ObjectType({ description: "A customer's ownership of a list, a whole site or a whole server, from startDate to endDate" })
export class Assignment {
  @PrimaryGeneratedColumn()
  id!: number;

  @Field(() => ID, { name: "id" })
  get globalId(): string {
    return toGlobalId("Assignment", this.id);
  }

  @Column({ type: "int" })
  customerId!: number;

  @Field(() => AssignmentScope)
  @Column({ type: "varchar", length: 10 })
  scope!: AssignmentScope;

  @Column({ type: "int", nullable: true })
  serverId!: number | null;

  @Column({ type: "int", nullable: true })
  siteId!: number | null;

  @Column({ type: "int", nullable: true })
  listId!: number | null;

  @Field(() => CalendarDate, { description: "First billed day" })
  @CalendarDateColumn()
  startDate!: string;

  @Field(() => CalendarDate, { nullable: true, description: "Last billed day; null while current" })
  @CalendarDateColumn({ nullable: true })
  endDate!: string | null;

  @InstantColumn()
  createdAt!: Date;
}
