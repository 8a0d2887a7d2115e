import { Field, ID, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { InstantColumn } from "../db/columns.js";
import { toGlobalId } from "../graphql/global-id.js";
import { Role } from "./role.js";

/** Someone who signs in to listbill, in a browser or through the API tokens an admin gave them. */
@Entity({ name: "user" })
@ObjectType({ description: "A person or script allowed to use listbill" })
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Field(() => ID, { name: "id" })
  get globalId(): string {
    return toGlobalId("User", this.id);
  }

  @Field()
  @Column({ type: "varchar", length: 100 })
  username!: string;

  /** Lower-cased username: the case-insensitive unique key. */
  @Column({ type: "varchar", length: 100 })
  usernameKey!: string;

  /** argon2id PHC string (salt and parameters inside). Never exposed. */
  @Column({ type: "varchar", length: 255 })
  passwordHash!: string;

  @Field(() => Role)
  @Column({ type: "varchar", length: 20 })
  role!: Role;

  @Field(() => Date, { nullable: true, description: "When an admin disabled the user: it cannot sign in, its sessions ended, and its API tokens do not work while it stays disabled" })
  @InstantColumn({ nullable: true })
  disabledAt!: Date | null;

  @Field(() => Date)
  @InstantColumn()
  createdAt!: Date;

  @InstantColumn()
  updatedAt!: Date;
}
