import { Field, ID, Int, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { InstantColumn } from "../db/columns.js";
import { toGlobalId } from "../graphql/global-id.js";
import type { Customer } from "../customers/customer.entity.js";
import type { Server } from "../servers/server.entity.js";

/** A mailing list on a hosting server, mirrored into billing, keyed by (server, name). Never hard-deleted. */
@Entity({ name: "list" })
@ObjectType({ description: "A mailing list on a hosting server" })
export class List {
  @PrimaryGeneratedColumn()
  id!: number;

  @Field(() => ID, { name: "id" })
  get globalId(): string {
    return toGlobalId("List", this.id);
  }

  @Column({ type: "int" })
  serverId!: number;

  @Column({ type: "int", nullable: true })
  siteId!: number | null;

  @Field()
  @Column({ type: "varchar", length: 100 })
  name!: string;

  @Column({ type: "varchar", length: 100 })
  nameKey!: string;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 255, nullable: true })
  description!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 100, nullable: true })
  topic!: string | null;

  @Field()
  @Column({ type: "boolean", default: false })
  disabled!: boolean;

  @Field(() => Int, { description: "The list's own member limit on the hosting server (0 = unlimited)" })
  @Column({ type: "int", default: 0 })
  maxMembers!: number;

  @Field(() => Int, { description: "Counted members (normal + held) at the last sync" })
  @Column({ type: "int", default: 0 })
  memberCount!: number;

  /** Counts by status at the last sync, "normal,held,unsub,confirm,private,expired,other": a snapshot is taken when it changes. */
  @Column({ type: "varchar", length: 200, nullable: true })
  memberCounts!: string | null;

  /**
   * The current owner, derived from the open assignments of the list, its site or its server
   * (in that order of precedence). Kept on the row so filters and counts by customer are
   * indexed; recomputed by the assignment service whenever an assignment changes.
   */
  @Column({ type: "int", nullable: true })
  customerId!: number | null;

  @Field(() => Date, { nullable: true, description: "When the list was created on the hosting server" })
  @InstantColumn({ nullable: true })
  hostCreatedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "When an operator marked the list gone from its hosting server" })
  @InstantColumn({ nullable: true })
  removedAt!: Date | null;

  @InstantColumn()
  createdAt!: Date;

  @InstantColumn()
  updatedAt!: Date;

  /** Set only by a page query that joined the list's server (see ListService.page): primes the loader. */
  joinedServer?: Server;

  /** Likewise the current owner; null when the join found none. */
  joinedCustomer?: Customer | null;
}
