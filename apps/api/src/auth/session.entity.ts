import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { InstantColumn } from "../db/columns.js";

/**
 * A browser sign-in: the SPA holds the session token in an httpOnly cookie; the database keeps
 * only its SHA-256, so any API process can check it and logout ends it everywhere.
 */
@Entity({ name: "user_session" })
export class Session {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: "int" })
  userId!: number;

  @Column({ type: "varchar", length: 64 })
  tokenHash!: string;

  @InstantColumn()
  createdAt!: Date;

  @InstantColumn()
  expiresAt!: Date;
}
