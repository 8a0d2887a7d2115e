import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { InstantColumn } from "../db/columns.js";
import { toGlobalId } from "../graphql/global-id.js";

export enum JobKind {
  VALIDATE = "VALIDATE",
  SYNC = "SYNC",
  FIX = "FIX",
  IMPORT_LOG = "IMPORT_LOG",
}
registerEnumType(JobKind, { name: "JobKind" });

export enum JobState {
  QUEUED = "QUEUED",
  RUNNING = "RUNNING",
  SUCCEEDED = "SUCCEEDED",
  FAILED = "FAILED",
  CANCELLED = "CANCELLED",
}
registerEnumType(JobState, { name: "JobState" });

export const FINISHED_STATES: readonly JobState[] = [JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED];

/**
 * One validate / sync / fix / import run, persisted so that the UI and scripts can watch it and
 * so that any API process can take it over. A RUNNING job is leased to one worker
 * (leaseOwner until leaseExpiresAt); a lease left to expire means the worker died.
 */
@Entity({ name: "job" })
@ObjectType({ description: "A validate, sync, fix or log-import run and its progress" })
export class Job {
  @PrimaryGeneratedColumn()
  id!: number;

  @Field(() => ID, { name: "id" })
  get globalId(): string {
    return toGlobalId("Job", this.id);
  }

  @Field(() => JobKind)
  @Column({ type: "varchar", length: 20 })
  kind!: JobKind;

  @Field(() => JobState)
  @Column({ type: "varchar", length: 20 })
  state!: JobState;

  @Field(() => Float, { description: "0..1" })
  @Column({ type: "double", default: 0 })
  progress!: number;

  @Field({ description: "What started the job: MANUAL, SCHEDULE, AUTO_SYNC, FIX, …" })
  @Column({ type: "varchar", length: 40 })
  trigger!: string;

  @Field(() => String, { nullable: true, description: "The user who started it, if any" })
  @Column({ type: "varchar", length: 100, nullable: true })
  actor!: string | null;

  @Field(() => Object, { description: "What the job was asked to do" })
  @Column({ type: "simple-json" })
  input!: Record<string, unknown>;

  @Field(() => Object, { nullable: true, description: "What it did (counts, outcome), once finished" })
  @Column({ type: "simple-json", nullable: true })
  result!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: "Why it failed, in an operator's words" })
  @Column({ type: "text", nullable: true })
  error!: string | null;

  @Column({ type: "int", nullable: true })
  serverId!: number | null;

  @Field(() => Int, { description: "Times a worker has started it (retries after connection failures included)" })
  @Column({ type: "int", default: 0 })
  attempts!: number;

  @Field(() => Int)
  @Column({ type: "int", default: 3 })
  maxAttempts!: number;

  /** Not claimed before this instant: retries wait out their backoff here, not in a worker slot. */
  @InstantColumn()
  runAfter!: Date;

  @Column({ type: "varchar", length: 64, nullable: true })
  leaseOwner!: string | null;

  @InstantColumn({ nullable: true })
  leaseExpiresAt!: Date | null;

  @Field(() => Date)
  @InstantColumn()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @InstantColumn({ nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @InstantColumn({ nullable: true })
  finishedAt!: Date | null;

  @Field(() => Date)
  @InstantColumn()
  updatedAt!: Date;
}
