import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Entity, PrimaryGeneratedColumn, Column } from "typeorm";
import { InstantColumn } from "../db/columns.js";
import { toGlobalId } from "../graphql/global-id.js";

export enum ServerStatus {
  NEVER_VALIDATED = "NEVER_VALIDATED",
  OK = "OK",
  WARNINGS = "WARNINGS",
  ERRORS = "ERRORS",
  UNREACHABLE = "UNREACHABLE",
  AUTH_FAILED = "AUTH_FAILED",
  HOST_NOT_ALLOWED = "HOST_NOT_ALLOWED",
}
registerEnumType(ServerStatus, { name: "ServerStatus", description: "Outcome of the server's last validation" });

/** A ListManager hosting server the billing server reaches on its agent port. */
@Entity({ name: "server" })
@ObjectType({ description: "A ListManager hosting server registered with billing" })
export class Server {
  @PrimaryGeneratedColumn()
  id!: number;

  @Field(() => ID, { name: "id" })
  get globalId(): string {
    return toGlobalId("Server", this.id);
  }

  @Field()
  @Column({ type: "varchar", length: 100 })
  name!: string;

  @Column({ type: "varchar", length: 100 })
  nameKey!: string;

  @Field({ description: "DNS name or IP address of the hosting server" })
  @Column({ type: "varchar", length: 253 })
  hostName!: string;

  @Field(() => Int)
  @Column({ type: "int", default: 2021 })
  port!: number;

  @Field(() => String, { nullable: true })
  @Column({ type: "text", nullable: true })
  comments!: string | null;

  /** AES-256-GCM sealed password; null means ListManager's default. Never exposed. */
  @Column({ type: "text", nullable: true })
  passwordSealed!: string | null;

  @Field({ description: "Whether a password other than ListManager's default is stored (the password itself is never returned)" })
  get passwordSet(): boolean {
    return this.passwordSealed !== null;
  }

  @Field()
  @Column({ type: "boolean", default: false })
  autoSync!: boolean;

  @Field({ description: "Whether the agent is reached over TLS (its certificate checked against the host name, and against LISTBILL_AGENT_TLS_CA when set)" })
  @Column({ type: "boolean", default: false })
  tls!: boolean;

  @Field(() => ServerStatus)
  @Column({ type: "varchar", length: 20, default: ServerStatus.NEVER_VALIDATED })
  status!: ServerStatus;

  @Field(() => String, { nullable: true, description: "ListManager version reported at the last successful validation" })
  @Column({ type: "varchar", length: 100, nullable: true })
  version!: string | null;

  @Field(() => Date, { nullable: true, description: "Last successful validation" })
  @InstantColumn({ nullable: true })
  validatedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @InstantColumn({ nullable: true })
  syncedAt!: Date | null;

  /** LogID_ of the last log_ row imported: the next import starts after it. */
  @Field(() => Float, { name: "logImportedThrough", description: "The LogID_ of the hosting server's message log after which the next sync imports rows for usage: the last row imported, or after a fixed restart the last row billing already had (0: none yet)" })
  @Column({ type: "bigint", default: 0, transformer: { to: (value: number) => value, from: (value: string | number) => Number(value) } })
  logHighWater!: number;

  /**
   * How many times an operator confirmed that the hosting server's log_ started its LogID_ over
   * (fixing LOG_RESTARTED): imported rows carry it, and the high-water mark counts within it.
   */
  @Field(() => Int, { name: "logRestarts", description: "How many times the hosting server's message log started its numbering over and an operator fixed it (LOG_RESTARTED)" })
  @Column({ type: "int", default: 0 })
  logEpoch!: number;

  @Field(() => Date)
  @InstantColumn()
  createdAt!: Date;

  @Field(() => Date)
  @InstantColumn()
  updatedAt!: Date;
}
