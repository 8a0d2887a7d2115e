import { Field, ID, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { InstantColumn } from "../db/columns.js";
import { toGlobalId } from "../graphql/global-id.js";

/** A ListManager site on a hosting server, mirrored into billing. Never hard-deleted. */
@Entity({ name: "site" })
@ObjectType()
export class Site {
  @PrimaryGeneratedColumn()
  id!: number;

  @Field(() => ID, { name: "id" })
  get globalId(): string {
    return toGlobalId("Site", this.id);
  }

  @Column({ type: "int" })
  serverId!: number;

  @Field()
  @Column({ type: "varchar", length: 100 })
  name!: string;

  @Column({ type: "varchar", length: 100 })
  nameKey!: string;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 253, nullable: true })
  hostName!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 255, nullable: true })
  description!: string | null;

  @Field(() => Date, { nullable: true, description: "When an operator marked the site gone from its hosting server" })
  @InstantColumn({ nullable: true })
  removedAt!: Date | null;

  @InstantColumn()
  createdAt!: Date;

  @InstantColumn()
  updatedAt!: Date;
}
