import { Field, ID, Int, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { InstantColumn } from "../db/columns.js";
import { toGlobalId } from "../graphql/global-id.js";

/** What a customer may use. Every limit: 0 = unlimited. */
@Entity({ name: "hosting_plan" })
@ObjectType({ description: "Limits a customer is billed against (0 = unlimited)" })
export class HostingPlan {
  @PrimaryGeneratedColumn()
  id!: number;

  @Field(() => ID, { name: "id" })
  get globalId(): string {
    return toGlobalId("HostingPlan", this.id);
  }

  @Field()
  @Column({ type: "varchar", length: 100 })
  name!: string;

  @Column({ type: "varchar", length: 100 })
  nameKey!: string;

  @Field(() => Int)
  @Column({ type: "int", default: 0 })
  maxLists!: number;

  @Field(() => Int)
  @Column({ type: "int", default: 0 })
  maxListsPerSite!: number;

  @Field(() => Int)
  @Column({ type: "int", default: 0 })
  maxSites!: number;

  @Field(() => Int)
  @Column({ type: "int", default: 0 })
  maxMembers!: number;

  @Field(() => Int)
  @Column({ type: "int", default: 0 })
  maxMembersPerList!: number;

  @Field(() => Int, { description: "Message size one unit covers, in bytes; a larger message counts proportionally more units per recipient (0 = every message is one unit per recipient). A change counts from the day it is made (UTC), or from updateHostingPlan's unitSizeStartDate: messages sent before keep their units" })
  @Column({ type: "int", default: 0 })
  messageUnitBytes!: number;

  @InstantColumn()
  createdAt!: Date;

  @InstantColumn()
  updatedAt!: Date;
}
