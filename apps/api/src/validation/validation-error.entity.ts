import { Field, ID, ObjectType as GraphQLObjectType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { InstantColumn } from "../db/columns.js";
import { toGlobalId } from "../graphql/global-id.js";
import { CODE_RULES, ObjectType, Severity, ValidationErrorCode, ValidationErrorStatus, messageShown } from "./validation-codes.js";

/** One difference one validation run found for one object. */
@Entity({ name: "validation_error" })
@GraphQLObjectType({ description: "A difference between billing and a hosting server, found by validation" })
export class ValidationError {
  @PrimaryGeneratedColumn()
  id!: number;

  @Field(() => ID, { name: "id" })
  get globalId(): string {
    return toGlobalId("ValidationError", this.id);
  }

  @Column({ type: "int" })
  runId!: number;

  @Column({ type: "int", nullable: true })
  serverId!: number | null;

  @Column({ type: "int", nullable: true })
  customerId!: number | null;

  /** Billing's row for a SITE or LIST object, when billing has one. */
  @Column({ type: "int", nullable: true })
  siteId!: number | null;

  @Column({ type: "int", nullable: true })
  listId!: number | null;

  @Field(() => ValidationErrorCode)
  @Column({ type: "varchar", length: 40 })
  code!: ValidationErrorCode;

  /** Severity, object type, fixable and remedy follow from the code (CODE_RULES); rows do not repeat them. */
  @Field(() => Severity)
  get severity(): Severity {
    return CODE_RULES[this.code].severity;
  }

  @Field(() => ObjectType)
  get objectType(): ObjectType {
    return CODE_RULES[this.code].objectType;
  }

  @Field({ description: "The object's name: the list or site name, the customer's company, the server's name" })
  @Column({ type: "varchar", length: 200 })
  objectKey!: string;

  /** The text as stored: empty when it is the code's named message of objectKey (see messageStored). */
  @Column({ type: "text" })
  message!: string;

  @Field(() => String, { name: "message" })
  get shownMessage(): string {
    return messageShown(this.code, this.objectKey, this.message);
  }

  @Field(() => Object, { nullable: true })
  @Column({ type: "simple-json", nullable: true })
  billingValue!: object | null;

  @Field(() => Object, { nullable: true })
  @Column({ type: "simple-json", nullable: true })
  hostingValue!: object | null;

  @Field({ description: "Whether fixValidationErrors can resolve it" })
  get fixable(): boolean {
    return CODE_RULES[this.code].fixable;
  }

  @Field({ description: "What an operator does about it" })
  get remedy(): string {
    return CODE_RULES[this.code].remedy;
  }

  @Field(() => ValidationErrorStatus)
  @Column({ type: "varchar", length: 12 })
  status!: ValidationErrorStatus;

  @Field(() => Date)
  @InstantColumn()
  detectedAt!: Date;

  @Field(() => Date, { nullable: true })
  @InstantColumn({ nullable: true })
  fixedAt!: Date | null;

  /**
   * When a later validation replaced it, written with SUPERSEDED (a withdrawn run's rows get the
   * run's withdrawnAt when the sweep reaches them); null otherwise, and for rows superseded before
   * the column existed. What a purge counts from.
   */
  @InstantColumn({ nullable: true })
  supersededAt!: Date | null;

  /** A digest of what the error says: a later run that finds the same keeps this row OPEN (see findingFingerprint). */
  @Column({ type: "varchar", length: 32, nullable: true })
  fingerprint!: string | null;
}
