import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { InstantColumn } from "../db/columns.js";

const asNumber = { to: (value: number | null) => value, from: (value: string | number | null) => (value === null ? null : Number(value)) };

/** One row of a hosting server's log_ (one message sent to a list), imported for billing. */
@Entity({ name: "message_log" })
export class MessageLog {
  /** bigint: mysql2 returns it as a string. */
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ type: "int" })
  serverId!: number;

  /** LogID_ on the hosting server; unique per server and log epoch, so an import never counts a row twice. */
  @Column({ type: "bigint", transformer: asNumber })
  remoteLogId!: number;

  /** The server's logEpoch when the row was imported: a log_ that started its ids over is a new epoch. */
  @Column({ type: "int", default: 0 })
  logEpoch!: number;

  @Column({ type: "int", nullable: true })
  listId!: number | null;

  @Column({ type: "varchar", length: 100, nullable: true })
  listName!: string | null;

  @Column({ type: "varchar", length: 100, nullable: true })
  siteName!: string | null;

  /** Billing's site of siteName on the server when the row was imported; null when it had none. */
  @Column({ type: "int", nullable: true })
  siteId!: number | null;

  @InstantColumn()
  sentAt!: Date;

  @Column({ type: "bigint", default: 0, transformer: asNumber })
  byteCount!: number;

  @Column({ type: "int", default: 0 })
  recipientCount!: number;

  @Column({ type: "bigint", nullable: true, transformer: asNumber })
  outmailId!: number | null;

  @Column({ type: "bigint", nullable: true, transformer: asNumber })
  subsetId!: number | null;

  @Column({ type: "varchar", length: 50, nullable: true })
  source!: string | null;

  @Column({ type: "varchar", length: 255, nullable: true })
  title!: string | null;

  @InstantColumn()
  importedAt!: Date;
}
