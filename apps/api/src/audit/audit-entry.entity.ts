import { Field, ID, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { InstantColumn } from "../db/columns.js";
import { toGlobalId } from "../graphql/global-id.js";

/** Who changed what in billing, when, and the values before and after. Never updated or deleted. */
@Entity({ name: "audit_entry" })
@ObjectType({ description: "A change to billing data: who, what, before and after" })
export class AuditEntry {
  @PrimaryGeneratedColumn()
  id!: number;

  @Field(() => ID, { name: "id" })
  get globalId(): string {
    return toGlobalId("AuditEntry", this.id);
  }

  @Field(() => Date)
  @InstantColumn()
  at!: Date;

  @Field(() => String, { nullable: true, description: "The user, or null for the system (schedule, auto-sync)" })
  @Column({ type: "varchar", length: 100, nullable: true })
  actor!: string | null;

  @Field({ description: "e.g. server.create, list.assign, sync.list, fix.NEW_LIST" })
  @Column({ type: "varchar", length: 60 })
  action!: string;

  @Field()
  @Column({ type: "varchar", length: 30 })
  objectType!: string;

  @Field(() => String, { nullable: true, description: "The object's opaque ID" })
  @Column({ type: "varchar", length: 64, nullable: true })
  objectId!: string | null;

  @Field(() => String, { nullable: true, description: "The object's name" })
  @Column({ type: "varchar", length: 200, nullable: true })
  objectKey!: string | null;

  @Field(() => Object, { nullable: true, description: "What the change replaced (the fields it changed); other objects named by their IDs, as the API gives them" })
  @Column({ type: "simple-json", nullable: true })
  before!: object | null;

  @Field(() => Object, { nullable: true, description: "What the change wrote, alike" })
  @Column({ type: "simple-json", nullable: true })
  after!: object | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 64, nullable: true })
  requestId!: string | null;
}
