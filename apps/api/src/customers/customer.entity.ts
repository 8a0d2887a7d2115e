import { Field, ID, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { CalendarDateColumn, InstantColumn } from "../db/columns.js";
import { toGlobalId } from "../graphql/global-id.js";
import { CalendarDate } from "../graphql/scalars.js";

/** Who is billed: owns lists (directly or through a whole site or server) under a hosting plan. */
@Entity({ name: "customer" })
@ObjectType()
export class Customer {
  @PrimaryGeneratedColumn()
  id!: number;

  @Field(() => ID, { name: "id" })
  get globalId(): string {
    return toGlobalId("Customer", this.id);
  }

  @Field()
  @Column({ type: "varchar", length: 200 })
  company!: string;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 200, nullable: true })
  contactName!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 254, nullable: true })
  email!: string | null;

  @Field()
  @Column({ type: "boolean", default: true })
  isActive!: boolean;

  @Column({ type: "int", nullable: true })
  planId!: number | null;

  @Field(() => CalendarDate, { nullable: true })
  @CalendarDateColumn({ nullable: true })
  startDate!: string | null;

  @Field(() => CalendarDate, { nullable: true })
  @CalendarDateColumn({ nullable: true })
  endDate!: string | null;

  @InstantColumn()
  createdAt!: Date;

  @InstantColumn()
  updatedAt!: Date;
}
