import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { InstantColumn } from "../db/columns.js";

/** One validation of one server: what it found and when; its errors point here. */
@Entity({ name: "validation_run" })
export class ValidationRun {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: "int" })
  serverId!: number;

  @Column({ type: "int", nullable: true })
  jobId!: number | null;

  @InstantColumn()
  startedAt!: Date;

  @InstantColumn({ nullable: true })
  finishedAt!: Date | null;

  /** When its errors became the server's current ones; null while it runs, and for ever if it died or was abandoned (see published.ts). */
  @InstantColumn({ nullable: true })
  publishedAt!: Date | null;

  /**
   * When a later run superseded this run's remaining OPEN errors as a whole (see published.ts);
   * null while they are the server's current ones, and for runs superseded error by error.
   */
  @InstantColumn({ nullable: true })
  withdrawnAt!: Date | null;

  /** Set with withdrawnAt and cleared once the sweep has written SUPERSEDED into each of those rows. */
  @InstantColumn({ nullable: true })
  sweepDueAt!: Date | null;

  /** The server status it concluded: OK, WARNINGS, ERRORS, UNREACHABLE, AUTH_FAILED, HOST_NOT_ALLOWED. */
  @Column({ type: "varchar", length: 20, nullable: true })
  outcome!: string | null;

  @Column({ type: "varchar", length: 100, nullable: true })
  version!: string | null;

  @Column({ type: "int", default: 0 })
  listsChecked!: number;

  @Column({ type: "int", default: 0 })
  errorCount!: number;

  @Column({ type: "int", default: 0 })
  warningCount!: number;
}
