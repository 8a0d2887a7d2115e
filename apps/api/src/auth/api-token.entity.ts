import { Field, ID, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { InstantColumn } from "../db/columns.js";
import { toGlobalId } from "../graphql/global-id.js";

/**
 * A long-lived credential for scripts, sent as `Authorization: Bearer`. Only the SHA-256 of the
 * token is stored: the token itself is shown once, when an admin creates it.
 */
@Entity({ name: "api_token" })
@ObjectType({ description: "An API token (the token itself is shown only once, by createApiToken)" })
export class ApiToken {
  @PrimaryGeneratedColumn()
  id!: number;

  @Field(() => ID, { name: "id" })
  get globalId(): string {
    return toGlobalId("ApiToken", this.id);
  }

  @Column({ type: "int" })
  userId!: number;

  @Field({ description: "What the token is for, e.g. \"nightly bulk fix\"" })
  @Column({ type: "varchar", length: 100 })
  name!: string;

  /** Hex SHA-256 of the token: 256 random bits need no slow hash, and a fast one can be indexed. */
  @Column({ type: "varchar", length: 64 })
  tokenHash!: string;

  @Column({ type: "int", nullable: true })
  createdById!: number | null;

  @Field(() => Date)
  @InstantColumn()
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: "Null: never expires" })
  @InstantColumn({ nullable: true })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @InstantColumn({ nullable: true })
  revokedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "The last request made with the token, to the minute; null: never used" })
  @InstantColumn({ nullable: true })
  lastUsedAt!: Date | null;

  @Field({ description: "Not revoked and not expired" })
  get active(): boolean {
    return this.revokedAt === null && (this.expiresAt === null || this.expiresAt.getTime() > Date.now());
  }
}
